#!/usr/bin/env bash
# Build Faultline for macOS: dist/Faultline.app (PyInstaller BUNDLE, from faultline.spec, which also
# declares the .faultline document type), its self-test, then dist/Faultline-<version>-macos-<arch>.dmg.
# Runs on macOS only (the .app comes from macOS's PyInstaller bootloader, the .dmg from hdiutil);
# see build_scripts/README.md for what to install first.
#
#   bash build_scripts/build_macos.sh
#   CODESIGN_IDENTITY="Developer ID Application: ..." NOTARY_PROFILE=faultline bash build_scripts/build_macos.sh
#
# Signing and notarisation, each skipped with a message when its variables are unset:
#   CODESIGN_IDENTITY  a "Developer ID Application" identity in the keychain: codesign signs the .app
#                      with the hardened runtime and a secure timestamp, then the .dmg;
#   NOTARY_PROFILE     a notarytool keychain profile (xcrun notarytool store-credentials), or instead
#   APPLE_ID, APPLE_TEAM_ID, APPLE_APP_PASSWORD (an app-specific password):
#                      xcrun notarytool submit --wait notarises the .app, then the .dmg, and
#                      xcrun stapler staple attaches each ticket, so Gatekeeper accepts them offline.
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

MINIMUM=$(QT_QPA_PLATFORM=offscreen "$PY" build_scripts/packaging_tools.py macos-minimum)
/usr/libexec/PlistBuddy -c "Print :LSMinimumSystemVersion" "$APP/Contents/Info.plist" | grep -qx "$MINIMUM" \
    || die "Info.plist does not require macOS $MINIMUM, the oldest the bundled Qt runs on"

SIGN=${CODESIGN_IDENTITY:-}
NOTARY=()
if [ -n "${NOTARY_PROFILE:-}" ]; then
    NOTARY=(--keychain-profile "$NOTARY_PROFILE")
elif [ -n "${APPLE_ID:-}" ] && [ -n "${APPLE_TEAM_ID:-}" ] && [ -n "${APPLE_APP_PASSWORD:-}" ]; then
    NOTARY=(--apple-id "$APPLE_ID" --team-id "$APPLE_TEAM_ID" --password "$APPLE_APP_PASSWORD")
fi
if [ -z "$SIGN" ]; then
    echo "signing and notarisation skipped: CODESIGN_IDENTITY is not set (Gatekeeper will refuse the app on other Macs)"
elif ((${#NOTARY[@]} == 0)); then
    echo "notarisation skipped: set NOTARY_PROFILE, or APPLE_ID, APPLE_TEAM_ID and APPLE_APP_PASSWORD"
fi

# notarise FILE: Apple's notary service checks FILE (a .zip of the .app, or the .dmg) and
# records a ticket; stapling the ticket to TARGET lets Gatekeeper accept it without network.
notarise() {
    local file=$1 target=$2
    xcrun notarytool submit "$file" "${NOTARY[@]}" --wait --output-format plist >"build/notary.plist" \
        || die "notarytool submit $file failed"
    /usr/libexec/PlistBuddy -c "Print :status" build/notary.plist | grep -qx Accepted \
        || { cat build/notary.plist; die "Apple did not accept $file (xcrun notarytool log <id> ${NOTARY[*]:0:2} says why)"; }
    xcrun stapler staple "$target"
    xcrun stapler validate "$target"
}

if [ -n "$SIGN" ]; then
    # The hardened runtime (--options runtime) and a secure timestamp are what notarisation requires.
    codesign --deep --force --options runtime --timestamp --sign "$SIGN" "$APP"
    codesign --verify --deep --strict "$APP"
fi
"$APP/Contents/MacOS/Faultline" --self-test
if [ -n "$SIGN" ] && ((${#NOTARY[@]})); then
    mkdir -p build
    ditto -c -k --keepParent "$APP" build/Faultline-notarise.zip
    notarise build/Faultline-notarise.zip "$APP"
    spctl --assess --type execute "$APP" || die "Gatekeeper does not accept the notarised $APP"
fi

STAGE=build/dmg
rm -rf "$STAGE"
mkdir -p "$STAGE"
cp -R "$APP" "$STAGE/"
ln -s /Applications "$STAGE/Applications"
hdiutil create -volname "Faultline $VERSION" -srcfolder "$STAGE" -fs HFS+ -format UDZO -ov "$DMG"
hdiutil verify "$DMG"
if [ -n "$SIGN" ]; then
    codesign --force --timestamp --sign "$SIGN" "$DMG"
    codesign --verify "$DMG"
    ((${#NOTARY[@]} == 0)) || notarise "$DMG" "$DMG"
fi

echo "built Faultline $VERSION in $(( $(date +%s) - START )) s"
echo "app  $APP: $(du -sh "$APP" | cut -f1)"
echo "dmg  $DMG: $(du -sh "$DMG" | cut -f1)"
