# Two commands matter: `make run` and `make test`. Each works on a fresh clone by itself.
VENV ?= .venv
PY := $(VENV)/bin/python
SHOPCREW := $(VENV)/bin/shopcrew
STAMP := $(VENV)/.installed-stamp

.PHONY: install run test test-postgres lint clean

$(STAMP): pyproject.toml
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip==26.3
	$(PY) -m pip install --quiet -e ".[test,bench]"
	touch $(STAMP)

install: $(STAMP)

run: install
	$(SHOPCREW) migrate
	$(SHOPCREW) seed --if-empty
	$(SHOPCREW) serve

test: install
	$(PY) -m pytest

# The database tests again, against PostgreSQL (CI runs this after `make test`).
test-postgres: install
	SHOPCREW_TEST_POSTGRES_URL=$${SHOPCREW_TEST_POSTGRES_URL:-postgresql+psycopg://postgres@127.0.0.1:5432/postgres} \
		$(PY) -m pytest -m db

lint: install
	$(VENV)/bin/ruff check .

clean:
	rm -rf var .pytest_cache .ruff_cache
