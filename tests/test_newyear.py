"""Next year's drive from this year's (issue 21): a workspace with a year of visits takes the bureau's
new list; the three groups, what is carried forward, the year-on-year report equal an answer key;
`check` passes after the rollover and after a replay; a late old-year package changes only last year."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from pathlib import Path

import pytest

from canvasser.core.errors import InputError
from canvasser.core.lists import newyear
from canvasser.core.lists.paid import import_paid
from canvasser.core.lists.roster import import_roster
from canvasser.core.rules import campaign, reports
from canvasser.core.rules.people import update_person
from canvasser.core.rules.search import search
from canvasser.core.rules.visits import record_visit as _record_visit
from canvasser.core.storage import integrity, projection
from canvasser.core.storage.opening import open_workspace
from canvasser.core.storage.projection import rebuild
from tests.fixtures import TODAY, rows, write_csv, write_xlsx
from tests.test_sync_support import VILLAGES, ids_of, make_township, make_village, send


def record_visit(ws, pid, outcome, *, at, **kw):
    """A visit entered on the day it happened (a date may not be later than today)."""
    return _record_visit(ws, pid, outcome, at=at, today=dt.date.fromisoformat(at[:10]), **kw)

NEW_DAY = dt.date(2027, 10, 20)  # a day of the 2028 drive; its same date last year is 2026-10-20


def _write_paid(path: Path, pid: str, paid_at: str) -> Path:
    import openpyxl
    wb = openpyxl.Workbook()
    wb.active.append(["公民身份号码", "缴费金额", "缴费日期"])
    wb.active.append([pid, 400, paid_at])
    wb.save(path)
    return path


@pytest.fixture
def year_of_visits(tmp_path):
    """A village after its 2027 drive, the people it visited by role, and the bureau's 2028 list."""
    people = rows(seed=3, households=40)
    ws = open_workspace(tmp_path / "v.db")
    import_roster(ws, write_xlsx(tmp_path / "2027.xlsx", people), today=TODAY)
    pids = sorted(p["公民身份号码"] for p in people)
    who = dict(zip(("refused", "migrant", "promised", "paid", "late_paid", "official", "refused_pays", "photo"),
                   pids[:8]))
    photo = tmp_path / "证明.jpg"
    photo.write_bytes(b"\xff\xd8\xff\xe0" + b"x" * 100)
    record_visit(ws, who["refused"], "refused", reason="经济困难", by="李书记", at="2026-10-10")
    record_visit(ws, who["migrant"], "migrant_informed", via="微信", by="李书记", at="2026-10-12")
    update_person(ws, who["migrant"], {"phone": "13900001111", "away_place": "广东东莞", "note": "儿子在广东，微信已加"})
    record_visit(ws, who["promised"], "promised", promised="2026-11-20", by="王组长", at="2026-10-15")
    record_visit(ws, who["paid"], "paid_on_site", by="王组长", at="2026-10-05")
    record_visit(ws, who["late_paid"], "not_home", by="王组长", at="2026-10-01")
    record_visit(ws, who["late_paid"], "paid_self", by="王组长", at="2026-12-01")
    import_paid(ws, _write_paid(tmp_path / "paid.xlsx", who["official"], "2026-09-20"))
    record_visit(ws, who["refused_pays"], "refused", reason="认为用不上", by="李书记", at="2026-10-01")
    record_visit(ws, who["photo"], "not_home", by="李书记", at="2026-10-02", photos=[photo])
    gone = {who["paid"], who["official"], pids[20], pids[21]}
    newcomers = [dict(p, **{"村（社区）": people[0]["村（社区）"]}) for p in rows(seed=77, households=2)]
    again = [dict(p, 联系电话="") for p in people if p["公民身份号码"] not in gone]
    listed = write_csv(tmp_path / "2028年度名单.csv", again + newcomers)
    yield ws, people, who, gone, newcomers, listed
    ws.close()


