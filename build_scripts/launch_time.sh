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
# Everything, the X server included, runs in a network namespace with no interfaces: the program is
# offline, and its X connection (an abstract socket, private to the namespace) cannot be disturbed by
# other X servers on the machine.
if [ -z "${FAULTLINE_LAUNCH_NETNS:-}" ] && unshare -n true 2>/dev/null; then
    exec unshare -n env FAULTLINE_LAUNCH_NETNS=offline bash "$0" "$@"
fi
cd "$(dirname "$0")/.."
EXE=$(realpath "${1:-dist/Faultline/Faultline}")
RUNS=${2:-5}
SHOT=${3:-}
for tool in Xvfb xdotool; do command -v $tool >/dev/null || { echo "launch_time.sh: $tool is missing (apt-get install xvfb xdotool)" >&2; exit 2; }; done
WORK=$(mktemp -d /tmp/faultline-launch.XXXXXX)
# Xvfb picks a free display number and writes it to fd 3 (other programs on the machine may use some).
exec 3>"$WORK/display"
# -noreset: the server must not reset when one run's program exits while the next one connects.
Xvfb -displayfd 3 -noreset -screen 0 1600x1000x24 -nolisten tcp >"$WORK/xvfb.log" 2>&1 &
XVFB=$!
exec 3>&-
APP=
cleanup() {
    set +e  # a program that already exited must not stop the X server from being stopped
    [ -n "$APP" ] && kill "$APP" 2>/dev/null
    kill "$XVFB" 2>/dev/null
    wait 2>/dev/null
    rm -rf "$WORK"
}
trap cleanup EXIT
for _ in $(seq 200); do [ -s "$WORK/display" ] && break; sleep 0.05; done
[ -s "$WORK/display" ] || { cat "$WORK/xvfb.log" >&2; echo "launch_time.sh: Xvfb did not start" >&2; exit 2; }
export DISPLAY=":$(head -1 "$WORK/display")"

times=()
for run in $(seq "$RUNS"); do
    home="$WORK/home-$run"
    mkdir -p "$home"
    start=$(date +%s.%N)
    env -i PATH=/usr/bin:/bin HOME="$home" DISPLAY="$DISPLAY" LANG=C.UTF-8 "$EXE" \
        >"$WORK/app-$run.log" 2>&1 &
    APP=$!
    shown=
    for _ in $(seq 1500); do   # 30 s at most
        if xdotool search --onlyvisible --name 'Faultline' >/dev/null 2>&1; then shown=$(date +%s.%N); break; fi
        kill -0 "$APP" 2>/dev/null || break
        sleep 0.02
    done
    if [ -z "$shown" ]; then
        kill -0 "$XVFB" 2>/dev/null || echo "launch_time.sh: the X server $DISPLAY went away" >&2
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
echo "launch to window: median $median s over $RUNS runs (each a first start; network: ${FAULTLINE_LAUNCH_NETNS:-on})"
