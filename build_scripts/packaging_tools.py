"""Helpers shared by the PyInstaller spec and the installer scripts, usable as a small command line.

    python build_scripts/packaging_tools.py version                 # the one version, from pyproject.toml
    python build_scripts/packaging_tools.py macos-minimum           # the oldest macOS the bundled Qt runs on
    python build_scripts/packaging_tools.py icons OUT_DIR           # PNG renders + .ico + .icns of the app icon
    python build_scripts/packaging_tools.py deb-depends BUNDLE_DIR  # Debian packages the bundle's libraries need
    python build_scripts/packaging_tools.py bundled-libraries       # the X11 helpers the bundle carries itself
    python build_scripts/packaging_tools.py install-script BUNDLE_DIR OUT  # the tarball's install.sh

Everything here runs on the build machine only; nothing of it is bundled.
"""
from __future__ import annotations

import os
import posixpath
import re
import struct
import subprocess
import sys
import tomllib
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path, PurePosixPath

ROOT = Path(__file__).resolve().parent.parent
APP_ICON_SVG = ROOT / "resources" / "icons" / "faultline.svg"
ICON_SIZES = (16, 24, 32, 48, 64, 128, 256, 512, 1024)
ICO_SIZES = (16, 24, 32, 48, 64, 128, 256)
# .icns element types holding PNG data, and the pixel size of each.
ICNS_TYPES = (
    (b"icp4", 16), (b"icp5", 32), (b"icp6", 64), (b"ic07", 128), (b"ic08", 256), (b"ic09", 512),
    (b"ic10", 1024), (b"ic11", 32), (b"ic12", 64), (b"ic13", 256), (b"ic14", 512),
)
FONT_DEPENDS = "fonts-dejavu-core | fonts-liberation2 | fonts-noto-core | fonts-freefont-ttf"


# -- the version -------------------------------------------------------------------------------
def project_version(pyproject: Path = ROOT / "pyproject.toml") -> str:
    """``[project] version`` of pyproject.toml; ValueError if it is missing or not a version number."""
    data = tomllib.loads(Path(pyproject).read_text(encoding="utf-8"))
    version = data.get("project", {}).get("version")
    if not isinstance(version, str) or not re.fullmatch(r"\d+(\.\d+)*([a-z]+\d+)?(\.post\d+)?(\.dev\d+)?", version):
        raise ValueError(f"{pyproject}: [project] version must be a version number like 1.2.3 (got {version!r})")
    return version


def windows_version(version: str) -> str:
    """Four dotted numbers, as Windows version resources and Inno Setup want them: 1.2 -> 1.2.0.0."""
    release = re.match(r"\d+(\.\d+)*", version)
    if not release:
        raise ValueError(f"not a version number: {version!r}")
    numbers = [int(n) for n in release[0].split(".")][:4]
    return ".".join(str(n) for n in numbers + [0] * (4 - len(numbers)))


def debian_version(version: str) -> str:
    """A Debian version that sorts like the Python one: pre-releases before the release (1.0rc1 -> 1.0~rc1)."""
    return re.sub(r"(\d)(a|b|rc|\.dev)(\d+)", lambda m: f"{m[1]}~{m[2].lstrip('.')}{m[3]}", version)


# Fields a Windows executable's version resource shows in Explorer's Properties -> Details.
VERSION_INFO_NAMES = ("VSVersionInfo", "FixedFileInfo", "StringFileInfo", "StringTable", "StringStruct",
                      "VarFileInfo", "VarStruct")


def windows_version_info(version: str, name: str) -> str:
    """The text of a PyInstaller version file (``EXE(version=...)``) for ``name``.exe at ``version``.

    Built from the one version, so the executable's Details tab, the
    installer and the About dialog all say the same number.
    """
    numbers = tuple(int(n) for n in windows_version(version).split("."))
    # Task Manager and the "Open with" list show FileDescription as the program's name.
    strings = [("CompanyName", name), ("FileDescription", name), ("FileVersion", version),
               ("InternalName", name), ("LegalCopyright", f"{name} developers"),
               ("OriginalFilename", f"{name}.exe"), ("ProductName", name), ("ProductVersion", version)]
    table = ",\n".join(f"        StringStruct({k!r}, {v!r})" for k, v in strings)
    return (f"VSVersionInfo(\n"
            f"  ffi=FixedFileInfo(filevers={numbers}, prodvers={numbers}, mask=0x3f, flags=0x0, OS=0x40004,\n"
            f"                    fileType=0x1, subtype=0x0, date=(0, 0)),\n"
            f"  kids=[\n"
            f"    StringFileInfo([StringTable('040904B0', [\n{table}])]),\n"
            f"    VarFileInfo([VarStruct('Translation', [1033, 1200])]),\n"
            f"  ],\n"
            f")\n")


