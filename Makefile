# Two commands on a fresh machine: `make run` (demo on http://127.0.0.1:8000) and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
MANAGE := $(BIN)/python manage.py
UV_VERSION := 0.13.9
# Unbuffered output: the lines keep their order when piped (`make run 2>&1 | tee run.log`).
DEMO_ENV := DEBUG=true PYTHONUNBUFFERED=1
# The demo's e-mails (with their PDF receipts), while seeding and while serving, go to files (filemail:/// then an
# absolute path) instead of the console; seeding logs only warnings, and does not look the demo's made-up SIRETs up
# in the company directory (the server does, for the SIRETs people type).
DEMO_EMAILS := var/demo-emails
SERVE_ENV := $(DEMO_ENV) EMAIL_URL=filemail:///$(CURDIR)/$(DEMO_EMAILS)
SEED_ENV := $(SERVE_ENV) LOG_LEVEL=WARNING COMPANY_LOOKUP_URL=

.DEFAULT_GOAL := help
.PHONY: help install system-packages run demo-data test quality fix worker beat clean messages compilemessages bench rush bench-workers

help:
	@echo "make run      install, migrate, load territories and demo data, serve on 127.0.0.1:8000"
	@echo "make test     install and run the whole test suite (browser tests skip without Chromium)"
	@echo "make quality  ruff format check, ruff, djlint, import floors, migrations check"
	@echo "make messages         update locale/en/ from the code and templates; lists the msgids left to translate"
	@echo "make compilemessages  compile the catalogues (the .mo files are committed: needs gettext's msgfmt)"
	@echo "make worker   Celery worker (needs CELERY_BROKER_URL)"
	@echo "make beat     Celery beat (needs CELERY_BROKER_URL)"
	@echo "make bench    pages at national scale over HTTP vs a floor (PostgreSQL on 127.0.0.1; N=20000, or N=100000);"
	@echo "              seeds the database ptce_bench when it does not hold N dossiers (bench/README.md); not in make test"
	@echo "make rush     the deadline rush: 300 porteurs submit as the deadline passes, 30 instructeurs browse (PostgreSQL,"
	@echo "              Redis db 12; PROXY=1: two gunicorn instances behind nginx; bench/README.md); not in make test"
	@echo "make bench-workers  receipts, eligibility, the reminder sweep and exports at scale through 2 Celery workers"
	@echo "              (PostgreSQL and Redis on 127.0.0.1; its own database, dropped at the end); not in make test"

$(BIN)/python:
	@$(PYTHON) -m venv $(VENV)

# Reinstall only when the lock file changes; uv (bootstrapped inside the venv) installs in seconds.
$(VENV)/.installed: requirements/dev.txt | $(BIN)/python
	@echo "Installing the Python dependencies (requirements/dev.txt) into $(VENV)"
	@$(BIN)/python -m pip install --quiet --disable-pip-version-check "uv==$(UV_VERSION)"
	@UV_PYTHON_DOWNLOADS=never $(BIN)/uv pip sync --quiet --python $(BIN)/python requirements/dev.txt
	@touch $@

install: $(VENV)/.installed

# WeasyPrint's libraries and fonts (Debian packages): installed by apt-get as root, else the command is printed.
system-packages:
	@.ci/system-packages

demo-data: system-packages install
	@mkdir -p var
	@$(DEMO_ENV) $(MANAGE) migrate --noinput --verbosity 0
	@$(SEED_ENV) $(MANAGE) load_territories
	@$(SEED_ENV) $(MANAGE) seed_demo

# seed_demo prints the demo accounts last, right above the address.
run: demo-data
	@echo ""
	@echo "AMI PTCE : http://127.0.0.1:8000/ (comptes de démonstration ci-dessus)"
	@$(SERVE_ENV) $(MANAGE) runserver 127.0.0.1:8000

test: system-packages install
	$(BIN)/python -m pytest $(PYTEST_ARGS)

quality: install
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .
	$(BIN)/djlint templates --lint
	$(BIN)/lint-imports
	env -u DATABASE_URL $(DEMO_ENV) $(MANAGE) makemigrations --check --dry-run

fix: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .
	$(BIN)/djlint templates --reformat

# The English catalogue. Its msgids are the French text; tests/test_i18n.py fails on any left untranslated.
messages: install
	env -u DATABASE_URL $(DEMO_ENV) $(MANAGE) makemessages -l en --no-obsolete \
	  --ignore=.venv --ignore=tests --ignore=bench --ignore=var --ignore=node_modules --ignore='*/migrations/*'
	@echo "msgids to translate: $$(msgattrib --untranslated locale/en/LC_MESSAGES/django.po | grep -c '^msgid ')," \
	  "guesses to check (fuzzy, not compiled until the flag is removed):" \
	  "$$(msgattrib --only-fuzzy locale/en/LC_MESSAGES/django.po | grep -c '^msgid ')"
	@$(MAKE) --no-print-directory compilemessages

compilemessages:
	msgfmt --check -o locale/en/LC_MESSAGES/django.mo locale/en/LC_MESSAGES/django.po
	msgfmt --check -o locale/fr/LC_MESSAGES/django.mo locale/fr/LC_MESSAGES/django.po

worker: install
	@test -n "$$CELERY_BROKER_URL" || (echo "Set CELERY_BROKER_URL, e.g. redis://127.0.0.1:6379/0" && exit 1)
	$(BIN)/celery -A ptce_ami worker --loglevel=INFO

beat: install
	@test -n "$$CELERY_BROKER_URL" || (echo "Set CELERY_BROKER_URL, e.g. redis://127.0.0.1:6379/0" && exit 1)
	$(BIN)/celery -A ptce_ami beat --loglevel=INFO

# The pages at national scale (issue 15; bench/README.md): seeds ptce_bench with N dossiers unless it already holds
# exactly N, then measures every listed page over HTTP against the floor. Needs the venv (make install) and PostgreSQL.
N ?= 20000
bench:
	@test -x $(BIN)/python || (echo "Run make install first" && exit 1)
	PYTHONUNBUFFERED=1 $(BIN)/python bench/seed.py --dossiers $(N) --if-needed
	PYTHONUNBUFFERED=1 $(BIN)/python bench/run.py --dossiers $(N)

# The deadline rush (issue 15; bench/README.md): seeds the template ptce_rush_seed when its sizes change, copies it
# to ptce_rush, runs gunicorn, Celery workers (Redis db 12) and locust, checks the database, drops ptce_rush.
# PROXY=1: two gunicorn instances behind nginx (Debian's nginx-light or nginx), sharing sessions and files.
rush:
	@test -x $(BIN)/locust || (echo "Run make install first (locust is a dev dependency)" && exit 1)
	PYTHONUNBUFFERED=1 $(BIN)/python bench/rush.py $(if $(PROXY),--two-instances) $(RUSH_ARGS)

# The background work at national scale (issue 15, part 4; bench/README.md): wall time, peak RSS and CPU time of the
# workers. Needs the venv, PostgreSQL and Redis (db 13); creates and drops the database ptce_workers_scale.
bench-workers:
	@test -x $(BIN)/python || (echo "Run make install first" && exit 1)
	PYTHONUNBUFFERED=1 $(BIN)/python bench/scale_workers.py --export 20000 100000 --drafts 20000 --receipts 1000

clean:
	rm -rf $(VENV) var