def _row(ws, pid):
    return ws.one("SELECT * FROM persons WHERE pid=?", (pid,))


def test_new_year_groups_carried_fields_and_fresh_statuses(year_of_visits):
    ws, people, who, gone, newcomers, listed = year_of_visits
    res = newyear.start_year(ws, listed, today=TODAY, author="李书记")
    assert (res.year, res.previous_year) == (2028, 2027)
    assert (res.again, res.new, res.gone) == (len(people) - len(gone), len(newcomers), len(gone))
    assert res.gone_implied == {"已参保或已离开": 2, "已缴费": 2}
    settings = {s["key"]: (s["last_year"], s["this_year"]) for s in res.settings}
    assert settings["coverage_year"] == (2027, 2028)
    assert settings["collection_end"] == ("2026-12-31", "2027-12-31")
    assert settings["standard"] == (400, 400)
    camp = campaign.load(ws).values
    assert (camp["coverage_year"], camp["collection_start"], camp["first_year"]) == (2028, "2027-09-01", 2027)

    key = {  # pid: (prev_outcome, readable line)
        who["refused"]: ("refused", "去年：拒绝（经济困难）"),
        who["migrant"]: ("migrant_informed", "去年：外出务工在广东东莞，微信已告知"),
        who["promised"]: ("promised", "去年：11月20日承诺未缴"),
        who["late_paid"]: ("paid_self", "去年：已自行缴费(待核实)"),
        who["refused_pays"]: ("refused", "去年：拒绝（认为用不上）"),
        who["photo"]: ("not_home", "去年：无人在家"),
    }
    for pid, (prev, line) in key.items():
        row = _row(ws, pid)
        assert (row["status"], row["prev_outcome"], newyear.previous_line(row)) == ("", prev, line)
        assert (row["visit_count"], row["last_outcome"], row["active"]) == (0, "", 1)
    migrant = _row(ws, who["migrant"])
    assert (migrant["phone"], migrant["away_place"], migrant["note"], migrant["prev_via"]) == \
        ("13900001111", "广东东莞", "儿子在广东，微信已加", "微信")
    listed_as = {p["公民身份号码"]: p for p in people}
    assert migrant["household"] == listed_as[who["migrant"]]["户编号"]
    assert _row(ws, who["photo"])["evidence"] == 1  # the evidence reference stays
    assert ws.scalar("SELECT count(*) FROM visits WHERE year = 2027") == 8  # history kept, by year
    for pid in gone:
        row = _row(ws, pid)
        assert (row["status"], row["active"], row["left_reason"]) == ("not_listed", 0, "not_listed:2028")
    assert _row(ws, who["official"])["prev_outcome"] == "paid_official"
    for p in newcomers:
        row = _row(ws, p["公民身份号码"])
        assert (row["status"], row["prev_outcome"], row["since_year"]) == ("", "", 2028)
    hit = search(ws, who["refused"])["results"][0]
    assert (hit["status"], hit["previous_outcome"]) == ("", "refused")
    assert integrity.check(ws)["ok"]


def test_year_on_year_report_equals_answer_key(year_of_visits):
    ws, people, who, gone, newcomers, listed = year_of_visits
    newyear.start_year(ws, listed, today=TODAY)
    record_visit(ws, who["refused_pays"], "paid_on_site", by="李书记", at="2027-10-01")
    record_visit(ws, who["refused"], "refused", reason="经济困难", by="李书记", at="2027-10-02")
    record_visit(ws, who["migrant"], "promised", promised="2027-11-01", by="李书记", at="2027-10-03")
    grp = {p["公民身份号码"]: p["村民小组"] for p in [*people, *newcomers]}
    # the answer key, by hand: last year's list is everyone imported in 2027; done by 2026-10-20:
    # the on-site payment of 10-05 and the bureau's payment of 09-20 (the paid_self came in December)
    last_total = Counter(grp[p["公民身份号码"]] for p in people)
    last_done = Counter(grp[who[k]] for k in ("paid", "official"))
    this_total = Counter(grp[p["公民身份号码"]] for p in [*people, *newcomers] if p["公民身份号码"] not in gone)
    this_done = Counter([grp[who["refused_pays"]]])
    yoy = reports.year_on_year(ws, NEW_DAY)
    assert (yoy["year"], yoy["last_year"], yoy["last_year_date"]) == (2028, 2027, "2026-10-20")
    got = {g: ((v["this_year"]["total"], v["this_year"]["done"]), (v["last_year"]["total"], v["last_year"]["done"]))
           for g, v in yoy["by_group"].items()}
    assert got == {g: ((this_total[g], this_done[g]), (last_total[g], last_done[g]))
                   for g in set(this_total) | set(last_total)}
    assert (yoy["this_year_total"]["total"], yoy["last_year_total"]["done"]) == (sum(this_total.values()), 2)
    assert yoy["refusals"] == {"refused_last_year": 2, "done_this_year": 1, "paid_this_year": 1, "off_list": 0}
    figs = reports.make_report(ws, NEW_DAY, save=False)
    assert figs["year_on_year"] == yoy
    assert figs["total"] == sum(this_total.values())  # the gone are off every count
    assert integrity.check(ws)["ok"]
    assert reports.year_on_year(open_workspace(ws.path.with_name("fresh.db")), NEW_DAY) is None


def test_check_after_replay_and_year_change_refused_in_settings(year_of_visits):
    ws, _, who, _, _, listed = year_of_visits
    with pytest.raises(InputError):
        campaign.update(ws, {"coverage_year": 2028})
    newyear.start_year(ws, listed, today=TODAY)
    record_visit(ws, who["promised"], "paid_on_site", by="李书记", at="2027-10-01")
    live = integrity.state_digest(ws)
    with ws.transaction():
        rebuild(ws.conn)  # a full replay of the log gives the same rows
    assert integrity.state_digest(ws) == live
    assert integrity.check(ws)["ok"]
    assert (_row(ws, who["promised"])["status"], _row(ws, who["promised"])["prev_outcome"]) == \
        ("paid_on_site", "promised")


def test_the_roll_over_in_ranges_of_rowids_gives_the_replays_rows(year_of_visits, monkeypatch):
    """The year's roll-over goes a few rows at a time (its memory bounded at a million people): with
    ranges of 3 rowids, every row is the full replay's."""
    ws, _, who, _, _, listed = year_of_visits
    monkeypatch.setattr(projection, "ROLL_OVER_ROWS", 3)
    newyear.start_year(ws, listed, today=TODAY)
    live = integrity.state_digest(ws)
    with ws.transaction():
        rebuild(ws.conn)
    assert integrity.state_digest(ws) == live
    assert _row(ws, who["promised"])["prev_outcome"] == "promised" and _row(ws, who["promised"])["status"] == ""


def test_new_year_failure_leaves_workspace_unchanged(year_of_visits, tmp_path):
    ws, people, *_ = year_of_visits
    before = integrity.state_digest(ws), ws.event_count()
    stranger = write_csv(tmp_path / "别村.csv", rows(seed=501, households=3))
    with pytest.raises(InputError):
        newyear.start_year(ws, stranger, today=TODAY)
    assert (integrity.state_digest(ws), ws.event_count()) == before
    with pytest.raises(InputError):
        newyear.start_year(ws, tmp_path / "没有.csv", today=TODAY)