# The oldest macOS each Qt 6 release runs on ("Qt for macOS", Supported Configurations, per release).
# LSMinimumSystemVersion must say it: an older Mac would otherwise start the app and crash in Qt.
QT_MACOS_MINIMUM = {
    (6, 0): "10.14", (6, 1): "10.14", (6, 2): "10.14", (6, 3): "10.14", (6, 4): "10.14",
    (6, 5): "11.0", (6, 6): "11.0", (6, 7): "11.0",
    (6, 8): "12.0", (6, 9): "12.0",
    (6, 10): "13.0", (6, 11): "13.0",
    (6, 12): "14.4",
}


def macos_minimum(qt_version: str) -> str:
    """LSMinimumSystemVersion for a bundle of Qt ``qt_version`` (e.g. "6.11.3" -> "13.0").

    ValueError for a Qt release the table does not know yet, so that a
    Qt upgrade makes someone look up its minimum instead of guessing.
    """
    m = re.match(r"(\d+)\.(\d+)", qt_version)
    key = (int(m[1]), int(m[2])) if m else None
    if key not in QT_MACOS_MINIMUM:
        raise ValueError(f"no minimum macOS known for Qt {qt_version}: add it to QT_MACOS_MINIMUM in "
                         "build_scripts/packaging_tools.py from that release's 'Qt for macOS' page")
    return QT_MACOS_MINIMUM[key]


# -- which Qt files a bundle keeps -------------------------------------------------------------
# Plugin folders the application uses, and within them the plugins kept (None: all of them).
KEEP_QT_PLUGINS: dict[str, set[str] | None] = {
    "platforms": {"xcb", "wayland", "offscreen", "minimal", "windows", "cocoa"},
    "platformthemes": {"xdgdesktopportal"},
    "platforminputcontexts": {"composeplatforminputcontextplugin", "ibusplatforminputcontextplugin"},
    "imageformats": {"svg", "ico", "jpeg", "gif"},
    "iconengines": None,
    "xcbglintegrations": None,
    "wayland-decoration-client": None,
    "wayland-graphics-integration-client": None,
    "wayland-shell-integration": None,
    "styles": None,
}
# Libraries that belong to the desktop the application runs on: the display server's client
# libraries, D-Bus, fontconfig and FreeType (whose configuration files must match the library
# reading them) and GLib. They come from the system (the .deb depends on their packages), never
# from the build machine; what only they linked (systemd, gcrypt, ...) then leaves the bundle too.
SYSTEM_LIBRARY = re.compile(
    r"^lib(fontconfig|freetype|dbus-1|X11|X11-xcb|Xau|Xdmcp|xcb(-[a-z0-9-]+)?|xkbcommon(-x11)?"
    r"|glib-2\.0|gthread-2\.0|gobject-2\.0|gio-2\.0|gmodule-2\.0|GL|EGL|GLX|OpenGL)\.so(\.|$)")
