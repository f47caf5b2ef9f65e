#!/usr/bin/env bash
# Check what build_linux.sh produced, the way a user meets it (normally through `make dist-check`):
#   1. the bundle's self-test, offline (a network namespace with no interfaces) and with an empty
#      home, which must stay empty: the self-test writes only to its temporary folder;
#   2. the same from the unpacked tarball, and its install.sh (menu entry, file type, icon in a
#      temporary home, then --uninstall); a bundle without its xcb plugin's library must fail;
#   3. the .deb: installed with apt (as root), its launcher's self-test offline, the menu entry,
#      icons and file type in place and registered, then removed again, leaving nothing behind;
#   4. the .deb on a bare Debian (debootstrap, no X, OpenGL or fonts): apt must bring everything
#      the program needs from its Depends, and the self-test must pass there, offline, offscreen
#      and with its window on an X server (Xvfb); without a library its screen plugin links,
#      the self-test must fail and name it.
# Exits non-zero naming the first check that failed.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PY:-.venv/bin/python}
VERSION=$(QT_QPA_PLATFORM=offscreen "$PY" build_scripts/packaging_tools.py version)
DEB_VERSION=$(QT_QPA_PLATFORM=offscreen "$PY" build_scripts/packaging_tools.py debian-version)
DEB=dist/faultline_${DEB_VERSION}_$(dpkg --print-architecture).deb
TARBALL=dist/faultline-$VERSION-linux-$(uname -m).tar.gz
WORK=$(mktemp -d /tmp/faultline-dist-check.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
START=$(date +%s)

say() { printf '\n== %s\n' "$*"; }
fail() { printf 'dist-check FAILED: %s\n' "$*" >&2; exit 1; }
PASSED=0
ok() { printf 'ok   %s\n' "$*"; PASSED=$((PASSED + 1)); }

for f in dist/Faultline/Faultline "$TARBALL" "$DEB"; do [ -e "$f" ] || fail "$f is missing: run make dist"; done

OFFLINE=()
if unshare -n true 2>/dev/null; then
    OFFLINE=(unshare -n)
else
    echo "note: cannot create a network namespace here (unshare -n needs root or user namespaces);" \
         "the self-tests run with the network the machine has"
fi

# run_self_test LABEL COMMAND...: an empty home, no display, no network; output in $WORK/LABEL.log
run_self_test() {
    local label=$1; shift
    local home="$WORK/home-$label" log="$WORK/$label.log" t0 t1
    mkdir -p "$home"
    t0=$(date +%s.%N)
    if ! (cd "$WORK" && timeout 300 "${OFFLINE[@]}" env -i PATH=/usr/bin:/bin HOME="$home" LANG=C.UTF-8 \
            "$@" --self-test >"$log" 2>"$log.err"); then
        cat "$log" "$log.err"
        fail "$label: the self-test did not pass"
    fi
    t1=$(date +%s.%N)
    cat "$log"
    grep -q "^Faultline $VERSION self-test" "$log" || fail "$label: the self-test does not report version $VERSION"
    grep -q "^self-test passed" "$log" || fail "$label: no 'self-test passed' line"
    # fontconfig may refresh its own cache in ~/.cache/fontconfig when the system's is stale: not ours.
    if [ -n "$(find "$home" -mindepth 1 ! -path "$home/.cache" ! -path "$home/.cache/fontconfig*" -print -quit)" ]; then
        find "$home" -mindepth 1
        fail "$label: the self-test wrote into the home folder"
    fi
    ok "$label: self-test passed ${OFFLINE[*]:+offline }in $(awk "BEGIN { printf \"%.1f\", $t1 - $t0 }") s, nothing written outside its temporary folder"
}

say "1. the bundle: dist/Faultline"
run_self_test bundle "$PWD/dist/Faultline/Faultline"

say "2. the tarball: $TARBALL"
mkdir "$WORK/tar"
tar -xzf "$TARBALL" -C "$WORK/tar"
run_self_test tarball "$WORK/tar/Faultline/Faultline"

# The tarball's install.sh: a menu entry, file type and icon for one user, pointing at the unpacked folder.
home="$WORK/home-install"
data="$home/.local/share"
mkdir -p "$home"
env -i PATH=/usr/bin:/bin:/usr/sbin:/sbin HOME="$home" "$WORK/tar/Faultline/install.sh" >"$WORK/install.log" 2>&1 \
    || { cat "$WORK/install.log"; fail "install.sh from the tarball"; }
cat "$WORK/install.log"
grep -qx "Exec=\"$WORK/tar/Faultline/Faultline\" %f" "$data/applications/faultline.desktop" \
    || fail "install.sh's menu entry does not start $WORK/tar/Faultline/Faultline"
for f in mime/packages/faultline.xml icons/hicolor/scalable/apps/faultline.svg \
         icons/hicolor/scalable/mimetypes/application-x-faultline.svg; do
    [ -f "$data/$f" ] || fail "install.sh did not install ~/.local/share/$f"
done
if command -v update-mime-database >/dev/null; then
    grep -q '^80:application/x-faultline:\*\.faultline$' "$data/mime/globs2" || fail "install.sh did not register *.faultline"
fi
if command -v desktop-file-validate >/dev/null; then
    desktop-file-validate "$data/applications/faultline.desktop" || fail "desktop-file-validate of install.sh's menu entry"
fi
grep -q "^Every system library Faultline needs is installed.$" "$WORK/install.log" || fail "install.sh found libraries missing"
env -i PATH=/usr/bin:/bin:/usr/sbin:/sbin HOME="$home" "$WORK/tar/Faultline/install.sh" --uninstall >/dev/null \
    || fail "install.sh --uninstall"
left=$(find "$home" -name '*faultline*' ! -path "$data/mime/*" -print -quit)
[ -z "$left" ] || fail "install.sh --uninstall left $left"
! grep -qs faultline "$data/mime/globs2" || fail "install.sh --uninstall left *.faultline in the MIME database"
ok "install.sh adds the menu entry, file type and icon for the unpacked folder; --uninstall removes them"

say "2b. a bundle missing a library of its screen plugin must fail its self-test"
# A hard-linked copy (a plain one across file systems) without Qt's xcb library, which no system has:
# offscreen the program would still run, so only loading the plugins for real can notice.
cp -al dist/Faultline "$WORK/broken" 2>/dev/null || cp -a dist/Faultline "$WORK/broken"
rm "$WORK/broken/_internal/PySide6/Qt/lib/libQt6XcbQpa.so.6"
if (cd "$WORK" && timeout 300 "${OFFLINE[@]}" env -i PATH=/usr/bin:/bin HOME="$WORK/home-broken" LANG=C.UTF-8 \
        "$WORK/broken/Faultline" --self-test >"$WORK/broken.log" 2>&1); then
    cat "$WORK/broken.log"
    fail "the self-test passed a bundle whose xcb plugin cannot load"
fi
grep '^FAIL Qt plugins: .*platforms/libqxcb.so: needs libQt6XcbQpa.so.6' "$WORK/broken.log" \
    || { cat "$WORK/broken.log"; fail "the self-test did not name the xcb plugin's missing library"; }
rm -rf "$WORK/broken"
ok "without libQt6XcbQpa.so.6 the self-test fails, naming it"

say "3. the Debian package: $DEB"
dpkg-deb --info "$DEB" | sed -n '/Package:/,$p'
if [ "$(id -u)" != 0 ]; then
    echo "note: not root, so the .deb is checked but not installed (run make dist-check as root for that)"
    dpkg-deb --contents "$DEB" | grep -q ' ./usr/share/applications/faultline.desktop$' || fail "no desktop file in the .deb"
    ok "the .deb holds the menu entry"
    echo "dist-check: $PASSED passed, 0 failed"
    exit 0
fi
if dpkg-query -W -f='${Status}' faultline 2>/dev/null | grep -q "ok installed"; then
    fail "faultline is already installed on this machine; this check installs and removes it: dpkg -r faultline first"
fi
# What a desktop has and a bare CI machine may not: the tools that register the file type and the menu
# entry, and validate the AppStream file, so that all of it is checked below.
missing=()
for p in shared-mime-info desktop-file-utils appstream; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends --no-upgrade "${missing[@]}" >/dev/null
fi
# apt resolves Depends from what is installed; only if something is missing does it need its lists.
if ! DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "./$DEB" >"$WORK/apt.log" 2>&1; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "./$DEB" >"$WORK/apt.log" 2>&1 \
        || { cat "$WORK/apt.log"; fail "apt-get install ./$DEB"; }
fi
trap 'dpkg -r faultline >/dev/null 2>&1 || true; rm -rf "$WORK"' EXIT
[ "$(dpkg-query -W -f='${Version}' faultline)" = "$DEB_VERSION" ] || fail "installed version is not $DEB_VERSION"
ok "installed faultline $DEB_VERSION with apt ($(du -s --apparent-size -B1 /opt/faultline | awk '{printf "%.1f MiB", $1/1048576}') in /opt/faultline)"

[ "$(command -v faultline)" = /usr/bin/faultline ] || fail "no faultline command on PATH"
run_self_test installed /usr/bin/faultline

for f in /usr/share/applications/faultline.desktop /usr/share/mime/packages/faultline.xml \
         /usr/share/metainfo/com.faultline.Faultline.metainfo.xml \
         /usr/share/icons/hicolor/256x256/apps/faultline.png /usr/share/icons/hicolor/scalable/apps/faultline.svg \
         /usr/share/icons/hicolor/48x48/mimetypes/application-x-faultline.png; do
    [ -f "$f" ] || fail "the package did not install $f"
done
grep -q '^MimeType=application/x-faultline;$' /usr/share/applications/faultline.desktop || fail "desktop file lacks the MimeType"
grep -q '^Exec=faultline %f$' /usr/share/applications/faultline.desktop || fail "desktop file does not pass the file to open"
ok "menu entry, icons and the file type's description are installed"
if command -v desktop-file-validate >/dev/null; then
    desktop-file-validate /usr/share/applications/faultline.desktop || fail "desktop-file-validate"
    ok "desktop-file-validate accepts the menu entry"
fi
if command -v appstreamcli >/dev/null; then
    appstreamcli validate --no-net /usr/share/metainfo/com.faultline.Faultline.metainfo.xml >/dev/null \
        || fail "appstreamcli validate"
    ok "appstreamcli accepts the AppStream description"
fi
if command -v update-mime-database >/dev/null; then
    grep -q '^80:application/x-faultline:\*\.faultline$' /usr/share/mime/globs2 || fail "*.faultline is not in the MIME database"
    grep -q '^application/x-faultline application/vnd.sqlite3$' /usr/share/mime/subclasses \
        || fail "application/x-faultline is not registered as a kind of SQLite file"
    ok "the MIME database maps *.faultline to application/x-faultline"
else
    echo "note: shared-mime-info is not installed here, so the MIME database was not rebuilt (a desktop has it)"
fi
if command -v update-desktop-database >/dev/null; then
    grep -q '^application/x-faultline=faultline.desktop' /usr/share/applications/mimeinfo.cache \
        || fail "the desktop database does not offer Faultline for application/x-faultline"
    ok "the desktop database opens application/x-faultline with faultline.desktop"
fi

dpkg -r faultline >/dev/null
for f in /opt/faultline /usr/bin/faultline /usr/share/applications/faultline.desktop /usr/share/mime/packages/faultline.xml \
         /usr/share/metainfo/com.faultline.Faultline.metainfo.xml; do
    [ ! -e "$f" ] || fail "dpkg -r faultline left $f behind"
done
if command -v update-mime-database >/dev/null && grep -q 'application/x-faultline' /usr/share/mime/globs2; then
    fail "the MIME database still knows application/x-faultline after removal"
fi
ok "dpkg -r faultline removed it all"
trap 'rm -rf "$WORK"' EXIT

# 4. A bare system: a minimal Debian of this machine's release (debootstrap --variant=minbase: no
# X, no OpenGL, no fonts), where only apt and the package's Depends can bring what Faultline needs.
# FAULTLINE_SKIP_BARE_CHECK=1 skips it (it fetches about 60 MB of Debian packages).
. /etc/os-release
if [ -n "${FAULTLINE_SKIP_BARE_CHECK:-}" ]; then
    echo "note: the check on a bare system is skipped (FAULTLINE_SKIP_BARE_CHECK)"
elif [ "${ID:-}" != debian ] || [ -z "${VERSION_CODENAME:-}" ]; then
    echo "note: the check on a bare system needs a Debian host (this is ${PRETTY_NAME:-unknown})"
else
    say "4. a bare Debian $VERSION_CODENAME: apt install ./$(basename "$DEB"), then the self-test"
    command -v debootstrap >/dev/null || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
        --no-install-recommends debootstrap >/dev/null
    BARE="$WORK/bare"
    trap 'umount "$BARE/proc" 2>/dev/null || true; rm -rf --one-file-system "$WORK"' EXIT
    debootstrap --variant=minbase "$VERSION_CODENAME" "$BARE" http://deb.debian.org/debian >"$WORK/debootstrap.log" 2>&1 \
        || { tail -20 "$WORK/debootstrap.log"; fail "debootstrap of a bare $VERSION_CODENAME"; }
    for lib in libGL.so.1 libfontconfig.so.1 libxcb.so.1; do
        ! chroot "$BARE" /sbin/ldconfig -p | grep -q "$lib" || fail "the bare system already has $lib: not bare"
    done
    before=$(chroot "$BARE" dpkg-query -W -f='.\n' | wc -l)

    # The tarball's install.sh on the bare system names what is missing, with the apt-get line to install it.
    tar -xzf "$TARBALL" -C "$BARE/tmp"
    mkdir -p "$BARE/tmp/home-install"
    if chroot "$BARE" env -i PATH=/usr/bin:/bin:/usr/sbin:/sbin HOME=/tmp/home-install /tmp/Faultline/install.sh \
            >"$WORK/bare-install.log" 2>&1; then
        cat "$WORK/bare-install.log"; fail "install.sh found nothing missing on a bare system"
    fi
    named=$(sed -n 's/^  sudo apt-get install //p' "$WORK/bare-install.log")
    [ -n "$named" ] || { cat "$WORK/bare-install.log"; fail "install.sh printed no apt-get line on the bare system"; }
    depends=$(dpkg-deb -f "$DEB" Depends)
    for package in $named; do
        tr ',|' '\n\n' <<<"$depends" | awk '{ print $1 }' | grep -qxF "$package" \
            || fail "install.sh asks for $package, which the .deb does not depend on (Depends: $depends)"
    done
    ok "on the bare system install.sh lists the missing libraries: sudo apt-get install $named"
    cp "$DEB" "$BARE/tmp/"
    cp /etc/resolv.conf "$BARE/etc/resolv.conf"
    mount -t proc proc "$BARE/proc"
    chroot "$BARE" sh -c "apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
        --no-install-recommends /tmp/$(basename "$DEB")" >"$WORK/bare-apt.log" 2>&1 \
        || { tail -20 "$WORK/bare-apt.log"; fail "apt install of the .deb on a bare $VERSION_CODENAME"; }
    after=$(chroot "$BARE" dpkg-query -W -f='.\n' | wc -l)
    ok "apt installed the .deb and $((after - before - 1)) packages it depends on into a bare $VERSION_CODENAME of $before packages"
    chroot "$BARE" env -i PATH=/usr/bin:/bin:/usr/sbin:/sbin HOME=/tmp/home-install /tmp/Faultline/install.sh \
        >"$WORK/bare-install.log" 2>&1 || { cat "$WORK/bare-install.log"; fail "install.sh once the Depends are installed"; }
    ok "with the Depends installed, install.sh finds every library the tarball needs"
    rm -rf "$BARE/tmp/Faultline" "$BARE/tmp/home-install"
    mkdir -p "$BARE/tmp/home"
    if ! (cd / && timeout 300 "${OFFLINE[@]}" chroot "$BARE" env -i PATH=/usr/bin:/bin HOME=/tmp/home LANG=C.UTF-8 \
            sh -c 'cd /tmp && faultline --self-test' >"$WORK/bare.log" 2>&1); then
        cat "$WORK/bare.log"
        fail "the self-test on the bare system"
    fi
    grep -E "^(ok|skip) " "$WORK/bare.log"
    grep -q "^self-test passed" "$WORK/bare.log" || fail "the self-test on the bare system did not pass"
    ok "the self-test passes offline on the bare system"

    # A real screen: Xvfb, the only package added beyond the Depends. The X11 helpers the bundle
    # carries must not be on the system, so that the window opening proves the bundle's copies work.
    chroot "$BARE" sh -c "DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends xvfb xauth" \
        >"$WORK/bare-xvfb.log" 2>&1 || { tail -20 "$WORK/bare-xvfb.log"; fail "apt install xvfb on the bare system"; }
    for lib in $("$PY" build_scripts/packaging_tools.py bundled-libraries); do
        ! chroot "$BARE" /sbin/ldconfig -p | grep -q "$lib" || fail "the bare system has $lib: the check would not test the bundle's"
        [ -f "$BARE/opt/faultline/_internal/PySide6/Qt/lib/$lib" ] || fail "the package does not carry $lib"
    done
    if ! (cd / && timeout 300 "${OFFLINE[@]}" chroot "$BARE" env -i PATH=/usr/bin:/bin HOME=/tmp/home LANG=C.UTF-8 \
            QT_QPA_PLATFORM=xcb QT_DEBUG_PLUGINS=1 sh -c 'cd /tmp && xvfb-run -a faultline --self-test --screen' \
            >"$WORK/bare-xcb.log" 2>"$WORK/bare-xcb.err"); then
        cat "$WORK/bare-xcb.log"; tail -30 "$WORK/bare-xcb.err"
        fail "the self-test on an X server on the bare system"
    fi
    grep -E "^(ok|skip) " "$WORK/bare-xcb.log"
    grep -q '^ok   main window: .* shown on the xcb screen' "$WORK/bare-xcb.log" \
        || { cat "$WORK/bare-xcb.log"; fail "the main window did not open on the X server"; }
    grep -q '"/opt/faultline/_internal/PySide6/Qt/plugins/platforms/libqxcb.so" loaded library' "$WORK/bare-xcb.err" \
        || { grep -i xcb "$WORK/bare-xcb.err" | head; fail "Qt did not load the bundle's xcb plugin"; }
    ok "the window opens on an X server (Xvfb) on the bare system, offline, with the X11 helpers the bundle carries"

    # Without one of those helpers the self-test must fail and name it (offscreen, where Qt itself never notices).
    helper=/opt/faultline/_internal/PySide6/Qt/lib/libxcb-cursor.so.0
    mv "$BARE$helper" "$BARE$helper.away"
    if (cd / && timeout 300 "${OFFLINE[@]}" chroot "$BARE" env -i PATH=/usr/bin:/bin HOME=/tmp/home LANG=C.UTF-8 \
            sh -c 'cd /tmp && faultline --self-test' >"$WORK/bare-broken.log" 2>&1); then
        cat "$WORK/bare-broken.log"
        fail "the self-test passed without $helper"
    fi
    mv "$BARE$helper.away" "$BARE$helper"
    grep '^FAIL Qt plugins: .*needs libxcb-cursor.so.0' "$WORK/bare-broken.log" \
        || { cat "$WORK/bare-broken.log"; fail "the self-test did not name the missing libxcb-cursor.so.0"; }
    ok "without the bundle's libxcb-cursor.so.0 the self-test fails on the bare system, naming it"
    umount "$BARE/proc"
    rm -rf --one-file-system "$BARE"
    trap 'rm -rf "$WORK"' EXIT
fi

say "dist-check passed in $(( $(date +%s) - START )) s"
echo "dist-check: $PASSED passed, 0 failed"
