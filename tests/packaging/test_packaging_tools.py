"""The build helpers: version strings, which files a bundle keeps, ELF dependencies, Debian Depends, icons."""
from __future__ import annotations

import shutil
import struct
import sys
from pathlib import Path, PurePosixPath

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "build_scripts"))
import packaging_tools as pt  # noqa: E402

linux_only = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="ELF files are Linux binaries")


# -- versions ------------------------------------------------------------------------------------
def test_project_version_is_the_pyproject_one():
    import tomllib

    assert pt.project_version() == tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]


@pytest.mark.parametrize("bad", ['version = "soon"', 'name = "x"'])
def test_project_version_refuses_what_is_not_a_version(tmp_path, bad):
    path = tmp_path / "pyproject.toml"
    path.write_text(f"[project]\n{bad}\n")
    with pytest.raises(ValueError, match="version"):
        pt.project_version(path)


@pytest.mark.parametrize("version, windows, debian", [
    ("0.1.0", "0.1.0.0", "0.1.0"),
    ("1.2", "1.2.0.0", "1.2"),
    ("1.2.3.4.5", "1.2.3.4", "1.2.3.4.5"),
    ("2.0rc1", "2.0.0.0", "2.0~rc1"),
    ("2.0b3", "2.0.0.0", "2.0~b3"),
    ("2.0.dev4", "2.0.0.0", "2.0~dev4"),
])
def test_platform_version_strings(version, windows, debian):
    assert pt.windows_version(version) == windows
    assert pt.debian_version(version) == debian


# -- what the bundle keeps -----------------------------------------------------------------------
@pytest.mark.parametrize("dest, kept", [
    ("PySide6/Qt/plugins/platforms/libqxcb.so", True),
    ("PySide6/Qt/plugins/platforms/libqoffscreen.so", True),
    ("PySide6/Qt/plugins/platforms/libqwayland.so", True),
    ("PySide6/Qt/plugins/platforms/libqeglfs.so", False),
    ("PySide6/Qt/plugins/platforms/libqvnc.so", False),
    ("PySide6/Qt/plugins/imageformats/libqsvg.so", True),
    ("PySide6/Qt/plugins/imageformats/libqtiff.so", False),
    ("PySide6/Qt/plugins/iconengines/libqsvgicon.so", True),
    ("PySide6/Qt/plugins/platformthemes/libqgtk3.so", False),
    ("PySide6/Qt/plugins/platformthemes/libqxdgdesktopportal.so", True),
    ("PySide6/Qt/plugins/tls/libqopensslbackend.so", False),
    ("PySide6/Qt/plugins/sqldrivers/libqsqlite.so", False),
    ("PySide6/Qt/plugins/xcbglintegrations/libqxcb-glx-integration.so", True),
    ("PySide6/plugins/platforms/qwindows.dll", True),   # Windows wheels keep plugins elsewhere
    ("PySide6\\plugins\\imageformats\\qsvg.dll", True),
    ("PySide6/plugins/imageformats/qtiff.dll", False),
    ("PySide6/plugins/styles/qmodernwindowsstyle.dll", True),
    ("PySide6/plugins/networkinformation/qnetworklistmanager.dll", False),
    ("PySide6/Qt/plugins/platforms/libqcocoa.dylib", True),
    ("PySide6/Qt/plugins/styles/libqmacstyle.dylib", True),
    ("PySide6/Qt/plugins/imageformats/libqmacheif.dylib", False),
    ("PySide6\\Qt\\plugins\\printsupport\\libcupsprintersupport.so", False),
    ("PySide6/Qt/translations/qtbase_de.qm", False),
    ("PySide6/Qt/lib/libQt6Core.so.6", True),
    ("libfontconfig.so.1", False),
    ("libxcb-cursor.so.0", False),
    ("libxcb.so.1", False),
    ("libglib-2.0.so.0", False),
    ("libdbus-1.so.3", False),
    ("libsqlite3.so.0", True),
    ("libstdc++.so.6", True),
    ("numpy.libs/libscipy_openblas64_-32a4b2a6.so", True),
    ("resources/examples/three_tier.json", True),
])
def test_bundle_file_wanted(dest, kept):
    assert pt.bundle_file_wanted(dest) is kept


