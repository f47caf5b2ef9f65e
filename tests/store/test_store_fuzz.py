"""Mutated files: opening gives a clean error or a valid project, never a crash."""
from __future__ import annotations

import random

import pytest
from store_builders import saved_run, shop_design

from app.store import ProjectFileError, export_json, import_json, open_project, save_project
from app.store.project_file import build_file, load_bytes
from engine.model import Design, Project

TRIALS = 300


@pytest.fixture(scope="module")
def valid_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("fuzz") / "valid.faultline"
    designs = [shop_design("one"), shop_design("two")]
    save_project(path, Project(name="fuzz", designs=designs), [saved_run(designs[0])])
    return path.read_bytes()


def mutate(data: bytes, rng: random.Random) -> bytes:
    out = bytearray(data)
    how = rng.random()
    if how < 0.6:  # flip a few bytes, anywhere
        for _ in range(rng.randint(1, 8)):
            out[rng.randrange(len(out))] = rng.randrange(256)
    elif how < 0.8:  # overwrite a run of bytes inside one page
        start = rng.randrange(len(out))
        for i in range(start, min(len(out), start + rng.randint(1, 64))):
            out[i] = rng.randrange(256)
    elif how < 0.9:  # the header, where the size, version and ids live
        for _ in range(rng.randint(1, 3)):
            out[rng.randrange(100)] = rng.randrange(256)
    else:  # cut short or padded
        cut = rng.randrange(len(out))
        if rng.random() < 0.7:
            return bytes(out[:cut])
        return bytes(out) + bytes(rng.randrange(256) for _ in range(cut % 5000))
    return bytes(out)


def test_mutated_files_open_cleanly_or_are_refused_cleanly(valid_file, tmp_path):
    rng = random.Random(5)
    outcomes = {"opened": 0, "refused": 0}
    path = tmp_path / "m.faultline"
    for _ in range(TRIALS):
        path.write_bytes(mutate(valid_file, rng))
        try:
            opened = open_project(path)
        except ProjectFileError as exc:
            message = str(exc)
            assert message.startswith("Cannot open m.faultline: ") and len(message) > 30
            outcomes["refused"] += 1
        else:
            # What opens has passed the model's validation: it must survive a round trip.
            assert isinstance(opened.project, Project)
            again = load_bytes(build_file(opened.project, opened.runs), path)
            assert again.project == opened.project and again.runs == opened.runs
            outcomes["opened"] += 1
    assert outcomes["opened"] > 20 and outcomes["refused"] > 20, outcomes


def mutate_text(data: bytes, rng: random.Random) -> bytes:
    """Swap a few characters for ones that mean something in JSON, so some results still parse."""
    out = bytearray(data)
    digits = [i for i, b in enumerate(out) if chr(b).isdigit()]
    for _ in range(rng.randint(1, 3)):
        if rng.random() < 0.5:
            out[rng.choice(digits)] = rng.choice(b"0123456789")
        else:
            out[rng.randrange(len(out))] = rng.choice(b'0123456789.-e"{}[],: truenflsax')
    return bytes(out)


def test_mutated_json_imports_cleanly_or_is_refused_cleanly(tmp_path):
    designs = [shop_design("one"), shop_design("two")]
    export_json(Project(name="fuzz", designs=designs), tmp_path / "valid.json")
    valid = (tmp_path / "valid.json").read_bytes()
    rng = random.Random(8)
    outcomes = {"imported": 0, "refused": 0}
    for _ in range(TRIALS // 2):
        data = mutate(valid, rng) if rng.random() < 0.3 else mutate_text(valid, rng)
        (tmp_path / "m.json").write_bytes(data)
        try:
            item = import_json(tmp_path / "m.json")
        except ProjectFileError as exc:
            assert str(exc).startswith("Cannot open m.json: ")
            outcomes["refused"] += 1
        else:
            assert isinstance(item, (Project, Design))
            outcomes["imported"] += 1
    assert outcomes["imported"] > 10 and outcomes["refused"] > 10, outcomes
