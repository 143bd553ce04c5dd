"""WSGI entry point for gunicorn (``orderdesk serve``)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "orderdesk.config.settings")
application = get_wsgi_application()
