"""The merge's fast paths give exactly what a full replay gives.

A township merge brings most people forward from their stored row (new visits and edits, all
later than that row) instead of refolding their whole history, and writes only the persons columns
that changed. These tests mix in everything that must leave the fast path (events older than the
stored row, voids, official payments, a new coverage year, a void stored before its visit) and
compare with `integrity.check`, which replays the whole log into a scratch file.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from canvasser.core.lists import newyear
from canvasser.core.rules.people import add_person, mark_left, move_person, update_person
from canvasser.core.rules.visits import record_visit, undo_last
from canvasser.core.storage import backup, integrity
from canvasser.core.storage.opening import open_workspace
from canvasser.core.storage.store import Workspace, dump_payload, new_event_ids, now_iso
from canvasser.core.sync import export_package, receive_package, receive_packages
from canvasser.core.sync import merge as merge_mod
from tests.test_sync_support import VILLAGES, ids_of, make_township, make_village

OUTCOMES = ("not_home", "refused", "paid_self", "migrant_informed", "employee_insurance")


def assert_replays(ws: Workspace) -> None:
    res = integrity.check(ws)
    assert res["ok"], res["differs"]


def person(ws: Workspace, pid: str) -> dict:
    return ws.one("SELECT * FROM persons WHERE pid=?", (pid,))


def day_of_work(vil: Workspace, pids: list[str], day: int, photo: Path) -> None:
    """Visits, edits of every kind, a departure, a void: what a village does in a day."""
    for i, pid in enumerate(pids):
        record_visit(vil, pid, OUTCOMES[(i + day) % len(OUTCOMES)], by=f"干部{i % 2}", note=f"第{day}天")
    record_visit(vil, pids[0], "not_home", by="干部0", photos=[photo])
    update_person(vil, pids[1], {"phone": f"1390000{day:04d}"})
    update_person(vil, pids[2], {"name": f"改名{day}", "categories": "低保对象"})
    # an edit made the old way: phone without phones (the projection then keeps the listed phones)
    vil.emit("person.updated", f"p:{pids[3]}", {"phone": f"1370000{day:04d}", "note": "核实"})
    hid = vil.scalar("SELECT household FROM persons WHERE pid=?", (pids[5],))
    move_person(vil, pids[4], hid, relation="其他")
    if day == 2:
        mark_left(vil, pids[6], "moved_out")
        undo_last(vil, by="干部1")


@pytest.fixture
def world(tmp_path):
    town, people = make_township(tmp_path, households=4)
    villages = [make_village(town, tmp_path, v) for v in VILLAGES]
    photo = tmp_path / "证明.jpg"
    photo.write_bytes(b"\xff\xd8\xff\xe0" + b"photo" * 50)
    yield town, people, villages, photo
    for ws in (town, *villages):
        ws.close()


def export_all(villages: list[Workspace], tmp_path: Path, tag: str) -> list[Path]:
    out = []
    for i, vil in enumerate(villages):
        p = tmp_path / f"{tag}-{i}.ccpkg"
        export_package(vil, p)
        out.append(p)
    return out


def test_two_days_of_merges_match_a_full_replay(world, tmp_path):
    town, people, villages, photo = world
    for day in (1, 2):
        for vil, v in zip(villages, VILLAGES):
            day_of_work(vil, ids_of(people, v), day, photo)
        ups = export_all(villages, tmp_path, f"day{day}")
        backup.backup(town, tmp_path / f"one-{day}.db")  # an encrypted copy, with its key sidecar
        results = receive_packages(town, ups)
        assert all(r["applied"] > 0 for r in results)
        assert_replays(town)
        # the same packages one at a time reach the same state
        with open_workspace(tmp_path / f"one-{day}.db") as one:
            for p in ups:
                receive_package(one, p)
            assert integrity.state_digest(one) == integrity.state_digest(town)
        digest = integrity.state_digest(town)
        assert not any(r["applied"] for r in receive_packages(town, ups))
        assert integrity.state_digest(town) == digest
    pids = ids_of(people, VILLAGES[0])
    assert person(town, pids[2])["name"] == "改名2"
    assert person(town, pids[3])["phone"] == "13700000002"
    assert person(town, pids[0])["evidence"] == 2


def test_phone_edit_without_phones_keeps_or_follows_phones(world, tmp_path):
    town, people, villages, _ = world
    vil = villages[0]
    listed = next(pid for pid in ids_of(people, VILLAGES[0]) if person(town, pid)["phones"])
    before = person(town, listed)
    added = add_person(vil, "11010519491231002X", "新来的", phone="13811112222")
    # someone created without a phones field at all: phones follows phone
    bare = "110105194912310038"
    vil.emit("person.created", f"p:{bare}", {"name": "无号码", "village": VILLAGES[0], "phone": "13800000000"})
    p = tmp_path / "first.ccpkg"
    export_package(vil, p)
    receive_package(town, p)
    for pid, phone in ((listed, "13900001111"), (added, "13900002222"), (bare, "13900003333")):
        vil.emit("person.updated", f"p:{pid}", {"phone": phone})
    p = tmp_path / "second.ccpkg"
    export_package(vil, p)
    receive_package(town, p)
    assert_replays(town)
    assert (person(town, listed)["phone"], person(town, listed)["phones"]) == ("13900001111", before["phones"])
    assert person(town, added)["phones"] == "13811112222"
    assert person(town, bare)["phones"] == "13900003333"


def test_events_older_than_the_stored_row_are_refolded(world, tmp_path):
    town, people, villages, _ = world
    vil = villages[1]
    pid = ids_of(people, VILLAGES[1])[0]
    record_visit(vil, pid, "refused", by="村干部", reason="经济困难")
    update_person(vil, pid, {"phone": "13900009999", "address": "村里改的"})
    p = tmp_path / "late.ccpkg"
    export_package(vil, p)
    # the township acts on the same person after the village did, before the package arrives
    record_visit(town, pid, "not_home", by="专干")
    update_person(town, pid, {"address": "乡镇改的"})
    receive_package(town, p)
    assert_replays(town)
    row = person(town, pid)
    assert (row["last_visit_by"], row["address"], row["phone"], row["visit_count"]) == \
        ("专干", "乡镇改的", "13900009999", 2)


def test_official_payment_outranks_later_visits(world, tmp_path):
    town, people, villages, _ = world
    vil = villages[2]
    pid = ids_of(people, VILLAGES[2])[1]
    town.emit("status.official", f"p:{pid}", {"year": 2027, "paid": True, "amount": 400,
                                              "paid_at": "2026-11-20", "channel": "微信", "source": "名单.xlsx"})
    down = tmp_path / "down.ccpkg"
    export_package(town, down, village=VILLAGES[2])
    receive_package(vil, down)
    record_visit(vil, pid, "refused", by="村干部")
    up = tmp_path / "up.ccpkg"
    export_package(vil, up)
    receive_package(town, up)
    assert_replays(town)
    row = person(town, pid)
    assert (row["status"], row["official"], row["last_outcome"], row["visit_count"]) == \
        ("paid_official", 1, "refused", 1)


def test_new_coverage_year_in_the_same_merge(world, tmp_path):
    town, people, villages, _ = world
    vil = villages[0]
    pids = ids_of(people, VILLAGES[0])
    town.emit("status.official", f"p:{pids[0]}", {"year": 2027, "paid": True, "amount": 400})
    for pid in pids[:3]:
        record_visit(town, pid, "promised", by="镇干部", promised="2026-12-20")
    newyear.begin(town, newyear.proposed_settings(town))  # (the year starts at the top and flows down)
    p = tmp_path / "year.ccpkg"
    export_package(town, p, village=VILLAGES[0])
    receive_package(vil, p)
    assert_replays(vil)
    # the 2027 payment and promises are last year's: this year starts afresh, last year's beside it
    assert [(person(vil, pid)["status"], person(vil, pid)["prev_outcome"]) for pid in pids[:3]] == \
        [("", "paid_official"), ("", "promised"), ("", "promised")]


def wire_row(event_id: str, origin: str, seq: int, hlc: str, kind: str, entity: str, payload: dict,
             scope: str) -> list:
    return [event_id, origin, seq, hlc, kind, entity, dump_payload(payload), "某人", now_iso(), scope]


def test_void_stored_before_its_visit_still_hides_it(world):
    """No honest replica sends a void before its visit, but the fold is the rule: the fast path
    must notice a stored void naming a newly received visit."""
    town, people, _, _ = world
    pid = ids_of(people, VILLAGES[0])[0]
    visit_id, void_id = new_event_ids(2)
    stored_hlc = town.scalar("SELECT updated_hlc FROM persons WHERE pid=?", (pid,))
    ms = int(stored_hlc.split(".")[0])
    void = wire_row(void_id, "otherreplica0001", 1, f"{ms + 10:013d}.00000", "visit.voided", f"p:{pid}",
                    {"visit": visit_id, "reason": "撤销"}, VILLAGES[0])
    visit = wire_row(visit_id, "otherreplica0001", 2, f"{ms + 20:013d}.00000", "visit.recorded", f"p:{pid}",
                     {"outcome": "refused", "via": "入户", "photos": []}, VILLAGES[0])
    for rows in ([void], [visit]):
        with town.transaction():
            merge_mod.merge(town, rows, merge_mod.validate(rows))
    assert_replays(town)
    row = person(town, pid)
    assert (row["visit_count"], row["status"]) == (0, "")
    assert town.scalar("SELECT voided FROM visits WHERE visit_id=?", (visit_id,)) == 1


def test_fast_path_rows_equal_the_fold(world, tmp_path):
    """Row for row, not only by digest: a merge of many people's later events."""
    town, people, villages, photo = world
    for vil, v in zip(villages, VILLAGES):
        day_of_work(vil, ids_of(people, v), 1, photo)
    receive_packages(town, export_all(villages, tmp_path, "rows"))
    live = town.conn.execute("SELECT * FROM persons ORDER BY pid").fetchall()
    visits = town.conn.execute("SELECT * FROM visits ORDER BY visit_id").fetchall()
    with town.transaction():
        from canvasser.core.storage.projection import rebuild
        rebuild(town.conn)
        assert town.conn.execute("SELECT * FROM persons ORDER BY pid").fetchall() == live
        assert town.conn.execute("SELECT * FROM visits ORDER BY visit_id").fetchall() == visits
        photos = [json.loads(r[0]) for r in town.conn.execute("SELECT photos FROM visits WHERE photos != '[]'")]
        assert photos and all(len(p) == 1 for p in photos)