def test_late_old_year_package_applies_to_old_year_only(tmp_path):
    """The township starts 2028; a village still in 2027 sends a visit recorded in 2027 afterwards.
    The township keeps it as last year's; the village follows the new year by package."""
    town, people = make_township(tmp_path, households=3)
    vil = make_village(town, tmp_path, VILLAGES[0])
    pids = ids_of(people, VILLAGES[0])
    record_visit(vil, pids[0], "promised", promised="2026-12-01", by="村干部", at="2026-11-01")
    send(vil, town, tmp_path / "up1.ccpkg")
    newyear.begin(town, newyear.proposed_settings(town))  # the township starts the year (list later)
    assert (_row(town, pids[0])["status"], _row(town, pids[0])["prev_outcome"]) == ("", "promised")
    record_visit(vil, pids[1], "refused", reason="经济困难", by="村干部", at="2026-12-10")  # still 2027 here
    send(vil, town, tmp_path / "late.ccpkg")
    late = _row(town, pids[1])
    assert (late["status"], late["prev_outcome"], late["prev_reason"], late["visit_count"]) == \
        ("", "refused", "经济困难", 0)
    assert town.scalar("SELECT year FROM visits WHERE pid=?", (pids[1],)) == 2027
    assert integrity.check(town)["ok"]
    send(town, vil, tmp_path / "down.ccpkg", village=VILLAGES[0])  # the village follows
    assert campaign.load(vil).values["coverage_year"] == 2028
    for ws in (town, vil):
        assert [(_row(ws, p)["status"], _row(ws, p)["prev_outcome"]) for p in pids[:2]] == \
            [("", "promised"), ("", "refused")]
        assert integrity.check(ws)["ok"]
    record_visit(vil, pids[1], "paid_on_site", by="村干部", at="2027-10-01")  # this year's, in 2028
    send(vil, town, tmp_path / "up2.ccpkg")
    assert (_row(town, pids[1])["status"], _row(town, pids[1])["prev_outcome"]) == ("paid_on_site", "refused")
    assert integrity.check(town)["ok"]
    town.close()
    vil.close()


def test_visits_written_before_years_belong_to_the_first_year(tmp_path):
    """A visit event with no year (written before years were kept) is the first year's: the
    rollover and the replay agree on it."""
    ws = open_workspace(tmp_path / "old.db")
    people = rows(seed=4, households=5)
    import_roster(ws, write_xlsx(tmp_path / "l.xlsx", people), today=TODAY)
    pid = sorted(p["公民身份号码"] for p in people)[0]
    ws.emit("visit.recorded", f"p:{pid}", {"outcome": "refused", "via": "入户", "reason": "其他", "at": "2026-10-01"})
    assert _row(ws, pid)["status"] == "refused"
    newyear.start_year(ws, write_csv(tmp_path / "2028.csv", people), today=TODAY)
    assert (_row(ws, pid)["status"], _row(ws, pid)["prev_outcome"]) == ("", "refused")
    assert ws.scalar("SELECT year FROM visits") == 2027 and integrity.check(ws)["ok"]
    ws.close()


def test_cli_new_year_json_bad_input_and_search(tmp_path):
    """`canvasser new-year --json` gives the three groups and the year; bad input exits 2 with a
    Chinese reason and changes nothing; `search --json` carries previous_outcome beside status."""
    from tests.test_cli import cli, jcli
    people = rows(seed=5, households=12)
    db = tmp_path / "v.db"
    jcli("import-roster", "--db", db, write_xlsx(tmp_path / "l.xlsx", people))
    pid = people[0]["公民身份号码"]
    jcli("visit", "--db", db, "--id", pid, "--outcome", "refused", "--reason", "经济困难", "--by", "李书记")
    listed = write_csv(tmp_path / "2028.csv", people[1:] + [dict(p, **{"村（社区）": people[0]["村（社区）"]})
                                                           for p in rows(seed=78, households=1)])
    bad = cli("new-year", "--db", db, "--list", listed, "--set", "standard=很多", expect=2)
    assert bad.stderr.startswith("错误：") and len(bad.stderr.strip().splitlines()) == 1
    assert jcli("search", "--db", db, pid)["results"][0]["status"] == "refused"  # unchanged
    res = jcli("new-year", "--db", db, "--list", tmp_path / "2028.csv", "--set", "standard=420")
    assert (res["again"], res["gone"], res["year"]) == (len(people) - 1, 1, 2028) and res["new"] > 0
    assert {s["key"]: s["this_year"] for s in res["settings"]}["standard"] == 420
    hit = jcli("search", "--db", db, people[1]["公民身份号码"])["results"][0]
    assert (hit["status"], hit["previous_outcome"]) == ("", "")
    gone = jcli("search", "--db", db, pid)["results"][0]
    assert (gone["status"], gone["previous_outcome"]) == ("not_listed", "refused")
    assert "与去年同期" in cli("report", "--db", db).stdout
    assert jcli("check", "--db", db)["ok"]


