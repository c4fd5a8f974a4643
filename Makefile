# Two commands do everything: `make run` and `make test`.
VENV := .venv
PY := $(VENV)/bin/python
export DJANGO_SETTINGS_MODULE := careerapp.settings

.PHONY: run demo test lint format bench

# The stamp files make the second run quick: pip runs only when pyproject.toml changed.
$(VENV)/.base: pyproject.toml
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e .
	touch $@

$(VENV)/.test: $(VENV)/.base
	$(PY) -m pip install --quiet -e ".[test,postgres]"
	touch $@

run: $(VENV)/.base
	DEBUG=$${DEBUG:-1} $(PY) manage.py migrate --noinput
	@echo "Open http://127.0.0.1:8000 and sign up. For a demo with three years of sample data,"
	@echo "run 'make demo' and log in as demo / demo-password."
	DEBUG=$${DEBUG:-1} $(PY) manage.py runserver 127.0.0.1:8000

demo: $(VENV)/.base
	DEBUG=$${DEBUG:-1} $(PY) manage.py migrate --noinput
	DEBUG=$${DEBUG:-1} $(PY) manage.py seed_demo
	DEBUG=$${DEBUG:-1} $(PY) manage.py runserver 127.0.0.1:8000

test: $(VENV)/.test
	$(PY) -m pytest

bench: $(VENV)/.test
	$(PY) bench/dashboard.py

lint: $(VENV)/.test
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: $(VENV)/.test
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .
