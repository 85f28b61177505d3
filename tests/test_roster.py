"""Importing the bureau's list: bad rows explained, duplicates, re-import, updates, atomicity."""

from __future__ import annotations

import hashlib
import subprocess
import sys
import time
from pathlib import Path

import openpyxl
import pytest

from canvasser.core.errors import Cancelled, InputError
from canvasser.core.lists.roster import import_roster
from canvasser.core.outputs import rejects
from canvasser.core.storage import integrity
from canvasser.core.storage.opening import open_workspace
from canvasser.core.text import ids
from tests.fixtures import TODAY, corrupt_check_digit, rows, write_csv, write_xlsx


@pytest.fixture
def ws(tmp_path):
    w = open_workspace(tmp_path / "v.db")
    yield w
    w.close()


def test_every_kind_of_bad_row_is_rejected_with_row_and_reason(ws, tmp_path):
    people = rows(households=20)
    people[2] = {**people[2], "公民身份号码": corrupt_check_digit(people[2]["公民身份号码"])}
    people[4] = {**people[4], "姓名": ""}
    people[6] = {**people[6], "公民身份号码": people[6]["公民身份号码"][:12]}
    bad_date = "51032119910231123"
    people[8] = {**people[8], "公民身份号码": bad_date + "0"}
    excel = float(people[10]["公民身份号码"][:15] + "000")
    src = write_xlsx(tmp_path / "list.xlsx", people, raw_ids={11: excel})
    res = import_roster(ws, src, today=TODAY)
    rejects.save(ws, res, tmp_path / "rej.xlsx")
    by_row = {r["row"]: r["reason"] for r in res.rejected}
    # data starts on sheet row 4 (two title rows and the header)
    assert set(by_row) == {6, 8, 10, 12, 14}
    assert "校验位" in by_row[6]
    assert "姓名" in by_row[8]
    assert "位数" in by_row[10]
    assert "出生日期" in by_row[12] or "校验位" in by_row[12]
    assert "Excel" in by_row[14]
    assert res.imported == len(people) - 5
    # the rejects file holds those rows, as typed, with the reason, and can be fixed and re-imported
    wb = openpyxl.load_workbook(tmp_path / "rej.xlsx")
    sheet = wb.active
    assert [c.value for c in sheet[1]][:3] == ["原行号", "错误原因", "序号"]
    assert sheet.max_row == 6
    assert {sheet.cell(r, 1).value for r in range(2, 7)} == {6, 8, 10, 12, 14}
    fixed = tmp_path / "fixed.xlsx"
    sheet.cell(2, 5).value = people[2]["公民身份号码"][:17] + ids.check_digit(people[2]["公民身份号码"][:17])
    wb.save(fixed)
    again = import_roster(ws, fixed, today=TODAY)
    assert rejects.save(ws, again, tmp_path / "rej2.xlsx") == str(tmp_path / "rej2.xlsx")  # the four still wrong
    assert again.imported == 1
    assert integrity.check(ws)["ok"]


def test_duplicates_counted_once(ws, tmp_path):
    people = rows(households=10)
    src = write_xlsx(tmp_path / "dup.xlsx", people + [people[3]])
    res = import_roster(ws, src, today=TODAY)
    assert res.imported == len(people)
    assert len(res.duplicates) == 1 and "同一人" in res.duplicates[0]["reason"]


def test_many_duplicates_each_name_their_first_row(ws, tmp_path, monkeypatch):
    """The first rows wait in arrays and are scanned for the first duplicates, then a dict takes
    over: every duplicate names the right first row either way, also across chunks."""
    from canvasser.core.lists import roster
    monkeypatch.setattr(roster, "CHUNK", 50)
    people = rows(households=60)
    twice = people + people[::-1] + people[:5]
    res = import_roster(ws, write_csv(tmp_path / "twice.csv", twice), today=TODAY)
    assert res.imported == len(people) and len(res.duplicates) == len(people) + 5 > 64
    first = {p["公民身份号码"]: i + 2 for i, p in enumerate(people)}  # csv data starts on row 2
    expected = [first[p["公民身份号码"]] for p in twice[len(people):]]
    assert [d["first_row"] for d in res.duplicates] == expected
    assert [d["row"] for d in res.duplicates] == list(range(len(people) + 2, len(twice) + 2))
    assert integrity.check(ws)["ok"]


