# Two commands: `make run` and `make test`. Each sets up what it needs on
# first use (virtualenv, Python packages, face model, Debian packages for the
# tests) and does nothing extra the second time: every step leaves a stamp.

PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
BOOTH  := $(VENV)/bin/booth
# On a Pi, picamera2 comes from Debian (python3-picamera2), so the venv must
# see the system site-packages there. Elsewhere keep the venv sealed.
VENV_FLAGS := $(shell test -e /usr/lib/python3/dist-packages/picamera2 && echo --system-site-packages)
OPENCV := $(shell sed -n 's/^opencv-python-headless==//p' constraints.txt)
# Debian's picamera2 imports Debian's simplejpeg, built for Debian's numpy (1.x
# on Bookworm); the venv's numpy is 2.x, so on a Pi the venv gets the simplejpeg
# build the installer pins (scripts/install-pi.sh), which shadows Debian's.
SIMPLEJPEG := $(shell sed -n 's/^SIMPLEJPEG_VERSION=//p' scripts/install-pi.sh)
# setuptools' "Editable installation" banner is for packagers, not for someone
# typing `make run` (the warning is raised in pip's build subprocess, which
# reads this variable).
PIP_QUIET := PYTHONWARNINGS="ignore:Editable installation"

.PHONY: run test setup setup-test model system-test-deps bench clean messages

# The translations: each booth/locale/<code>/LC_MESSAGES/booth.po compiled to its .mo
# (booth/i18n.py; `make messages` re-extracts the words after the code changes).
PO := $(wildcard booth/locale/*/LC_MESSAGES/booth.po)
MO := $(PO:.po=.mo)
PYBABEL := $(VENV)/bin/pybabel

# `booth up`: the booth and its photo server together; one Ctrl+C stops both
# and ends with no make error line. The face model lives in .models/, where
# every `booth` command run from this checkout looks for it (booth/config.py).
run: setup model
	@$(BOOTH) up $(ARGS)

test: setup-test model system-test-deps
	SDL_VIDEODRIVER=dummy SDL_AUDIODRIVER=dummy $(PY) -m pytest $(PYTEST_ARGS)

setup: $(VENV)/.stamp-run $(MO)
setup-test: $(VENV)/.stamp-test

$(VENV)/bin/python:
	@echo "Setting up $(VENV) and the face model (first time only; a few minutes)"
	@$(PYTHON) -m venv $(VENV_FLAGS) $(VENV)

# mediapipe drags in opencv-contrib-python; reinstalling the headless build
# of the same version last makes cv2 the headless one (no libGL needed).
$(VENV)/.stamp-run: pyproject.toml constraints.txt | $(VENV)/bin/python
	@$(PY) -m pip install -q --upgrade pip
	@$(PIP_QUIET) $(PY) -m pip install -q -c constraints.txt -e .
	@$(PY) -m pip install -q --force-reinstall --no-deps opencv-python-headless==$(OPENCV)
	@$(if $(VENV_FLAGS),$(PY) -m pip install -q -c constraints.txt simplejpeg==$(SIMPLEJPEG))
	@touch $@

$(VENV)/.stamp-test: $(VENV)/.stamp-run
	$(PIP_QUIET) $(PY) -m pip install -q -c constraints.txt -e '.[test]'
	touch $@

%.mo: %.po $(VENV)/.stamp-run
	@$(PYBABEL) -q compile -i $< -o $@

# Extract every marked word (Python N_()/translator calls, the templates' {% trans %}) into
# booth/locale/booth.pot and merge it into every language's .po; translators fill in the
# new entries. No source locations: they would change with every edit and say little.
messages: setup
	$(PYBABEL) -q extract -F babel.cfg -k Plural:1,2 --no-location --sort-output --add-comments=TRANSLATORS: \
		--project=booth --copyright-holder="booth contributors" -o booth/locale/booth.pot .
	$(if $(PO),$(PYBABEL) -q update -i booth/locale/booth.pot -d booth/locale -D booth --no-fuzzy-matching --ignore-obsolete)

model: setup
	@$(BOOTH) models fetch --quiet

system-test-deps:
	@scripts/system-deps.sh test

bench: setup-test model
	@scripts/system-deps.sh bench
	@for b in benchmarks/*.py; do echo "== $$b"; $(PY) $$b || exit 1; done

clean:
	rm -rf $(VENV) .pytest_cache build *.egg-info
