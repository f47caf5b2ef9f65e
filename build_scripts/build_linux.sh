#!/usr/bin/env bash
# Build Faultline for Linux: dist/Faultline/ (the PyInstaller bundle), a .tar.gz of it, and a .deb
# that installs it to /opt/faultline with a `faultline` command, a menu entry, icons and the
# .faultline file type. No network is used (PyInstaller must already be in the venv: `make dist`).
#
#   bash build_scripts/build_linux.sh            # normally through `make dist`
#   PY=/path/to/python bash build_scripts/build_linux.sh
#
# Environment: PY (the venv's python, default .venv/bin/python), DEB_MAINTAINER (the Maintainer
# field of the .deb), SOURCE_DATE_EPOCH (timestamps in the archives, default: the last commit).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
PY=${PY:-$ROOT/.venv/bin/python}
TOOLS=(env QT_QPA_PLATFORM=offscreen "$PY" build_scripts/packaging_tools.py)
START=$(date +%s)

say() { printf '\n== %s\n' "$*"; }
die() { printf 'build_linux.sh: %s\n' "$*" >&2; exit 1; }

# Tools the build needs beyond `make sysdeps`: binutils (PyInstaller reads and strips binaries) and
# the Wayland client libraries Qt's Wayland plugin links, so the .deb's Depends can name their packages.
BUILD_PACKAGES=(binutils libwayland-client0 libwayland-cursor0 libwayland-egl1)
missing=()
for p in "${BUILD_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
    if [ "$(id -u)" = 0 ]; then
        say "installing build packages: ${missing[*]}"
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends --no-upgrade "${missing[@]}"
    else
        die "install these first: sudo apt-get install -y --no-install-recommends ${missing[*]}"
    fi
fi
command -v dpkg-deb >/dev/null || die "dpkg-deb is missing: this script builds on Debian and its derivatives"
"$PY" -c "import PyInstaller" 2>/dev/null || die "PyInstaller is not in $PY's environment: run make dist"

VERSION=$("${TOOLS[@]}" version)
DEB_VERSION=$("${TOOLS[@]}" debian-version)
ARCH=$(dpkg --print-architecture)
MACHINE=$(uname -m)
export SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-$(git log -1 --format=%ct 2>/dev/null || date +%s)}
MAINTAINER=${DEB_MAINTAINER:-Faultline developers <packaging@faultline.invalid>}
BUNDLE=dist/Faultline
TARBALL=dist/faultline-$VERSION-linux-$MACHINE.tar.gz
DEB=dist/faultline_${DEB_VERSION}_$ARCH.deb

say "PyInstaller bundle of Faultline $VERSION"
rm -rf "$BUNDLE" build/pyinstaller "$TARBALL" "$DEB"
"$PY" -m PyInstaller --noconfirm --clean --log-level WARN \
    --distpath dist --workpath build/pyinstaller build_scripts/faultline.spec
[ -x "$BUNDLE/Faultline" ] || die "PyInstaller produced no $BUNDLE/Faultline"
[ "$(cat "$BUNDLE/_internal/_build_version")" = "$VERSION" ] || die "the bundle's version file does not say $VERSION"
BUNDLE_DONE=$(date +%s)

say "tarball $TARBALL"
# The tarball alone holds install.sh (menu entry, file type and icon for one user; the .deb has its own).
mkdir -p build/tarball/Faultline
"${TOOLS[@]}" install-script "$BUNDLE" build/tarball/Faultline/install.sh
tar --sort=name --owner=0 --group=0 --numeric-owner --mtime="@$SOURCE_DATE_EPOCH" \
    -C dist -cf - Faultline -C "$ROOT/build/tarball" Faultline/install.sh | gzip -6 -n > "$TARBALL"

say "Debian package $DEB"
ICONS=build/faultline-spec/icons   # rendered by the spec from resources/icons/faultline.svg
STAGE=build/deb/faultline
rm -rf "$STAGE"
mkdir -p "$STAGE/DEBIAN" "$STAGE/opt" "$STAGE/usr/bin" "$STAGE/usr/share/applications" \
    "$STAGE/usr/share/mime/packages" "$STAGE/usr/share/doc/faultline"
cp -a "$BUNDLE" "$STAGE/opt/faultline"
ln -s /opt/faultline/Faultline "$STAGE/usr/bin/faultline"
install -m 644 resources/packaging/faultline.desktop "$STAGE/usr/share/applications/faultline.desktop"
install -m 644 resources/packaging/faultline.xml "$STAGE/usr/share/mime/packages/faultline.xml"
# AppStream: what software centres show for the package (the file is named after its component id).
install -D -m 644 resources/packaging/faultline.metainfo.xml "$STAGE/usr/share/metainfo/com.faultline.Faultline.metainfo.xml"
for size in 16 24 32 48 64 128 256 512; do
    for kind in apps/faultline mimetypes/application-x-faultline; do
        install -D -m 644 "$ICONS/faultline-$size.png" "$STAGE/usr/share/icons/hicolor/${size}x$size/$kind.png"
    done
