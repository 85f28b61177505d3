"""Visits, people edits, campaign rules and follow-ups, through the core functions."""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest

from canvasser.core.errors import InputError
from canvasser.core.lists.roster import import_roster
from canvasser.core.rules import campaign
from canvasser.core.rules.people import add_person, mark_left, move_person, update_person
from canvasser.core.rules.visits import evidence_dir, followups, history, record_visit, undo_last, void_visit
from canvasser.core.storage import evidence, integrity
from canvasser.core.storage.opening import open_workspace
from tests.fixtures import TODAY, rows, write_xlsx


@pytest.fixture
def setup(tmp_path):
    people = rows(households=12)
    ws = open_workspace(tmp_path / "v.db")
    import_roster(ws, write_xlsx(tmp_path / "a.xlsx", people), today=TODAY)
    yield ws, people
    ws.close()


def status(ws, pid):
    return ws.scalar("SELECT status FROM persons WHERE pid=?", (pid,))


def test_void_restores_previous_outcome_and_keeps_history(setup):
    ws, people = setup
    pid = people[0]["公民身份号码"]
    record_visit(ws, pid, "not_home", by="李书记")
    wrong = record_visit(ws, pid, "dead", by="李书记")
    assert status(ws, pid) == "dead"
    void_visit(ws, wrong, by="李书记")
    assert status(ws, pid) == "not_home"
    assert ws.scalar("SELECT count(*) FROM visits WHERE pid=?", (pid,)) == 2  # nothing deleted
    kinds = [h["kind"] for h in history(ws, pid)]
    assert kinds == ["person.created", "visit.recorded", "visit.recorded", "visit.voided"]
    assert {h["author"] for h in history(ws, pid)[1:]} == {"李书记"}
    with pytest.raises(InputError):
        void_visit(ws, wrong)


def test_undo_last_is_per_canvasser(setup):
    ws, people = setup
    a, b = people[1]["公民身份号码"], people[2]["公民身份号码"]
    record_visit(ws, a, "paid_on_site", by="甲")
    record_visit(ws, b, "refused", reason="经济困难", by="乙")
    undone = undo_last(ws, by="甲")
    assert undone["pid"] == a and status(ws, a) == "" and status(ws, b) == "refused"


def test_evidence_photo_copied_and_hashed(setup, tmp_path):
    ws, people = setup
    photo = tmp_path / "death.jpg"
    photo.write_bytes(b"\xff\xd8fake-jpeg-bytes")
    record_visit(ws, people[3]["公民身份号码"], "dead", by="王主任", photos=[photo], note="火化证明")
    digest = hashlib.sha256(photo.read_bytes()).hexdigest()
    sealed = (evidence_dir(ws) / f"{digest}.jpg").read_bytes()
    assert b"fake-jpeg" not in sealed and evidence.unseal(ws.key, sealed) == photo.read_bytes()
    assert ws.scalar("SELECT evidence FROM persons WHERE pid=?", (people[3]["公民身份号码"],)) == 1
    with pytest.raises(InputError):
        record_visit(ws, people[3]["公民身份号码"], "dead", photos=[tmp_path / "missing.jpg"])


def test_people_edits_add_move_leave(setup):
    ws, people = setup
    pid = people[0]["公民身份号码"]
    changed = update_person(ws, pid, {"phone": "13800001111", "grp": "九组"}, by="李书记")
    assert set(changed) >= {"phone", "grp"}
    with pytest.raises(InputError):
        update_person(ws, pid, {"status": "paid_official"})
    body = "51032120260301001"
    from canvasser.core.text.ids import check_digit
    baby = add_person(ws, body + check_digit(body), "李小宝", household=people[0]["户编号"], relation="孙子",
                      by="李书记")
    assert ws.scalar("SELECT members FROM households WHERE hid=?", (people[0]["户编号"],)) == \
        sum(1 for p in people if p["户编号"] == people[0]["户编号"]) + 1
    target = people[-1]["户编号"]
    move_person(ws, baby, target, by="李书记")
    assert ws.scalar("SELECT household FROM persons WHERE pid=?", (baby,)) == target
    mark_left(ws, people[5]["公民身份号码"], "moved_out", by="李书记")
    row = ws.one("SELECT active, left_reason, status FROM persons WHERE pid=?", (people[5]["公民身份号码"],))
    assert row == {"active": 0, "left_reason": "moved_out", "status": "moved_out"}
    assert integrity.check(ws)["ok"]


def test_campaign_rules_amounts_and_done_set(setup):
    ws, _ = setup
    c = campaign.load(ws)
    assert c.amount_due("特困人员") == 0
    assert c.amount_due("低保对象") == 40
    assert c.amount_due("低保边缘户") == 120
    assert c.amount_due("") == 400
    campaign.update(ws, {"subsidies": {**c.subsidies, "低保": 300}, "standard": 420})
    c2 = campaign.load(ws)
    assert c2.amount_due("低保对象") == 120 and c2.amount_due("") == 420
    assert "refused" not in c2.done_set
    campaign.update(ws, {"done_outcomes": [*c2.done_outcomes, "missing"]})
    assert campaign.load(ws).is_done("missing")
    with pytest.raises(InputError):
        campaign.update(ws, {"collection_end": "31/12/2026"})
    with pytest.raises(InputError):
        campaign.update(ws, {"no_such_key": 1})


def test_followups_due(setup):
    ws, people = setup
    today = dt.date(2026, 12, 1)
    record_visit(ws, people[0]["公民身份号码"], "promised", promised="2026-11-28", by="甲")
    record_visit(ws, people[1]["公民身份号码"], "promised", promised="2026-12-10", by="甲")
    record_visit(ws, people[2]["公民身份号码"], "not_home", by="乙")
    record_visit(ws, people[3]["公民身份号码"], "migrant_informed", via="电话", by="乙")
    record_visit(ws, people[4]["公民身份号码"], "paid_on_site", by="甲")
    due = {r["pid"] for r in followups(ws, today)}
    assert due == {people[i]["公民身份号码"] for i in (0, 2, 3)}
    assert {r["pid"] for r in followups(ws, today, canvasser="乙")} == {people[i]["公民身份号码"] for i in (2, 3)}


def test_official_payment_outranks_later_claims(setup):
    ws, people = setup
    pid = people[6]["公民身份号码"]
    ws.emit("status.official", f"p:{pid}", {"year": 2027, "paid": True, "amount": 400, "paid_at": "2026-11-20"})
    record_visit(ws, pid, "refused", reason="其他", by="甲")
    assert status(ws, pid) == "paid_official"
    ws.emit("status.official", f"p:{pid}", {"year": 2026, "paid": True, "amount": 380})  # another year: no effect
    assert ws.scalar("SELECT paid_amount FROM persons WHERE pid=?", (pid,)) == 400
    assert integrity.check(ws)["ok"]


def test_history_writes_an_amount_as_a_cadre_does(setup):
    """The bureau's paid list gives 400.0: the history says 400 元 (382.5 stays as it is)."""
    from canvasser.core.rules.history import history_lines, yuan

    ws, people = setup
    pid = people[7]["公民身份号码"]
    ws.emit("status.official", f"p:{pid}", {"year": 2027, "paid": True, "amount": 400.0, "paid_at": "2026-11-20"})
    assert any("医保局确认已缴费 400 元" in line.text for line in history_lines(ws, pid))
    assert [yuan(a) for a in (400.0, 382.5, "400", 0.1 + 0.2, "未知")] == ["400", "382.5", "400", "0.3", "未知"]
