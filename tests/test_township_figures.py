"""The township's day in core: one definition of every figure, ranking by target, freshness, and a
duplicate resolved whole (issue 23)."""

from __future__ import annotations

import csv
import datetime as dt
import json
from pathlib import Path

import pytest

from canvasser.cli import main
from canvasser.core import clock
from canvasser.core.errors import InputError
from canvasser.core.lists.paid import import_paid
from canvasser.core.rules import campaign, dashboard, figures, freshness, reports
from canvasser.core.rules.people import add_person
from canvasser.core.rules.visits import record_visit
from canvasser.core.sync import export_package, list_conflicts, receive_package, resolve_conflict
from canvasser.core.sync.conflicts import versions
from tests.fixtures import ledger_table
from tests.pdfread import pdftext
from tests.test_sync_support import VILLAGES, ids_of, make_township, make_village, send

A, B, C = VILLAGES
BABY = "51032120260815001X"


def write_paid(path: Path, pids: list[str]) -> Path:
    with open(path, "w", encoding="utf-8-sig", newline="") as f:
        w = csv.writer(f)
        w.writerow(["身份证号码", "姓名", "缴费金额", "缴费日期", "缴费年度"])
        for pid in pids:
            w.writerow([pid, "", "400", "2026-11-20", "2027"])
    return path


@pytest.fixture
def world(tmp_path):
    """A township of three villages; A and B are set up, C never is."""
    town, people = make_township(tmp_path, households=6)
    vs = {v: make_village(town, tmp_path, v) for v in (A, B)}
    yield tmp_path, town, people, vs
    for ws in (town, *vs.values()):
        ws.close()


def test_one_target_typed_counts_the_others_by_list_size_everywhere(world):
    tmp, town, people, _ = world
    sizes = {v: len(ids_of(people, v)) for v in VILLAGES}
    record_visit(town, ids_of(people, A)[0], "paid_on_site", by="干事")
    record_visit(town, ids_of(people, A)[1], "dead", by="干事")
    import_paid(town, write_paid(tmp / "paid.csv", ids_of(people, B)[:3]))
    campaign.update(town, {"targets": {A: 4}})
    want = 4 + sizes[B] + sizes[C]
    header = dashboard.progress(town)
    figs = reports.figures(town)
    assert header["target"] == figs["target"] == want == sum(v["target"] for v in figs["by_village"].values())
    assert header["done"] == figs["done"] == 5
    assert header["rate"] == figs["target_rate"] == round(5 / want, 4)
    # ranked by done against the task number: A (2 of 4) before B (3 of its list)
    assert figs["ranking"][0] == A and figs["by_village"][A]["rank"] == 1
    assert figs["by_village"][A]["gap"] == 2
    assert figs["ranking"] == figures.ranking(figs["by_village"])
    # each card's parts add up: confirmed + claimed + not needed = done; done + remaining = list
    for acc in (figs, *figs["by_village"].values(), *figs["by_group"].values()):
        assert figures.check_parts(acc)
    assert (figs["paid_official"], figs["paid_claimed"], figs["accepted"]) == (3, 1, 1)


def test_visited_counts_people_with_a_visit_not_paid_list_matches(world):
    tmp, town, people, _ = world
    seen = ids_of(people, A)[:3]
    for pid in seen:
        record_visit(town, pid, "not_home", by="干事")
    record_visit(town, seen[0], "promised", by="干事", promised="2026-12-01")
    import_paid(town, write_paid(tmp / "paid.csv", ids_of(people, B)[:4] + seen[:1]))
    figs = reports.figures(town)
    assert figs["visited"] == 3
    assert figs["by_village"][A]["visited"] == 3 and figs["by_village"][B]["visited"] == 0
    assert reports.make_report(town, save=False)["visited"] == 3