# X11 helper libraries Qt's xcb plugin links that a default desktop of a supported system (Debian 12
# GNOME, Xfce, Cinnamon, MATE; Ubuntu 24.04) does not always install: the bundle carries them
# (soname -> the build machine's Debian package they are copied from), so the .deb need not depend
# on them and an offline install works. They only speak the X protocol through the system's libxcb,
# so a copy from the build machine matches any X server.
BUNDLED_DESKTOP_LIBRARIES: dict[str, str] = {
    "libxcb-cursor.so.0": "libxcb-cursor0",
    "libxcb-icccm.so.4": "libxcb-icccm4",
    "libxcb-image.so.0": "libxcb-image0",
    "libxcb-keysyms.so.1": "libxcb-keysyms1",
    "libxcb-render-util.so.0": "libxcb-render-util0",
    "libxcb-util.so.1": "libxcb-util1",
    "libxcb-shape.so.0": "libxcb-shape0",
    "libxcb-xkb.so.1": "libxcb-xkb1",
    "libxkbcommon-x11.so.0": "libxkbcommon-x11-0",
}
# What the .deb may depend on: packages every default desktop of the supported systems installs
# (GTK 3 brings GLib, xkbcommon and the Wayland client libraries; Mesa and the X server OpenGL,
# EGL and the xcb extensions they use; cairo libxcb-render and -shm; fontconfig a font), so the
# package installs offline. A library of another package must be bundled (above) instead.
DEFAULT_DESKTOP_PACKAGES = frozenset({
    "libc6", "libdbus-1-3", "libegl1", "libfontconfig1", "libfreetype6", "libgl1", "libglib2.0-0",
    "libwayland-client0", "libwayland-cursor0", "libwayland-egl1", "libx11-6", "libx11-xcb1",
    "libxcb1", "libxcb-glx0", "libxcb-randr0", "libxcb-render0", "libxcb-shm0", "libxcb-sync1",
    "libxcb-xfixes0", "libxkbcommon0",
})
# Where they go: beside Qt's own libraries, which find them through their RUNPATH ($ORIGIN).
QT_LIBRARY_DIR = "PySide6/Qt/lib"
# Linux and macOS wheels keep Qt's plugins in PySide6/Qt/plugins, Windows wheels in PySide6/plugins.
_QT_PLUGINS_DIR = re.compile(r"^PySide6/(Qt/)?plugins/")
_QT_PLUGIN = re.compile(r"^PySide6/(Qt/)?plugins/(?P<folder>[^/]+)/(lib)?(q)?(?P<name>[^/]+?)\.(so|dll|dylib)$")


def bundled_desktop_library_entries(find_path: Callable[[str], str | None]) -> list[tuple[str, str, str]]:
    """PyInstaller TOC entries copying BUNDLED_DESKTOP_LIBRARIES from this machine into QT_LIBRARY_DIR.

    ``find_path(soname)`` gives the library's path here (None: not installed).
    Each is stored under its soname, the name the dynamic loader looks for.
    RuntimeError naming the packages to install when any is missing.
    """
    entries, missing = [], []
    for soname, package in sorted(BUNDLED_DESKTOP_LIBRARIES.items()):
        path = find_path(soname)
        if path is None:
            missing.append(package)
        else:
            entries.append((f"{QT_LIBRARY_DIR}/{soname}", os.path.realpath(path), "BINARY"))
    if missing:
        raise RuntimeError("the bundle carries these X11 libraries, which this build machine lacks; install them "
                           f"with: sudo apt-get install -y --no-install-recommends {' '.join(missing)}")
    return entries


def bundle_file_wanted(dest: str) -> bool:
    """Whether a file PyInstaller collected (by its path inside the bundle) belongs in Faultline's bundle.

    Drops the desktop's own libraries (SYSTEM_LIBRARY), Qt's translations
    (the interface is English), and every Qt plugin
    the application has no use for: printing, SQL drivers, QML, TLS and
    network information, embedded-Linux input and display back ends.
    """
    dest = PurePosixPath(dest.replace("\\", "/")).as_posix()
    if "/" not in dest and SYSTEM_LIBRARY.match(dest):
        return False
    if dest.startswith("PySide6/Qt/translations/") or dest.startswith("PySide6/translations/"):
        return False
    if _QT_PLUGINS_DIR.match(dest):
        m = _QT_PLUGIN.match(dest)
        if not m:
            return False
        folder = m["folder"]
        if folder not in KEEP_QT_PLUGINS:
            return False
        kept = KEEP_QT_PLUGINS[folder]
        return kept is None or m["name"] in kept
    return True


