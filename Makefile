# FakturaNett: `make run` serves the app, `make test` runs lint and the test suite.
# Both set everything up first; nothing but Python 3.11+, Node.js/npm and gettext needed.

SHELL := /bin/bash
.SHELLFLAGS := -o pipefail -c
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
WEB_WORKERS ?= 4
PYTEST_ARGS ?=

.PHONY: messages-extract run test test-browser test-postgres lint fmt bench setup migrate messages demo lock clean

$(VENV)/.installed: requirements/dev.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip 2>&1 | { grep -v "^WARNING: Location" || true; }
	$(PY) -m pip install --quiet -r requirements/dev.txt 2>&1 | { grep -v "^WARNING: Location" || true; }
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --silent
	touch $@

messages: $(VENV)/.installed
	$(PY) manage.py compilemessages --ignore=.venv --ignore=node_modules -v 0

# Extract translatable strings into each app's locale/en and the root locale/ (templates/).
messages-extract: $(VENV)/.installed
	for app in $$(ls */locale -d | cut -d/ -f1); do \
	  (cd $$app && ../$(PY) ../manage.py makemessages -l en --no-obsolete -v 0); done
	$(PY) manage.py makemessages -l en --no-obsolete -v 0 -i ".venv/*" -i "node_modules/*" \
	  $$(for app in $$(ls */locale -d | cut -d/ -f1); do printf -- '-i %s ' $$app; done)

setup: $(VENV)/.installed node_modules/.installed messages

migrate: setup
	$(PY) manage.py migrate --noinput -v 0

# The operator and its plans always (the landing page and /plans/ list them); the demo
# company unless DEMO=0.
demo: migrate
	$(PY) manage.py backoffice_setup
	@if [ "$${DEMO:-1}" != "0" ]; then $(PY) manage.py demo_setup; fi

# The task worker runs HUEY_WORKERS processes (default: one per core; fakturanett/settings.py).
run: demo
	$(PY) manage.py collectstatic --noinput -v 0
	@echo "FakturaNett on http://127.0.0.1:$(PORT)/  (Ctrl-C stops the server and the task worker)"
	@trap 'kill 0' INT TERM EXIT; \
	$(PY) manage.py run_huey --quiet & \
	$(VENV)/bin/gunicorn fakturanett.wsgi:application --bind 127.0.0.1:$(PORT) \
	  --workers $(WEB_WORKERS) --access-logfile - --graceful-timeout 5; \
	wait

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports --no-cache
	$(VENV)/bin/mypy
	$(PY) manage.py makemigrations --check --dry-run -v 1 --settings=fakturanett.settings_test

fmt: $(VENV)/.installed
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

# The whole suite except the tests that need Debian's Chromium or poppler-utils
# (make test-browser; .ci/run installs both).
test: setup lint
	$(PY) -m pytest --ds=fakturanett.settings_test -m "not browser and not rendering" -n 2 $(PYTEST_ARGS)

# The same suite against PostgreSQL with Redis-backed tasks (CI's second part):
#   DATABASE_URL=postgres://postgres@127.0.0.1:5432/fakturanett REDIS_URL=redis://127.0.0.1:6379/1 make test-postgres
test-postgres: setup
	@test -n "$$DATABASE_URL" || (echo "Set DATABASE_URL to a PostgreSQL URL"; exit 2)
	$(PY) -m pytest --ds=fakturanett.settings_test -m "not browser and not rendering" -n 2 --create-db $(PYTEST_ARGS)

test-browser: setup
	FAKTURANETT_TEST_DB_FILE=1 $(PY) -m pytest --ds=fakturanett.settings_test -m "browser or rendering" --create-db $(PYTEST_ARGS)

bench: migrate
	$(PY) -m pip install -q -r requirements/bench.txt
	$(PY) -m bench

lock:
	$(PYTHON) -m venv /tmp/fakturanett-lock && /tmp/fakturanett-lock/bin/pip install -q pip-tools
	cd requirements && /tmp/fakturanett-lock/bin/pip-compile -q --strip-extras --no-header -o base.txt base.in
	cd requirements && /tmp/fakturanett-lock/bin/pip-compile -q --strip-extras --no-header -o dev.txt dev.in

clean:
	rm -rf $(VENV) node_modules var/staticfiles