def test_people_off_this_years_list_leave_the_ledgers_and_the_feedback(year_of_visits, tmp_path):
    import openpyxl

    from canvasser.core.outputs import ledgers
    ws, _, who, gone, _, listed = year_of_visits
    newyear.start_year(ws, listed, today=TODAY)
    unpaid = tmp_path / "未缴.xlsx"
    ledgers.write_ledger(ws, unpaid)
    feedback = tmp_path / "反馈.xlsx"
    ledgers.write_feedback(ws, feedback)
    for path, sheet in ((unpaid, ledgers.SHEET_UNPAID), (feedback, None)):
        book = openpyxl.load_workbook(path)
        cells = {str(c) for row in (book[sheet] if sheet else book.active).iter_rows(values_only=True) for c in row}
        assert not gone & cells, path.name
        assert who["refused"] in cells


def test_a_new_year_starts_at_the_township_and_flows_down(tmp_path):
    """A village cannot start 2028 (the tier above decides the coverage year); the township starts it
    with its list, the return package brings it to the village, which then takes its own list for the
    year already started: neither loses the other's last-year records."""
    town, people = make_township(tmp_path, households=3)
    vil = make_village(town, tmp_path, VILLAGES[0])
    mine, theirs = ids_of(people, VILLAGES[0]), ids_of(people, VILLAGES[1])
    record_visit(vil, mine[0], "refused", reason="经济困难", by="村干部", at="2026-11-01")
    record_visit(town, theirs[0], "migrant_informed", via="微信", by="镇干部", at="2026-11-02")
    send(vil, town, tmp_path / "up0.ccpkg")
    village_list = write_csv(tmp_path / "村2028.csv", [p for p in people if p["公民身份号码"] in mine[1:]])
    with pytest.raises(InputError, match="新年度由乡镇开始"):
        newyear.start_year(vil, village_list, today=TODAY)
    assert campaign.load(vil).values["coverage_year"] == 2027 and newyear.started_above(vil) is None
    with pytest.raises(InputError):
        newyear.start_year(town, village_list, year=2030)
    town_list = write_csv(tmp_path / "镇2028.csv", [p for p in people if p["公民身份号码"] not in (mine[0], theirs[1])])
    res = newyear.start_year(town, town_list, today=TODAY)
    assert (res.year, res.gone) == (2028, 2)
    assert [(_row(town, p)["status"], _row(town, p)["prev_outcome"]) for p in (mine[0], theirs[0], theirs[1])] == \
        [("not_listed", "refused"), ("", "migrant_informed"), ("not_listed", "")]
    send(town, vil, tmp_path / "down.ccpkg", village=VILLAGES[0])
    assert campaign.load(vil).values["coverage_year"] == 2028 and newyear.started_above(vil) == 2028
    res = newyear.start_year(vil, village_list, year=2028, today=TODAY)  # its own part of the year's list
    assert (res.year, res.settings) == (2028, [])
    assert (_row(vil, mine[0])["status"], _row(vil, mine[0])["prev_outcome"]) == ("not_listed", "refused")
    send(vil, town, tmp_path / "up1.ccpkg")
    assert campaign.load(town).values["coverage_year"] == 2028
    for ws in (town, vil):
        assert integrity.check(ws)["ok"]
    town.close()
    vil.close()