def test_reimport_changes_nothing_and_update_adds_and_reports_missing(ws, tmp_path):
    people = rows(households=30)
    src = write_xlsx(tmp_path / "a.xlsx", people)
    first = import_roster(ws, src, today=TODAY)
    events = ws.event_count()
    second = import_roster(ws, src, today=TODAY)
    assert (second.imported, second.updated, second.unchanged) == (0, 0, first.imported)
    assert ws.event_count() == events
    # an updated list: one new person, one changed phone, one person missing
    changed = [dict(p) for p in people]
    changed[0]["联系电话"] = "13900000000"
    newcomer = rows(seed=99, households=1, village="青石村")[0]
    dropped = changed.pop(5)
    src2 = write_xlsx(tmp_path / "b.xlsx", changed + [newcomer])
    third = import_roster(ws, src2, today=TODAY)
    assert third.imported == 1 and third.updated == 1 and third.missing == 1
    assert ws.scalar("SELECT phone FROM persons WHERE pid=?", (people[0]["公民身份号码"],)) == "13900000000"
    assert ws.scalar("SELECT count(*) FROM persons WHERE pid=?", (dropped["公民身份号码"],)) == 1  # not removed
    assert integrity.check(ws)["ok"]


def test_reimport_does_not_revert_a_cadres_edit(ws, tmp_path):
    from canvasser.core.rules.people import update_person
    people = rows(households=5)
    src = write_xlsx(tmp_path / "a.xlsx", people)
    import_roster(ws, src, today=TODAY)
    update_person(ws, people[0]["公民身份号码"], {"phone": "13812345678"}, by="李书记")
    res = import_roster(ws, src, today=TODAY)
    assert res.updated == 0
    assert ws.scalar("SELECT phone FROM persons WHERE pid=?", (people[0]["公民身份号码"],)) == "13812345678"


def test_instructions_sheet_blank_lines_total_and_households(ws, tmp_path):
    people = rows(households=25)
    src = write_xlsx(tmp_path / "i.xlsx", people, instructions=True, blank_every=7)
    res = import_roster(ws, src, today=TODAY)
    assert res.sheet == "未参保人员名单"
    assert res.imported == len(people) and not res.rejected
    assert res.households == len({p["户编号"] for p in people})
    assert ws.scalar("SELECT count(*) FROM households") == res.households


def test_other_header_names_and_map_override(ws, tmp_path):
    people = rows(households=5)
    header = ["序号", "姓名", "证件号码", "性别", "出生年月", "医疗救助身份", "所属乡镇", "所在村", "组别", "户号",
              "与户主关系", "家庭住址", "手机号码", "上年参保状态"]
    src = write_xlsx(tmp_path / "h.xlsx", people, header=header)
    res = import_roster(ws, src, today=TODAY)
    assert res.imported == len(people)
    assert ws.scalar("SELECT count(*) FROM persons WHERE village='青石村' AND grp != ''") == len(people)
    odd = ["序号", "户主或成员", "号码", *HEADER_TAIL]
    src2 = write_xlsx(tmp_path / "odd.xlsx", people, header=odd)
    with pytest.raises(InputError, match="找不到表头"):
        import_roster(open_workspace(tmp_path / "o.db"), src2, today=TODAY)
    res2 = import_roster(open_workspace(tmp_path / "o2.db"), src2, overrides={"户主或成员": "name", "号码": "pid"},
                         today=TODAY)
    assert res2.imported == len(people)