def test_silent_villages_are_listed_and_the_last_package_is_shown(world):
    tmp, town, people, vs = world
    record_visit(vs[A], ids_of(people, A)[0], "not_home", by="村文书")
    got = send(vs[A], town, tmp / "up-a.ccpkg")
    figs = reports.figures(town)
    assert figs["by_village"][A]["last_package"] and not figs["by_village"][A]["silent"]
    assert figs["by_village"][B]["last_package"] == "" and figs["by_village"][C]["last_package"] == ""
    # silent: set up and never reporting (B); C was never set up, so it is named apart, not as silent
    assert figs["silent"] == [B] and figs["not_set_up"] == [C]
    fresh = freshness.by_village(town, VILLAGES)
    assert fresh[A]["applied"] == got["applied"] and fresh[A]["packages"] == 1
    assert not fresh[C]["set_up"] and fresh[B]["set_up"]
    assert "未配置" in freshness.describe(fresh[C]) and "从未上报" in freshness.describe(fresh[B])
    # silent for more days than the campaign allows: stands out again
    campaign.update(town, {"silent_days": 2})
    later = reports.figures(town, clock.today() + dt.timedelta(days=3))  # 3 days after the receipt
    assert sorted(later["silent"]) == sorted([A, B]) and later["not_set_up"] == [C]
    assert reports.figures(vs[A])["silent"] == []  # a village workspace has no one to hear from


def test_a_duplicate_resolved_to_one_village_wins_whole_in_every_workspace(world):
    from canvasser.core.outputs.ledgers import write_feedback
    from canvasser.core.rules.dashboard import PeopleFilter, list_where

    tmp, town, people, vs = world
    homes = {A: ids_of(people, A)[0], B: ids_of(people, B)[0]}
    home_hh = {v: town.scalar("SELECT household FROM persons WHERE pid=?", (homes[v],)) for v in (A, B)}
    for v, rel in ((A, "孙女"), (B, "子")):
        add_person(vs[v], BABY, "范小宝", household=home_hh[v], relation=rel, grp="一组", by="村文书")
    for v in (A, B):
        send(vs[v], town, tmp / f"up-{v}.ccpkg")
    assert [c["id"] for c in list_conflicts(town)] == [BABY]
    side = versions(town, BABY)
    assert {x["village"]: (x["fields"]["household"], x["fields"]["relation"]) for x in side["versions"]} == \
        {A: (home_hh[A], "孙女"), B: (home_hh[B], "子")}
    resolve_conflict(town, BABY, A, by="乡镇干事")
    campaign.update(town, {"targets": {A: 5}})
    for v in (A, B):
        send(town, vs[v], tmp / f"down-{v}.ccpkg", village=v)
    row = town.one("SELECT village, household, relation FROM persons WHERE pid=?", (BABY,))
    assert row == {"village": A, "household": home_hh[A], "relation": "孙女"}
    assert vs[A].one("SELECT village, household, relation FROM persons WHERE pid=?", (BABY,)) == row
    members = town.scalar("SELECT members FROM households WHERE hid=?", (home_hh[B],))
    assert members == town.scalar("SELECT count(*) FROM persons WHERE household=?", (home_hh[B],))
    figs = reports.figures(town)
    for v in (A, B):
        own = reports.figures(vs[v])
        assert list(own["by_village"]) == [v]
        assert (own["total"], own["target"]) == (figs["by_village"][v]["total"], figs["by_village"][v]["target"])
        assert dashboard.progress(vs[v])["target"] == figs["by_village"][v]["target"]
        assert {r["village"] for r in dashboard.tree_counts(vs[v])} == {v}
        flt = PeopleFilter()
        assert vs[v].scalar(f"SELECT count(*) FROM persons WHERE {list_where(vs[v], flt, campaign.load(vs[v]))[0]}",
                            list_where(vs[v], flt, campaign.load(vs[v]))[1]) == own["total"]  # the table's list
        fb = write_feedback(vs[v], tmp / f"fb-{v}.xlsx")  # the ledgers count the same list
        assert fb["rows"] == own["total"] - own["paid_official"] and fb["remaining"] == own["remaining"]
    # nothing is lost: the other village's version stays in the log
    kept = [e for e in town.query("SELECT payload FROM events WHERE entity=? AND kind='person.created'",
                                  (f"p:{BABY}",)) if '"子"' in e["payload"]]
    assert len(kept) == 1


