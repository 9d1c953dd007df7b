# r2dr: `make demo` and `make test` are the two commands the README documents.
PY ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml constraints.txt | sha1sum | cut -c1-12)
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: demo test install lint bench fuzz e2e lock messages

$(BIN)/python:
	$(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(STAMP): $(BIN)/python pyproject.toml constraints.txt
	$(BIN)/pip install --quiet -c constraints.txt -e ".[dev]"
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

install: $(STAMP)

demo: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py seed_demo
	@echo ""
	@echo "r2dr demo: http://$(HOST):$(PORT)/  (accounts and TOTP secrets: README.md, 'Demo accounts')"
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python manage.py makemigrations --check --dry-run >/dev/null || (echo "models changed without a migration"; exit 1)

test: install lint
	$(BIN)/python -m pytest $(PYTEST_ARGS); status=$$?; \
	  if [ $$status -eq 5 ]; then echo "no tests ran: failing"; exit 1; fi; exit $$status

e2e: install
	$(BIN)/python -m pytest tests/e2e $(PYTEST_ARGS)

# Benchmarks print numbers; run them against PostgreSQL for meaningful results:
#   createdb -h 127.0.0.1 -U postgres r2dr_bench
#   DATABASE_URL=postgres://postgres@127.0.0.1:5432/r2dr_bench make bench
SCALE ?= 1
bench: install
	$(BIN)/python manage.py migrate --noinput -v0
	$(BIN)/python manage.py seed_demo --scale $(SCALE)
	$(BIN)/python manage.py bench $(BENCH_ARGS)
	$(BIN)/python manage.py indicators_bench

fuzz: install
	HYPOTHESIS_PROFILE=fuzz R2DR_FUZZ_EXAMPLES=$${R2DR_FUZZ_EXAMPLES:-2000} $(BIN)/python -m pytest -m "not e2e" -k fuzz $(PYTEST_ARGS)

lock: $(BIN)/python
	$(BIN)/pip install --quiet -e ".[dev]"
	$(BIN)/pip freeze --exclude-editable | grep -v '^-e' > constraints.txt

# Update the translation catalogues of every configured language (needs GNU gettext).
messages: install
	$(BIN)/python manage.py makemessages --all --ignore=.venv --ignore=staticfiles --no-obsolete
	$(BIN)/python manage.py compilemessages --ignore=.venv
