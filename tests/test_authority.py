"""The township decides (issue 28): who owns each setting, by tier; what a village's package may not
carry (held, never applied or forwarded, written over); a paid list kept below the top as claims; a
new year only from the top; a disputed person's records adopted on the assignment; what was not
adopted told back to the village."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from canvasser.core import authority
from canvasser.core.errors import InputError
from canvasser.core.lists import newyear
from canvasser.core.lists.paid import import_paid
from canvasser.core.rules import campaign, reports
from canvasser.core.rules.people import add_person
from canvasser.core.rules.visits import record_visit
from canvasser.core.storage import integrity
from canvasser.core.sync import list_conflicts, resolve_conflict, scope
from canvasser.core.sync.conflicts import versions
from canvasser.core.text import ids
from canvasser.core.tiers import Tier
from tests.test_sync_flow import cli, cli_fail
from tests.test_sync_support import VILLAGES, ids_of, make_township, make_village, send

A, B, C = VILLAGES


def write_paid(path: Path, people: list[dict]) -> Path:
    with open(path, "w", encoding="utf-8-sig", newline="") as f:
        w = csv.writer(f)
        w.writerow(["身份证号码", "姓名", "缴费金额", "缴费日期"])
        for p in people:
            w.writerow([p["公民身份号码"], p["姓名"], "400", "2026-11-20"])
    return path


@pytest.fixture
def world(tmp_path):
    town, people = make_township(tmp_path, households=4)
    vs = {v: make_village(town, tmp_path, v) for v in (A, B)}
    yield tmp_path, town, people, vs
    for ws in (town, *vs.values()):
        ws.close()


def test_every_setting_has_a_decider_phrased_by_tier(world):
    _, town, _, vs = world
    assert set(campaign.DEFAULTS) <= set(authority.SETTINGS)
    # a village decides only its own house; the township (nothing above it) decides everything
    assert {k for k in campaign.DEFAULTS if authority.decides(vs[A], k)} == set(authority.own_keys())
    assert all(authority.decides(town, k) for k in campaign.DEFAULTS)
    assert authority.above(vs[A]) is Tier.TOWNSHIP and authority.above(town) is None
    assert authority.set_above(vs[A]) == "由乡镇设置" and not authority.decides(vs[A], authority.CONFIRM_PAYMENTS)
    # the same rule one level up: a township that joined its county no longer decides the year's rules,
    # but still sets its villages' targets
    town.conn.execute("INSERT INTO peers (peer, kind, name) VALUES ('county-1', 'county', '某县')")
    assert authority.above(town) is Tier.COUNTY and authority.set_above(town) == "由县设置"
    assert not authority.decides(town, "payment_link") and authority.decides(town, "targets")
    assert not authority.decides(town, authority.CONFIRM_PAYMENTS) and authority.decides(town, "lock_minutes")
    town.conn.execute("DELETE FROM peers WHERE peer='county-1'")


def test_a_village_cannot_change_what_the_township_decides(world, capsys):
    tmp, town, _, vs = world
    db = tmp / f"{A}.db"
    code, err = cli_fail(capsys, "campaign", "--db", db, "--set", "payment_link=https://evil.example.invalid/pay")
    assert code == 2 and "由乡镇设置" in err
    code, err = cli_fail(capsys, "campaign", "--db", db, "--target", f"{A}=20")
    assert code == 2 and "任务数" in err
    assert cli(capsys, "campaign", "--db", db, "--set", "lock_minutes=5")["changed"] == ["lock_minutes"]
    # its own lock time stays its own: kept in meta, never an event, never sent
    assert campaign.load(vs[A]).values["lock_minutes"] == 5
    assert vs[A].scalar("SELECT count(*) FROM events WHERE kind='campaign.set' AND payload LIKE '%lock_minutes%'") == 0
    send(vs[A], town, tmp / "up.ccpkg")
    assert campaign.load(town).values["lock_minutes"] == 15
    # unchanged values of the township's settings pass (the settings screen sends the whole form)
    assert campaign.update(vs[A], {**campaign.load(vs[A]).values}) == {}


def test_a_package_carrying_the_townships_settings_is_held_and_written_over(world):
    tmp, town, people, vs = world
    campaign.update(town, {"payment_link": "https://pay.example.invalid/county", "targets": {A: 15}})
    send(town, vs[A], tmp / "d0.ccpkg", village=A)
    # an older version (or a forged package) sends the changes anyway
    vs[A].emit("campaign.set", "campaign", {"payment_link": "https://evil.example.invalid/pay", "targets": {A: 2}})
    vs[A].emit("campaign.year_started", "campaign", {"coverage_year": 2028, "first_year": 2027})
    got = send(vs[A], town, tmp / "up.ccpkg")
    assert got["held"] == 2 and not got["held_reasons"] and all("乡镇" in why for why in got["held_refused"])
    assert "不采用 2 条" in scope.held_line(got)
    camp = campaign.load(town).values
    assert (camp["payment_link"], camp["targets"][A], camp["coverage_year"]) == \
        ("https://pay.example.invalid/county", 15, 2027)
    assert scope.list_held(town) == []  # refused at once: nothing for the clerk to adopt
    # never forwarded: another village gets the township's values
    send(town, vs[B], tmp / "d-b.ccpkg", village=B)
    assert campaign.load(vs[B]).values["payment_link"] == "https://pay.example.invalid/county"
    # written over: the village converges on the township's values and is told why
    send(town, vs[A], tmp / "d1.ccpkg", village=A)
    camp = campaign.load(vs[A]).values
    assert (camp["payment_link"], camp["targets"][A], camp["coverage_year"]) == \
        ("https://pay.example.invalid/county", 15, 2027)
    told = scope.returned(vs[A])
    assert len(told) == 2 and {r["decision"] for r in told} == {scope.REFUSED}
    assert "乡镇未采用本村 2 条记录" in scope.returned_line(vs[A])
    for ws in (town, vs[A], vs[B]):
        assert integrity.check(ws)["ok"]


def test_a_village_paid_list_is_a_claim_and_only_the_bureaus_confirms(world, capsys):
    tmp, town, people, vs = world
    mine = [p for p in people if p["村（社区）"] == A]
    res = import_paid(vs[A], write_paid(tmp / "made-up.csv", mine[:2]))
    assert res.claimed and res.new == 2
    assert vs[A].scalar("SELECT status FROM persons WHERE pid=?", (mine[0]["公民身份号码"],)) == campaign.LIST_CLAIM
    assert import_paid(vs[A], tmp / "made-up.csv").new == 0  # the same list again writes nothing
    # a forged official payment from the village
    vs[A].emit("status.official", f"p:{mine[2]['公民身份号码']}", {"year": 2027, "paid": True, "amount": 400})
    got = send(vs[A], town, tmp / "up.ccpkg")
    assert got["held"] == 1
    statuses = [town.scalar("SELECT status FROM persons WHERE pid=?", (p["公民身份号码"],)) for p in mine[:3]]
    assert statuses == [campaign.LIST_CLAIM, campaign.LIST_CLAIM, ""]
    send(town, vs[A], tmp / "down.ccpkg", village=A)  # the township says "not confirmed" for the forged one
    assert vs[A].scalar("SELECT status FROM persons WHERE pid=?", (mine[2]["公民身份号码"],)) == ""
    ours, theirs = reports.figures(vs[A]), reports.figures(town)["by_village"][A]
    assert (ours["done"], ours["paid_official"], ours["paid_claimed"]) == \
        (theirs["done"], theirs["paid_official"], theirs["paid_claimed"]) == (2, 0, 2)
    # the bureau's list at the township confirms
    res = import_paid(town, write_paid(tmp / "bureau.csv", mine[:1]))
    assert not res.claimed and res.new == 1
    assert town.scalar("SELECT status FROM persons WHERE pid=?", (mine[0]["公民身份号码"],)) == "paid_official"
    for ws in (town, vs[A]):
        assert integrity.check(ws)["ok"]


def _someone(i: int) -> dict:
    body = f"11010119900307{i:03d}"
    return {"公民身份号码": body + ids.check_digit(body), "姓名": f"外乡人{i}"}


def test_a_paid_list_matching_few_warns_with_names(world):
    tmp, town, people, _ = world
    res = import_paid(town, write_paid(tmp / "wrong.csv", [_someone(1), _someone(2)]))
    assert res.matched == 0 and "没有一人" in res.warning and "外乡人1" in res.warning
    assert res.sample[0]["id"] == ids.mask(_someone(1)["公民身份号码"])  # masked, never the full number
    mine = [p for p in people if p["村（社区）"] == A]
    res = import_paid(town, write_paid(tmp / "few.csv", mine[:1] + [_someone(i) for i in range(3, 7)]))
    assert res.matched == 1 and "只匹配到 1 人" in res.warning and res.as_json()["warning"] == res.warning
    assert import_paid(town, write_paid(tmp / "ok.csv", mine[:3])).warning == ""


def _twin(world):
    """B adds a person on A's list and records a payment on the spot; both packages reach the township."""
    tmp, town, people, vs = world
    twin = [p for p in people if p["村（社区）"] == A][3]
    hh = [p for p in people if p["村（社区）"] == B][0]["户编号"]
    add_person(vs[B], twin["公民身份号码"], twin["姓名"], household=hh, relation="其他", by="村文书")
    record_visit(vs[B], twin["公民身份号码"], "paid_on_site", by="村文书")
    got = {v: send(vs[v], town, tmp / f"up-{v}.ccpkg") for v in (A, B)}
    return twin["公民身份号码"], got


