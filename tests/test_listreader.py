"""A big list read in a second process: the same import as in one process, cancels and failures
included (the threshold is lowered so that small test lists take that path)."""

from __future__ import annotations

import multiprocessing

import pytest

from canvasser.core.errors import Cancelled, InputError
from canvasser.core.lists import roster
from canvasser.core.lists.listreader import ReaderDied
from canvasser.core.lists.roster import import_roster
from canvasser.core.outputs import rejects
from canvasser.core.storage import integrity
from canvasser.core.storage.opening import open_workspace
from tests.fixtures import TODAY, corrupt_check_digit, rows, write_csv, write_xlsx

_ROWS = "SELECT pid, rpid, name, sex, birth, township, village, grp, household, relation, address, phone, phones, " \
        "categories, last_year, source, py_initials, py_full, rname FROM persons ORDER BY pid"


def _messy(tmp_path):
    people = rows(households=120)
    people[2] = {**people[2], "公民身份号码": corrupt_check_digit(people[2]["公民身份号码"])}
    people[4] = {**people[4], "姓名": ""}
    people[7] = {**people[7], "公民身份号码": people[7]["公民身份号码"][:12]}
    return write_xlsx(tmp_path / "messy.xlsx", people + people[10:14], blank_every=37)


def _import(tmp_path, name, src, monkeypatch, background: bool, **kw):
    monkeypatch.setattr(roster, "BACKGROUND_FILE", 0 if background else 1 << 40)
    ws = open_workspace(tmp_path / name)
    try:
        res = import_roster(ws, src, today=TODAY, **kw)
        rejects.save(ws, res, tmp_path / f"{name}.rej.xlsx")
        return res, ws.conn.execute(_ROWS).fetchall(), ws.conn.execute(
            "SELECT * FROM households ORDER BY hid").fetchall(), integrity.check(ws)["ok"]
    finally:
        ws.close()


@pytest.mark.parametrize("make", ["xlsx", "csv"])
def test_background_reading_imports_exactly_what_one_process_does(tmp_path, monkeypatch, make):
    monkeypatch.setattr(roster, "CHUNK", 40)  # many chunks, households and duplicates across them
    src = _messy(tmp_path)
    if make == "csv":
        people = rows(seed=8, households=100)
        src = write_csv(tmp_path / "list.csv", people + people[:3])
    here, here_rows, here_households, here_ok = _import(tmp_path, "a.db", src, monkeypatch, background=False)
    there, there_rows, there_households, there_ok = _import(tmp_path, "b.db", src, monkeypatch, background=True)
    report = {k: v for k, v in here.as_json().items() if k != "rejects_file"}
    assert report == {k: v for k, v in there.as_json().items() if k != "rejects_file"}
    assert there.imported > 250 and there.duplicates and (make == "csv" or len(there.rejected) == 3)
    assert there_rows == here_rows and there_households == here_households
    assert here_ok and there_ok
    assert multiprocessing.active_children() == []


def test_background_reader_reports_a_bad_file_as_one_process_does(tmp_path, monkeypatch):
    src = tmp_path / "no_header.csv"
    src.write_text("甲,乙,丙\n1,2,3\n", encoding="utf-8")
    monkeypatch.setattr(roster, "BACKGROUND_FILE", 0)
    ws = open_workspace(tmp_path / "v.db")
    with pytest.raises(InputError, match="找不到表头"):
        import_roster(ws, src, today=TODAY)
    assert ws.scalar("SELECT count(*) FROM persons") == 0
    ws.close()
    assert multiprocessing.active_children() == []