def prune_unreferenced(entries: list[tuple], needed_of: Callable[[str], list[str] | None],
                       prunable: Callable[[tuple], bool]) -> tuple[list[tuple], list[str]]:
    """Drop prunable libraries that no kept file links, directly or through other kept libraries.

    ``entries`` are PyInstaller TOC tuples (bundle path, source path, kind);
    ``needed_of(source)`` gives the names a binary links (None: not a binary).
    A library PyInstaller collected only for a plugin that was filtered out
    (QML for the QML tooling plugin, GTK for the GTK theme) is linked by
    nothing that is kept.
    Returns the kept entries and the bundle paths dropped (with the links to them).
    """
    by_dest = {e[0].replace("\\", "/"): e for e in entries}
    by_name: dict[str, tuple] = {}
    # A name resolves to the library itself before any link of the same name.
    for entry in sorted(entries, key=lambda e: e[2] == "SYMLINK"):
        by_name.setdefault(PurePosixPath(entry[0].replace("\\", "/")).name, entry)
    reached: set[str] = set()
    # Links are not roots: a link stays exactly when what it points to stays.
    todo = [e for e in entries if not prunable(e) and e[2] != "SYMLINK"]
    seen: set[str] = set()
    while todo:
        entry = todo.pop()
        if entry[0] in seen:
            continue
        seen.add(entry[0])
        if entry[2] == "SYMLINK":
            targets = [by_dest.get(symlink_target(entry))]
        else:
            targets = [by_name.get(name) for name in needed_of(entry[1]) or ()]
        for target in targets:
            if target is not None and target[0] not in seen:
                reached.add(target[0])
                todo.append(target)
    dropped = {e[0] for e in entries if prunable(e) and e[2] != "SYMLINK" and e[0] not in reached}
    # A symbolic link to a dropped library goes with it (PyInstaller links Qt's libraries into the top level).
    links = {e[0] for e in entries if e[2] == "SYMLINK" and symlink_target(e) in dropped}
    kept = [e for e in entries if e[0] not in dropped and e[0] not in links]
    return kept, sorted(dropped | links)


def elf_needed(path: str | os.PathLike) -> list[str] | None:
    """NEEDED names of an ELF file, None for anything else (or a file that cannot be read)."""
    try:
        info = elf_dynamic(path)
    except (OSError, ValueError):
        return None
    return None if info is None else info[1]


def symlink_target(entry: tuple) -> str:
    """The bundle path a PyInstaller SYMLINK entry points to (its source is relative to the link's folder)."""
    dest, src = entry[0].replace("\\", "/"), entry[1].replace("\\", "/")
    return posixpath.normpath(posixpath.join(posixpath.dirname(dest), src))


def linked_library(entry: tuple) -> bool:
    """A shared library PyInstaller collected because something links it (not a module, plugin or Python)."""
    dest = entry[0].replace("\\", "/")
    name = PurePosixPath(dest).name
    return (entry[2] == "BINARY" and ("/" not in dest or dest.startswith("PySide6/Qt/lib/"))
            and not name.startswith("libpython"))


# Wheels repaired by auditwheel carry libraries patchelf rewrote; strip breaks their load commands
# ("ELF load command address/offset not page-aligned"), so they keep their symbols.
_NO_STRIP = re.compile(r"^_internal/(numpy|numpy\.libs|[^/]+\.libs)/")


def strippable(relpath: str) -> bool:
    """Whether a file of the bundle (path relative to it) may go through ``strip``.

    Shared libraries and extension modules only: never the executable, whose
    tail holds PyInstaller's archive, and never a patchelf-repaired library.
    """
    relpath = relpath.replace("\\", "/")
    name = PurePosixPath(relpath).name
    return bool(re.search(r"\.so(\.[0-9.]+)?$", name)) and "/" in relpath and not _NO_STRIP.match(relpath)


def strip_bundle(bundle: Path, strip: str = "strip") -> int:
    """Strip debugging symbols from the bundle's libraries; returns the bytes saved."""
    files = [p for p in sorted(bundle.rglob("*")) if p.is_file() and not p.is_symlink()
             and strippable(p.relative_to(bundle).as_posix()) and elf_needed(p) is not None]
    before = sum(p.stat().st_size for p in files)
    for i in range(0, len(files), 200):
        subprocess.run([strip, "--strip-unneeded", *map(str, files[i:i + 200])], check=True)
    return before - sum(p.stat().st_size for p in files)


# -- ELF: what a Linux binary needs ------------------------------------------------------------
DT_NEEDED, DT_SONAME = 1, 14
SHT_DYNAMIC = 6