def test_prune_drops_libraries_only_dropped_plugins_linked_and_links_to_them():
    needs = {
        "/src/app.so": ["libQt6Gui.so.6", "libQt6Svg.so"],
        "/src/libQt6Gui.so.6": ["libQt6Core.so.6"],
        "/src/libQt6Core.so.6": ["libicuuc.so.73"],
        "/src/libicuuc.so.73": [],
        "/src/libQt6Network.so.6": ["libQt6Core.so.6", "libssl.so.3"],
        "/src/libssl.so.3": [],
    }
    entries = [
        ("libQt6Core.so.6", "PySide6/Qt/lib/libQt6Core.so.6", "SYMLINK"),   # a link listed before its library
        ("app.so", "/src/app.so", "EXTENSION"),
        ("PySide6/Qt/lib/libQt6Gui.so.6", "/src/libQt6Gui.so.6", "BINARY"),
        ("PySide6/Qt/lib/libQt6Core.so.6", "/src/libQt6Core.so.6", "BINARY"),
        ("PySide6/Qt/lib/libicuuc.so.73", "/src/libicuuc.so.73", "BINARY"),
        ("PySide6/Qt/lib/libQt6Network.so.6", "/src/libQt6Network.so.6", "BINARY"),
        ("libssl.so.3", "/src/libssl.so.3", "BINARY"),
        ("libQt6Network.so.6", "PySide6/Qt/lib/libQt6Network.so.6", "SYMLINK"),
        ("libpython3.11.so.1.0", "/src/libpython", "BINARY"),
        ("PySide6/Qt/lib/libQt6Svg.so.6", "/src/libQt6Svg.so.6", "BINARY"),   # reached only through a link
        ("PySide6/libQt6Svg.so", "Qt/lib/libQt6Svg.so.6", "SYMLINK"),
    ]
    kept, dropped = pt.prune_unreferenced(entries, lambda src: needs.get(src), pt.linked_library)
    assert dropped == ["PySide6/Qt/lib/libQt6Network.so.6", "libQt6Network.so.6", "libssl.so.3"]
    assert [e[0] for e in kept] == ["libQt6Core.so.6", "app.so", "PySide6/Qt/lib/libQt6Gui.so.6",
                                    "PySide6/Qt/lib/libQt6Core.so.6", "PySide6/Qt/lib/libicuuc.so.73",
                                    "libpython3.11.so.1.0", "PySide6/Qt/lib/libQt6Svg.so.6", "PySide6/libQt6Svg.so"]


def test_symlink_targets_are_relative_to_the_link():
    assert pt.symlink_target(("a/b/libx.so", "../lib/libx.so.1", "SYMLINK")) == "a/lib/libx.so.1"
    assert pt.symlink_target(("libx.so", "PySide6/Qt/lib/libx.so", "SYMLINK")) == "PySide6/Qt/lib/libx.so"


@pytest.mark.parametrize("relpath, ok", [
    ("_internal/PySide6/Qt/lib/libQt6Core.so.6", True),
    ("_internal/libpython3.11.so.1.0", True),
    ("_internal/engine/_core.cpython-311-x86_64-linux-gnu.so", True),
    ("_internal/numpy/_core/_multiarray_umath.cpython-311-x86_64-linux-gnu.so", False),
    ("_internal/numpy.libs/libscipy_openblas64_-32a4b2a6.so", False),
    ("_internal/pillow.libs/libjpeg.so.62", False),
    ("Faultline", False),
    ("_internal/base_library.zip", False),
])
def test_strippable(relpath, ok):
    assert pt.strippable(relpath) is ok


