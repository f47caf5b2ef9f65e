"""The spec and the three installers name the same executable, file extension, file type and icon."""
from __future__ import annotations

import re
from pathlib import Path

from app.store import FILE_SUFFIX

ROOT = Path(__file__).resolve().parents[2]
SCRIPTS = ROOT / "build_scripts"


def spec_constant(name: str) -> str:
    m = re.search(rf'^{name} = "([^"]+)"$', (SCRIPTS / "faultline.spec").read_text(), re.M)
    assert m, f"faultline.spec defines no {name}"
    return m[1]


APP_NAME = spec_constant("APP_NAME")
MIME_TYPE = spec_constant("MIME_TYPE")
EXTENSION = FILE_SUFFIX.lstrip(".")


def test_the_app_uses_the_extension_the_installers_register():
    assert FILE_SUFFIX == ".faultline"
    spec = (SCRIPTS / "faultline.spec").read_text()
    assert f'"public.filename-extension": ["{EXTENSION}"]' in spec
    assert '"public.mime-type": [MIME_TYPE]' in spec


def test_inno_setup_script_matches_the_spec():
    iss = (SCRIPTS / "faultline.iss").read_text()
    assert f'#define AppExe "{APP_NAME}.exe"' in iss
    assert f'Source: "..\\dist\\{APP_NAME}\\*"' in iss
    assert f'Subkey: "Software\\Classes\\.{EXTENSION}"; ValueType: string; ValueName: "Content Type"; ' \
           f'ValueData: "{MIME_TYPE}"' in iss
    assert '""{app}\\{#AppExe}"" ""%1""' in iss               # the double-clicked file is passed on
    assert "SetupIconFile=..\\build\\faultline-spec\\icons\\faultline.ico" in iss
    spec = (SCRIPTS / "faultline.spec").read_text()
    assert 'GENERATED = ROOT / "build" / "faultline-spec"' in spec and '"faultline.ico"' in spec
    assert "ChangesAssociations=yes" in iss


def test_windows_build_script_passes_the_version_and_reads_the_self_test_report():
    ps1 = (SCRIPTS / "build_windows.ps1").read_text()
    assert "packaging_tools.py version" in ps1 and "packaging_tools.py windows-version" in ps1
    assert '"/DAppVersion=$version"' in ps1 and "build_scripts\\faultline.iss" in ps1
    assert "faultline-self-test.txt" in ps1 and f"dist\\{APP_NAME}\\{APP_NAME}.exe" in ps1
    selftest = (ROOT / "app" / "selftest.py").read_text()
    assert '"faultline-self-test.txt"' in selftest


def test_macos_script_packages_the_spec_bundle():
    sh = (SCRIPTS / "build_macos.sh").read_text()
    assert f"APP=dist/{APP_NAME}.app" in sh
    assert f'"$APP/Contents/MacOS/{APP_NAME}" --self-test' in sh
    assert "hdiutil create" in sh and "build_scripts/faultline.spec" in sh


def test_linux_package_matches_the_spec_and_the_mime_type():
    sh = (SCRIPTS / "build_linux.sh").read_text()
    assert f"ln -s /opt/faultline/{APP_NAME} " in sh
    assert f"BUNDLE=dist/{APP_NAME}" in sh
    xml = (ROOT / "resources" / "packaging" / "faultline.xml").read_text()
    assert f'<mime-type type="{MIME_TYPE}">' in xml and f'<glob pattern="*.{EXTENSION}"' in xml
    desktop = (ROOT / "resources" / "packaging" / "faultline.desktop").read_text()
    assert f"MimeType={MIME_TYPE};" in desktop


def spec_list(name: str) -> list[str]:
    import ast

    tree = ast.parse((SCRIPTS / "faultline.spec").read_text())
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == name for t in node.targets):
            return ast.literal_eval(node.value)
    raise AssertionError(f"faultline.spec defines no {name}")