def elf_dynamic(path: str | os.PathLike) -> tuple[str | None, list[str]] | None:
    """(SONAME, NEEDED names) of an ELF shared object or executable; None if the file is not ELF.

    ValueError for a file that starts like ELF but cannot be read as one.
    """
    with open(path, "rb") as f:
        data = f.read()
    if data[:4] != b"\x7fELF":
        return None
    try:
        return _elf_dynamic(data)
    except (struct.error, IndexError, ValueError) as exc:
        raise ValueError(f"{path}: damaged ELF file ({exc})") from None


def _elf_dynamic(data: bytes) -> tuple[str | None, list[str]]:
    is64 = data[4] == 2
    end = "<" if data[5] == 1 else ">"
    if is64:
        shoff, = struct.unpack_from(end + "Q", data, 0x28)
        shentsize, shnum = struct.unpack_from(end + "HH", data, 0x3A)
        section = end + "IIQQQQIIQQ"
        dyn = end + "qQ"
    else:
        shoff, = struct.unpack_from(end + "I", data, 0x20)
        shentsize, shnum = struct.unpack_from(end + "HH", data, 0x2E)
        section = end + "IIIIIIIIII"
        dyn = end + "iI"
    sections = [struct.unpack_from(section, data, shoff + i * shentsize) for i in range(shnum)]
    soname, needed = None, []
    for _name, sh_type, _flags, _addr, offset, size, link, *_ in sections:
        if sh_type != SHT_DYNAMIC:
            continue
        strtab_offset = sections[link][4]

        def string(at: int, strtab_offset: int = strtab_offset) -> str:
            start = strtab_offset + at
            return data[start:data.index(b"\0", start)].decode("utf-8", "replace")

        step = struct.calcsize(dyn)
        for pos in range(offset, offset + size, step):
            tag, value = struct.unpack_from(dyn, data, pos)
            if tag == 0:
                break
            if tag == DT_NEEDED:
                needed.append(string(value))
            elif tag == DT_SONAME:
                soname = string(value)
    return soname, needed


def bundle_libraries(bundle: Path) -> tuple[set[str], dict[Path, list[str]]]:
    """Names the bundle itself provides, and what each ELF file in it needs."""
    provided: set[str] = set()
    needs: dict[Path, list[str]] = {}
    for path in sorted(bundle.rglob("*")):
        if not path.is_file() or path.is_symlink():
            if path.is_symlink():
                provided.add(path.name)
            continue
        info = elf_dynamic(path)
        if info is None:
            continue
        soname, needed = info
        provided.add(path.name)
        if soname:
            provided.add(soname)
        needs[path] = needed
    return provided, needs


def external_libraries(bundle: Path) -> dict[str, list[Path]]:
    """Each library the bundle needs from the system, with the bundled files that need it."""
    provided, needs = bundle_libraries(bundle)
    external: dict[str, list[Path]] = {}
    for path, needed in needs.items():
        for name in needed:
            if name not in provided:
                external.setdefault(name, []).append(path)
    return external


def ldconfig_paths(ldconfig_output: str, arch_tag: str = "x86-64") -> dict[str, str]:
    """soname -> path from ``ldconfig -p`` for the machine's architecture (the first entry wins)."""
    paths: dict[str, str] = {}
    for line in ldconfig_output.splitlines():
        m = re.match(r"\s*(\S+)\s+\(([^)]*)\)\s+=>\s+(\S+)", line)
        if m and (arch_tag in m[2] or "," not in m[2]):
            paths.setdefault(m[1], m[3])
    return paths


def dpkg_owners(dpkg_search_output: str) -> dict[str, str]:
    """path -> package from ``dpkg -S`` output (``libgl1:amd64: /usr/lib/.../libGL.so.1``)."""
    owners: dict[str, str] = {}
    for line in dpkg_search_output.splitlines():
        m = re.match(r"([^:\s,]+)(:[a-z0-9]+)?(, [^:]+)*: (/.+)$", line)
        if m and not line.startswith("diversion"):
            owners[m[4]] = m[1]
    return owners


def _usrmerge_variants(path: str) -> list[str]:
    real = os.path.realpath(path)
    variants = [path, real]
    for p in (path, real):
        if p.startswith("/usr/lib/"):
            variants.append(p[len("/usr"):])
        elif p.startswith("/lib/"):
            variants.append("/usr" + p)
    return list(dict.fromkeys(variants))


