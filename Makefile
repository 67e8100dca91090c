# `make test-fast` while you work, `make test` before you push. CI runs .ci/run on a fresh
# machine: it installs what the tests need (Chromium, PostgreSQL, the LRS) and runs both.
VENV ?= .venv
PY := $(VENV)/bin/python

.PHONY: format lint test test-fast

format:
	$(VENV)/bin/ruff format epss tests bench alembic
	$(VENV)/bin/ruff check --fix epss tests bench alembic

lint: node_modules/.package-lock.json
	$(VENV)/bin/ruff check epss tests bench alembic
	$(VENV)/bin/ruff format --check epss tests bench alembic
	$(VENV)/bin/mypy
	npm run --silent check

# Installed again whenever the lockfile changes (npm ci writes this file last).
node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund

# Everything but the browser, PostgreSQL, real processes and the slowest property tests, on
# every core, with a fifth of the fuzzing examples: the loop while you work.
test-fast: lint
	$(PY) -m pytest -q -n auto -m "not browser and not postgres and not processes and not slow" \
		--hypothesis-profile=fast

# The whole suite, as CI runs it: each test module on one worker, so the services a module
# starts (a demo service, the LRS, the OpenID provider) start once.
test: lint
	$(PY) -m pytest -n auto --dist loadfile
