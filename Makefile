# Two commands set up everything on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
# Libraries Qt needs on a bare Debian machine (offscreen and real windows).
QT_SYSTEM_PACKAGES := libglib2.0-0 libegl1 libgl1 libfontconfig1 fonts-dejavu-core \
	libxkbcommon0 libdbus-1-3 libxkbcommon-x11-0 libxcb-cursor0 libxcb-icccm4 \
	libxcb-keysyms1 libxcb-image0 libxcb-render-util0 libxcb-shape0 \
	libwayland-client0 libwayland-cursor0 libwayland-egl1
# What building needs: the venv module, Python's headers and a C compiler for the engine.
BUILD_SYSTEM_PACKAGES := python3-venv python3-dev gcc
ENGINE_SOURCES := $(wildcard engine/*.pyx engine/*.pxd engine/*.pxi) setup.py
DEPS_INSTALLED := $(VENV)/.deps-installed
ENGINE_BUILT := $(VENV)/.engine-built

.PHONY: run test bench dist dist-check sysdeps engine clean lint FORCE

# A venv without its stamp, or whose python or pip no longer runs, is made again (build_scripts/dev_venv.sh).
ifneq ($(shell bash build_scripts/dev_venv.sh check $(VENV) && echo complete),complete)
$(DEPS_INSTALLED): FORCE
endif

run: sysdeps $(ENGINE_BUILT)
	$(PY) main.py

# One test process per processor: the suite is two thousand independent tests, most of them
# the engine's or Qt's work on one thread, so two processors take half the time of one.
test: sysdeps lint
	QT_QPA_PLATFORM=offscreen $(PY) -m pytest -q -n auto

# Style, types and layer contracts; mypy and lint-imports import the compiled engine, hence the stamp.
lint: $(ENGINE_BUILT)
	$(PY) -m ruff check .
	$(PY) -m mypy
	$(VENV)/bin/lint-imports

bench: $(ENGINE_BUILT)
	$(PY) -m benchmarks

engine: $(ENGINE_BUILT)

# The system packages Qt and the build need: installed as root (Debian, Ubuntu), named otherwise.
sysdeps:
	@if ! command -v dpkg-query >/dev/null; then \
		echo "note: not a Debian or Ubuntu system: install Python 3.11 with venv and headers, a C compiler," \
			"and Qt's X11/Wayland, OpenGL and fontconfig libraries yourself (Debian names: $(QT_SYSTEM_PACKAGES))"; \
		exit 0; \
	fi; \
	missing=""; for p in $(QT_SYSTEM_PACKAGES) $(BUILD_SYSTEM_PACKAGES); do \
		dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
		if [ "$$(id -u)" = 0 ]; then \
			echo "== installing the system packages Qt and the build need:$$missing"; \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends --no-upgrade $$missing; \
		else \
			echo "Faultline needs these system packages to build and run. Install them with:"; \
			echo "  sudo apt-get install -y --no-install-recommends$$missing"; \
			exit 1; \
		fi; \
	fi

$(DEPS_INSTALLED): pyproject.toml
	@bash build_scripts/dev_venv.sh make $(PYTHON) $(VENV)

# Installing the project compiles the engine (in place, beside its sources) and records the
# package's metadata, whose version results carry: one compilation, which again when they change.
$(ENGINE_BUILT): $(DEPS_INSTALLED) $(ENGINE_SOURCES)
	@echo "== compiling the engine (Cython, then C: about a minute)"
	$(PY) -m pip install -q --no-build-isolation --no-deps -e .
	touch $@

# dist/: the PyInstaller bundle, a .tar.gz of it and a .deb (see build_scripts/README.md).
dist: sysdeps $(ENGINE_BUILT)
	$(PY) -m pip install -q "pyinstaller>=6.10,<7"
	PY=$(PY) bash build_scripts/build_linux.sh

# Build dist/, run the bundle's self-test offline, install the .deb, check what it provides, remove it.
dist-check: dist
	PY=$(PY) bash build_scripts/dist_check.sh

FORCE:

clean:
	rm -rf build dist engine/*.c engine/*.so $(VENV)/.engine-built
