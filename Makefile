# Two commands set up everything on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
# Libraries Qt needs on a bare Debian machine (offscreen and real windows).
QT_SYSTEM_PACKAGES := libglib2.0-0 libegl1 libgl1 libfontconfig1 fonts-dejavu-core \
	libxkbcommon0 libdbus-1-3 libxkbcommon-x11-0 libxcb-cursor0 libxcb-icccm4 \
	libxcb-keysyms1 libxcb-image0 libxcb-render-util0 libxcb-shape0 \
	libwayland-client0 libwayland-cursor0 libwayland-egl1
ENGINE_SOURCES := $(wildcard engine/*.pyx engine/*.pxd) setup.py
ENGINE_BUILT := $(VENV)/.engine-built

.PHONY: run test bench dist dist-check sysdeps engine clean lint

run: sysdeps $(ENGINE_BUILT)
	$(PY) main.py

test: sysdeps $(ENGINE_BUILT)
	$(VENV)/bin/lint-imports
	QT_QPA_PLATFORM=offscreen $(PY) -m pytest -q

bench: $(ENGINE_BUILT)
	$(PY) -m benchmarks

engine: $(ENGINE_BUILT)

sysdeps:
	@missing=""; for p in $(QT_SYSTEM_PACKAGES); do \
		dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
		if [ "$$(id -u)" = 0 ]; then \
			echo "Installing the system libraries Qt needs:$$missing"; \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends --no-upgrade $$missing; \
		else \
			echo "Faultline needs these system libraries. Install them with:"; \
			echo "  sudo apt-get install -y --no-install-recommends$$missing"; \
			exit 1; \
		fi; \
	fi

$(PY):
	$(PYTHON) -m venv $(VENV)

$(VENV)/.deps-installed: $(PY) pyproject.toml
	$(PY) -m pip install -q --upgrade pip setuptools wheel "Cython>=3.0.10" "numpy>=1.26"
	$(PY) -m pip install -q --no-build-isolation -e '.[dev]'
	touch $@

$(ENGINE_BUILT): $(VENV)/.deps-installed $(ENGINE_SOURCES)
	$(PY) setup.py -q build_ext --inplace
	touch $@

# dist/: the PyInstaller bundle, a .tar.gz of it and a .deb (see build_scripts/README.md).
dist: sysdeps $(ENGINE_BUILT)
	$(PY) -m pip install -q "pyinstaller>=6.10,<7"
	PY=$(PY) bash build_scripts/build_linux.sh

# Build dist/, run the bundle's self-test offline, install the .deb, check what it provides, remove it.
dist-check: dist
	PY=$(PY) bash build_scripts/dist_check.sh

clean:
	rm -rf build dist engine/*.c engine/*.so $(VENV)/.engine-built