# -- ELF and Debian dependencies -----------------------------------------------------------------
@linux_only
def test_elf_dynamic_reads_needed_and_soname(tmp_path):
    ls = shutil.which("ls")
    soname, needed = pt.elf_dynamic(ls)
    assert "libc.so.6" in needed
    libc = next(Path(p) for p in ("/lib/x86_64-linux-gnu/libc.so.6", "/usr/lib/x86_64-linux-gnu/libc.so.6",
                                  "/lib64/libc.so.6", "/lib/aarch64-linux-gnu/libc.so.6") if Path(p).exists())
    assert pt.elf_dynamic(libc)[0] == "libc.so.6"
    text = tmp_path / "notes.txt"
    text.write_text("not a binary")
    assert pt.elf_dynamic(text) is None
    assert pt.elf_needed(text) is None


@linux_only
def test_external_libraries_are_what_the_bundle_does_not_carry(tmp_path):
    ls = Path(shutil.which("ls"))
    _, needed = pt.elf_dynamic(ls)
    (tmp_path / "bin").mkdir()
    shutil.copy(ls, tmp_path / "bin" / "ls")
    carried = next(n for n in needed if n != "libc.so.6")
    real = Path(pt.system_find_path()(carried))
    shutil.copy(real, tmp_path / carried)                    # the bundle carries this one
    (tmp_path / "libc.so.6").write_text("a text file is no library")  # and this name is no library
    external = pt.external_libraries(tmp_path)
    assert carried not in external
    assert external["libc.so.6"] == [tmp_path / "bin" / "ls", tmp_path / carried]


@linux_only
def test_a_damaged_elf_file_is_an_error_not_a_silent_gap(tmp_path):
    (tmp_path / "libbroken.so").write_bytes(b"\x7fELF\x02\x01" + b"\0" * 10)
    with pytest.raises(ValueError, match="damaged ELF"):
        pt.external_libraries(tmp_path)
    assert pt.elf_needed(tmp_path / "libbroken.so") is None


def test_ldconfig_and_dpkg_output_parsing():
    ldconfig = """1234 libs found in cache `/etc/ld.so.cache'
	libz.so.1 (libc6,x86-64) => /lib/x86_64-linux-gnu/libz.so.1
	libz.so.1 (libc6) => /lib/i386-linux-gnu/libz.so.1
	libGL.so.1 (libc6,x86-64) => /usr/lib/x86_64-linux-gnu/libGL.so.1
"""
    assert pt.ldconfig_paths(ldconfig) == {"libz.so.1": "/lib/x86_64-linux-gnu/libz.so.1",
                                           "libGL.so.1": "/usr/lib/x86_64-linux-gnu/libGL.so.1"}
    dpkg = """zlib1g:amd64: /usr/lib/x86_64-linux-gnu/libz.so.1
libgl1:amd64: /usr/lib/x86_64-linux-gnu/libGL.so.1
diversion by foo from: /usr/lib/x86_64-linux-gnu/libz.so.1
libc6: /lib/x86_64-linux-gnu/libc.so.6
"""
    assert pt.dpkg_owners(dpkg) == {"/usr/lib/x86_64-linux-gnu/libz.so.1": "zlib1g",
                                    "/usr/lib/x86_64-linux-gnu/libGL.so.1": "libgl1",
                                    "/lib/x86_64-linux-gnu/libc.so.6": "libc6"}


def test_library_packages_follow_usrmerge_and_leave_out_what_no_package_provides():
    paths = {"libz.so.1": "/lib/x86_64-linux-gnu/libz.so.1", "libGL.so.1": "/usr/lib/x86_64-linux-gnu/libGL.so.1",
             "libodd.so.2": "/opt/odd/libodd.so.2"}
    owners = {"/usr/lib/x86_64-linux-gnu/libz.so.1": "zlib1g", "/usr/lib/x86_64-linux-gnu/libGL.so.1": "libgl1"}
    found = pt.library_packages(["libz.so.1", "libGL.so.1", "libodd.so.2", "libgone.so.9"],
                                paths.get, lambda asked: {p: owners[p] for p in asked if p in owners})
    assert found == {"libz.so.1": "zlib1g", "libGL.so.1": "libgl1"}