done
install -D -m 644 "$ICONS/faultline.svg" "$STAGE/usr/share/icons/hicolor/scalable/apps/faultline.svg"
install -D -m 644 "$ICONS/faultline.svg" "$STAGE/usr/share/icons/hicolor/scalable/mimetypes/application-x-faultline.svg"
cat > "$STAGE/usr/share/doc/faultline/copyright" <<EOF
Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/
Upstream-Name: Faultline

Files: *
License: $("$PY" -c "import tomllib;l=tomllib.load(open('pyproject.toml','rb'))['project']['license'];print(l if isinstance(l, str) else l['text'])")
 Faultline $VERSION, with the Python runtime, Qt (LGPLv3, dynamically linked
 from /opt/faultline/_internal/PySide6), PySide6, NumPy, pydantic, SQLAlchemy,
 PyYAML and pyqtgraph, each under its own license.
EOF

DEPENDS=$("${TOOLS[@]}" deb-depends "$STAGE/opt/faultline")
INSTALLED_KB=$(du -sk --apparent-size --exclude=DEBIAN "$STAGE" | cut -f1)
DESCRIPTION=$("$PY" -c "import tomllib;print(tomllib.load(open('pyproject.toml','rb'))['project']['description'])")
cat > "$STAGE/DEBIAN/control" <<EOF
Package: faultline
Version: $DEB_VERSION
Architecture: $ARCH
Maintainer: $MAINTAINER
Installed-Size: $INSTALLED_KB
Depends: $DEPENDS
Recommends: shared-mime-info, desktop-file-utils, hicolor-icon-theme
Section: devel
Priority: optional
Description: distributed-system fault simulator for architects
 $DESCRIPTION
 .
 Faultline runs offline. Projects are single .faultline files; double-clicking
 one opens it. Run \`faultline --self-test\` to check an installation.
EOF
# Debian's triggers refresh these caches on their own; the scripts cover systems whose
# shared-mime-info or desktop-file-utils predate triggers, and do nothing where the tools are absent.
cat > "$STAGE/DEBIAN/postinst" <<'EOF'
#!/bin/sh
set -e
if [ "$1" = "configure" ] || [ "$1" = "abort-upgrade" ] || [ "$1" = "abort-remove" ]; then
    if command -v update-mime-database >/dev/null 2>&1; then update-mime-database /usr/share/mime || true; fi
    if command -v update-desktop-database >/dev/null 2>&1; then update-desktop-database -q /usr/share/applications || true; fi
    if command -v gtk-update-icon-cache >/dev/null 2>&1 && [ -f /usr/share/icons/hicolor/index.theme ]; then
        gtk-update-icon-cache -q -t -f /usr/share/icons/hicolor || true
    fi
fi
exit 0
EOF
cat > "$STAGE/DEBIAN/postrm" <<'EOF'
#!/bin/sh
set -e
if [ "$1" = "remove" ] || [ "$1" = "purge" ] || [ "$1" = "abort-install" ]; then
    if command -v update-mime-database >/dev/null 2>&1; then update-mime-database /usr/share/mime || true; fi
    if command -v update-desktop-database >/dev/null 2>&1; then update-desktop-database -q /usr/share/applications || true; fi
    if command -v gtk-update-icon-cache >/dev/null 2>&1 && [ -f /usr/share/icons/hicolor/index.theme ]; then
        gtk-update-icon-cache -q -t -f /usr/share/icons/hicolor || true
    fi
fi
exit 0
EOF
chmod 755 "$STAGE/DEBIAN/postinst" "$STAGE/DEBIAN/postrm"
find "$STAGE" -exec touch -h -d "@$SOURCE_DATE_EPOCH" {} +
dpkg-deb --root-owner-group -Zxz --build "$STAGE" "$DEB" >/dev/null
END=$(date +%s)

mib() { du -s --apparent-size -B1 "$1" | awk '{printf "%.1f MiB (%.1f MB)", $1/1048576, $1/1e6}'; }
say "built Faultline $VERSION in $((END - START)) s (bundle $((BUNDLE_DONE - START)) s)"
echo "bundle      $BUNDLE: $(mib "$BUNDLE") installed"
echo "tarball     $TARBALL: $(mib "$TARBALL")"
echo "deb         $DEB: $(mib "$DEB")"
echo "depends     $DEPENDS"