def test_cancel_as_reading_begins_changes_nothing(tmp_path, monkeypatch):
    monkeypatch.setattr(roster, "BACKGROUND_FILE", 0)
    ws = open_workspace(tmp_path / "v.db")
    import_roster(ws, write_csv(tmp_path / "small.csv", rows(households=3)), today=TODAY)
    events = ws.event_count()
    heard: list[str] = []
    with pytest.raises(Cancelled):
        import_roster(ws, write_csv(tmp_path / "list.csv", rows(seed=4, households=300)), today=TODAY,
                      progress=lambda n, m: heard.append(m) or False)
    assert heard == ["正在读取名单…"]  # the first word, before the reader started: a cancel there starts none
    assert ws.event_count() == events
    assert integrity.check(ws)["ok"]
    ws.close()
    assert multiprocessing.active_children() == []


def test_reader_killed_mid_list_fails_the_import_and_changes_nothing(tmp_path, monkeypatch):
    monkeypatch.setattr(roster, "BACKGROUND_FILE", 0)
    monkeypatch.setattr(roster, "CHUNK", 50)
    ws = open_workspace(tmp_path / "v.db")
    import_roster(ws, write_csv(tmp_path / "small.csv", rows(households=3)), today=TODAY)
    events = ws.event_count()

    def kill_reader(n: int, message: str) -> bool:
        if n >= 100:
            for child in multiprocessing.active_children():
                child.kill()
                child.join()
        return True

    with pytest.raises(ReaderDied, match="工作区未改变"):
        import_roster(ws, write_csv(tmp_path / "list.csv", rows(seed=5, households=1000)), today=TODAY,
                      progress=kill_reader)
    assert ws.event_count() == events
    assert integrity.check(ws)["ok"]
    ws.close()


def test_cancel_while_the_reader_loads_stops_it(tmp_path, monkeypatch):
    """A workbook takes seconds before its first row: the wait hears the user every POLL_SECONDS."""
    from canvasser.core.lists import listreader
    monkeypatch.setattr(roster, "BACKGROUND_FILE", 0)
    monkeypatch.setattr(listreader, "POLL_SECONDS", 0.001)  # sooner than any process starts
    ws = open_workspace(tmp_path / "v.db")
    calls: list[str] = []
    with pytest.raises(Cancelled):
        import_roster(ws, _messy(tmp_path), today=TODAY, progress=lambda n, m: calls.append(m) or len(calls) < 3)
    assert calls == ["正在读取名单…"] * 3
    assert ws.scalar("SELECT count(*) FROM persons") == 0
    ws.close()
    assert multiprocessing.active_children() == []


def test_background_reading_keeps_column_overrides_and_sheets(tmp_path, monkeypatch):
    """What the reading process is told (the user's column mapping) and what it tells back (which
    sheet a bad row is on, when a workbook has one sheet per village) survive the process boundary."""
    import openpyxl

    a, b = rows(seed=1, households=6, village="青石村"), rows(seed=2, households=5, village="杨柳村")
    wb = openpyxl.Workbook()
    wb.active.title = "说明"
    for name, people in (("青石村", a), ("杨柳村", b)):
        sh = wb.create_sheet(name)
        sh.append(["序号", "姓名", "身份证号码", "村（社区）", "户编号", "手机"])
        for i, p in enumerate(people, 1):
            sh.append([i, p["姓名"], p["公民身份号码"], p["村（社区）"], p["户编号"] + name, p["联系电话"]])
    wb["杨柳村"].append([99, "", b[0]["公民身份号码"][:-1] + "0", "杨柳村", "x", ""])
    src = tmp_path / "multi.xlsx"
    wb.save(src)
    reports = []
    for name, background in (("a.db", False), ("b.db", True)):
        res, people, _, ok = _import(tmp_path, name, src, monkeypatch, background, overrides={"手机": "phone"})
        assert ok and res.imported == len(a) + len(b)
        assert res.rejected[0]["sheet"] == "杨柳村" and res.rejected[0]["row"] == len(b) + 2
        assert {p[0]: p[11] for p in people}[a[0]["公民身份号码"]] == a[0]["联系电话"].split(",")[0]
        reports.append(({k: v for k, v in res.as_json().items() if k != "rejects_file"}, people))
    assert reports[0] == reports[1]
