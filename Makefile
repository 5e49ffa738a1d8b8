# Two commands do everything on a fresh machine with Python 3.11:
#   make crawl SITE=baocamau     crawl one newspaper into archive.db
#   make test                    run the whole test suite
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   ?= .venv
BIN    := $(VENV)/bin
SITE   ?= baocamau
ARGS   ?=

.PHONY: help venv crawl test test-fast demo bench clean

help:
	@echo "make crawl SITE=baocamau [ARGS='-a since=2025-07-01']   crawl a newspaper into archive.db"
	@echo "make test                                               run all tests"
	@echo "make demo                                               crawl the bundled sample site, then browse it"
	@echo "make bench                                              print extraction and crawl figures"

$(BIN)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

venv: $(BIN)/.installed

crawl: venv
	$(BIN)/scrapy crawl $(SITE) $(ARGS)

test: venv
	$(BIN)/python -m pytest -q

test-fast: venv
	$(BIN)/python -m pytest -q -m 'not e2e'

demo: venv
	$(BIN)/python -m crawler.demo

bench: venv
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) .pytest_cache demo.db demo.db-wal demo.db-shm
