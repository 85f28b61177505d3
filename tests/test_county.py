"""The county tier: the bureau's workspace, townships made from its setup packages, packages up and
down through both levels, scope held one level up, a village known as (township, village), the
county's figures (townships ranked, departments), and a township that worked alone joining later."""

from __future__ import annotations

import pytest

from canvasser.core.errors import InputError
from canvasser.core.lists.paid import import_paid
from canvasser.core.lists.roster import import_roster
from canvasser.core.rules import campaign, reports
from canvasser.core.rules.people import add_person
from canvasser.core.rules.visits import record_visit
from canvasser.core.storage import integrity
from canvasser.core.storage.opening import open_workspace
from canvasser.core.sync import (
    export_all,
    export_package,
    init_township,
    init_village,
    list_conflicts,
    make_setup_package,
    receive_package,
    resolve_conflict,
    scope,
)
from canvasser.core.sync.package import PackageError
from canvasser.core.tiers import Tier
from tests.county_support import (
    COUNTY,
    TOWNSHIPS,
    county_rows,
    ids_in,
    make_county,
    make_township,
    make_village,
)
from tests.fixtures import TODAY, write_csv
from tests.test_sync_flow import cli, cli_fail, write_paid

EAST, WEST = list(TOWNSHIPS)
SHARED = "杨柳村"  # a village name both townships have


@pytest.fixture
def county(tmp_path):
    c, people = make_county(tmp_path)
    towns = {t: make_township(c, tmp_path, t) for t in TOWNSHIPS}
    yield tmp_path, c, people, towns
    for ws in (c, *towns.values()):
        ws.close()


def send(src, dst, path, **to):
    export_package(src, path, **to)
    return receive_package(dst, path)


def test_a_township_from_the_county_holds_exactly_its_people_and_the_county_rules(county):
    tmp, c, people, towns = county
    assert c.tier is Tier.COUNTY and c.meta("county") == COUNTY
    for t, town in towns.items():
        assert town.tier is Tier.TOWNSHIP and town.meta("county") == COUNTY and town.meta("township") == t
        assert sorted(r[0] for r in town.conn.execute("SELECT pid FROM persons")) == sorted(ids_in(people, t))
        assert reports.figures(town)["total"] == len(ids_in(people, t))
    # the county's rules reach the township, which may not change them (they would be held anyway)
    campaign.update(c, {"payment_link": "https://pay.example.invalid/county", "standard": 380})
    send(c, towns[EAST], tmp / "down.ccpkg", township=EAST)
    assert campaign.load(towns[EAST]).values["payment_link"] == "https://pay.example.invalid/county"
    assert campaign.load(towns[EAST]).values["standard"] == 380
    with pytest.raises(InputError, match="由县设置"):
        campaign.update(towns[EAST], {"standard": 300})
    # a county sets its townships' targets, never their villages'
    with pytest.raises(InputError):
        campaign.update(c, {"targets": {SHARED: 5}})
    campaign.update(towns[EAST], {"targets": {SHARED: 3}})  # the township's own, for its village


def test_villages_work_reaches_the_county_and_the_county_ranks_townships(county):
    tmp, c, people, towns = county
    campaign.update(c, {"township_targets": {EAST: 4, WEST: 40}})
    v = make_village(towns[EAST], tmp, SHARED)
    mine = ids_in(people, EAST, SHARED)
    for pid in mine[:3]:
        record_visit(v, pid, "paid_on_site", by="村文书")
    send(v, towns[EAST], tmp / "v-up.ccpkg")
    got = send(towns[EAST], c, tmp / "t-up.ccpkg")
    assert got["applied"] >= 3 and got["held"] == 0
    figs = reports.figures(c, TODAY)
    bt = figs["by_township"]
    assert (bt[EAST]["done"], bt[EAST]["target"], bt[WEST]["target"]) == (3, 4, 40)
    assert figs["ranking"] == [EAST, WEST] and bt[EAST]["rank"] == 1
    assert bt[EAST]["last_package"] and not bt[EAST]["silent"] and bt[WEST]["silent"] and WEST in figs["silent"]
    # drill-down: the township's villages, each with its own target from the township's layer
    assert bt[EAST]["by_village"][SHARED]["done"] == 3
    # the township counts against the task number the county gave it, and agrees on every figure
    send(c, towns[EAST], tmp / "c-down.ccpkg", township=EAST)
    own = reports.figures(towns[EAST], TODAY)
    assert (own["total"], own["done"], own["target"]) == (bt[EAST]["total"], bt[EAST]["done"], 4)
    # departments: 教育 answers for every student on the list
    students = sum(1 for p in people if "学生" in p["人员类别"])
    assert figs["departments"]["教育"]["total"] == students
    assert set(figs["departments"]) >= {"教育", "民政", "残联", "乡村振兴", "退役军人"}


