# Production image: gunicorn serving the app, static files hashed at build time.
# Configuration comes from the environment at run time (see README, "Deployment").

FROM python:3.12-slim AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /src
COPY requirements.lock ./
# The runtime dependencies exactly as locked (hashes checked) into a virtualenv;
# the app itself runs from /app. Refresh the lock with `make lock`.
RUN python -m venv /venv \
    && /venv/bin/pip install --no-cache-dir --require-hashes -r requirements.lock

FROM python:3.12-slim
ENV PATH=/venv/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    DEBUG=0 \
    STATIC_ROOT=/app/staticfiles \
    DATABASE_URL=sqlite:////app/data/db.sqlite3 \
    WEB_CONCURRENCY=3
# Without a DATABASE_URL of its own, the app keeps a SQLite file in a volume-ready folder.
RUN useradd --system --uid 10001 --user-group --home-dir /app --shell /usr/sbin/nologin app \
    && mkdir -p /app/data && chown 10001:10001 /app/data
WORKDIR /app
COPY --from=build /venv /venv
COPY manage.py ./
COPY config ./config
COPY maturity ./maturity
COPY teams ./teams
COPY assessments ./assessments
COPY planning ./planning
COPY dashboard ./dashboard
COPY reminders ./reminders
COPY api ./api
COPY templates ./templates
COPY static ./static
COPY docker/start.sh ./docker/start.sh
# Settings need a key to import; this one exists only during the build.
RUN SECRET_KEY=collectstatic-only python manage.py collectstatic --noinput
USER 10001
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import sys, urllib.request as u; sys.exit(u.urlopen('http://127.0.0.1:8000/healthz', timeout=4).status != 200)"]
CMD ["sh", "-c", "exec gunicorn config.wsgi --config config/gunicorn_conf.py --bind 0.0.0.0:8000 --workers \"$WEB_CONCURRENCY\" --access-logfile - --error-logfile -"]
