# Linli's two commands: `make run` and `make test`. Everything lives in .venv/.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app wsgi
PYTEST_ARGS ?=
# The suite runs in one process per core (pytest-xdist), a test file per process at a time;
# TEST_PROCESSES=0 runs it in this process alone.
TEST_PROCESSES ?= auto

LIGHTHOUSE_DIR := benchmarks/.node
LIGHTHOUSE := $(LIGHTHOUSE_DIR)/node_modules/.bin/lighthouse

.PHONY: run test bench screenshots install install-dev migrate clean

$(BIN)/python:
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "Linli needs Python 3.11 or newer"'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.runtime-installed: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.dev-installed: requirements-dev.txt requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@

install: $(VENV)/.runtime-installed

install-dev: $(VENV)/.dev-installed

migrate: install
	mkdir -p instance
	$(FLASK) db upgrade

## make run: migrate the database, load the demo neighbourhood if it is empty, serve on :5000
## with one worker process beside the web server (notifications, timers); Ctrl-C stops both
run: migrate
	$(FLASK) seed-demo --if-empty
	@$(FLASK) worker & worker=$$!; \
	trap 'kill -TERM $$worker 2>/dev/null; wait $$worker' EXIT INT TERM; \
	$(FLASK) run --host 127.0.0.1 --port 5000

## make test: the whole suite (SQLite unless TEST_DATABASE_URL is set)
test: install-dev
	$(BIN)/ruff check .
	$(BIN)/python -m pytest -n $(TEST_PROCESSES) --dist loadfile $(PYTEST_ARGS)

## make bench: every benchmark in benchmarks/, results in benchmarks/results/
bench: install-dev $(LIGHTHOUSE)
	$(BIN)/python -m benchmarks

# Lighthouse (for benchmarks.pwa_weight) lives in benchmarks/.node/, never in the app. Without npm
# the benchmark still measures the bytes and says it skipped the scores.
$(LIGHTHOUSE):
	@if command -v npm >/dev/null; then \
		npm install --prefix $(LIGHTHOUSE_DIR) --save-exact --no-audit --no-fund lighthouse@12.2.3; \
	else echo "npm not found: apt-get install npm for Lighthouse scores (skipped)"; fi

## make screenshots: docs/screenshots/ from the demo neighbourhood in Chromium (phone size)
screenshots: install-dev
	$(BIN)/python -m tools.screenshots

clean:
	rm -rf $(VENV) instance .pytest_cache