def test_a_village_is_township_and_village_everywhere(county):
    tmp, c, people, towns = county
    for t in TOWNSHIPS:  # each township's 杨柳村 gets its own target, in its own layer
        campaign.update(towns[t], {"targets": {SHARED: 2 if t == EAST else 7}})
        send(towns[t], c, tmp / f"up-{t}.ccpkg")
    figs = reports.figures(c, TODAY)
    east, west = f"{EAST}/{SHARED}", f"{WEST}/{SHARED}"
    assert {east, west} <= set(figs["by_village"])
    assert figs["by_village"][east]["total"] == len(ids_in(people, EAST, SHARED))
    assert figs["by_village"][west]["total"] == len(ids_in(people, WEST, SHARED))
    assert (figs["by_village"][east]["target"], figs["by_village"][west]["target"]) == (2, 7)
    assert figs["by_township"][WEST]["by_village"][SHARED]["target"] == 7
    # each township's setting stays its own: neither overwrote the other at the county, nor came back
    assert campaign.load(c, township=EAST).values["targets"] == {SHARED: 2}
    assert campaign.load(c, township=WEST).values["targets"] == {SHARED: 7}
    send(c, towns[EAST], tmp / "down.ccpkg", township=EAST)
    assert campaign.load(towns[EAST]).values["targets"] == {SHARED: 2}


def test_a_townships_record_about_another_townships_person_is_held(county):
    tmp, c, people, towns = county
    v = make_village(towns[EAST], tmp, SHARED)
    other = ids_in(people, WEST)[0]
    add_person(v, other, "外来人", by="村文书")
    record_visit(v, other, "dead", by="村文书")
    send(v, towns[EAST], tmp / "v-up.ccpkg")
    got = send(towns[EAST], c, tmp / "t-up.ccpkg")
    assert got["held"] == 2
    assert c.scalar("SELECT township FROM persons WHERE pid=?", (other,)) == WEST
    assert c.scalar("SELECT status FROM persons WHERE pid=?", (other,)) != "dead"
    assert reports.figures(c)["by_township"][WEST]["total"] == len(ids_in(people, WEST))
    held = scope.held_records(c)
    assert {h["village"] for h in held} == {EAST} and any(WEST in h["reason"] for h in held)
    # sent again: nothing held twice; the township is told what the county did not take
    send(towns[EAST], c, tmp / "t-up2.ccpkg")
    assert c.scalar("SELECT count(*) FROM held_events") == 2
    send(c, towns[EAST], tmp / "down.ccpkg", township=EAST)
    assert len(scope.returned(towns[EAST])) == 2
    assert integrity.check(c)["ok"] and integrity.check(towns[EAST])["ok"]


def test_a_duplicate_across_townships_is_resolved_by_township(county, capsys):
    tmp, c, people, towns = county
    baby = "510321201001010016"
    for t in TOWNSHIPS:
        v = make_village(towns[t], tmp, SHARED)
        add_person(v, baby, "范小宝", by="村文书")
        if t == WEST:
            record_visit(v, baby, "paid_on_site", by="村文书")
        send(v, towns[t], tmp / f"v-up-{t}.ccpkg")
        send(towns[t], c, tmp / f"t-up-{t}.ccpkg")
        v.close()
    [dup] = list_conflicts(c)
    assert sorted(dup["villages"]) == [f"{EAST}/{SHARED}", f"{WEST}/{SHARED}"] and dup["townships"] == [EAST, WEST]
    # the same village name in both: naming the village alone is not enough
    with pytest.raises(InputError):
        resolve_conflict(c, baby, SHARED)
    res = cli(capsys, "conflicts", "--db", tmp / "county.db", "--resolve", baby, "--township", WEST, "--by", "县医保局")
    assert (res["township"], res["village"], res["adopted"]) == (WEST, SHARED, 1)
    with open_workspace(tmp / "county.db") as c2:
        assert c2.scalar("SELECT township FROM persons WHERE pid=?", (baby,)) == WEST
        assert c2.scalar("SELECT status FROM persons WHERE pid=?", (baby,)) == "paid_on_site"
    for t in TOWNSHIPS:
        send(c, towns[t], tmp / f"down-{t}.ccpkg", township=t)
        assert towns[t].scalar("SELECT township FROM persons WHERE pid=?", (baby,)) == WEST


