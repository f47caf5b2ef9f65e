#!/usr/bin/env bash
# Time from launching Faultline to its main window on screen, under a virtual X server (Xvfb),
# as a user starting it from the menu would wait: a fresh process each run, a fresh home folder
# (so each run is a first start, which also opens the example design), no network.
#
#   bash build_scripts/launch_time.sh [EXECUTABLE] [RUNS] [SCREENSHOT.png]
#
# EXECUTABLE defaults to dist/Faultline/Faultline; RUNS to 5. With SCREENSHOT, the screen of the
# last run is saved 2 s after the window appeared. Needs: xvfb xauth xdotool (and imagemagick
# for the screenshot). Prints each run and the median; exits 1 if the window never appears.
set -euo pipefail
cd "$(dirname "$0")/.."
EXE=$(realpath "${1:-dist/Faultline/Faultline}")
RUNS=${2:-5}
SHOT=${3:-}
for tool in Xvfb xdotool; do command -v $tool >/dev/null || { echo "launch_time.sh: $tool is missing (apt-get install xvfb xdotool)" >&2; exit 2; }; done
WORK=$(mktemp -d /tmp/faultline-launch.XXXXXX)
DISPLAY_NUM=${DISPLAY_NUM:-97}
Xvfb ":$DISPLAY_NUM" -screen 0 1600x1000x24 -nolisten tcp >"$WORK/xvfb.log" 2>&1 &
XVFB=$!
APP=
cleanup() { [ -n "$APP" ] && kill "$APP" 2>/dev/null; kill "$XVFB" 2>/dev/null; wait 2>/dev/null; rm -rf "$WORK"; }
trap cleanup EXIT
export DISPLAY=":$DISPLAY_NUM"
for _ in $(seq 100); do xdotool getdisplaygeometry >/dev/null 2>&1 && break; sleep 0.05; done

OFFLINE=()
unshare -n true 2>/dev/null && OFFLINE=(unshare -n)
times=()
for run in $(seq "$RUNS"); do
    home="$WORK/home-$run"
    mkdir -p "$home"
    start=$(date +%s.%N)
    # unshare -n keeps the X socket (a file) reachable and every network interface away.
    "${OFFLINE[@]}" env -i PATH=/usr/bin:/bin HOME="$home" DISPLAY="$DISPLAY" LANG=C.UTF-8 "$EXE" \
        >"$WORK/app-$run.log" 2>&1 &
    APP=$!
    shown=
    for _ in $(seq 1500); do   # 30 s at most
        if xdotool search --onlyvisible --name 'Faultline' >/dev/null 2>&1; then shown=$(date +%s.%N); break; fi
        kill -0 "$APP" 2>/dev/null || break
        sleep 0.02
    done
    if [ -z "$shown" ]; then
        cat "$WORK/app-$run.log" >&2
        echo "launch_time.sh: run $run: no Faultline window appeared" >&2
        exit 1
    fi
    t=$(awk "BEGIN { printf \"%.2f\", $shown - $start }")
    times+=("$t")
    title=$(xdotool search --onlyvisible --name 'Faultline' getwindowname 2>/dev/null | head -1)
    echo "run $run: window \"$title\" shown after $t s"
    if [ "$run" = "$RUNS" ] && [ -n "$SHOT" ]; then
        sleep 2
        /usr/bin/import -window root "$SHOT" && echo "screenshot: $SHOT"
    fi
    kill "$APP"; wait "$APP" 2>/dev/null || true; APP=
done
median=$(printf '%s\n' "${times[@]}" | sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }')
echo "launch to window: median $median s over $RUNS runs (each a first start, offline: ${OFFLINE[*]:-network on})"
