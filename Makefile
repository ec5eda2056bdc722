# sangkien — the two commands of the README:
#   make run    install, migrate, load the demo, serve with gunicorn (DEBUG off,
#               compressed hashed assets) on http://127.0.0.1:8000 — HOST=0.0.0.0
#               PORT=8080 to serve a LAN; QR codes and posters follow HOST:PORT
#               (or PUBLIC_URL=https://… when a proxy fronts it)
#   make test   lint, migrations check, unit, integration and browser tests,
#               on SQLite and on PostgreSQL
# and for developers:
#   make dev          Django's development server (DEBUG on, autoreload) + worker
#   make screenshots  refresh the README's screenshots in docs/screenshots/
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml package-lock.json 2>/dev/null | sha1sum | cut -c1-12)
CHROMIUM ?= /usr/bin/chromium
HOST ?= 127.0.0.1
PORT ?= 8000
PUBLIC_URL ?= $(shell scripts/public-url.sh $(HOST) $(PORT))

.PHONY: run dev screenshots test install assets lint demo chromium clean

$(STAMP): pyproject.toml package-lock.json
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev,postgres,bench]"  # bench: the benchmarks' tests drive Locust
	@command -v msgfmt >/dev/null || { echo "Installing GNU gettext (msgfmt) to compile the translations"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq gettext >/dev/null; }
	cd sangkien && ../$(PY) ../manage.py compilemessages -v0
	npm ci --no-audit --no-fund --loglevel=error
	rm -f $(VENV)/.installed-* && touch $(STAMP)

install: $(STAMP)

demo: install
	mkdir -p var
	cd sangkien && ../$(PY) ../manage.py compilemessages -v0
	$(PY) manage.py migrate --noinput -v0
	@# The historical scenarios are built on the pre-2025 tree, then the tree is
	@# reorganised as on 1/7/2025; once it has been, they stay as they are.
	if ! $(PY) manage.py load_national_units --as-of 2025-07-01 --check; then \
	  $(PY) manage.py load_national_units && \
	  $(PY) manage.py load_scenario ninh-binh-2021 && \
	  $(PY) manage.py load_national_units --as-of 2025-07-01; \
	fi
	$(PY) manage.py load_scenario open-demo
	$(PY) manage.py load_scenario national-2026

define DEMO_BANNER
	@echo ""
	@echo "  sangkien: $(PUBLIC_URL)/"
	@echo "  Ninh Bình on 5/4/2021: $(PUBLIC_URL)/thong-ke/75-nghin-2021/37/"
	@echo "  A programme of today (34 provinces): $(PUBLIC_URL)/thong-ke/sang-kien-2026/TLD/"
	@echo "  Demo logins (password: sangkien-demo-2021):"
	@echo "    member (phone)          0912 000 001"
	@echo "    organising committee    bantochuc@sangkien.local"
	@echo "    Ninh Bình officer       ninhbinh@sangkien.local"
	@echo "    Yên Khánh reviewer      yenkhanh@sangkien.local"
	@echo "    support team (CĐCS)     tohotro@sangkien.local"
	@echo ""
endef

# Production server on the laptop: scripts/serve.sh migrates, collects the
# static files (hashed, Brotli + gzip) into var/static, keeps a generated secret
# key in var/secret-key and runs gunicorn with DEBUG off beside the background
# worker (`manage.py db_worker`); Ctrl-C stops both.
run: demo
	$(DEMO_BANNER)
	HOST=$(HOST) PORT=$(PORT) SANGKIEN_PUBLIC_URL=$(PUBLIC_URL) PY=$(PY) scripts/serve.sh

# Django's development server (DEBUG on, autoreload, assets from node_modules).
dev: demo
	$(DEMO_BANNER)
	export SANGKIEN_PUBLIC_URL=$(PUBLIC_URL); \
	  $(PY) manage.py db_worker --no-reload --queue-name '*' & worker=$$!; \
	  trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	  $(PY) manage.py runserver $(HOST):$(PORT)

# The browser tests write their screenshots under var/screenshots/ (so `make
# test` leaves the tree clean); this refreshes the copies the README and docs/
# show, on purpose.
SHOOTING_TESTS := tests/browser/test_member_journey.py tests/browser/test_import_journey.py \
  tests/browser/test_reviewer_journey.py tests/browser/test_member_pages.py tests/browser/test_phone_reset.py
screenshots: install chromium
	mkdir -p var
	env -u DATABASE_URL $(VENV)/bin/pytest -p no:cacheprovider -q $(SHOOTING_TESTS)
	@for name in $$(grep -ohE 'screenshots/[A-Za-z0-9_-]+\.png' README.md docs/*.md | sort -u | sed 's#screenshots/##'); do \
	  cp -v var/screenshots/$$name docs/screenshots/$$name || exit 1; \
	done

chromium:
	@test -x $(CHROMIUM) || { echo "Installing Debian's chromium for the browser tests"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

lint: install
	mkdir -p var
	$(VENV)/bin/ruff check .
	$(VENV)/bin/djlint sangkien/templates --lint --quiet
	$(VENV)/bin/lint-imports  # apps import only downwards: pyproject.toml [tool.importlinter]
	$(VENV)/bin/mypy sangkien  # types: pyproject.toml [tool.mypy], docs/architecture.md "Types"
	$(PY) manage.py makemigrations --check --dry-run
	$(PY) manage.py check

# The whole suite runs twice: on the embedded SQLite, then on a throw-away
# PostgreSQL 15 server that scripts/with-postgres.sh installs if missing,
# starts on a free port of 127.0.0.1 (as the postgres user) and removes.
# pytest-xdist spreads the test files over TEST_WORKERS processes (one
# database each; a file stays on one worker, so module-scoped worlds are built
# once): TEST_WORKERS=0 runs in one process.
# Tests marked own_database (the benchmarks' quick runs, `make run`'s server, the
# import beside submissions on a SQLite file) build their own database whatever
# the suite runs on: the PostgreSQL pass leaves them out rather than run them twice.
TEST_WORKERS ?= 2
PYTEST := $(VENV)/bin/pytest -p no:cacheprovider $(if $(filter 0,$(TEST_WORKERS)),,-n $(TEST_WORKERS) --dist loadfile)
test: install chromium lint
	@echo "== SQLite =="
	env -u DATABASE_URL $(PYTEST)
	@echo "== PostgreSQL 15 =="
	scripts/with-postgres.sh $(PYTEST) -m 'not own_database'

clean:
	rm -rf $(VENV) node_modules var