def test_the_bureaus_paid_list_goes_down_and_every_tier_agrees(county):
    tmp, c, people, towns = county
    v = make_village(towns[WEST], tmp, SHARED)
    paid = ids_in(people, WEST, SHARED)[:2]
    import_paid(c, write_paid(tmp / "paid.csv", paid))
    res = export_all(c, tmp)
    assert sorted(r["receiver"] for r in res) == sorted(TOWNSHIPS)
    for r in res:
        receive_package(towns[r["receiver"]], r["file"])
    send(towns[WEST], v, tmp / "t-down.ccpkg", village=SHARED)
    for ws in (c, towns[WEST], v):
        assert {ws.scalar("SELECT status FROM persons WHERE pid=?", (p,)) for p in paid} == {"paid_official"}
    bt = reports.figures(c)["by_township"][WEST]
    own = reports.figures(towns[WEST])
    assert (own["total"], own["done"], own["paid_official"]) == (bt["total"], bt["done"], bt["paid_official"])
    assert reports.figures(v)["done"] == bt["by_village"][SHARED]["done"] == 2
    for a, b in ((v, towns[WEST]), (towns[WEST], c)):
        assert integrity.state_digest(a, SHARED, WEST) == integrity.state_digest(b, SHARED, WEST)
    # a township's own paid list is a claim, never the bureau's confirmation
    more = ids_in(people, WEST, SHARED)[2:3]
    import_paid(towns[WEST], write_paid(tmp / "mine.csv", more))
    assert towns[WEST].scalar("SELECT status FROM persons WHERE pid=?", (more[0],)) != "paid_official"
    v.close()


def test_a_township_that_started_alone_joins_its_county_keeping_its_work(tmp_path, capsys):
    everyone = county_rows()
    c = open_workspace(tmp_path / "county.db")
    from canvasser.core.sync import init_county

    init_county(c, COUNTY)
    import_roster(c, write_csv(tmp_path / "county.csv", everyone), today=TODAY)
    make_setup_package(c, EAST, tmp_path / "join.ccpkg", code="QS7K-2M9P-XT4D-8RWA")
    # the township worked alone: its own list (no township column), a village set up, a visit
    mine = [dict(p, **{"乡镇（街道）": ""}) for p in everyone if p["乡镇（街道）"] == EAST]
    t = open_workspace(tmp_path / "alone.db")
    init_township(t, EAST)
    import_roster(t, write_csv(tmp_path / "alone.csv", mine), today=TODAY)
    make_setup_package(t, SHARED, tmp_path / "v.ccpkg", no_code=True)
    init_village(tmp_path / "v.db", tmp_path / "v.ccpkg")
    v = open_workspace(tmp_path / "v.db")
    pid = ids_in(everyone, EAST, SHARED)[0]
    record_visit(v, pid, "paid_self", by="村文书")
    send(v, t, tmp_path / "v-up.ccpkg")
    campaign.update(t, {"targets": {SHARED: 9}, "standard": 350})
    t.close()
    res = cli(capsys, "init", "--db", tmp_path / "alone.db", "--from", tmp_path / "join.ccpkg",
              "--code", "QS7K-2M9P-XT4D-8RWA")
    assert res["joined"] and res["mode"] == "township" and res["county"] == COUNTY and res["pending"] > 0
    t = open_workspace(tmp_path / "alone.db")
    try:
        assert t.scalar("SELECT status FROM persons WHERE pid=?", (pid,)) == "paid_self"
        assert campaign.load(t).values["standard"] == 400  # the county's rule now, not the one set alone
        # its village still syncs with it (it kept its keys), and its work goes up to the county
        record_visit(v, ids_in(everyone, EAST, SHARED)[1], "not_home", by="村文书")
        send(v, t, tmp_path / "v-up2.ccpkg")
        got = send(t, c, tmp_path / "t-up.ccpkg")
        assert got["applied"] > 0
        assert c.scalar("SELECT status FROM persons WHERE pid=?", (pid,)) == "paid_self"
        figs = reports.figures(c)["by_township"][EAST]
        assert figs["done"] == 1 and figs["by_village"][SHARED]["target"] == 9
        send(c, t, tmp_path / "c-down.ccpkg", township=EAST)
        own = reports.figures(t)
        assert (own["total"], own["done"]) == (figs["total"], figs["done"])
        assert integrity.check(t)["ok"] and integrity.check(c)["ok"]
    finally:
        for ws in (c, t, v):
            ws.close()


