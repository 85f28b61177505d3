"""One definition, one label, one rounding (issue 28): every rate printed names its denominator and is
rounded once from the counts; "A + B = C" lines add up; the special-groups ledger holds the
dashboard's groups; a past day of the trend keeps its figures."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import pytest

from canvasser.core.lists.paid import import_paid
from canvasser.core.lists.roster import import_roster
from canvasser.core.outputs import ledgers
from canvasser.core.rules import figures, reports
from canvasser.core.rules.visits import record_visit
from canvasser.core.storage.opening import open_workspace
from tests.fixtures import TODAY, rows, write_csv
from tests.test_authority import write_paid


def test_a_rate_is_rounded_once_from_its_counts():
    assert figures.percent(3, 2000) == "0.2%"  # 0.15%: never 0.0015 → "0.1%" by a second rounding
    assert figures.percent(1, 3) == "33.3%" and figures.percent(1, 16) == "6.3%" and figures.percent(2, 2) == "100.0%"
    assert figures.percent(5, 0) == "—"
    rate = figures.Rate(3, 2000)
    assert float(rate) == 3 / 2000 and str(rate) == "0.2%"


def test_an_equation_that_does_not_add_up_is_a_bug():
    assert figures.equation(("已完成", 5), [("甲", 2), ("乙", 3)]) == "已完成 5 = 甲 2 + 乙 3"
    with pytest.raises(ValueError):
        figures.equation(("共", 37806), [("尚未完成", 37792), ("不需参保", 7)])


@pytest.fixture
def village(tmp_path):
    people = rows(seed=5, households=60, village="青石村")
    ws = open_workspace(tmp_path / "v.db")
    import_roster(ws, write_csv(tmp_path / "list.csv", people), today=TODAY)
    yield ws, people, tmp_path
    ws.close()


def test_every_rate_in_the_report_names_its_denominator(village):
    ws, people, tmp = village
    for p in people[:3]:
        record_visit(ws, p["公民身份号码"], "paid_on_site", by="李书记")
    record_visit(ws, people[3]["公民身份号码"], "paid_self", by="李书记")
    figs = reports.make_report(ws, TODAY, save=False)
    ledgers.write_report_xlsx(figs, tmp / "r.xlsx")
    rated = 0
    for sheet in openpyxl.load_workbook(tmp / "r.xlsx").worksheets:
        for row in sheet.iter_rows(values_only=True):
            for cell in row:
                if isinstance(cell, str) and "率" in cell and not cell.startswith("参保缴费进度日报"):
                    assert "占任务数" in cell or "占名单" in cell, (sheet.title, cell)
                    rated += 1
    assert rated >= 5
    # 自报待核实 is one figure: the claims, whatever table shows it
    lines = dict(ledgers.summary_lines(figs))
    assert lines[f"　其中：{figures.LABELS['paid_claimed']}"] == figs["paid_claimed"] == 4
    assert sum(v["paid_claimed"] for v in figs["by_group"].values()) == 4
    assert sum(v["paid_claimed"] for v in figs["by_category"].values()) == 4
    assert figures.done_equation(figs).startswith(f"已完成 {figs['done']} = ")


def test_the_feedback_line_adds_up(village):
    ws, people, tmp = village
    record_visit(ws, people[0]["公民身份号码"], "paid_on_site", by="李书记")
    record_visit(ws, people[1]["公民身份号码"], "paid_self", by="李书记")
    record_visit(ws, people[2]["公民身份号码"], "dead", by="李书记")
    res = ledgers.write_feedback(ws, tmp / "f.xlsx")
    line = figures.feedback_line(res)
    assert f"共 {res['rows']} = 尚未完成 {res['remaining']} + 不需参保 1 + 自报待核实 2" in line
    assert res["not_paid"] + res["filled_yes"] + res["filled_claim"] == res["rows"]


def test_the_special_groups_ledger_holds_the_dashboards_groups(village):
    ws, people, tmp = village
    figs = reports.figures(ws)
    ledgers.write_ledger(ws, tmp / "l.xlsx")
    sheet = openpyxl.load_workbook(tmp / "l.xlsx")[ledgers.SHEET_SPECIAL]
    head = [c.value for c in sheet[2]]
    col = next(i for i, h in enumerate(head) if h and h.startswith("特殊群体"))
    counts: dict[str, int] = {}
    for row in sheet.iter_rows(min_row=3, values_only=True):
        if row[0] is None or not isinstance(row[0], int):
            continue
        for g in (row[col] or "").split("、"):
            counts[g] = counts.get(g, 0) + 1
    assert counts == {k: v["total"] for k, v in figs["special_groups"].items()} and counts
    assert reports.STUDENT not in counts


def test_a_past_day_keeps_its_figures_and_late_work_shows_as_late(village):
    ws, people, tmp = village
    day1, day2 = TODAY - dt.timedelta(days=2), TODAY - dt.timedelta(days=1)
    for p in people[:4]:
        record_visit(ws, p["公民身份号码"], "paid_self", by="李书记", at=day1.isoformat())
    first = {t["day"]: t for t in reports.make_report(ws, TODAY)["trend"]}
    assert (first[day1.isoformat()]["visits"], first[day1.isoformat()]["done_by_visit"]) == (4, 4)
    # the bureau's list (dated in the past) confirms two of them today; a paper sheet of day 1 is typed in late
    import_paid(ws, write_paid(tmp / "paid.csv", people[:2]))
    record_visit(ws, people[5]["公民身份号码"], "not_home", by="李书记", at=day1.isoformat())
    later = {t["day"]: t for t in reports.make_report(ws, TODAY)["trend"]}
    kept = later[day1.isoformat()]
    assert (kept["visits"], kept["done_by_visit"], kept["paid_official"]) == (4, 4, 0)
    assert kept["late_visits"] == 1 and "走访 +1" in ledgers.late_text(kept)
    assert later[day2.isoformat()]["visits"] == 0
    # the list adds to the day it was imported (the test's clock decides which that is)
    today_row = next(t for t in reversed(reports.trend(ws, 30, dt.date.today())) if t["paid_official"])
    assert today_row["paid_official"] == 2 and today_row["day"] == dt.date.today().isoformat()


def test_disputed_people_count_nowhere_twice(tmp_path: Path):
    from tests.test_sync_support import VILLAGES, make_township

    town, people = make_township(tmp_path, households=3)
    a, b = VILLAGES[0], VILLAGES[1]
    pid = next(p["公民身份号码"] for p in people if p["村（社区）"] == a)
    town.emit("person.created", f"p:{pid}", {"name": "重复", "village": b, "household": "X1"})
    figs = reports.figures(town)
    header = figures.progress_counts(town, __import__("canvasser.core.rules.campaign", fromlist=["load"]).load(town))
    assert figs["pending_review"]["total"] == 1 and figs["total"] == header["total"] == len(people)
    assert sum(v["total"] for v in figs["by_village"].values()) == len(people) - 1
    assert "待核对 1 人" in figures.pending_line(figs)
    town.close()
