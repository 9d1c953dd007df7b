# r2dr: `make demo` and `make test` are the two commands the README documents.
PY ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
DEPS_HASH := $(shell cat pyproject.toml constraints.txt | sha1sum | cut -c1-12)
# `make demo` installs the runtime only; `make test` adds the dev tools. Each has its stamp, so neither
# reinstalls what the other already did.
RUNTIME_STAMP := $(VENV)/.installed-runtime-$(DEPS_HASH)
DEV_STAMP := $(VENV)/.installed-dev-$(DEPS_HASH)
HOST ?= 127.0.0.1
PORT ?= 8000
# Links in e-mails (escalations, reminders) point where `make demo` serves, unless set otherwise.
R2DR_SITE_URL ?= http://$(HOST):$(PORT)
export R2DR_SITE_URL
APPS := r2dr cases indicators reports training

.PHONY: demo test suite install install-runtime checkers system-deps system-deps-runtime lint bench bench-smoke fuzz e2e \
	lock messages

# pytest's exit code 5 means "no tests ran": a selection that silently matched nothing is a failure.
define pytest
	$(BIN)/python -m pytest $(1); status=$$?; \
	  if [ $$status -eq 5 ]; then echo "no tests ran: failing"; exit 1; fi; exit $$status
endef

# Debian packages (scripts/system-deps): installed when missing if we are root or have passwordless sudo,
# otherwise make stops here and prints the exact apt-get command.
system-deps:
	@PY=$(PY) sh scripts/system-deps test

system-deps-runtime:
	@PY=$(PY) sh scripts/system-deps runtime

$(BIN)/python: | system-deps-runtime
	$(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(RUNTIME_STAMP): $(BIN)/python pyproject.toml constraints.txt
	$(BIN)/pip install --quiet -c constraints.txt -e .
	rm -f $(VENV)/.installed-runtime-*
	touch $@

$(DEV_STAMP): $(BIN)/python pyproject.toml constraints.txt
	$(BIN)/pip install --quiet -c constraints.txt -e ".[dev]"
	rm -f $(VENV)/.installed-*
	touch $@ $(RUNTIME_STAMP)

# The page checkers of the browser journeys (axe-core, the Nu HTML checker): test-only npm packages, pinned by
# tests/checkers/package-lock.json, never served. `npm ci` empties node_modules first, old stamps included.
CHECKERS := tests/checkers
CHECKERS_STAMP := $(CHECKERS)/node_modules/.installed-$(shell cat $(CHECKERS)/package-lock.json | sha1sum | cut -c1-12)

$(CHECKERS_STAMP): $(CHECKERS)/package.json $(CHECKERS)/package-lock.json | system-deps
	cd $(CHECKERS) && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
	touch $@

checkers: $(CHECKERS_STAMP)

install-runtime: $(RUNTIME_STAMP)

install: $(DEV_STAMP)

demo: system-deps-runtime install-runtime
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py seed_demo
	@echo ""
	@echo "r2dr demo: http://$(HOST):$(PORT)/  (accounts and TOTP secrets: README.md, 'Demo accounts')"
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

# Every check runs and reports before lint fails, so one run shows everything to fix.
lint: install
	@failed=""; \
	run() { echo "--- $$*"; "$$@" || failed="$$failed\n  $$*"; }; \
	run $(BIN)/ruff check .; \
	run $(BIN)/ruff format --check .; \
	run $(BIN)/python manage.py makemigrations --check --dry-run; \
	run $(BIN)/lint-imports; \
	run $(BIN)/mypy; \
	run $(BIN)/pylint $(APPS); \
	if [ -n "$$failed" ]; then printf "lint failed:$$failed\n"; exit 1; fi

# The unit suite without lint (what `make test` runs after it). Benchmarks are left out (pyproject addopts).
suite: system-deps install checkers
	$(call pytest,$(PYTEST_ARGS))

test: system-deps lint suite

# The benchmark smoke runs (`-m bench`), run once by CI after the suite.
bench-smoke: system-deps install
	$(call pytest,-m bench $(PYTEST_ARGS))

e2e: system-deps install checkers
	$(call pytest,tests/e2e $(PYTEST_ARGS))

# Benchmarks print numbers; run them against PostgreSQL for meaningful results:
#   createdb -h 127.0.0.1 -U postgres r2dr_bench
#   DATABASE_URL=postgres://postgres@127.0.0.1:5432/r2dr_bench make bench
SCALE ?= 1
bench: system-deps-runtime install-runtime
	$(BIN)/python manage.py migrate --noinput -v0
	$(BIN)/python manage.py seed_demo --scale $(SCALE)
	$(BIN)/python manage.py bench $(BENCH_ARGS)
	$(BIN)/python manage.py indicators_bench

# Long property-based runs: fresh examples each run (seed printed), R2DR_FUZZ_EXAMPLES per property.
R2DR_FUZZ_EXAMPLES ?= 2000
fuzz: system-deps install
	HYPOTHESIS_PROFILE=fuzz R2DR_FUZZ_EXAMPLES=$(R2DR_FUZZ_EXAMPLES) \
	  $(call pytest,-m "not e2e and not bench" -k fuzz $(PYTEST_ARGS))

lock: $(BIN)/python
	$(BIN)/pip install --quiet -e ".[dev]"
	$(BIN)/pip freeze --exclude-editable | grep -v '^-e\|^#' > constraints.txt

# Update the translation catalogues of every configured language (needs GNU gettext).
messages: install
	@sh scripts/system-deps i18n
	$(BIN)/python manage.py makemessages --all --ignore=.venv --ignore=staticfiles --no-obsolete
	$(BIN)/python manage.py compilemessages --ignore=.venv