def library_packages(sonames: Iterable[str], find_path: Callable[[str], str | None],
                     owner_of: Callable[[list[str]], Mapping[str, str]]) -> dict[str, str]:
    """soname -> the Debian package providing it, for each of ``sonames`` a package was found for."""
    candidates: dict[str, list[str]] = {}
    for name in sorted(set(sonames)):
        path = find_path(name)
        if path is not None:
            candidates[name] = _usrmerge_variants(path)
    owners = owner_of([p for variants in candidates.values() for p in variants]) if candidates else {}
    found = {name: next((owners[p] for p in variants if p in owners), None) for name, variants in candidates.items()}
    return {name: package for name, package in found.items() if package is not None}



def system_find_path() -> Callable[[str], str | None]:
    """soname -> path of the machine's own libraries (``ldconfig -p``)."""
    paths = ldconfig_paths(subprocess.run(["/sbin/ldconfig", "-p"], capture_output=True, text=True,
                                          check=True).stdout)
    return paths.get


def _system_owner_of(paths: list[str]) -> Mapping[str, str]:
    # dpkg -S exits 1 when any path is unknown; what it did find is still printed.
    out = subprocess.run(["dpkg", "-S", *paths], capture_output=True, text=True).stdout
    return dpkg_owners(out)


def glibc_version() -> str | None:
    value = os.confstr("CS_GNU_LIBC_VERSION") if hasattr(os, "confstr") else None
    m = re.match(r"glibc (\d+\.\d+)", value or "")
    return m[1] if m else None


def debian_depends(bundle: Path) -> str:
    """The ``Depends:`` value for a bundle: the packages of every system library it links, and a font.

    Raises RuntimeError naming the libraries no installed package provides,
    since a package that depends on less than it needs installs fine and
    then fails to start.
    """
    external = external_libraries(bundle)
    owners = library_packages(external, system_find_path(), _system_owner_of)

    def needed_by(name: str) -> str:
        return ", ".join(sorted({p.name for p in external[name]})[:3])

    unresolved = sorted(set(external) - set(owners))
    if unresolved:
        lines = [f"  {name} (needed by {needed_by(name)})" for name in unresolved]
        raise RuntimeError("no installed Debian package provides these libraries the bundle links:\n"
                           + "\n".join(lines) + "\ninstall them (make sysdeps) or drop the files that need them")
    beyond = sorted(name for name, package in owners.items() if package not in DEFAULT_DESKTOP_PACKAGES)
    if beyond:
        lines = [f"  {name} from {owners[name]} (needed by {needed_by(name)})" for name in beyond]
        raise RuntimeError("the bundle links libraries of packages a default desktop may not have, so the "
                           "package would not install offline:\n" + "\n".join(lines)
                           + "\nbundle them (BUNDLED_DESKTOP_LIBRARIES) or drop the files that need them")
    return format_depends(set(owners.values()), glibc_version())


INSTALL_SCRIPT = ROOT / "build_scripts" / "install.sh"
INSTALL_SCRIPT_TABLE = "@LIBRARY_PACKAGES@"


def fill_install_script(template: str, packages: Mapping[str, str]) -> str:
    """install.sh with its soname -> package table filled in, one ``soname package`` a line."""
    if template.count(INSTALL_SCRIPT_TABLE) != 1:
        raise ValueError(f"the install script must hold {INSTALL_SCRIPT_TABLE} exactly once")
    table = "\n".join(f"{name} {package}" for name, package in sorted(packages.items()))
    return template.replace(INSTALL_SCRIPT_TABLE, table)


def write_install_script(bundle: Path, out: Path) -> None:
    """The tarball's install.sh, knowing the package of every system library ``bundle`` links."""
    packages = library_packages(external_libraries(bundle), system_find_path(), _system_owner_of)
    out.write_text(fill_install_script(INSTALL_SCRIPT.read_text(encoding="utf-8"), packages), encoding="utf-8")
    out.chmod(0o755)


def format_depends(packages: Iterable[str], glibc: str | None) -> str:
    parts = []
    for package in sorted(set(packages)):
        if package == "libc6" and glibc:
            parts.append(f"libc6 (>= {glibc})")
        else:
            parts.append(package)
    parts.append(FONT_DEPENDS)
    return ", ".join(parts)


