"""The tarball's install.sh: which package it names for a missing library, and what it adds and removes."""
from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "build_scripts"))
import packaging_tools as pt  # noqa: E402

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux") or not shutil.which("bash"),
                                reason="install.sh is for Linux tarballs")
TABLE = {"libglib-2.0.so.0": "libglib2.0-0", "libGL.so.1": "libgl1"}


def script(tmp_path: Path, table: dict[str, str] = TABLE) -> Path:
    path = tmp_path / "install.sh"
    path.write_text(pt.fill_install_script(pt.INSTALL_SCRIPT.read_text(), table))
    path.chmod(0o755)
    return path


def packages_for(tmp_path: Path, *sonames: str) -> list[str]:
    out = subprocess.run(["bash", "-c", 'source "$1"; shift; for s; do package_for "$s"; done', "-",
                          str(script(tmp_path)), *sonames], capture_output=True, text=True, check=True)
    return out.stdout.split()


def test_the_build_machines_table_wins_then_debians_naming_rule(tmp_path):
    assert packages_for(tmp_path, "libglib-2.0.so.0", "libGL.so.1") == ["libglib2.0-0", "libgl1"]
    # Debian's rule: the soname's stem and major version, a hyphen between when the stem ends in a digit.
    assert packages_for(tmp_path, "libxcb-glx.so.0", "libX11.so.6", "libdbus-1.so.3", "libwayland-client.so.0",
                        "libEGL.so.1", "libstdc++.so.6", "libfoo.so") == [
        "libxcb-glx0", "libx11-6", "libdbus-1-3", "libwayland-client0", "libegl1", "libstdc++6", "libfoo"]


def test_fill_install_script_needs_its_one_marker():
    filled = pt.fill_install_script("A\n@LIBRARY_PACKAGES@\nB", {"libb.so.2": "libb2", "liba.so.1": "liba1"})
    assert filled == "A\nliba.so.1 liba1\nlibb.so.2 libb2\nB"
    with pytest.raises(ValueError, match="exactly once"):
        pt.fill_install_script("no marker", {})


def fake_bundle(folder: Path) -> Path:
    """An unpacked Faultline folder as install.sh sees it: the executable and the packaging resources."""
    internal = folder / "_internal"
    (internal / "resources" / "packaging").mkdir(parents=True)
    (internal / "resources" / "icons").mkdir(parents=True)
    shutil.copy(shutil.which("true"), folder / "Faultline")
    for name in ("faultline.desktop", "faultline.xml"):
        shutil.copy(ROOT / "resources" / "packaging" / name, internal / "resources" / "packaging" / name)
    shutil.copy(ROOT / "resources" / "icons" / "faultline.svg", internal / "resources" / "icons" / "faultline.svg")
    return folder


def run_install(bundle: Path, home: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(["bash", str(bundle / "install.sh"), *args], capture_output=True, text=True,
                          env={"PATH": "/usr/bin:/bin:/usr/sbin:/sbin", "HOME": str(home)}, timeout=120)


def test_install_adds_menu_entry_file_type_and_icon_for_this_folder_and_uninstall_removes_them(tmp_path):
    bundle = fake_bundle(tmp_path / "My Apps" / "Faultline 100%")
    shutil.copy(script(tmp_path), bundle / "install.sh")
    home = tmp_path / "home"
    home.mkdir()
    done = run_install(bundle, home)
    assert done.returncode == 0, done.stdout + done.stderr
    data = home / ".local" / "share"
    entry = (data / "applications" / "faultline.desktop").read_text()
    exe = bundle.resolve() / "Faultline"
    # Quoted for the space, % doubled: the desktop entry specification's rules for Exec.
    assert f'Exec="{str(exe).replace("%", "%%")}" %f\n' in entry
    assert f"TryExec={exe}\n" in entry and "MimeType=application/x-faultline;" in entry
    assert (data / "mime" / "packages" / "faultline.xml").read_bytes() == \
        (ROOT / "resources" / "packaging" / "faultline.xml").read_bytes()
    for icon in ("apps/faultline.svg", "mimetypes/application-x-faultline.svg"):
        assert (data / "icons" / "hicolor" / "scalable" / icon).is_file()
    assert "Every system library Faultline needs is installed." in done.stdout
    if shutil.which("update-mime-database"):
        assert "application/x-faultline:*.faultline" in (data / "mime" / "globs2").read_text()
    if shutil.which("desktop-file-validate"):
        subprocess.run(["desktop-file-validate", str(data / "applications" / "faultline.desktop")], check=True)

    gone = run_install(bundle, home, "--uninstall")
    assert gone.returncode == 0, gone.stdout + gone.stderr
    assert not (data / "applications" / "faultline.desktop").exists()
    assert not (data / "mime" / "packages" / "faultline.xml").exists()
    assert not list((data / "icons").rglob("*.svg"))
    if shutil.which("update-mime-database"):
        assert "faultline" not in (data / "mime" / "globs2").read_text()
    assert f"still in {bundle.resolve()}" in gone.stdout


def test_a_missing_system_library_is_named_with_the_command_that_installs_it(tmp_path, library_needing):
    bundle = fake_bundle(tmp_path / "Faultline")
    lib, missing = library_needing("libgone")
    shutil.copy(script(tmp_path, {**TABLE, missing: "libgone-from-table"}), bundle / "install.sh")
    (bundle / "_internal" / "PySide6").mkdir()
    shutil.copy(lib, bundle / "_internal" / "PySide6" / "libuser.so")
    # A library whose missing dependency the bundle itself carries is no system library to install.
    carrier, carried = library_needing("libcarried", name="libcarrier.so")
    shutil.copy(carrier, bundle / "_internal" / "libcarrier.so")
    shutil.copy(carrier, bundle / "_internal" / carried)
    home = tmp_path / "home"
    home.mkdir()
    done = run_install(bundle, home)
    assert done.returncode == 1, done.stdout + done.stderr
    assert f"Faultline cannot start yet: this system lacks libraries it needs: {missing} \n" in done.stdout
    if shutil.which("apt-get"):
        assert "Install them with:\n  sudo apt-get install libgone-from-table\n" in done.stdout
    assert (home / ".local" / "share" / "applications" / "faultline.desktop").is_file()  # installed all the same


@pytest.mark.parametrize("args, message", [
    (["--bogus"], "unknown option '--bogus'"),
    (["--uninstall", "extra"], "one option at most"),
])
def test_bad_arguments_change_nothing(tmp_path, args, message):
    bundle = fake_bundle(tmp_path / "Faultline")
    shutil.copy(script(tmp_path), bundle / "install.sh")
    home = tmp_path / "home"
    home.mkdir()
    done = run_install(bundle, home, *args)
    assert done.returncode == 2 and message in done.stderr
    assert not list(home.iterdir())


def test_a_folder_without_the_bundle_is_refused(tmp_path):
    shutil.copy(script(tmp_path), tmp_path / "elsewhere.sh")
    (tmp_path / "home").mkdir()
    done = subprocess.run(["bash", str(tmp_path / "elsewhere.sh")], capture_output=True, text=True,
                          env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path / "home")})
    assert done.returncode == 2
    assert f"{tmp_path.resolve()}/Faultline is missing: run the install.sh inside the unpacked Faultline folder" \
        in done.stderr
