# Two entry points for a fresh machine: `make demo` and `make test`.
# Both create .venv and install the pinned development environment first.
VENV := .venv
PY := $(VENV)/bin/python

.PHONY: demo test docs

$(VENV)/.installed: pyproject.toml requirements-dev.txt
	python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $@

demo: $(VENV)/.installed
	$(VENV)/bin/rnndoctor demo

test: $(VENV)/.installed
	$(PY) -m pytest