@linux_only
def test_depends_refuses_a_library_a_default_desktop_may_lack(tmp_path, monkeypatch):
    """A Qt update linking one more X11 helper must not quietly make the package uninstallable offline."""
    shutil.copy(shutil.which("ls"), tmp_path / "ls")
    monkeypatch.setattr(pt, "external_libraries", lambda bundle: {"libxcb-cursor.so.0": [tmp_path / "libqxcb.so"],
                                                                  "libc.so.6": [tmp_path / "ls"]})
    monkeypatch.setattr(pt, "system_find_path", lambda: {"libxcb-cursor.so.0": "/usr/lib/x/libxcb-cursor.so.0",
                                                         "libc.so.6": "/usr/lib/x/libc.so.6"}.get)
    monkeypatch.setattr(pt, "_system_owner_of", lambda paths: {"/usr/lib/x/libxcb-cursor.so.0": "libxcb-cursor0",
                                                               "/usr/lib/x/libc.so.6": "libc6"})
    with pytest.raises(RuntimeError, match=r"(?s)may not have.*libxcb-cursor.so.0 from libxcb-cursor0 "
                                           r"\(needed by libqxcb.so\).*BUNDLED_DESKTOP_LIBRARIES"):
        pt.debian_depends(tmp_path)
    monkeypatch.setattr(pt, "external_libraries", lambda bundle: {"libc.so.6": [tmp_path / "ls"]})
    assert pt.debian_depends(tmp_path).startswith("libc6")


def test_the_x11_helpers_the_bundle_carries_are_not_among_what_it_may_depend_on():
    assert not set(pt.BUNDLED_DESKTOP_LIBRARIES.values()) & pt.DEFAULT_DESKTOP_PACKAGES


def test_depends_line_pins_glibc_and_asks_for_a_font():
    line = pt.format_depends({"libgl1", "libc6", "libegl1"}, "2.36")
    assert line == f"libc6 (>= 2.36), libegl1, libgl1, {pt.FONT_DEPENDS}"
    assert pt.format_depends(["libc6"], None).startswith("libc6, fonts-dejavu-core |")


# -- icons ---------------------------------------------------------------------------------------
def fake_png(size: int) -> bytes:
    return b"\x89PNG\r\n\x1a\n" + size.to_bytes(4, "big") * 3


def test_ico_layout():
    pngs = {s: fake_png(s) for s in (16, 32, 256)}
    data = pt.ico_bytes(pngs)
    reserved, kind, count = struct.unpack_from("<HHH", data, 0)
    assert (reserved, kind, count) == (0, 1, 3)
    for i, size in enumerate((16, 32, 256)):
        w, h, _, _, planes, bpp, length, offset = struct.unpack_from("<BBBBHHII", data, 6 + 16 * i)
        assert (w, h) == ((0, 0) if size == 256 else (size, size))
        assert (planes, bpp) == (1, 32)
        assert data[offset:offset + length] == pngs[size]


def test_icns_layout():
    pngs = {s: fake_png(s) for s in (16, 32, 64, 128, 256, 512, 1024)}
    data = pt.icns_bytes(pngs)
    assert data[:4] == b"icns" and struct.unpack_from(">I", data, 4)[0] == len(data)
    pos, seen = 8, {}
    while pos < len(data):
        kind, length = data[pos:pos + 4], struct.unpack_from(">I", data, pos + 4)[0]
        seen[kind] = data[pos + 8:pos + length]
        pos += length
    assert pos == len(data)
    assert seen[b"ic10"] == pngs[1024] and seen[b"ic07"] == pngs[128] and seen[b"ic11"] == pngs[32]
    assert len(seen) == len(pt.ICNS_TYPES)


def test_icons_render_from_the_app_svg_and_qt_reads_them_back(tmp_path, qapp):
    from PySide6.QtGui import QImage

    written = pt.write_icons(tmp_path)
    names = {p.name for p in written}
    assert {"faultline-16.png", "faultline-256.png", "faultline-1024.png", "faultline.ico", "faultline.icns",
            "faultline.svg"} <= names
    image = QImage(str(tmp_path / "faultline-256.png"))
    assert (image.width(), image.height()) == (256, 256)
    assert image.pixelColor(128, 128).alpha() == 255      # the icon's body
    assert image.pixelColor(0, 0).alpha() == 0            # transparent round corner
    ico = QImage(str(tmp_path / "faultline.ico"))
    assert not ico.isNull()
    assert (tmp_path / "faultline.svg").read_bytes() == pt.APP_ICON_SVG.read_bytes()


