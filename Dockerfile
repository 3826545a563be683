# First version: a production image served by gunicorn. Hardening follows later.
FROM python:3.12-slim AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /app
COPY pyproject.toml README.md ./
COPY maturity ./maturity
COPY assessments ./assessments
RUN python -m venv /venv && /venv/bin/pip install .

FROM python:3.12-slim
ENV PATH=/venv/bin:$PATH PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 DEBUG=0
WORKDIR /app
RUN useradd --system --uid 1000 --home /app app
COPY --from=build /venv /venv
COPY . .
# collectstatic needs a key to import the settings; the running container gets its own.
RUN SECRET_KEY=collectstatic-only python manage.py collectstatic --noinput
USER app
EXPOSE 8000
CMD ["sh", "-c", "gunicorn maturity.wsgi --bind 0.0.0.0:8000 --workers ${WEB_CONCURRENCY:-3} --access-logfile -"]
