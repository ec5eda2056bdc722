"""Django settings for sangkien.

Every setting that differs between a laptop and production comes from an
environment variable; docs/configuration.md lists them.  The defaults give
the embedded set-up: SQLite in WAL mode, in-process background jobs, local
files, DEBUG on.  With ``SANGKIEN_ENV=production`` the app refuses to start
without a secret key, serves the collected (hashed, compressed) static files
and turns the secure defaults on; ``SANGKIEN_HTTPS=0`` keeps plain HTTP for
``make run`` on a laptop (production server, laptop transport).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import dj_database_url
from csp.constants import NONCE, NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env(name: str, default: str = "") -> str:
    """Return the environment variable ``name`` or ``default``."""
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    """Read a boolean environment variable (1/true/yes/on are true)."""
    raw = os.environ.get(name)
    if raw is None:
        return default
    return raw.strip().lower() in {"1", "true", "yes", "on"}


PRODUCTION = env("SANGKIEN_ENV", "development") == "production"
DEBUG = env_bool("SANGKIEN_DEBUG", not PRODUCTION)

SECRET_KEY = env("SANGKIEN_SECRET_KEY")
if not SECRET_KEY:
    if PRODUCTION:
        raise ImproperlyConfigured("SANGKIEN_SECRET_KEY must be set in production.")
    SECRET_KEY = "insecure-development-key-do-not-use-in-production"  # noqa: S105
elif PRODUCTION and (len(SECRET_KEY) < 50 or len(set(SECRET_KEY)) < 5 or SECRET_KEY.startswith("django-insecure")):
    # The thresholds of Django's own deploy check (security.W009), made fatal: sessions,
    # password-reset links and signed upload references all rest on this key.
    raise ImproperlyConfigured(
        "SANGKIEN_SECRET_KEY is too weak for production: use at least 50 random characters "
        "(python -c 'import secrets; print(secrets.token_urlsafe(50))')."
    )

ALLOWED_HOSTS = [h for h in env("SANGKIEN_ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h]
CSRF_TRUSTED_ORIGINS = [o for o in env("SANGKIEN_CSRF_TRUSTED_ORIGINS", "").split(",") if o]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "allauth",
    "allauth.account",
    "axes",
    "django_htmx",
    "rules.apps.AutodiscoverRulesConfig",
    "simple_history",
    "treebeard",
    "django_tasks",
    "django_tasks_db",
    "sangkien.core",
    "sangkien.accounts",
    "sangkien.units",
    "sangkien.roles",
    "sangkien.programmes",
    "sangkien.accesslog",
    "sangkien.initiatives",
    "sangkien.reports",
    "sangkien.duplicates",
    "sangkien.imports",
    "sangkien.review",
    "sangkien.privacy",
    "sangkien.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",  # static files: pre-compressed, returned before the rest
    "django.middleware.gzip.GZipMiddleware",  # pages (Django pads the output against BREACH)
    "django.contrib.sessions.middleware.SessionMiddleware",
    "sangkien.core.middleware.LanguageMiddleware",
    "sangkien.core.middleware.RejectNullCharactersMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Before anything reads request.POST (CSRF's process_view): refuses oversized bodies unread.
    "sangkien.core.middleware.RequestBodyLimitMiddleware",
    "sangkien.core.middleware.SessionTimeoutMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "sangkien.urls"
WSGI_APPLICATION = "sangkien.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "sangkien" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "sangkien.roles.context_processors.site",
                "csp.context_processors.nonce",
            ],
            "string_if_invalid": "",
        },
    }
]

# --- Database -------------------------------------------------------------
DATABASE_URL = env("DATABASE_URL", f"sqlite:///{BASE_DIR / 'var' / 'sangkien.sqlite3'}")
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=int(env("SANGKIEN_CONN_MAX_AGE", "60")))}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        # WAL lets dashboards read while a submission writes; IMMEDIATE takes the
        # write lock at BEGIN so concurrent writers queue instead of failing.  A
        # writer waits at most `timeout` seconds for the lock, then gets "database
        # is locked": the forms then come back with everything typed (a 503).  An
        # import saves in chunks of a fraction of a second (imports.services), so
        # a submission waits for one chunk, not for the whole import (issue 9.6).
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": float(env("SANGKIEN_SQLITE_BUSY_TIMEOUT", "10")),
    }
DATABASE_REPLICA_URL = env("DATABASE_REPLICA_URL")
if DATABASE_REPLICA_URL:
    # A streaming replica for read-only pages; see sangkien/core/db_router.py.
    DATABASES["replica"] = dj_database_url.parse(DATABASE_REPLICA_URL, conn_max_age=60)
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
    DATABASE_ROUTERS = ["sangkien.core.db_router.PrimaryReplicaRouter"]
    MIDDLEWARE.insert(MIDDLEWARE.index("django.contrib.sessions.middleware.SessionMiddleware"),
                      "sangkien.core.db_router.PrimaryPinMiddleware")
if env_bool("SANGKIEN_DISABLE_SERVER_SIDE_CURSORS", False):
    # Behind PgBouncer in transaction mode a cursor may not outlive its transaction
    # (docs/deployment.md, "Connection pooler").
    for _database in DATABASES.values():
        _database["DISABLE_SERVER_SIDE_CURSORS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache, sessions, tasks -----------------------------------------------
REDIS_URL = env("REDIS_URL")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
    SESSION_ENGINE = "django.contrib.sessions.backends.cache"
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    # Django's database sessions, each read as one plain statement (issue 12, round 11).
    SESSION_ENGINE = "sangkien.accounts.session_store"

TASKS: dict[str, dict[str, Any]] = {
    "default": {
        "BACKEND": env("SANGKIEN_TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
    }
}
if REDIS_URL and not env("SANGKIEN_TASKS_BACKEND"):
    # Production queue: Redis via RQ (`pip install .[redis]`; worker:
    # `manage.py rqworker --job-class django_tasks_rq.Job default`).
    INSTALLED_APPS += ["django_rq", "django_tasks_rq"]
    TASKS["default"] = {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}
    RQ_QUEUES = {"default": {"URL": REDIS_URL, "DEFAULT_TIMEOUT": 3600}}

# --- Authentication (django-allauth, django-axes) --------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "rules.permissions.ObjectPermissionBackend",
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
ACCOUNT_ADAPTER = "sangkien.accounts.adapter.AccountAdapter"
ACCOUNT_LOGIN_METHODS = {"phone", "email"}
ACCOUNT_SIGNUP_FIELDS = ["phone", "email", "password1*", "password2*"]
# Phone and e-mail are both optional to allauth; MemberSignupForm requires one
# of them, which allauth's cross-check (account.W001) cannot see.
SILENCED_SYSTEM_CHECKS = ["account.W001"]
ACCOUNT_SIGNUP_FORM_CLASS = "sangkien.accounts.forms.MemberSignupForm"
ACCOUNT_EMAIL_VERIFICATION = "none"
# Phones are verified by a code sent by SMS right after sign-up (and by a
# password reset by SMS), but an unverified phone does not block signing in:
# allauth's blocking verification stage stays off.  Only a verified phone
# (User.is_phone_verified) counts as proof of identity.  docs/sms.md.
ACCOUNT_PHONE_VERIFICATION_ENABLED = False
ACCOUNT_PHONE_VERIFICATION_CODE_FORMAT = {"numeric": True, "length": 6, "dashed": False}
ACCOUNT_PHONE_VERIFICATION_MAX_ATTEMPTS = 5
ACCOUNT_PHONE_VERIFICATION_TIMEOUT = 15 * 60  # seconds a texted code stays valid
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_SESSION_REMEMBER = True
# Sessions (sangkien/accounts/sessions.py, docs/security.md "Sessions"): a member stays signed in
# for N days after their last visit (sliding; allauth "remembers" every sign-in, phones are personal);
# an officer (any role, staff) is signed out after M idle minutes and H hours after signing in.
SESSION_COOKIE_AGE = int(env("SANGKIEN_SESSION_MEMBER_DAYS", "7")) * 24 * 3600
SANGKIEN_SESSION_OFFICER_IDLE_MINUTES = int(env("SANGKIEN_SESSION_OFFICER_IDLE_MINUTES", "30"))
SANGKIEN_SESSION_OFFICER_MAX_HOURS = int(env("SANGKIEN_SESSION_OFFICER_MAX_HOURS", "12"))
SANGKIEN_SESSION_KIND_CALLABLE = "sangkien.accounts.sessions.session_kind"
# Exports of personal data and role changes ask for the password again unless the person signed in
# or confirmed it in the last N minutes.
SANGKIEN_REAUTHENTICATION_MINUTES = int(env("SANGKIEN_REAUTHENTICATION_MINUTES", "15"))
ACCOUNT_REAUTHENTICATION_TIMEOUT = SANGKIEN_REAUTHENTICATION_MINUTES * 60
ACCOUNT_LOGOUT_ON_GET = False
# Every text message counts against "send_sms": per number (key) and per IP.
SANGKIEN_SMS_RATE_LIMIT = env("SANGKIEN_SMS_RATE_LIMIT", "3/10m/key,20/1h/ip")
# allauth's own "verify_phone" limit also counts 3/min per IP: too few for a
# factory Wi-Fi during a sign-up campaign; "send_sms" already limits per IP.
ACCOUNT_RATE_LIMITS = (False if env_bool("SANGKIEN_DISABLE_RATE_LIMITS", False)
                       else {"send_sms": SANGKIEN_SMS_RATE_LIMIT, "verify_phone": "1/30s/key"})
# allauth raises RateLimited on some steps; answer 429 with a page, not 500.
MIDDLEWARE += ["sangkien.accounts.middleware.RateLimitedMiddleware"]

# SMS (docs/sms.md): console in development, a brand-name HTTP gateway in production.
SANGKIEN_SMS_BACKEND = env("SANGKIEN_SMS_BACKEND", "sangkien.accounts.sms.ConsoleBackend")
SANGKIEN_SMS_FILE_PATH = env("SANGKIEN_SMS_FILE_PATH", str(BASE_DIR / "var" / "sms"))
SANGKIEN_SMS_GATEWAY_URL = env("SANGKIEN_SMS_GATEWAY_URL")
SANGKIEN_SMS_GATEWAY_FORMAT = env("SANGKIEN_SMS_GATEWAY_FORMAT", "json")
SANGKIEN_SMS_API_KEY = env("SANGKIEN_SMS_API_KEY")
SANGKIEN_SMS_BRANDNAME = env("SANGKIEN_SMS_BRANDNAME")
SANGKIEN_SMS_TIMEOUT = float(env("SANGKIEN_SMS_TIMEOUT", "10"))
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"
ACCOUNT_LOGOUT_REDIRECT_URL = "home"

AXES_FAILURE_LIMIT = int(env("SANGKIEN_LOGIN_FAILURE_LIMIT", "10"))
AXES_COOLOFF_TIME = 0.25  # hours
# Lock per account and per (account, client address): behind a proxy every client
# shares its address, so the address alone must never lock (docs/security.md).
AXES_LOCKOUT_PARAMETERS = ["username", ["username", "ip_address"]]
AXES_USERNAME_FORM_FIELD = "login"
AXES_USERNAME_CALLABLE = "sangkien.accounts.lockout.login_key"
AXES_CLIENT_IP_CALLABLE = "sangkien.accounts.lockout.client_ip"
# Addresses (or networks) of the reverse proxies whose X-Forwarded-For is believed.
SANGKIEN_TRUSTED_PROXIES = [p for p in env("SANGKIEN_TRUSTED_PROXIES", "").split(",") if p]
AXES_ENABLED = env_bool("SANGKIEN_AXES_ENABLED", True)

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# --- Internationalisation ---------------------------------------------------
LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", _("Tiếng Việt")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "sangkien" / "locale"]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True
USE_THOUSAND_SEPARATOR = True
FORMAT_MODULE_PATH = ["sangkien.formats"]

# --- Files --------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(env("SANGKIEN_STATIC_ROOT", str(BASE_DIR / "var" / "static")))
STATICFILES_DIRS = [BASE_DIR / "sangkien" / "static"]
# From node_modules, only the files the pages load (sangkien.core.staticfiles).
SANGKIEN_VENDOR_FILES = {
    "vendor/pico/pico.min.css": BASE_DIR / "node_modules" / "@picocss" / "pico" / "css" / "pico.min.css",
    "vendor/htmx/htmx.min.js": BASE_DIR / "node_modules" / "htmx.org" / "dist" / "htmx.min.js",
    "vendor/trix/trix.umd.min.js": BASE_DIR / "node_modules" / "trix" / "dist" / "trix.umd.min.js",
    "vendor/trix/trix.umd.min.js.map": BASE_DIR / "node_modules" / "trix" / "dist" / "trix.umd.min.js.map",
    "vendor/trix/trix.css": BASE_DIR / "node_modules" / "trix" / "dist" / "trix.css",
}
STATICFILES_FINDERS = [
    "django.contrib.staticfiles.finders.FileSystemFinder",
    "django.contrib.staticfiles.finders.AppDirectoriesFinder",
    "sangkien.core.staticfiles.VendorFinder",
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
# Outside production the app serves assets straight from the finders (no
# collectstatic step on a laptop or in tests); production serves the
# collected files: names carry a content hash (cached for a year, immutable)
# and each has a Brotli and a gzip copy picked by Accept-Encoding.
WHITENOISE_USE_FINDERS = not PRODUCTION
WHITENOISE_AUTOREFRESH = not PRODUCTION
WHITENOISE_KEEP_ONLY_HASHED_FILES = True  # every page links through {% static %}
MEDIA_ROOT = Path(env("SANGKIEN_MEDIA_ROOT", str(BASE_DIR / "var" / "media")))
MEDIA_URL = "/media/"  # never served directly: attachments go through a scoped view
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 12 * 1024 * 1024

# Attachments: what a member may upload with an initiative.
SANGKIEN_ATTACHMENT_MAX_BYTES = int(env("SANGKIEN_ATTACHMENT_MAX_BYTES", str(10 * 1024 * 1024)))
SANGKIEN_ATTACHMENT_MAX_FILES = 5
SANGKIEN_ATTACHMENT_EXTENSIONS = ["pdf", "doc", "docx", "xls", "xlsx", "jpg", "jpeg", "png"]
# Pictures larger than this many pixels are refused before they are decoded (decompression bombs).
SANGKIEN_UPLOAD_MAX_PIXELS = int(env("SANGKIEN_UPLOAD_MAX_PIXELS", "40000000"))
# What one person may upload as attachments per clock hour (files received, accepted or not).
SANGKIEN_UPLOAD_FILES_PER_HOUR = int(env("SANGKIEN_UPLOAD_FILES_PER_HOUR", "30"))
SANGKIEN_UPLOAD_MB_PER_HOUR = int(env("SANGKIEN_UPLOAD_MB_PER_HOUR", "150"))
# Request bodies (sangkien.core.middleware.RequestBodyLimitMiddleware): pages with an
# attachments field take MAX_FILES × MAX_BYTES + DATA_UPLOAD_MAX_MEMORY_SIZE, the import
# upload 61 MB, every other page this many bytes.
SANGKIEN_MAX_BODY_BYTES = int(env("SANGKIEN_MAX_BODY_BYTES", str(2 * 1024 * 1024)))
SANGKIEN_ATTACHMENT_URL_NAMES = ["initiatives:submit", "initiatives:edit", "review:enter"]

# Dashboards count live (exact at every instant, fine up to a few hundred
# thousand initiatives) or from the roll-ups refreshed by
# `manage.py refresh_rollups --loop 30` (national scale; fresh within the
# loop's period): SANGKIEN_DASHBOARD_SOURCE=live|rollups.
SANGKIEN_DASHBOARD_SOURCE = env("SANGKIEN_DASHBOARD_SOURCE", "live")

# Imports: the largest file accepted, in rows (docs/imports.md).
SANGKIEN_IMPORT_MAX_ROWS = int(env("SANGKIEN_IMPORT_MAX_ROWS", "200000"))
# The largest import file accepted (bytes); its page takes this + 1 MB of body.
SANGKIEN_IMPORT_MAX_UPLOAD_BYTES = int(env("SANGKIEN_IMPORT_MAX_UPLOAD_BYTES", str(60 * 1024 * 1024)))
# Plausibility holds (issue 9 item 8, sangkien.initiatives.plausibility; docs/imports.md).
SANGKIEN_PLAUSIBILITY_FLOOR = int(env("SANGKIEN_PLAUSIBILITY_FLOOR", "50"))
SANGKIEN_PLAUSIBILITY_MEMBERS_FACTOR = float(env("SANGKIEN_PLAUSIBILITY_MEMBERS_FACTOR", "1"))
SANGKIEN_PLAUSIBILITY_HISTORY_FACTOR = float(env("SANGKIEN_PLAUSIBILITY_HISTORY_FACTOR", "5"))
SANGKIEN_PLAUSIBILITY_GRASSROOTS_MAX = int(env("SANGKIEN_PLAUSIBILITY_GRASSROOTS_MAX", "10000"))
SANGKIEN_PLAUSIBILITY_DAILY_PER_PERSON = int(env("SANGKIEN_PLAUSIBILITY_DAILY_PER_PERSON", "10"))
# Hostile files are refused before they are read: an XLSX whose parts decompress to
# more than this (zip bombs), or whose shared strings are larger than this.
# Built export files (phone numbers, e-mails) are deleted after this many hours.
SANGKIEN_EXPORT_RETENTION_HOURS = float(env("SANGKIEN_EXPORT_RETENTION_HOURS", "24"))
# Retention of personal data, in days (sangkien.privacy.retention; `manage.py purge_personal_data`
# hourly; docs/privacy.md "Retention").
SANGKIEN_RETENTION_ACCESS_LOG_DAYS = float(env("SANGKIEN_RETENTION_ACCESS_LOG_DAYS", "730"))
SANGKIEN_RETENTION_AUDIT_DAYS = float(env("SANGKIEN_RETENTION_AUDIT_DAYS", "1825"))
SANGKIEN_RETENTION_IMPORT_FILES_DAYS = float(env("SANGKIEN_RETENTION_IMPORT_FILES_DAYS", "30"))
SANGKIEN_RETENTION_LOGIN_ATTEMPTS_DAYS = float(env("SANGKIEN_RETENTION_LOGIN_ATTEMPTS_DAYS", "90"))
SANGKIEN_RETENTION_SMS_DAYS = float(env("SANGKIEN_RETENTION_SMS_DAYS", "1"))
SANGKIEN_IMPORT_MAX_UNCOMPRESSED_MB = int(env("SANGKIEN_IMPORT_MAX_UNCOMPRESSED_MB", "300"))
# An XLSX whose sheets would take more memory than this in python-calamine is read with openpyxl (issue 12).
SANGKIEN_IMPORT_FAST_READER_MB = int(env("SANGKIEN_IMPORT_FAST_READER_MB", "250"))
SANGKIEN_IMPORT_MAX_SHARED_STRINGS_MB = int(env("SANGKIEN_IMPORT_MAX_SHARED_STRINGS_MB", "50"))

# Public address (scheme, host, port) used in QR codes, printed posters and
# unit links; `make run`/`make dev` set it from their HOST and PORT.
SANGKIEN_PUBLIC_URL = env("SANGKIEN_PUBLIC_URL", "http://127.0.0.1:8000").rstrip("/")

# --- Security -------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
# Content-Security-Policy (django-csp): scripts and styles only from our own origin or
# carrying the page's nonce (Trix and htmx read it from <meta name="csp-nonce"> and the
# htmx-config meta to label the <style> elements they add); no inline script or style
# attribute runs, no plug-ins, no framing, forms post only to us.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        # + the one <style> of templates/500.html, rendered without a request (so without a nonce)
        "style-src": [SELF, NONCE, "'sha256-0xh108K48D6l4A/7m4GO+1il+X+ZM/Y/cEfG2urq+Ig='"],
        "img-src": [SELF, "data:", "blob:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}
# No page of ours uses a camera, microphone, location, payment or sensor: deny them all,
# for our pages and anything framed in them (django-permissions-policy).
PERMISSIONS_POLICY: dict[str, list[str]] = {
    feature: [] for feature in (
        "accelerometer", "autoplay", "camera", "display-capture", "encrypted-media", "geolocation",
        "gyroscope", "magnetometer", "microphone", "midi", "payment", "publickey-credentials-get",
        "screen-wake-lock", "usb", "xr-spatial-tracking",
    )
}
# HTTPS-only transport (secure cookies, HSTS, redirect to https): on in
# production unless SANGKIEN_HTTPS=0, which `make run` sets to serve the
# production server over plain HTTP on a laptop or a LAN.
HTTPS = env_bool("SANGKIEN_HTTPS", PRODUCTION)
if HTTPS:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("SANGKIEN_SSL_REDIRECT", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = int(env("SANGKIEN_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

EMAIL_BACKEND = env("SANGKIEN_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env("SANGKIEN_FROM_EMAIL", "sangkien@localhost")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("SANGKIEN_LOG_LEVEL", "WARNING")},
}
