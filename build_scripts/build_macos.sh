#!/usr/bin/env bash
# Build Faultline for macOS: dist/Faultline.app (PyInstaller BUNDLE, from faultline.spec, which also
# declares the .faultline document type), its self-test, then dist/Faultline-<version>-macos-<arch>.dmg.
# Runs on macOS only (the .app comes from macOS's PyInstaller bootloader, the .dmg from hdiutil);
# see build_scripts/README.md for what to install first.
#
#   bash build_scripts/build_macos.sh
#   CODESIGN_IDENTITY="Developer ID Application: ..." bash build_scripts/build_macos.sh   # signed
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PY:-.venv/bin/python}
die() { printf 'build_macos.sh: %s\n' "$*" >&2; exit 1; }
[ "$(uname -s)" = Darwin ] || die "this builds the macOS .app and .dmg and runs on macOS only; on Linux use make dist"
command -v hdiutil >/dev/null || die "hdiutil is missing"
[ -x "$PY" ] || die "no $PY: create the venv first (see build_scripts/README.md)"

ls engine/_core*.so >/dev/null 2>&1 || "$PY" setup.py build_ext --inplace
"$PY" -m pip install -q "pyinstaller>=6.10,<7"
VERSION=$(QT_QPA_PLATFORM=offscreen "$PY" build_scripts/packaging_tools.py version)
ARCH=$(uname -m)
APP=dist/Faultline.app
DMG=dist/Faultline-$VERSION-macos-$ARCH.dmg
START=$(date +%s)

rm -rf dist/Faultline "$APP" build/pyinstaller "$DMG"
"$PY" -m PyInstaller --noconfirm --clean --log-level WARN --distpath dist --workpath build/pyinstaller \
    build_scripts/faultline.spec
[ -x "$APP/Contents/MacOS/Faultline" ] || die "PyInstaller produced no $APP"
/usr/libexec/PlistBuddy -c "Print :CFBundleShortVersionString" "$APP/Contents/Info.plist" | grep -qx "$VERSION" \
    || die "Info.plist does not carry version $VERSION"

"$APP/Contents/MacOS/Faultline" --self-test

if [ -n "${CODESIGN_IDENTITY:-}" ]; then
    codesign --deep --force --options runtime --timestamp --sign "$CODESIGN_IDENTITY" "$APP"
    codesign --verify --deep --strict "$APP"
fi

STAGE=build/dmg
rm -rf "$STAGE"
mkdir -p "$STAGE"
cp -R "$APP" "$STAGE/"
ln -s /Applications "$STAGE/Applications"
hdiutil create -volname "Faultline $VERSION" -srcfolder "$STAGE" -fs HFS+ -format UDZO -ov "$DMG"
hdiutil verify "$DMG"

echo "built Faultline $VERSION in $(( $(date +%s) - START )) s"
echo "app  $APP: $(du -sh "$APP" | cut -f1)"
echo "dmg  $DMG: $(du -sh "$DMG" | cut -f1)"
