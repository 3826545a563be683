"""WSGI entry point, used by gunicorn."""

import os

import django
from django.core.handlers.wsgi import WSGIHandler

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django.setup(set_prefix=False)

from config.errors import ReadableContentTypeRequest  # noqa: E402  (needs the settings)


class Handler(WSGIHandler):
    request_class = ReadableContentTypeRequest


application = Handler()