@settings(max_examples=400, deadline=None)
@given(st.one_of(st.text(max_size=70), st.from_regex(merge_mod._TOKEN, fullmatch=True),
                 st.text(alphabet="0aZ_.-\n é", max_size=66)))
def test_token_check_is_the_regex(s):
    assert merge_mod.is_token(s) == bool(merge_mod._TOKEN.fullmatch(s))


@settings(max_examples=400, deadline=None)
@given(st.one_of(st.text(max_size=22), st.from_regex(merge_mod._HLC, fullmatch=True),
                 st.text(alphabet="0123456789.\n٣", min_size=18, max_size=20)))
def test_hlc_check_is_the_regex(s):
    assert merge_mod.is_hlc(s) == bool(merge_mod._HLC.fullmatch(s))


def test_visits_bound_sparsely_read_back_as_written(tmp_path):
    """`insert_visits` leaves default columns to SQLite: every row must read back exactly as the
    fold made it, whichever columns differ from their defaults."""
    from canvasser.core.storage.projection import _VISIT_COLS, insert_visits
    ws = open_workspace(tmp_path / "v.db")
    base = ["", "510321199001011234", "2026-11-01T09:00:00", "1795664751527.00001", "张三", "入户", "not_home"]
    tails = [["", "", "", "", "", "[]", 0, ""], ["经济困难", "", "", "", "", "[]", 0, ""],
             ["", "2026-12-20", "2026-12-20", "村口", "再去", '["' + "a" * 64 + '.jpg"]', 1, "录入错误"],
             ["", "", "", "", "备注", "[]", 0, ""]]
    rows = [[f"{i:032x}", *base[1:], *tails[i % len(tails)], 2027 + i % 2] for i in range(20)]
    with ws.transaction():
        insert_visits(ws.conn, rows)
    back = ws.conn.execute(f"SELECT {', '.join(_VISIT_COLS)} FROM visits ORDER BY visit_id").fetchall()
    assert [list(r) for r in back] == rows
    with ws.transaction():  # written again (a refold): replaced, not doubled
        insert_visits(ws.conn, rows[:5])
    assert ws.scalar("SELECT count(*) FROM visits") == 20
    ws.close()
