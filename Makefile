# Two commands do all the set-up on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: install lock run test lint fmt bench clean

# The virtualenv installs exactly what the lock file pins, hashes checked, and is
# brought up to date when the lock file (or the project's own metadata) changes.
$(BIN)/.installed: requirements-dev.lock pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet --require-hashes -r requirements-dev.lock
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $@

install: $(BIN)/.installed

# Refreshes both lock files from pyproject.toml: run it after editing the dependencies there.
# Pins that still fit are kept; `make lock LOCK_ARGS=--upgrade` takes the newest allowed.
# One resolution for Python 3.10 and up on any platform; the runtime lock (the Docker
# image's) is constrained to the dev lock's pins, so what ships is what was tested.
LOCK_ARGS ?=
LOCK := $(BIN)/uv pip compile pyproject.toml --quiet --universal --python-version 3.10 \
	--generate-hashes --custom-compile-command 'make lock' $(LOCK_ARGS)
lock: install
	$(LOCK) --group dev -o requirements-dev.lock
	$(LOCK) -c requirements-dev.lock -o requirements.lock

run: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py load_model
	$(BIN)/python manage.py seed_demo
	$(BIN)/python manage.py dev_admin
	@echo "Open http://$(HOST):$(PORT)/ (stop with Ctrl-C)."
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

test: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/pytest -n auto --dist loadgroup

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy .
	$(BIN)/hadolint Dockerfile

# Throughput against a trivial view, on PostgreSQL with production settings (needs wrk).
bench: install
	@command -v wrk >/dev/null || { echo "wrk is missing: apt-get install wrk"; exit 2; }
	$(BIN)/python bench/run.py

fmt: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .mypy_cache .ruff_cache
