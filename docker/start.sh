#!/bin/sh
# Start-up for docker compose: bring the schema and the bundled model up to date,
# then serve. Run it in one container only when several serve the same database.
set -eu
python manage.py migrate --noinput
python manage.py load_model
exec gunicorn config.wsgi --bind 0.0.0.0:8000 --workers "${WEB_CONCURRENCY:-3}" \
    --access-logfile - --error-logfile -
