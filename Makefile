# Two commands do everything on a fresh machine with Python 3.11:
#   make crawl SITE=baocamau     crawl one newspaper into archive.db
#   make test                    run the whole test suite
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   ?= .venv
BIN    := $(VENV)/bin
SITE   ?= baocamau
ARGS   ?=

.PHONY: help venv crawl test test-fast lint demo bench clean serve

help:
	@echo "make crawl SITE=baocamau [ARGS='-a since=2025-07-01']   crawl a newspaper into archive.db"
	@echo "make test                                               lint, then run all tests"
	@echo "make test-fast                                          lint, then the tests without end-to-end crawls"
	@echo "make lint                                               ruff over the code (part of make test)"
	@echo "make demo                                               crawl the bundled sample site, then browse it"
	@echo "make bench                                              print extraction and crawl figures"
	@echo "make serve [DB=archive.db HOST=127.0.0.1 PORT=8001]     browse and search the archive in Datasette"
	@echo "make clean                                              remove the virtualenv, demo/ and test artifacts"

$(BIN)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

venv: $(BIN)/.installed

# Exit status: 2 (make's) whenever the crawl's was not 0; make's "Error N" line shows the
# crawl's own (README, "Exit status"), and the crawl's last line says why.
# DB=PATH (as for serve) crawls into that archive instead of the ARCHIVE_DB setting.
crawl: venv
	$(BIN)/scrapy crawl $(SITE) $(if $(filter-out file default undefined,$(origin DB)),-s ARCHIVE_DB=$(DB)) $(ARGS)

# Lint is part of the test command: CI runs `make test` and nothing else.
lint: venv
	$(BIN)/ruff check crawler spiders pipelines tests bench samplesite

test: venv lint
	$(BIN)/python -m pytest -q

test-fast: venv lint
	$(BIN)/python -m pytest -q -m 'not e2e'

demo: venv
	$(BIN)/python -m crawler.commands.demo

# The search bench keeps its million-article archive in bench/.cache/ (several GB; delete to rebuild).
bench: venv
	$(BIN)/python -m bench

# Datasette, read-only and safe to publish (docs/datasette.md). Everything comes from the installed
# plugin (crawler/datasette/): metadata, canned queries, templates, query_only connections, the
# SQL time limit and the other serving settings, for a database file of any name; so this is
# just `datasette serve FILE` after bringing the schema up to date and refreshing the sites table.
DB   ?= archive.db
HOST ?= 127.0.0.1
PORT ?= 8001

serve: venv
	$(BIN)/python -m crawler sites --sync --db $(DB) >/dev/null
	$(BIN)/datasette serve $(DB) --host $(HOST) --port $(PORT)

clean:
	rm -rf $(VENV) .pytest_cache demo test-artifacts
