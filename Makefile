# The two commands of the README: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp
CHROMIUM ?= $(shell command -v chromium || echo /usr/bin/chromium)
HOST ?= 127.0.0.1
PORT ?= 8000
SCALE ?= 1

.PHONY: run test screenshots bench coverage lint format install

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11) and "Python 3.11 or newer is needed (set PYTHON=...)")'
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet '.[dev]'
	touch $@

install: $(STAMP)

# The task worker runs beside the server, in a session of its own so that it is stopped
# (gracefully, with all its processes) however the server stops: Ctrl-C included.
run: $(STAMP)
	$(PY) manage.py migrate --no-input
	$(PY) manage.py load_demo
	@echo "Serving http://$(HOST):$(PORT)/ (admin: http://$(HOST):$(PORT)/admin/)"
	@echo "The task worker runs beside it and prints every email it sends."
	@# The worker's console shows the emails it sends and its warnings, not a line a task.
	@LOG_LEVEL=WARNING setsid $(PY) manage.py db_worker & worker=$$!; \
	trap 'kill -TERM -$$worker 2>/dev/null; wait $$worker' EXIT INT TERM; \
	$(PY) manage.py runserver $(HOST):$(PORT)

# The browser tests need Debian's Chromium; without it the rest still run (never in CI).
test: $(STAMP)
	@if [ -x "$(CHROMIUM)" ]; then \
		CHROMIUM=$(CHROMIUM) $(PY) -m pytest $(ARGS); \
	elif [ -n "$$CI" ]; then \
		echo "No Chromium at $(CHROMIUM), and CI must run the browser tests"; exit 1; \
	else \
		echo "No Chromium at $(CHROMIUM): skipping tests/e2e (apt-get install chromium)"; \
		$(PY) -m pytest --ignore=tests/e2e $(ARGS); \
	fi

# Full-page PNGs of the journeys, phone and desktop, in tests/e2e/screenshots/.
screenshots: $(STAMP)
	CHROMIUM=$(CHROMIUM) $(PY) -m pytest tests/e2e -q

# Not part of `make test`: several minutes of load on gunicorn, PostgreSQL and Redis.
# SCALE=10 runs it on an archive ten times larger (100,000 posts).
bench: $(STAMP)
	@command -v wrk >/dev/null && command -v redis-server >/dev/null && command -v nginx >/dev/null || \
		(apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk redis-server nginx >/dev/null)
	SCALE=$(SCALE) bash bench/run.sh

coverage: $(STAMP)
	$(VENV)/bin/coverage run -m pytest $(ARGS)
	$(VENV)/bin/coverage report --skip-covered --show-missing

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(PY) manage.py makemigrations --check --dry-run

format: $(STAMP)
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .
