"""The menu entry and the file type the Linux package installs: valid, consistent, and they recognise projects."""
from __future__ import annotations

import configparser
import os
import shutil
import subprocess
import sys
import textwrap
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGING = ROOT / "resources" / "packaging"
MIME_NS = "{http://www.freedesktop.org/standards/shared-mime-info}"
FREEDESKTOP_XML = Path("/usr/share/mime/packages/freedesktop.org.xml")


def desktop_entry() -> configparser.SectionProxy:
    parser = configparser.ConfigParser(interpolation=None)
    parser.optionxform = str
    parser.read(PACKAGING / "faultline.desktop", encoding="utf-8")
    return parser["Desktop Entry"]


def mime_type() -> ET.Element:
    return ET.parse(PACKAGING / "faultline.xml").getroot().find(f"{MIME_NS}mime-type")


def test_desktop_entry_opens_the_file_it_is_given_and_claims_the_project_type():
    entry = desktop_entry()
    assert entry["Type"] == "Application" and entry["Name"] == "Faultline"
    assert entry["Exec"] == "faultline %f"
    assert entry["Terminal"] == "false"
    assert entry["Icon"] == "faultline"
    assert entry["MimeType"] == f"{mime_type().get('type')};"


def test_mime_type_matches_the_name_and_faultlines_own_sqlite_header():
    from app.store.schema import APPLICATION_ID

    mt = mime_type()
    assert mt.get("type") == "application/x-faultline"
    assert [g.get("pattern") for g in mt.findall(f"{MIME_NS}glob")] == ["*.faultline"]
    assert mt.find(f"{MIME_NS}sub-class-of").get("type") == "application/vnd.sqlite3"
    outer = mt.find(f"{MIME_NS}magic/{MIME_NS}match")
    assert outer.get("value") == "SQLite format 3\\0" and outer.get("offset") == "0"
    inner = outer.find(f"{MIME_NS}match")  # nested: both must hold, the SQLite header alone is not enough
    assert int(inner.get("value"), 16) == APPLICATION_ID and inner.get("offset") == "68"
    assert mt.find(f"{MIME_NS}icon").get("name") == "application-x-faultline"


def test_appstream_description_names_the_menu_entry_and_the_file_type():
    root = ET.parse(PACKAGING / "faultline.metainfo.xml").getroot()
    assert root.get("type") == "desktop-application"
    assert root.findtext("id") == "com.faultline.Faultline"
    assert root.find("launchable[@type='desktop-id']").text == "faultline.desktop"
    assert root.findtext("provides/mediatype") == mime_type().get("type")
    assert root.findtext("provides/binary") == desktop_entry()["Exec"].split()[0]


@pytest.mark.skipif(not shutil.which("appstreamcli"), reason="appstream is not installed")
def test_appstream_description_validates():
    proc = subprocess.run(["appstreamcli", "validate", "--no-net", str(PACKAGING / "faultline.metainfo.xml")],
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr


@pytest.mark.skipif(not shutil.which("desktop-file-validate"), reason="desktop-file-utils is not installed")
def test_desktop_file_validates():
    proc = subprocess.run(["desktop-file-validate", str(PACKAGING / "faultline.desktop")],
                          capture_output=True, text=True)
    assert proc.returncode == 0 and not proc.stdout.strip(), proc.stdout + proc.stderr


@pytest.mark.skipif(not (shutil.which("update-mime-database") and FREEDESKTOP_XML.exists()),
                    reason="shared-mime-info is not installed")
def test_qt_tells_projects_from_other_sqlite_files_with_the_installed_database(tmp_path):
    """Build a MIME database as the package's postinst does and ask Qt, as a file manager would."""
    from app.store import save_project
    from engine.model import Project

    mime = tmp_path / "share" / "mime"
    (mime / "packages").mkdir(parents=True)
    shutil.copy(FREEDESKTOP_XML, mime / "packages")
    shutil.copy(PACKAGING / "faultline.xml", mime / "packages")
    subprocess.run(["update-mime-database", str(mime)], check=True, capture_output=True)

    files = tmp_path / "files"
    files.mkdir()
    save_project(files / "shop.faultline", Project(name="Shop"))
    shutil.copy(files / "shop.faultline", files / "renamed.db")     # lost its extension
    import sqlite3

    plain = sqlite3.connect(files / "other.sqlite")
    plain.execute("create table t (x)")
    plain.commit()
    plain.close()
    shutil.copy(files / "other.sqlite", files / "named-like-one.faultline")
    script = textwrap.dedent("""
        import sys
        from PySide6.QtCore import QCoreApplication, QMimeDatabase
        app = QCoreApplication([])
        db = QMimeDatabase()
        for name in sys.argv[1:]:
            print(name, db.mimeTypeForFile(name).name())
    """)
    names = ["shop.faultline", "renamed.db", "other.sqlite", "named-like-one.faultline"]
    env = {**os.environ, "XDG_DATA_DIRS": str(tmp_path / "share"), "XDG_DATA_HOME": str(tmp_path / "nothing"),
           "QT_QPA_PLATFORM": "offscreen"}
    out = subprocess.run([sys.executable, "-c", script, *names], cwd=files, env=env, capture_output=True,
                         text=True, timeout=120, check=True).stdout
    found = dict(line.split() for line in out.splitlines())
    assert found == {
        "shop.faultline": "application/x-faultline",
        "renamed.db": "application/x-faultline",           # by Faultline's application_id
        "other.sqlite": "application/vnd.sqlite3",           # other SQLite files stay SQLite
        "named-like-one.faultline": "application/x-faultline",  # the name decides for *.faultline
    }