HEADER_TAIL = ["性别", "出生日期", "人员类别", "乡镇（街道）", "村（社区）", "村民小组", "户编号", "与户主关系", "户籍地址",
               "联系电话", "上年参保状态"]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030"])
def test_csv_encodings(tmp_path, encoding):
    people = rows(households=15)
    if encoding == "gbk":  # GBK lacks some rare name characters: real GBK files cannot hold them either
        people = [p for p in people if _gbk_ok(p["姓名"])]
    src = write_csv(tmp_path / f"{encoding}.csv", people, encoding)
    ws = open_workspace(tmp_path / f"{encoding}.db")
    res = import_roster(ws, src, today=TODAY)
    assert res.imported == len(people)
    names = {r[0] for r in ws.conn.execute("SELECT name FROM persons")}
    assert names == {p["姓名"] for p in people}


def _gbk_ok(text: str) -> bool:
    try:
        text.encode("gbk")
        return True
    except UnicodeEncodeError:
        return False


def test_households_without_number_grouped_by_head_and_address(ws, tmp_path):
    people = rows(households=8)
    for p in people:
        p["户编号"] = ""
    src = write_xlsx(tmp_path / "nohh.xlsx", people)
    res = import_roster(ws, src, today=TODAY)
    assert res.imported == len(people)
    assert ws.scalar("SELECT count(DISTINCT household) FROM persons") <= res.households
    assert ws.scalar("SELECT count(*) FROM persons WHERE household=''") == 0


def _digest(path) -> str:
    w = open_workspace(path)
    try:
        return integrity.state_digest(w) + str(w.event_count())
    finally:
        w.close()


def test_cancelled_import_leaves_workspace_unchanged(tmp_path):
    db = tmp_path / "c.db"
    ws = open_workspace(db)
    import_roster(ws, write_xlsx(tmp_path / "small.xlsx", rows(households=5)), today=TODAY)
    before = _digest(db)
    big = write_csv(tmp_path / "big.csv", rows(seed=5, households=4000))
    with pytest.raises(Cancelled):
        import_roster(ws, big, today=TODAY, progress=lambda n, m: n < 6000)
    ws.close()
    assert _digest(db) == before


def test_index_rebuild_is_reported_and_can_be_cancelled(tmp_path):
    """A first list reports each index it rebuilds; a cancel while they build leaves nothing behind."""
    db = tmp_path / "i.db"
    ws = open_workspace(db)
    before = _digest(db)
    src = write_csv(tmp_path / "list.csv", rows(households=20))
    messages: list[str] = []
    import_roster(open_workspace(tmp_path / "j.db"), src, today=TODAY, progress=lambda n, m: messages.append(m) or True)
    building = [m for m in messages if m.startswith("正在建立查询索引")]
    total = len(building)
    assert total > 10 and building[0] == f"正在建立查询索引（1/{total}）…" and building[-1].endswith(f"（{total}/{total}）…")
    with pytest.raises(Cancelled):
        import_roster(ws, src, today=TODAY, progress=lambda n, m: "（3/" not in m)
    ws.close()
    assert _digest(db) == before
    again = open_workspace(db)
    assert again.scalar("SELECT count(*) FROM persons") == 0
    assert again.scalar("SELECT count(*) FROM sqlite_master WHERE type='index' AND name='persons_name'") == 1
    again.close()


def _size(path: Path) -> int:
    """A file's size, or -1 when it is not there (now)."""
    try:
        return path.stat().st_size
    except FileNotFoundError:
        return -1