def test_followups_by_village_name_the_village(world, capsys):
    _, town, people, _ = world
    for v in (A, B):
        record_visit(town, ids_of(people, v)[0], "not_home", by="干事")
    db = town.path
    capsys.readouterr()
    assert main(["followups", "--db", str(db), "--village", A, "--json"]) == 0
    got = json.loads(capsys.readouterr().out)
    assert [r["id"] for r in got["results"]] == ids_of(people, A)[:1] and got["results"][0]["village"] == A
    assert main(["followups", "--db", str(db)]) == 0
    text = capsys.readouterr().out
    assert f"{A} " in text and f"{B} " in text
    assert main(["followups", "--db", str(db), "--village", "无此村"]) == 2
    assert "无此村" in capsys.readouterr().err


def test_report_files_rank_by_target_and_list_silent_villages(world):
    tmp, town, people, vs = world
    from openpyxl import load_workbook

    from canvasser.core.outputs.ledgers import write_report_xlsx
    from canvasser.core.outputs.report_pdf import write_report_pdf

    record_visit(town, ids_of(people, A)[0], "paid_on_site", by="干事")
    for pid in ids_of(people, B)[:2]:
        record_visit(town, pid, "paid_on_site", by="干事")
    campaign.update(town, {"targets": {A: 2}})  # A: 1 of 2 = 50%; B: 2 of its whole list
    send(vs[B], town, tmp / "up-b.ccpkg")
    figs = reports.make_report(town, save=False)
    assert figs["ranking"][0] == A
    write_report_xlsx(figs, tmp / "r.xlsx")
    sheet = load_workbook(tmp / "r.xlsx")["分村排名"]
    head = [c.value for c in sheet[2]]  # row 1 is the printed title (village, year, date)
    rows = [[c.value for c in r] for r in sheet.iter_rows(min_row=3)]
    assert [r[1] for r in rows[:3]] == figs["ranking"]
    last = head.index("最近上报")
    assert {r[1]: r[last] for r in rows[:3]}[A] == "从未上报"
    assert {r[1]: r[last] for r in rows[:3]}[B].startswith(clock.today().isoformat())  # received today
    assert rows[0][head.index(figures.RATE_TARGET)] == 0.5
    assert "完成率（÷名单人数）" not in head  # one rate per village in the ranking: against its task number
    summary = {r[0].value: r[1].value for r in load_workbook(tmp / "r.xlsx")["总体情况"].iter_rows(min_row=3)}
    assert [v for k, v in summary.items() if k and k.startswith("未按时上报的村")] == ["、".join(figs["silent"])]
    assert [v for k, v in summary.items() if k and k.startswith("尚未配置的村")] == [C]
    per = [r for r in load_workbook(tmp / "r.xlsx")["分村特殊群体"].iter_rows(min_row=3, values_only=True)]
    want = sum(g["total"] for v in figs["by_village"].values() for g in v["special_groups"].values())
    assert sum(r[1] for r in per) == want and want > 0
    for k, g in figs["special_groups"].items():  # each group's villages add up to the township's
        assert sum(r[1] for r in per if r[0].split("/")[1] == k) == g["total"]
    write_report_pdf(figs, tmp / "r.pdf")
    text = pdftext(tmp / "r.pdf", layout=True)
    assert "尚未配置的村" in text and C in text.split("尚未配置的村")[1][:200]
    assert "某某镇" in text.split("\f")[0] and "制表人" in text.split("\f")[0]  # whose report, who made it


def test_batch_receive_a_folder_and_return_packages_for_every_village(world):
    tmp, town, people, vs = world
    from canvasser.core.sync import export_all, package_files, receive_packages, return_name

    ups = tmp / "ups"
    ups.mkdir()
    for v in (A, B):
        record_visit(vs[v], ids_of(people, v)[0], "not_home", by="村文书")
        export_package(vs[v], ups / f"{v}.ccpkg")
    (ups / "说明.txt").write_text("不是数据包", encoding="utf-8")
    files = package_files([ups])
    assert [f.name for f in files] == sorted(f"{v}.ccpkg" for v in (A, B))
    got = receive_packages(town, files)
    assert sorted(r["sender"] for r in got) == sorted([A, B]) and all(r["applied"] for r in got)
    (tmp / "empty").mkdir()
    with pytest.raises(InputError):
        package_files([tmp / "empty"])
    downs = tmp / "downs"
    downs.mkdir()
    made = export_all(town, downs, dt.date(2026, 11, 20))
    assert sorted(Path(r["file"]).name for r in made) == sorted(return_name(v, dt.date(2026, 11, 20)) for v in (A, B))
    assert return_name(A, dt.date(2026, 11, 20)) == f"{A}_回传_2026-11-20.ccpkg"
    for v in (A, B):
        assert receive_package(vs[v], downs / return_name(v, dt.date(2026, 11, 20)))["sender"]


