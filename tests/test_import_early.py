"""A first list into a new workspace from the command line: its reading process starts before the
workspace's keys are made (two Argon2id runs), and the import takes that reading only when the
workspace wants nothing else of it. The threshold is lowered so that small test lists take that path."""

from __future__ import annotations

import json
import multiprocessing
import os

import pytest

from canvasser.cli import main
from canvasser.core.lists import roster
from canvasser.core.lists.roster import import_roster, start_reading
from canvasser.core.storage.opening import open_workspace
from tests.fixtures import TODAY, rows, write_csv, write_xlsx

_ROWS = "SELECT pid, name, village, household, phones, py_initials, py_full, rname FROM persons ORDER BY pid"


def _no_second_reader(monkeypatch) -> list:
    """Fails the test if the import opens a reading of its own; returns the readings it did open."""
    opened = []

    def refuse(spec, progress, res):
        opened.append(spec)
        return original(spec, progress, res)

    original = roster._open_reader
    monkeypatch.setattr(roster, "_open_reader", refuse)
    return opened


def test_reading_begun_before_the_workspace_imports_the_same(tmp_path, monkeypatch):
    monkeypatch.setattr(roster, "BACKGROUND_FILE", 0)
    monkeypatch.setattr(roster, "CHUNK", 40)
    people = rows(seed=5, households=60)
    src = write_xlsx(tmp_path / "list.xlsx", people)
    with open_workspace(tmp_path / "plain-way.db") as ws:
        usual = import_roster(ws, src, today=TODAY)
        expected = ws.conn.execute(_ROWS).fetchall()
    opened = _no_second_reader(monkeypatch)
    early = start_reading(src, today=TODAY)
    assert early is not None
    with open_workspace(tmp_path / "early.db") as ws:
        res = import_roster(ws, src, today=TODAY, early=early)
        assert ws.conn.execute(_ROWS).fetchall() == expected
    assert opened == []  # the reading begun early was the one used
    assert res.as_json() == usual.as_json()
    assert res.imported == len(people)
    assert multiprocessing.active_children() == []


def test_an_early_reading_the_workspace_cannot_use_is_set_aside(tmp_path, monkeypatch):
    """A village's workspace fills in its own village where the list names none: a reading begun
    without knowing that is closed, and the list read again for it."""
    monkeypatch.setattr(roster, "BACKGROUND_FILE", 0)
    people = [{**p, "村（社区）": ""} for p in rows(seed=6, households=30)]
    src = write_csv(tmp_path / "list.csv", people)
    opened = _no_second_reader(monkeypatch)
    early = start_reading(src, today=TODAY)
    with open_workspace(tmp_path / "v.db") as ws:
        ws.set_meta("village", "青石村")
        res = import_roster(ws, src, today=TODAY, early=early)
        villages = {r[0] for r in ws.conn.execute("SELECT DISTINCT village FROM persons")}
    assert len(opened) == 1 and res.imported == len(people)
    assert villages == {"青石村"}
    assert multiprocessing.active_children() == []


def test_a_first_import_from_the_command_line_reads_while_the_keys_are_made(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(roster, "BACKGROUND_FILE", 0)
    monkeypatch.setenv("CANVASSER_PASSPHRASE", "测试口令 early-2027")
    people = rows(seed=7, households=40)
    src = write_xlsx(tmp_path / "list.xlsx", people)
    opened = _no_second_reader(monkeypatch)
    assert main(["import-roster", "--db", str(tmp_path / "new.db"), str(src), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["imported"] == len(people)
    assert opened == []
    # into a workspace that exists, no reading is begun early: the import opens its own
    again = write_xlsx(tmp_path / "again.xlsx", people[:10])
    assert main(["import-roster", "--db", str(tmp_path / "new.db"), str(again), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["unchanged"] == 10
    assert len(opened) == 1
    assert multiprocessing.active_children() == []


@pytest.mark.skipif(os.name != "posix", reason="no fork outside POSIX: the reader is always spawned there "
                    "(listreader.start_method)")
def test_a_forked_reader_imports_what_a_spawned_one_does(tmp_path, monkeypatch):
    """The command line forks its reading process (no interpreter to start, nothing to import); the
    window spawns one. Both hand the writer the same chunks."""
    from canvasser.core.lists import listreader

    monkeypatch.setattr(roster, "BACKGROUND_FILE", 0)
    monkeypatch.setattr(roster, "CHUNK", 50)
    people = rows(seed=9, households=50)
    src = write_csv(tmp_path / "list.csv", people + people[:2])
    got = []
    for method in ("fork", "spawn"):
        monkeypatch.setattr(listreader, "start_method", lambda m=method: m)
        with open_workspace(tmp_path / f"{method}.db") as ws:
            res = import_roster(ws, src, today=TODAY)
            got.append((res.imported, len(res.duplicates), ws.conn.execute(_ROWS).fetchall()))
    assert got[0] == got[1] and got[0][0] == len(people) and got[0][1] == 2
    assert multiprocessing.active_children() == []


def test_a_chunk_crosses_the_pipe_as_it_was():
    from canvasser.core.lists.listreader import _Packed
    from canvasser.core.lists.listrows import People

    people = People({"pid": ["1", "2", "3"], "name": ["甲", "", "丙 "], "odd": ["a\x00b", "c", "d"],
                     "num": [1, None, 2.5], "pair": [("a", "b"), ("c", "d"), ("e", "f")]}, [4, 5, 9])
    back = _Packed(people).people()
    assert back.cols == people.cols and back.rows == people.rows
    empty = _Packed(People({"pid": [], "name": []}, [])).people()
    assert empty.cols == {"pid": [], "name": []} and empty.rows == []


def test_a_reimport_looked_up_in_batches_changes_what_one_lookup_does(tmp_path, monkeypatch):
    """A re-import (a new list, a new year) looks its people up several chunks at a time: the same
    updates, the same people created, the same rows as chunk by chunk."""
    people = rows(seed=11, households=60)
    src = write_csv(tmp_path / "first.csv", people)
    changed = [dict(p, 户籍地址=f"新地址{i}" if i % 7 == 0 else p["户籍地址"], 联系电话="") for i, p in enumerate(people)]
    newcomers = rows(seed=12, households=8, village="杨柳村")
    again = write_csv(tmp_path / "again.csv", changed[5:] + newcomers)
    monkeypatch.setattr(roster, "CHUNK", 30)
    got = []
    for batch in (30, 90):
        monkeypatch.setattr(roster, "REIMPORT_BATCH", batch)
        with open_workspace(tmp_path / f"b{batch}.db") as ws:
            import_roster(ws, src, today=TODAY)
            res = import_roster(ws, again, today=TODAY)
            got.append(({k: v for k, v in res.as_json().items() if k != "rejects_file"},
                        ws.conn.execute("SELECT pid, name, village, address, phone, source FROM persons ORDER BY pid").fetchall(),
                        ws.scalar("SELECT count(*) FROM events"), ws.scalar("SELECT count(*) FROM roster_state")))
    assert got[0] == got[1]
    assert got[0][0]["imported"] == len(newcomers) and got[0][0]["updated"] > 0 and got[0][0]["missing_from_list"] == 5
