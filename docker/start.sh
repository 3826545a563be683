#!/bin/sh
# Start-up for docker compose:
#   sh docker/start.sh migrate   bring the schema and the bundled model up to date, then exit
#   sh docker/start.sh           serve with gunicorn
# Migrating is a step of its own, run once per deployment before any server starts
# (compose's one-shot `migrate` service): servers that each migrated on start would
# race each other on the same database.
set -eu
case "${1:-serve}" in
    migrate)
        python manage.py migrate --noinput
        exec python manage.py load_model
        ;;
    serve)
        exec gunicorn config.wsgi --config config/gunicorn_conf.py --bind 0.0.0.0:8000 \
            --workers "${WEB_CONCURRENCY:-3}" --access-logfile - --error-logfile -
        ;;
    *)
        echo "usage: sh docker/start.sh [migrate|serve]" >&2
        exit 2
        ;;
esac