def test_x11_helpers_default_desktops_lack_are_copied_beside_qt_under_their_sonames():
    found = {soname: f"/usr/lib/x86_64-linux-gnu/{soname}.0.0" for soname in pt.BUNDLED_DESKTOP_LIBRARIES}
    entries = pt.bundled_desktop_library_entries(found.get)
    assert {e[0] for e in entries} == {f"PySide6/Qt/lib/{s}" for s in pt.BUNDLED_DESKTOP_LIBRARIES}
    assert all(e[2] == "BINARY" and e[1].endswith(PurePosixPath(e[0]).name + ".0.0") for e in entries)
    # Qt's xcb plugin links them: every one Qt 6.5+ needs and default desktops may not carry.
    for package in ("libxcb-cursor0", "libxcb-icccm4", "libxcb-image0", "libxcb-keysyms1", "libxcb-render-util0"):
        assert package in pt.BUNDLED_DESKTOP_LIBRARIES.values()
    # Kept in the bundle although SYSTEM_LIBRARY leaves the desktop's libxcb to the system.
    assert all(pt.bundle_file_wanted(e[0]) for e in entries)
    assert not pt.bundle_file_wanted("libxcb-cursor.so.0")


def test_a_build_machine_without_the_x11_helpers_is_told_what_to_install():
    with pytest.raises(RuntimeError, match=r"sudo apt-get install -y --no-install-recommends libxcb-cursor0 "):
        pt.bundled_desktop_library_entries(lambda soname: None if "cursor" in soname or "icccm" in soname
                                           else f"/lib/{soname}")


@pytest.mark.parametrize("qt, macos", [
    ("6.2.4", "10.14"), ("6.5.3", "11.0"), ("6.7.0", "11.0"), ("6.8.1", "12.0"), ("6.10.0", "13.0"),
    ("6.11.3", "13.0"), ("6.12.0", "14.4"),
])
def test_minimum_macos_for_each_qt_release(qt, macos):
    assert pt.macos_minimum(qt) == macos


def test_minimum_macos_is_never_guessed_for_an_unknown_qt():
    with pytest.raises(ValueError, match=r"no minimum macOS known for Qt 6\.99\.0: add it to QT_MACOS_MINIMUM"):
        pt.macos_minimum("6.99.0")
    with pytest.raises(ValueError, match="no minimum macOS known for Qt 5.15.2"):
        pt.macos_minimum("5.15.2")


def test_the_bundled_qt_has_a_known_minimum_macos_that_only_rises():
    from PySide6 import QtCore

    assert pt.macos_minimum(QtCore.qVersion())
    minimums = [tuple(int(n) for n in pt.QT_MACOS_MINIMUM[k].split(".")) for k in sorted(pt.QT_MACOS_MINIMUM)]
    assert minimums == sorted(minimums)


def test_windows_version_file_holds_the_one_version():
    made: list[tuple] = []

    def record(name):
        def build(*args, **kwargs):
            made.append((name, args, kwargs))
            return (name, args, kwargs)
        return build

    text = pt.windows_version_info("1.2rc1", "Faultline")
    info = eval(text, {"__builtins__": {}, **{n: record(n) for n in pt.VERSION_INFO_NAMES}})
    assert info[0] == "VSVersionInfo"
    ffi = info[2]["ffi"]
    assert ffi[2]["filevers"] == (1, 2, 0, 0) and ffi[2]["prodvers"] == (1, 2, 0, 0)
    strings = dict(args for name, args, _ in made if name == "StringStruct")
    assert strings["FileVersion"] == strings["ProductVersion"] == "1.2rc1"
    assert strings["OriginalFilename"] == "Faultline.exe" and strings["ProductName"] == "Faultline"
    assert strings["FileDescription"] == "Faultline"
