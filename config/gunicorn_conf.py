"""Gunicorn settings for the Docker image: `gunicorn --config config/gunicorn_conf.py`.

Gunicorn names itself in a Server header on every response and has no setting to
stop it (the application's own Server header is dropped); the header line is left out
here instead. tests/test_hardening.py starts gunicorn with this file and checks it.
"""

from __future__ import annotations

from gunicorn.http.wsgi import Response

_default_headers = Response.default_headers


def _without_server(self: Response) -> list[str]:
    return [line for line in _default_headers(self) if not line.startswith("Server:")]


Response.default_headers = _without_server
