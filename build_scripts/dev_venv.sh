#!/usr/bin/env bash
# The development venv behind `make run` and `make test`, made so that the next make repairs an
# interrupted one: the stamp saying the venv is complete is written last, and a venv without it,
# or whose python or pip no longer runs, is made again from scratch.
#
#   bash build_scripts/dev_venv.sh check VENV          exit 0 when VENV is complete
#   bash build_scripts/dev_venv.sh make PYTHON VENV    make it (again), or update its packages
#
# Every package comes from pyproject.toml: the build requirements (the engine is compiled with
# --no-build-isolation), the dependencies and the dev extra. The project itself, and with it the
# compiled engine, is installed by the Makefile's engine step, so the engine is compiled once.
set -euo pipefail

STAMP=.deps-installed

usage() {
    sed -n '2,8s/^# \{0,1\}//p' "$0" >&2
    exit 2
}

# complete VENV: the stamp is there, and the venv's python runs and has pip.
complete() {
    local venv=$1
    [ -f "$venv/$STAMP" ] && [ -x "$venv/bin/python" ] && "$venv/bin/python" -c "import pip" >/dev/null 2>&1
}

# requirements PYTHON: what pyproject.toml asks for, one requirement a line.
requirements() {
    "$1" - <<'EOF'
import tomllib

with open("pyproject.toml", "rb") as f:
    data = tomllib.load(f)
project = data["project"]
for requirement in (data["build-system"]["requires"] + project.get("dependencies", [])
                    + project.get("optional-dependencies", {}).get("dev", [])):
    print(requirement)
EOF
}

make_venv() {
    local python=$1 venv=$2
    if complete "$venv"; then
        echo "== updating the packages of $venv to pyproject.toml"
    else
        if [ -e "$venv" ]; then
            echo "== $venv is incomplete (a setup that stopped half-way?): making it again"
            rm -rf "$venv"
        fi
        echo "== creating the venv $venv with $python"
        "$python" -m venv "$venv" || {
            echo "dev_venv.sh: '$python -m venv' failed: on Debian and Ubuntu install python3-venv" \
                 "(make does that when run as root)" >&2
            exit 1
        }
    fi
    # Incomplete from here until the last line: an interruption leaves no stamp.
    rm -f "$venv/$STAMP" "$venv/.engine-built"
    "$venv/bin/python" - <<'EOF' || { echo "dev_venv.sh: $venv/bin/python is older than 3.11 (tomllib); set PYTHON=python3.11" >&2; exit 1; }
import tomllib
EOF
    requirements "$venv/bin/python" >"$venv/requirements.txt"
    echo "== installing $(wc -l <"$venv/requirements.txt") requirements of pyproject.toml and what they need" \
         "(several minutes on a machine that has not downloaded them before)"
    "$venv/bin/python" -m pip install --upgrade --progress-bar on pip
    "$venv/bin/python" -m pip install --progress-bar on -r "$venv/requirements.txt"
    touch "$venv/$STAMP"
    echo "== $venv is complete"
}

case ${1:-} in
    check) [ $# = 2 ] || usage; complete "$2" ;;
    make) [ $# = 3 ] || usage; make_venv "$2" "$3" ;;
    *) usage ;;
esac
