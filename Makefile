# Two entry points for a fresh machine: `make demo` and `make test`.
# Both create .venv and install the pinned development environment first.
VENV := .venv
PY := $(VENV)/bin/python

.PHONY: demo test docs browser

$(VENV)/.installed: pyproject.toml requirements-dev.txt
	python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $@

demo: $(VENV)/.installed
	$(VENV)/bin/rnndoctor demo

test: $(VENV)/.installed browser
	$(PY) -m pytest

# The browser tests drive Debian's chromium with the pinned DejaVu fonts; no
# browser build is ever downloaded. As root (as CI runs) they are installed
# here; otherwise this stops and names the one command to run.
CHROMIUM_DEBS := chromium fonts-dejavu-core
browser:
	@if ! command -v chromium >/dev/null || [ ! -f /usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $(CHROMIUM_DEBS); \
	  else \
	    echo "make test: the browser tests need Debian's chromium; run: sudo apt-get install $(CHROMIUM_DEBS)" >&2; exit 1; \
	  fi; \
	fi
