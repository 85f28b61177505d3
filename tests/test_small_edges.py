"""The smaller cases of issue 33: what counts as done read one way everywhere (M2/m13), undo only
one's own (M11), invisible and bidirectional characters out of every export, strong setup codes,
visits no later than today, a full disk and a read-only folder named for what they are (M7),
leftovers of killed runs swept at the next start."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import openpyxl
import pytest

from canvasser.cli import main
from canvasser.core.errors import InputError
from canvasser.core.lists.roster import import_roster
from canvasser.core.outputs import ledgers
from canvasser.core.outputs.people_export import write_people
from canvasser.core.rules import campaign, figures, reports
from canvasser.core.rules.dashboard import PeopleFilter
from canvasser.core.rules.visits import record_visit
from canvasser.core.storage import failures, location, oslock, store, sweep
from canvasser.core.storage.opening import open_workspace
from tests.fixtures import TODAY, rows, write_csv


@pytest.fixture
def village(tmp_path):
    db = tmp_path / "v.db"
    people = rows(seed=8, households=6)
    with open_workspace(db) as ws:
        import_roster(ws, write_csv(tmp_path / "l.csv", people), today=TODAY)
    return db, people


def jcli(capsys, *args) -> tuple[int, dict | None, str]:
    capsys.readouterr()
    code = main([*map(str, args), "--json"])
    out = capsys.readouterr()
    return code, (json.loads(out.out) if code == 0 and out.out.strip() else None), out.err


def sheet_rows(book: Path, title: str) -> list[tuple]:
    ws = openpyxl.load_workbook(book)[title]
    return [r for r in ws.iter_rows(values_only=True)]


# ---- M2 / m13: what counts as done ----------------------------------------------------------------

def test_a_narrow_done_set_lists_nobody_unvisited_as_not_needed(village, tmp_path):
    db, people = village
    with open_workspace(db) as ws:
        record_visit(ws, people[0]["公民身份号码"], "dead", by="李书记", today=TODAY)
        record_visit(ws, people[1]["公民身份号码"], "paid_on_site", by="李书记", today=TODAY)
        campaign.update(ws, {"done_outcomes": ["paid_on_site"]})
        res = ledgers.write_ledger(ws, tmp_path / "台账.xlsx")
        figs = reports.figures(ws, TODAY)
    assert res["sheets"]["不需参保人员台账"] == 0 == figs["accepted"]  # not the unvisited (IN (''))
    with open_workspace(db) as ws:
        campaign.update(ws, {"done_outcomes": ["paid_on_site", "dead"]})
        res = ledgers.write_ledger(ws, tmp_path / "台账2.xlsx")
        figs = reports.figures(ws, TODAY)
    assert res["sheets"]["不需参保人员台账"] == 1 == figs["accepted"]
    with open_workspace(db) as ws:  # a local rule counts 失踪 as done: the ledger and the report agree on it
        record_visit(ws, people[2]["公民身份号码"], "missing", by="李书记", today=TODAY)
        campaign.update(ws, {"done_outcomes": ["paid_on_site", "dead", "missing"]})
        res = ledgers.write_ledger(ws, tmp_path / "台账3.xlsx")
        figs = reports.figures(ws, TODAY)
    assert res["sheets"]["不需参保人员台账"] == 2 == figs["accepted"]


def test_outcomes_still_to_follow_cannot_count_as_done(village, capsys):
    db, _ = village
    code, _, err = jcli(capsys, "campaign", "--db", db, "--set", 'done_outcomes=["paid_on_site","refused"]')
    assert code == 2 and "拒绝" in err
    with open_workspace(db) as ws:  # a stored value from elsewhere (a package) falls back to the default
        ws.emit("campaign.set", "campaign", {"done_outcomes": ["refused", "paid_self"]})
        camp = campaign.load(ws)
        assert "refused" not in camp.done_set and camp.done_set == set(campaign.DEFAULTS["done_outcomes"]) | {
            "paid_official"}
        assert all(figures.part_of(s, camp.done_set) == figures.NOT_NEEDED for s in camp.not_needed)


# ---- M11: undo only your own ---------------------------------------------------------------------

def test_undo_never_voids_a_colleagues_later_visit(village, capsys):
    db, people = village
    a, b = people[0]["公民身份号码"], people[1]["公民身份号码"]
    code, mine, out = jcli(capsys, "visit", "--db", db, "--id", a, "--outcome", "not_home", "--by", "李书记")
    capsys.readouterr()
    main(["visit", "--db", str(db), "--id", b, "--outcome", "dead", "--by", "王主任"])
    hint = capsys.readouterr().out
    assert "--by 王主任" in hint and "--visit" in hint  # the hint names this visit and its author
    code, _, err = jcli(capsys, "undo", "--db", db)
    assert code == 2 and "王主任" in err  # whose? asked, not guessed
    code, res, _ = jcli(capsys, "undo", "--db", db, "--by", "李书记")
    assert code == 0 and res["voided"] == mine["visit_id"]
    with open_workspace(db) as ws:
        assert ws.scalar("SELECT status FROM persons WHERE pid=?", (b,)) == "dead"  # the colleague's stands
        assert ws.scalar("SELECT author FROM events WHERE kind='visit.voided'") == "李书记"  # not 系统
    code, _, err = jcli(capsys, "undo", "--db", db, "--visit", res["voided"])
    assert code == 2


# ---- invisible and bidirectional characters out of every export ------------------------------------

BAD = "\u2028\u2029\u202e\u200b\u2066"


def test_no_invisible_or_bidi_character_leaves_in_any_export(village, tmp_path):
    db, people = village
    with open_workspace(db) as ws:  # as a package would bring them: past the door's cleaning
        ws.emit("person.updated", f"p:{people[0]['公民身份号码']}",
                {"note": "门口\u2028备注\u202e反", "phone": "138\u202e00001111", "address": "某\u2029地"})
        record_visit(ws, people[1]["公民身份号码"], "not_home", by="李书记", note="第一行\u2028第二行", today=TODAY)
        ledgers.write_ledger(ws, tmp_path / "l.xlsx")
        ledgers.write_feedback(ws, tmp_path / "f.xlsx")
        write_people(ws, PeopleFilter(), tmp_path / "p.xlsx")
    for book in ("l.xlsx", "f.xlsx", "p.xlsx"):
        for sheet in openpyxl.load_workbook(tmp_path / book).worksheets:
            for r in sheet.iter_rows(values_only=True):
                assert not any(ch in str(v or "") for v in r for ch in BAD), (book, r)
    from canvasser.core.outputs.matchreport import safe_text

    assert safe_text("王\u202e小红\u2028") == "王小红\n"


# ---- setup codes, dates -------------------------------------------------------------------------


def test_a_visit_dated_after_today_is_refused(village, capsys):
    db, people = village
    code, _, err = jcli(capsys, "visit", "--db", db, "--id", people[0]["公民身份号码"], "--outcome", "not_home",
                        "--at", "2999-01-01", "--by", "李书记")
    assert code == 2 and "晚于今天" in err
    with open_workspace(db) as ws, pytest.raises(InputError, match="晚于今天"):
        record_visit(ws, people[0]["公民身份号码"], "dead", at="2026-11-21", today=TODAY)


# ---- M7 and read-only: the true cause ------------------------------------------------------------

def test_a_full_disk_at_open_is_named_and_looking_still_works(village, capsys, monkeypatch):
    """SQLite says only "disk I/O error" when it cannot make -shm: that is a full disk, not a key
    file that does not match; search still works (read as it is), a visit says the disk is full."""
    db, people = village
    real = store.connect

    def no_shm(path, key=None):
        conn = real(path, key)
        conn.close()
        raise store.sqlite3.OperationalError("disk I/O error")
    monkeypatch.setattr(store, "connect", no_shm)
    monkeypatch.setattr(failures, "no_room", lambda _p: True)
    code, res, err = jcli(capsys, "search", "--db", db, people[2]["公民身份号码"])
    assert code == 0 and res["total"] == 1, err
    code, _, err = jcli(capsys, "visit", "--db", db, "--id", people[2]["公民身份号码"], "--outcome", "not_home")
    assert code == 1 and "磁盘已满" in err and "不相配" not in err


def test_a_read_only_folder_still_lets_you_look(village, tmp_path, capsys, monkeypatch):
    db, people = village
    monkeypatch.setattr(location, "writable", lambda _folder: False)
    monkeypatch.setattr(store, "read_only", lambda _p: True)
    assert jcli(capsys, "search", "--db", db, people[3]["公民身份号码"])[1]["total"] == 1
    code, res, err = jcli(capsys, "report", "--db", db)
    assert code == 0 and res["total"] == len(people), err
    assert jcli(capsys, "check", "--db", db)[1]["ok"]
    code, _, err = jcli(capsys, "visit", "--db", db, "--id", people[3]["公民身份号码"], "--outcome", "not_home")
    assert code == 2 and "只读" in err and "复制到本机" in err  # says why, and what to do


def _tiny_disk(tmp_path: Path) -> Path | None:
    """A 4 MB filesystem to fill (root in a container that may mount tmpfs), or None."""
    mnt = tmp_path / "小盘"
    mnt.mkdir()
    if sys.platform == "win32" or os.geteuid() != 0 or subprocess.run(["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(mnt)],
                                           capture_output=True).returncode:
        return None
    return mnt


def test_a_ledger_on_a_full_disk_says_so_without_a_traceback(village, tmp_path):
    db, _ = village
    mnt = _tiny_disk(tmp_path)
    if mnt is None:
        pytest.skip("no tmpfs to fill here (a small disk is mounted by root on Linux; not on Windows)")
    try:
        with open(mnt / "fill", "wb") as f:
            try:
                while True:
                    f.write(b"\0" * 65536)
            except OSError:
                pass
        env = dict(os.environ, QT_QPA_PLATFORM="offscreen", PYTHONIOENCODING="utf-8")
        for args in (["ledger", "--out", str(mnt / "台账.xlsx")], ["report", "--out", str(mnt / "r.pdf")]):
            r = subprocess.run([sys.executable, "-m", "canvasser", args[0], "--db", str(db), *args[1:]], env=env,
                               capture_output=True, encoding="utf-8", timeout=300)
            assert r.returncode == 1 and "磁盘已满" in r.stderr, r.stderr
            assert "Traceback" not in r.stderr and "Exception ignored" not in r.stderr, r.stderr
        assert sorted(p.name for p in mnt.iterdir()) == ["fill"]  # no half-written file
    finally:
        subprocess.run(["umount", str(mnt)], capture_output=True)


# ---- leftovers of killed runs --------------------------------------------------------------------

def test_leftovers_of_killed_runs_are_swept_and_running_ones_left(village, tmp_path):
    db, _ = village
    temp = tmp_path / "tmp"
    dead, alive = temp / f"{sweep.CHECK_PREFIX}dead", temp / f"{sweep.CHECK_PREFIX}alive"
    for d in (dead, alive):
        d.mkdir(parents=True)
        (d / "replay.db").write_bytes(b"x" * 1000)
        (d / sweep.CLAIM).touch()
    part = Path(f"{db}.keys.part")
    part.write_text("{}", encoding="utf-8")
    from canvasser.core.storage import backup
    with open_workspace(db) as ws:
        folder = backup.backup_dir(ws)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "2026-11-20.db.part").write_bytes(b"half")
    (folder / "2026-11-19.db.keys").write_text("{}", encoding="utf-8")  # its copy never came
    old = time.time() - 60  # left a minute ago (a file seconds old may be just before its rename)
    for f in (*temp.rglob("*"), part, *folder.iterdir()):
        os.utime(f, (old, old))
    with oslock.claimed(alive / sweep.CLAIM):  # a check still running in another process
        gone = sweep.sweep(db, temp=temp)
    assert dead in gone and not dead.exists() and alive.exists()
    assert not part.exists() and not list(folder.iterdir())


def test_a_check_leaves_no_scratch_folder(village, tmp_path, monkeypatch):
    db, _ = village
    temp = tmp_path / "tmp"
    temp.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(temp))
    from canvasser.core.storage import integrity

    with open_workspace(db) as ws:
        assert integrity.check(ws)["ok"]
    assert list(temp.iterdir()) == []