def test_a_second_window_lock_on_the_same_file_is_refused(tmp_path):
    from canvasser.core.storage.store import WorkspaceError
    from canvasser.core.storage.winlock import WindowLock

    db = tmp_path / "v.db"
    first = WindowLock(db).acquire()
    with pytest.raises(WorkspaceError, match="另一个窗口"):
        WindowLock(db).acquire()
    first.release()
    WindowLock(db).acquire().release()


def test_feedback_parts_match_the_dashboard_and_the_visit_place_is_in_the_ledger(world):
    from openpyxl import load_workbook

    from canvasser.core.outputs.ledgers import SHEET_UNPAID, write_feedback, write_ledger
    from canvasser.core.rules.visits import away_place

    tmp, town, people, _ = world
    pids = ids_of(people, A)
    record_visit(town, pids[0], "migrant_informed", by="干事", place="浙江宁波")
    record_visit(town, pids[1], "dead", by="干事")
    record_visit(town, pids[2], "paid_self", by="干事")
    import_paid(town, write_paid(tmp / "paid.csv", pids[3:5]))
    figs = reports.figures(town)
    fb = write_feedback(town, tmp / "fb.xlsx")
    assert fb["remaining"] == figs["remaining"] and fb["not_needed"] == figs["accepted"] == 1
    assert fb["claimed"] == figs["paid_claimed"] and fb["rows"] == figs["total"] - figs["paid_official"]
    # 是否参保: a payment only claimed is 待核实 until the bureau's list confirms it; everyone else 否
    assert fb["rows"] == fb["remaining"] + fb["not_needed"] + fb["claimed"] == fb["not_paid"] + fb["claimed"]
    assert away_place(town, pids[0]) == "浙江宁波"
    write_ledger(town, tmp / "ledger.xlsx")
    line = next(r for r in ledger_table(load_workbook(tmp / "ledger.xlsx"), SHEET_UNPAID) if r["身份证号"] == pids[0])
    assert line["外出地点"] == "浙江宁波"


def test_the_shown_list_exports_with_masked_or_full_ids_and_no_formula(world):
    from openpyxl import load_workbook

    from canvasser.core.outputs.people_export import write_people
    from canvasser.core.rules.dashboard import PeopleFilter

    tmp, town, people, _ = world
    a, b = ids_of(people, A)[:2]
    record_visit(town, a, "not_home", by="干事", place="=HYPERLINK(\"http://x\")")
    record_visit(town, b, "refused", by="干事", reason="经济困难")
    record_visit(town, ids_of(people, B)[0], "refused", by="干事", reason="经济困难")
    flt = PeopleFilter(statuses=("not_home", "refused"), village=A)
    masked = write_people(town, flt, tmp / "m.xlsx")
    full = write_people(town, flt, tmp / "f.xlsx", full_ids=True)
    assert masked["rows"] == full["rows"] == 2
    rows = {p: list(load_workbook(tmp / p).active.iter_rows(min_row=3, values_only=True)) for p in ("m.xlsx", "f.xlsx")}
    assert sorted(r[5] for r in rows["f.xlsx"]) == sorted([a, b])
    assert all(r[5] not in (a, b) and r[5][-4:] in (a[-4:], b[-4:]) for r in rows["m.xlsx"])
    assert {r[1] for r in rows["f.xlsx"]} == {A}
    cell = next(c for r in load_workbook(tmp / "f.xlsx").active.iter_rows(min_row=2) for c in r
                if str(c.value).startswith("=HYPERLINK"))
    assert cell.data_type == "s"
    both = PeopleFilter(statuses=("not_home", "refused"))
    assert write_people(town, both, tmp / "all.xlsx")["rows"] == 3
