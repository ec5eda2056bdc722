"""WSGI entry point (gunicorn/granian: ``sangkien.wsgi:application``)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sangkien.settings")
application = get_wsgi_application()