def test_a_disputed_person_is_counted_once_and_adopted_on_assignment(world):
    tmp, town, people, vs = world
    pid, got = _twin(world)
    assert got[B]["held"] == 1 and any("待核对" in why for why in got[B]["held_reasons"])
    assert [c["id"] for c in list_conflicts(town)] == [pid]
    figs = reports.figures(town)
    # counted once, under 待核对: in the total, in neither village
    assert figs["pending_review"]["total"] == 1 and figs["pending_review"]["counted"]
    assert figs["total"] == sum(v["total"] for v in figs["by_village"].values()) + 1
    assert [v["visits"] for v in versions(town, pid)["versions"] if v["village"] == B] == [1]
    res = resolve_conflict(town, pid, B, by="乡镇干事")
    assert (res["adopted"], res["not_adopted"]) == (1, 0)
    assert town.scalar("SELECT status FROM persons WHERE pid=?", (pid,)) == "paid_on_site"
    assert reports.figures(town)["pending_review"]["total"] == 0
    for v in (A, B):
        send(town, vs[v], tmp / f"down-{v}.ccpkg", village=v)
        own, theirs = reports.figures(vs[v]), reports.figures(town)["by_village"][v]
        assert {k: own[k] for k in ("total", "done", "visited", "target")} == \
            {k: theirs[k] for k in ("total", "done", "visited", "target")}, v
        assert reports.workload(vs[v]) == {k.split("·", 1)[1]: n for k, n in reports.workload(town).items()
                                           if k.startswith(f"{v}·")}
    assert scope.returned(vs[B]) == []
    for ws in (town, *vs.values()):
        assert integrity.check(ws)["ok"]