def test_no_qt_module_the_application_imports_is_left_out_of_the_bundle():
    """Importing a Qt module the spec excludes works from the sources and fails only in the installed app."""
    excluded = set(spec_list("QT_UNUSED"))
    used: dict[str, set[str]] = {}
    for path in [ROOT / "main.py", *(ROOT / "app").rglob("*.py"), *(ROOT / "engine").rglob("*.py")]:
        for module in re.findall(r"\bPySide6\.(Qt\w+)|from PySide6 import ([\w, ()\n]+)", path.read_text()):
            names = [module[0]] if module[0] else re.findall(r"Qt\w+", module[1])
            for name in names:
                used.setdefault(name, set()).add(path.relative_to(ROOT).as_posix())
    assert {"QtCore", "QtGui", "QtWidgets"} <= set(used)
    clash = {name: sorted(paths) for name, paths in used.items() if name in excluded}
    assert not clash, f"imported but excluded from the bundle by build_scripts/faultline.spec: {clash}"


# -- signing, version resource, minimum macOS: what cannot run here is checked to be wired up ----
def test_windows_signing_covers_the_executable_the_setup_and_the_uninstaller_and_is_optional():
    ps1 = (SCRIPTS / "build_windows.ps1").read_text()
    iss = (SCRIPTS / "faultline.iss").read_text()
    assert "$sign = [bool]$env:WINDOWS_CERTIFICATE" in ps1
    assert "signing skipped: WINDOWS_CERTIFICATE is not set" in ps1
    # The executable is signed before its self-test, so the test runs what ships.
    assert ps1.index(f"& $signtool @signArgs dist\\{APP_NAME}\\{APP_NAME}.exe") < ps1.index("--self-test")
    assert '"/tr", $timestamp' in ps1 and '"/fd", "sha256"' in ps1
    # Inno Setup signs the setup and the uninstaller it writes with the same signtool command.
    assert '$isccArgs += @("/DSign", "/Sfaultline=$innoSign")' in ps1 and "`$f" in ps1
    sign_block = re.search(r"#ifdef Sign\n(.*?)#endif", iss, re.S)
    assert sign_block and "SignTool=faultline" in sign_block[1] and "SignedUninstaller=yes" in sign_block[1]
    assert iss.index("#ifdef Sign") < iss.index("[Tasks]")           # inside [Setup]
    assert "& $signtool verify /pa $signed" in ps1


def test_windows_executable_carries_the_one_version():
    spec = (SCRIPTS / "faultline.spec").read_text()
    assert "pt.windows_version_info(VERSION, APP_NAME)" in spec
    assert "version=str(VERSION_FILE) if VERSION_FILE else None" in spec
    ps1 = (SCRIPTS / "build_windows.ps1").read_text()
    assert "VersionInfo.ProductVersion" in ps1 and "-ne $version" in ps1


def test_macos_signing_notarises_and_staples_the_app_and_the_dmg_and_is_optional():
    sh = (SCRIPTS / "build_macos.sh").read_text()
    assert 'codesign --deep --force --options runtime --timestamp --sign "$SIGN" "$APP"' in sh
    assert 'codesign --force --timestamp --sign "$SIGN" "$DMG"' in sh
    assert 'xcrun notarytool submit "$file" "${NOTARY[@]}" --wait' in sh
    assert 'xcrun stapler staple "$target"' in sh
    assert 'notarise build/Faultline-notarise.zip "$APP"' in sh and 'notarise "$DMG" "$DMG"' in sh
    # The .app is stapled before it is copied into the .dmg, so the copy in the .dmg carries its ticket.
    assert sh.index('notarise build/Faultline-notarise.zip "$APP"') < sh.index('cp -R "$APP" "$STAGE/"')
    assert "signing and notarisation skipped: CODESIGN_IDENTITY is not set" in sh
    assert "notarisation skipped: set NOTARY_PROFILE, or APPLE_ID, APPLE_TEAM_ID and APPLE_APP_PASSWORD" in sh
    # Signed before the self-test, which then runs the hardened-runtime build that ships.
    assert sh.index('--options runtime --timestamp --sign "$SIGN" "$APP"') < sh.index("--self-test")


def test_macos_minimum_comes_from_the_bundled_qt():
    spec = (SCRIPTS / "faultline.spec").read_text()
    assert '"LSMinimumSystemVersion": pt.macos_minimum(QtCore.qVersion())' in spec
    assert "packaging_tools.py macos-minimum" in (SCRIPTS / "build_macos.sh").read_text()