def test_the_command_line_speaks_county(tmp_path, capsys):
    src = write_csv(tmp_path / "county.csv", county_rows())
    db = tmp_path / "c.db"
    assert cli(capsys, "init", "--db", db, "--county", COUNTY)["mode"] == "county"
    cli(capsys, "import-roster", "--db", db, src)
    code, err = cli_fail(capsys, "campaign", "--db", db, "--target", "不存在镇=5")
    assert code == 2 and "不存在镇" in err
    assert cli(capsys, "campaign", "--db", db, "--target", f"{EAST}=12")["campaign"]["township_targets"] == {EAST: 12}
    code, err = cli_fail(capsys, "setup-package", "--db", db, "--township", "不存在镇", "--out", tmp_path / "x.ccpkg")
    assert code == 2
    cli(capsys, "setup-package", "--db", db, "--township", EAST, "--out", tmp_path / "e.ccpkg", "--no-code")
    res = cli(capsys, "init", "--db", tmp_path / "e.db", "--from", tmp_path / "e.ccpkg")
    assert (res["mode"], res["township"], res["county"], res["people"]) == ("township", EAST, COUNTY,
                                                                             len(ids_in(county_rows(), EAST)))
    code, err = cli_fail(capsys, "export", "--db", db, "--out", tmp_path / "x.ccpkg")
    assert code == 2 and "--township" in err
    code, err = cli_fail(capsys, "export", "--db", db, "--village", SHARED, "--out", tmp_path / "x.ccpkg")
    assert code == 2
    up = cli(capsys, "export", "--db", tmp_path / "e.db", "--out", tmp_path / "up.ccpkg")
    assert up["direction"] == "up" and up["receiver"] == COUNTY
    rep = cli(capsys, "report", "--db", db)
    assert set(rep["by_township"]) == set(TOWNSHIPS) and rep["by_township"][EAST]["target"] == 12
    assert {"教育", "民政"} <= set(rep["departments"])
    status = cli(capsys, "status", "--db", tmp_path / "e.db")
    assert status["above"]["name"] == COUNTY and status["county"] == COUNTY
    with pytest.raises(PackageError):
        with open_workspace(db) as c:
            export_package(c, tmp_path / "y.ccpkg", township="不存在镇")


def test_the_countys_report_for_the_meeting_as_pdf_and_xlsx(county, capsys):
    """`report --out` at a county writes the 约谈会's report: the last townships and departments with
    their gaps, every township ranked with a rate that names its denominator and equals the JSON, and
    who made it (the PDF read back, the workbook with openpyxl)."""
    import openpyxl

    from tests.pdfread import pdftext

    tmp, c, people, towns = county
    campaign.update(c, {"township_targets": {EAST: 4, WEST: 40}})
    v = make_village(towns[EAST], tmp, SHARED)
    for pid in ids_in(people, EAST, SHARED)[:3]:
        record_visit(v, pid, "paid_on_site", by="村文书")
    send(v, towns[EAST], tmp / "v-up.ccpkg")
    send(towns[EAST], c, tmp / "t-up.ccpkg")
    v.close()
    c.close()  # (the command opens the file itself)
    db = tmp / "county.db"
    rep = cli(capsys, "report", "--db", db, "--out", tmp / "通报.pdf", "--by", "李四")
    assert rep["pages"] >= 1 and rep["ranking"] == [EAST, WEST]
    text = pdftext(tmp / "通报.pdf")
    assert "约谈要点" in text and "制表人：李四" in text and "未按时上报" in text
    assert f"排名后一位的乡镇：{WEST}（第 2 名" in text and "距任务数差 40 人" in text  # (of two, the last)
    cli(capsys, "report", "--db", db, "--out", tmp / "通报.xlsx", "--by", "李四")
    wb = openpyxl.load_workbook(tmp / "通报.xlsx")
    assert wb.sheetnames[:3] == ["约谈要点", "乡镇排名", "责任部门"]
    assert any(r[0] == "制表人：李四" for r in wb["约谈要点"].iter_rows(values_only=True))
    rows = list(wb["乡镇排名"].iter_rows(min_row=2, values_only=True))
    head, body = rows[0], {r[1]: r for r in rows[1:] if r[1]}
    rate = head.index("完成率（占任务数）")
    for t in (EAST, WEST):
        fig = rep["by_township"][t]
        assert body[t][head.index("任务数")] == fig["target"] and body[t][head.index("已完成")] == fig["done"]
        assert abs(body[t][rate] - fig["done"] / fig["target"]) < 1e-9
    assert body["全县合计"][head.index("已完成")] == rep["done"]