def test_assigned_elsewhere_the_village_is_told_what_was_not_adopted(world):
    tmp, town, people, vs = world
    pid, _ = _twin(world)
    send(town, vs[B], tmp / "down-b0.ccpkg", village=B)
    # B knows of the dispute: it counts the person nowhere until the township decides
    assert reports.figures(vs[B])["pending_review"] == {**reports.figures(vs[B])["pending_review"], "total": 1,
                                                         "counted": False}
    assert [r["decision"] for r in scope.returned(vs[B])] == [scope.WAITING]
    res = resolve_conflict(town, pid, A, by="乡镇干事")
    assert (res["adopted"], res["not_adopted"]) == (0, 1)
    assert town.scalar("SELECT status FROM persons WHERE pid=?", (pid,)) == ""
    send(town, vs[B], tmp / "down-b1.ccpkg", village=B)
    [told] = scope.returned(vs[B])
    assert told["decision"] == scope.NOT_ADOPTED and A in told["reason"] and "当场协助缴费" in told["what"]
    assert told["name"] and "乡镇未采用本村 1 条记录" in scope.returned_line(vs[B])
    theirs = reports.figures(town)["by_village"][B]
    assert (reports.figures(vs[B])["done"], reports.figures(vs[B])["total"]) == (theirs["done"], theirs["total"])
    assert reports.workload(vs[B]) == {k.split("·", 1)[1]: n for k, n in reports.workload(town).items()
                                       if k.startswith(f"{B}·")}


def test_the_held_screen_accepts_and_rejects_one_by_one(world):
    tmp, town, people, vs = world
    from canvasser.core.lists.roster import import_roster
    from tests.fixtures import TODAY

    import_roster(vs[A], tmp / "township.csv", today=TODAY, all_villages=True)  # the wrong file, forced
    others = ids_of(people, B)[:2]
    for pid in others:
        record_visit(vs[A], pid, "not_home", by="村文书")
    send(vs[A], town, tmp / "up.ccpkg")
    visits = [h for h in scope.held_records(town) if h["kind"] == "visit.recorded"]
    assert {h["id"] for h in visits} == set(others) and all(h["village"] == A and h["name"] for h in visits)
    scope.decide(town, "all", True, event_ids=[visits[0]["event_id"]])
    scope.decide(town, "all", False, event_ids=[visits[1]["event_id"]])
    assert town.scalar("SELECT visit_count FROM persons WHERE pid=?", (visits[0]["id"],)) == 1
    assert town.scalar("SELECT visit_count FROM persons WHERE pid=?", (visits[1]["id"],)) == 0
    decided = {h["event_id"]: h["decision"] for h in scope.held_records(town, decided=True)}
    assert (decided[visits[0]["event_id"]], decided[visits[1]["event_id"]]) == (scope.ACCEPTED, scope.REJECTED)
    send(town, vs[A], tmp / "down.ccpkg", village=A)
    assert visits[1]["event_id"] in {r["event_id"] for r in scope.returned(vs[A])}
    assert visits[0]["event_id"] not in {r["event_id"] for r in scope.returned(vs[A])}


def test_a_village_cannot_start_the_year(world, capsys, tmp_path):
    _, town, people, vs = world
    listed = tmp_path / "村2028.csv"
    with open(listed, "w", encoding="utf-8-sig", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(people[0]))
        w.writeheader()
        w.writerows(p for p in people if p["村（社区）"] == A)
    code, err = cli_fail(capsys, "new-year", "--db", tmp_path / f"{A}.db", "--list", listed)
    assert code == 2 and "新年度由乡镇开始" in err
    with pytest.raises(InputError):
        newyear.begin(vs[A], {"coverage_year": 2028})
    assert campaign.load(vs[A]).values["coverage_year"] == 2027