def test_killed_import_leaves_workspace_unchanged(tmp_path):
    db = tmp_path / "k.db"
    ws = open_workspace(db)
    import_roster(ws, write_xlsx(tmp_path / "small.xlsx", rows(households=5)), today=TODAY)
    ws.close()
    before = _digest(db)
    big = write_csv(tmp_path / "big.csv", rows(seed=6, households=15000))
    proc = subprocess.Popen([sys.executable, "-m", "canvasser", "import-roster", "--db", str(db), str(big)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    # wait until the import is writing (a first list writes through a rollback journal: the file
    # grows beside its journal; otherwise the WAL grows), then kill it hard
    wal, journal = db.with_name(db.name + "-wal"), db.with_name(db.name + "-journal")
    deadline = time.monotonic() + 300  # a loaded machine, or Wine, takes a while to start the child
    start_wal = max(_size(wal), 0)
    start_db = _size(db)
    journalled = False
    while time.monotonic() < deadline and proc.poll() is None:
        # (a WAL or journal may vanish between a look and a stat: the child opens and closes the file)
        if _size(wal) > start_wal + 200_000:
            break
        if _size(journal) >= 0 and _size(db) > start_db + 200_000:
            journalled = True
            break
        time.sleep(0.05)
    assert proc.poll() is None, "the import finished before it could be interrupted"
    proc.kill()  # SIGKILL; TerminateProcess on Windows
    proc.wait()
    assert journalled, "a first list should load through a rollback journal"
    assert journal.exists()  # the kill left it: the next open rolls it back
    assert _digest(db) == before
    w = open_workspace(db)
    assert integrity.check(w)["ok"]
    w.close()


def test_file_hash_helper_is_stable(tmp_path):
    from canvasser.core.lists.roster import file_sha256
    p = tmp_path / "x.bin"
    p.write_bytes(b"abc")
    assert file_sha256(p) == hashlib.sha256(b"abc").hexdigest()


def test_fifteen_digit_number_cell_is_upgraded_not_rejected(ws, tmp_path):
    people = rows(households=4)
    old = people[1]["公民身份号码"][:6] + people[1]["公民身份号码"][8:17]  # first-generation form
    src = write_xlsx(tmp_path / "n.xlsx", people, raw_ids={2: float(old), 3: "５１０３２１" + people[2]["公民身份号码"][6:]})
    res = import_roster(ws, src, today=TODAY)
    assert not res.rejected
    upgraded = ids.normalise(old)
    assert ws.scalar("SELECT count(*) FROM persons WHERE pid=?", (upgraded,)) == 1
    assert ws.scalar("SELECT count(*) FROM persons WHERE pid=?", (people[2]["公民身份号码"],)) == 1


def test_one_sheet_per_village(ws, tmp_path):
    a, b = rows(seed=1, households=6, village="青石村"), rows(seed=2, households=5, village="杨柳村")
    wb = openpyxl.Workbook()
    info = wb.active
    info.title = "说明"
    info.append(["各村一张表"])
    for name, people in (("青石村", a), ("杨柳村", b)):
        sh = wb.create_sheet(name)
        sh.append(["序号", "姓名", "身份证号码", "村（社区）", "村民小组", "户编号"])
        for i, p in enumerate(people, 1):
            sh.append([i, p["姓名"], p["公民身份号码"], p["村（社区）"], p["村民小组"], p["户编号"] + name])
    bad = wb["杨柳村"]
    bad.append([99, "", b[0]["公民身份号码"][:-1] + "0", "杨柳村", "一组", "x"])
    src = tmp_path / "multi.xlsx"
    wb.save(src)
    res = import_roster(ws, src, today=TODAY)
    assert res.imported == len(a) + len(b)
    assert sorted(res.villages) == ["杨柳村", "青石村"]
    assert res.rejected and res.rejected[0]["sheet"] == "杨柳村" and res.rejected[0]["row"] == len(b) + 2


def test_created_payload_is_stored_in_canonical_form():
    """The bulk path writes payloads with orjson in literal key order: it must equal dump_payload."""
    import orjson

    from canvasser.core.lists.listrows import PERSON_COLUMNS, People
    from canvasser.core.lists.roster import created_payloads
    from canvasser.core.storage.store import dump_payload
    people = People({f: [f"值{f}", f'"{f}\\'] for f in PERSON_COLUMNS}, [2, 3])
    for text in created_payloads(people, 2027):
        payload = orjson.loads(text)
        assert list(payload) == sorted(payload) and payload["source"] == "bureau"
        assert text == dump_payload(payload)


def test_first_list_households_spanning_chunks_match_the_projection(ws, tmp_path, monkeypatch):
    """A first list writes households chunk by chunk; a household cut by a chunk boundary, its
    户主 arriving in a later chunk, must still get the head and count the projection gives."""
    from canvasser.core.lists import roster
    from canvasser.core.storage.projection import project_households
    monkeypatch.setattr(roster, "CHUNK", 7)
    people = rows(households=12)
    people = people[1::2] + people[::2]  # every household split, heads often in the second half
    res = import_roster(ws, write_csv(tmp_path / "split.csv", people), today=TODAY)
    assert res.imported == len(people)
    written = ws.query("SELECT * FROM households ORDER BY hid")
    assert sum(h["members"] for h in written) == len(people)
    with ws.transaction():
        ws.conn.execute("DELETE FROM households")
        project_households(ws.conn, {p["户编号"] for p in people})
        rebuilt = ws.query("SELECT * FROM households ORDER BY hid")
    assert written == rebuilt and any(h["members"] > 1 for h in written)
    assert all(h["head"] == next(p["姓名"] for p in people if p["户编号"] == h["hid"] and p["与户主关系"] == "户主")
               for h in written)
    assert integrity.check(ws)["ok"]


def test_first_list_goes_back_to_wal_and_works_beside_another_reader(tmp_path):
    """The first list loads through a rollback journal, then the file is in WAL mode again; with a
    reader holding the file open (the switch is impossible) the import still goes through in WAL."""
    first = open_workspace(tmp_path / "a.db")
    import_roster(first, write_csv(tmp_path / "a.csv", rows(households=6)), today=TODAY)
    assert first.scalar("PRAGMA journal_mode") == "wal" and first.scalar("SELECT count(*) FROM persons") > 0
    first.close()
    db = tmp_path / "b.db"
    ws, reader = open_workspace(db), open_workspace(db)
    try:
        assert reader.scalar("SELECT count(*) FROM persons") == 0
        res = import_roster(ws, write_csv(tmp_path / "b.csv", rows(seed=3, households=6)), today=TODAY)
        assert ws.scalar("PRAGMA journal_mode") == "wal"
        assert reader.scalar("SELECT count(*) FROM persons") == res.imported > 0
        assert integrity.check(ws)["ok"]
    finally:
        reader.close()
        ws.close()


def test_first_list_household_without_a_head_spanning_chunks(ws, tmp_path, monkeypatch):
    """A household with no 户主 row, cut by chunk boundaries, is headed by its smallest ID, as the
    projection would: an earlier chunk's head, not a 户主, gives way to a smaller ID in a later one."""
    from canvasser.core.lists import roster
    from canvasser.core.storage.projection import project_households
    monkeypatch.setattr(roster, "CHUNK", 1)  # every row a chunk of its own
    people = rows(households=10)
    headless = {people[0]["户编号"], people[-1]["户编号"]}
    for p in people:
        if p["与户主关系"] == "户主" and p["户编号"] in headless:
            p["与户主关系"] = "其他"
    people.sort(key=lambda p: (p["户编号"], p["公民身份号码"]), reverse=True)  # a household's largest IDs first
    import_roster(ws, write_csv(tmp_path / "headless.csv", people), today=TODAY)
    written = ws.query("SELECT * FROM households ORDER BY hid")
    with ws.transaction():
        ws.conn.execute("DELETE FROM households")
        project_households(ws.conn, {p["户编号"] for p in people})
        rebuilt = ws.query("SELECT * FROM households ORDER BY hid")
    assert written == rebuilt
    checked = [h for h in written if h["hid"] in headless]
    assert len(checked) == 2
    for h in checked:
        members = sorted(p["公民身份号码"] for p in people if p["户编号"] == h["hid"])
        assert h["members"] == len(members) > 1 and h["head_pid"] == members[0]
    assert integrity.check(ws)["ok"]
