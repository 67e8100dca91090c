# `make test-fast` while you work, `make test` before you push. CI runs .ci/run on a fresh
# machine: it installs what the tests need (Chromium, PostgreSQL, the LRS) and runs both.
VENV ?= .venv
PY := $(VENV)/bin/python

.PHONY: lint test test-fast

lint:
	$(VENV)/bin/ruff check epss tests bench

# Everything but the browser, PostgreSQL and real processes: the loop while you work.
test-fast: lint
	$(PY) -m pytest -q -m "not browser and not postgres and not processes"

test: lint
	$(PY) -m pytest