# -- icons -------------------------------------------------------------------------------------
def ico_bytes(pngs: Mapping[int, bytes]) -> bytes:
    """A Windows .ico holding PNG images, one per square size (largest 256)."""
    sizes = sorted(s for s in pngs if s <= 256)
    header = struct.pack("<HHH", 0, 1, len(sizes))
    offset = len(header) + 16 * len(sizes)
    entries, blobs = b"", b""
    for size in sizes:
        blob = pngs[size]
        edge = 0 if size == 256 else size
        entries += struct.pack("<BBBBHHII", edge, edge, 0, 0, 1, 32, len(blob), offset + len(blobs))
        blobs += blob
    return header + entries + blobs


def icns_bytes(pngs: Mapping[int, bytes]) -> bytes:
    """A macOS .icns holding PNG images for every element type whose size is available."""
    body = b"".join(kind + struct.pack(">I", 8 + len(pngs[size])) + pngs[size]
                    for kind, size in ICNS_TYPES if size in pngs)
    return b"icns" + struct.pack(">I", 8 + len(body)) + body


def render_pngs(svg: Path = APP_ICON_SVG, sizes: Iterable[int] = ICON_SIZES) -> dict[int, bytes]:
    """PNG renders of an SVG with Qt, square, transparent background (a Qt application must exist)."""
    from PySide6.QtCore import QBuffer, QByteArray, QIODevice, Qt
    from PySide6.QtGui import QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    renderer = QSvgRenderer(QByteArray(Path(svg).read_bytes()))
    if not renderer.isValid():
        raise ValueError(f"{svg}: not an SVG image Qt can draw")
    out: dict[int, bytes] = {}
    for size in sizes:
        image = QImage(size, size, QImage.Format.Format_ARGB32)
        image.fill(Qt.GlobalColor.transparent)
        painter = QPainter(image)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        renderer.render(painter)
        painter.end()
        data = QByteArray()
        buffer = QBuffer(data)
        buffer.open(QIODevice.OpenModeFlag.WriteOnly)
        image.save(buffer, "PNG")
        buffer.close()
        out[size] = bytes(data)
    return out


def write_icons(out_dir: Path, svg: Path = APP_ICON_SVG) -> list[Path]:
    """faultline-SIZE.png for every size, faultline.ico, faultline.icns and faultline.svg in ``out_dir``."""
    out_dir.mkdir(parents=True, exist_ok=True)
    pngs = render_pngs(svg)
    written = []
    for size, blob in pngs.items():
        path = out_dir / f"faultline-{size}.png"
        path.write_bytes(blob)
        written.append(path)
    for name, blob in (("faultline.ico", ico_bytes({s: pngs[s] for s in ICO_SIZES})),
                       ("faultline.icns", icns_bytes(pngs)),
                       ("faultline.svg", Path(svg).read_bytes())):
        (out_dir / name).write_bytes(blob)
        written.append(out_dir / name)
    return written


def main(argv: list[str]) -> int:
    if argv[:1] == ["version"] and len(argv) == 1:
        print(project_version())
    elif argv[:1] == ["windows-version"] and len(argv) == 1:
        print(windows_version(project_version()))
    elif argv[:1] == ["macos-minimum"] and len(argv) == 1:
        from PySide6 import QtCore

        print(macos_minimum(QtCore.qVersion()))
    elif argv[:1] == ["debian-version"] and len(argv) == 1:
        print(debian_version(project_version()))
    elif argv[:1] == ["icons"] and len(argv) == 2:
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
        from PySide6.QtGui import QGuiApplication

        app = QGuiApplication(["faultline-icons"])  # noqa: F841 - Qt wants an application while it draws
        for path in write_icons(Path(argv[1])):
            print(path)
    elif argv[:1] == ["install-script"] and len(argv) == 3:
        write_install_script(Path(argv[1]), Path(argv[2]))
    elif argv[:1] == ["bundled-libraries"] and len(argv) == 1:
        print("\n".join(sorted(BUNDLED_DESKTOP_LIBRARIES)))
    elif argv[:1] == ["deb-depends"] and len(argv) == 2:
        try:
            print(debian_depends(Path(argv[1])))
        except RuntimeError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 1
    else:
        print(__doc__, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
