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

export BOOTH_MODELS_DIR ?= $(CURDIR)/.models

.PHONY: run test setup setup-test model system-test-deps bench clean

run: setup model
	$(BOOTH) run $(ARGS)

test: setup-test model system-test-deps
	SDL_VIDEODRIVER=dummy SDL_AUDIODRIVER=dummy $(PY) -m pytest $(PYTEST_ARGS)

setup: $(VENV)/.stamp-run
setup-test: $(VENV)/.stamp-test

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV_FLAGS) $(VENV)

# mediapipe drags in opencv-contrib-python; reinstalling the headless build
# of the same version last makes cv2 the headless one (no libGL needed).
$(VENV)/.stamp-run: pyproject.toml constraints.txt | $(VENV)/bin/python
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -c constraints.txt -e .
	$(PY) -m pip install -q --force-reinstall --no-deps opencv-python-headless==$(OPENCV)
	touch $@

$(VENV)/.stamp-test: $(VENV)/.stamp-run
	$(PY) -m pip install -q -c constraints.txt -e '.[test]'
	touch $@

model: setup
	$(BOOTH) models fetch --quiet

system-test-deps:
	@scripts/system-deps.sh test

bench: setup-test model
	@scripts/system-deps.sh bench
	@for b in benchmarks/*.py; do echo "== $$b"; $(PY) $$b || exit 1; done

clean:
	rm -rf $(VENV) .pytest_cache build *.egg-info
