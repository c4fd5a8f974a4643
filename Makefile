# Two commands do everything: `make run` and `make test`.
VENV := .venv
PY := $(VENV)/bin/python
export DJANGO_SETTINGS_MODULE := careerapp.settings

.PHONY: run demo test lint format bench bench-abuse lock

# The stamp files make the second run quick: pip runs only when a lock file or
# pyproject.toml changed. The locks pin every package, the project itself comes on top.
$(VENV)/.base: requirements.txt pyproject.toml
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install --quiet pip==26.3
	$(PY) -m pip install --quiet -r requirements.txt
	$(PY) -m pip install --quiet --no-deps -e .
	touch $@

$(VENV)/.test: requirements-test.txt $(VENV)/.base
	$(PY) -m pip install --quiet -r requirements-test.txt
	$(PY) -m pip check
	touch $@

run: $(VENV)/.base
	DEBUG=$${DEBUG:-1} $(PY) manage.py migrate --noinput
	@echo "Open http://127.0.0.1:8000 and sign up. For a demo with three years of sample data,"
	@echo "run 'make demo' and log in as demo / demo-password."
	DEBUG=$${DEBUG:-1} $(PY) manage.py runserver 127.0.0.1:8000

demo: $(VENV)/.base
	DEBUG=$${DEBUG:-1} $(PY) manage.py migrate --noinput
	DEBUG=$${DEBUG:-1} $(PY) manage.py seed_demo
	DEBUG=$${DEBUG:-1} DEMO=1 $(PY) manage.py runserver 127.0.0.1:8000

# Two processes (pytest-xdist), one a core; tests/conftest.py says which tests go together.
test: $(VENV)/.test
	$(PY) -m pytest --numprocesses 2

bench: $(VENV)/.test
	$(PY) bench/dashboard.py

bench-abuse: $(VENV)/.test
	$(PY) bench/abuse.py

# mypy's Django plugin loads the settings, which ask for a SECRET_KEY unless DEBUG is on.
lint: $(VENV)/.test
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	DEBUG=1 $(VENV)/bin/mypy

format: $(VENV)/.test
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

# After a change to the dependencies in pyproject.toml: resolves both locks again, keeping
# every pin that still fits. `make lock UPGRADE=1` moves every package to its newest release.
COMPILE = CUSTOM_COMPILE_COMMAND="make lock" $(VENV)/bin/pip-compile --quiet --strip-extras \
	--no-emit-index-url --no-emit-find-links $(if $(UPGRADE),--upgrade)
lock: $(VENV)/.base
	$(PY) -m pip install --quiet pip-tools==7.6.2
	$(COMPILE) --output-file requirements.txt pyproject.toml
	$(COMPILE) --extra test --extra postgres --constraint requirements.txt \
		--output-file requirements-test.txt pyproject.toml
