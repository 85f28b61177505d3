"""Spreadsheets ready to print, and the feedback sheet in the bureau's numbering and order: real
files written and read back with openpyxl."""

from __future__ import annotations

import datetime as dt

import openpyxl
import pytest

from canvasser.core.lists.roster import import_roster
from canvasser.core.outputs import ledgers, rejects, xlsxprint
from canvasser.core.rules import figures, reports
from canvasser.core.rules.visits import record_visit
from canvasser.core.storage.opening import open_workspace

from .fixtures import corrupt_check_digit, ledger_table, rows, shuffled, write_xlsx


@pytest.fixture
def listed(tmp_path):
    """A bureau list in an order of its own (not by group or household), its 序号 1..n down the file."""
    people = shuffled(rows(seed=5, households=25), seed=2)
    src = write_xlsx(tmp_path / "名单.xlsx", people)
    ws = open_workspace(tmp_path / "v.db")
    import_roster(ws, src)
    yield ws, [p["公民身份号码"] for p in people]
    ws.close()


def sheet_rows(sheet) -> tuple[list, list[tuple]]:
    header = [c.value for c in sheet[2]]
    out = []
    for r in sheet.iter_rows(min_row=3, values_only=True):
        if all(v is None for v in r):
            break
        out.append(r)
    return header, out


def test_feedback_of_an_unvisited_list_keeps_the_bureau_numbering_and_gives_no_reason(listed, tmp_path):
    ws, order = listed
    res = ledgers.write_feedback(ws, tmp_path / "fb.xlsx")
    header, body = sheet_rows(openpyxl.load_workbook(tmp_path / "fb.xlsx").worksheets[0])
    pid_at, serial_at = header.index("身份证号"), header.index("序号")
    assert [r[pid_at] for r in body] == order  # the bureau's row order
    assert [r[serial_at] for r in body] == list(range(1, len(order) + 1))  # and its 序号
    assert all(r[header.index("未参保原因")] is None for r in body)  # nobody reported a reason
    assert {r[header.index("是否参保")] for r in body} == {"否"}
    assert res["reasons"] == {}


def test_feedback_reasons_only_where_reported_and_claims_to_be_verified(listed, tmp_path):
    ws, order = listed
    record_visit(ws, order[0], "refused", reason="经济困难", by="李书记")
    record_visit(ws, order[1], "not_home", by="李书记")
    record_visit(ws, order[2], "paid_self", by="李书记")
    record_visit(ws, order[3], "paid_on_site", by="李书记")
    ledgers.write_feedback(ws, tmp_path / "fb.xlsx")
    header, body = sheet_rows(openpyxl.load_workbook(tmp_path / "fb.xlsx").worksheets[0])
    by_pid = {r[header.index("身份证号")]: dict(zip(header, r)) for r in body}
    assert by_pid[order[0]]["未参保原因"] == "拒参"
    assert by_pid[order[1]]["未参保原因"] is None and "无人在家" in by_pid[order[1]]["备注"]
    # a payment only claimed (self-reported, or on the spot) is 待核实 with no amount: the bureau's
    # own paid list says whether it went through and what was paid
    for claimed in order[2:4]:
        assert by_pid[claimed]["是否参保"] == "待核实" and by_pid[claimed]["缴费金额"] is None
        assert "待医保局核实" in by_pid[claimed]["备注"]
    assert {r["是否参保"] for r in by_pid.values()} == {"待核实", "否"}


def test_every_spreadsheet_is_ready_to_print(listed, tmp_path):
    ws, order = listed
    record_visit(ws, order[0], "promised", promised="2026-12-20", by="李书记")
    record_visit(ws, order[1], "dead", by="李书记")
    ledgers.write_ledger(ws, tmp_path / "ledger.xlsx")
    ledgers.write_feedback(ws, tmp_path / "fb.xlsx")
    ledgers.write_report_xlsx(reports.make_report(ws, save=False), tmp_path / "report.xlsx")
    for book in ("ledger.xlsx", "fb.xlsx", "report.xlsx"):
        wb = openpyxl.load_workbook(tmp_path / book)
        for sheet in wb.worksheets:
            ps, fit = sheet.page_setup, sheet.sheet_properties.pageSetUpPr
            assert sheet.print_title_rows == "$1:$2", (book, sheet.title)
            assert fit is not None and fit.fitToPage and str(ps.fitToWidth) == "1" and str(ps.fitToHeight) == "0"
            assert ps.orientation == ("landscape" if sheet.max_column >= 7 else "portrait"), (book, sheet.title)
            assert "&P" in sheet.oddFooter.center.text and "&N" in sheet.oddFooter.center.text
            title = str(sheet["A1"].value)
            assert "2027年度" in title and "年" in title.rsplit("（", 1)[-1], title
    led = openpyxl.load_workbook(tmp_path / "ledger.xlsx")
    for sheet in led.worksheets:  # a signed ledger ends with the signature and date lines
        last = [c.value for c in sheet[sheet.max_row] if c.value]
        assert last[0] == "制表人：" and any("日期" in v for v in last), (sheet.title, last)
    table = ledger_table(led, ledgers.SHEET_UNPAID)
    promised = [r["承诺缴费日期"] for r in table if r["承诺缴费日期"]]
    assert promised == [dt.datetime(2026, 12, 20)]  # a date, not text
    visited = [r["最近走访时间"] for r in table if r["最近走访时间"]]
    assert visited and all(isinstance(v, dt.datetime) for v in visited)
    assert all(isinstance(r["登记日期"], dt.datetime) for r in ledger_table(led, ledgers.SHEET_EXEMPT))


def test_ledgers_print_bordered_and_readable_on_a4_landscape(listed, tmp_path):
    """Every table cell bordered; no ledger printed below 8 pt: a wide one comes in parts that each
    repeat 序号, 姓名 and 身份证号 (the same people, the same order), or whole on A3."""
    ws, order = listed
    record_visit(ws, order[0], "promised", promised="2026-12-20", by="李书记", note="年底打工回来缴")
    for paper, size in (("A4", 9), ("A3", 8)):
        res = ledgers.write_ledger(ws, tmp_path / f"{paper}.xlsx", paper=paper)
        wb = openpyxl.load_workbook(tmp_path / f"{paper}.xlsx")
        for sheet in wb.worksheets:
            head = [c.value for c in sheet[2]]
            widths = [sheet.column_dimensions[openpyxl.utils.get_column_letter(i)].width for i in range(1, len(head) + 1)]
            assert sheet.page_setup.paperSize == size and sheet.page_setup.orientation == "landscape"
            assert xlsxprint.printed_pt(widths, paper) >= xlsxprint.MIN_PT, (paper, sheet.title)
            assert {"序号", "姓名", "身份证号"} <= set(head)
            for row in sheet.iter_rows(min_row=2, max_row=min(sheet.max_row - 2, 6)):  # header and data rows
                assert all(c.border.left.style and c.border.right.style and c.border.top.style for c in row), \
                    (sheet.title, row[0].row)
        parts = res["parts"][ledgers.SHEET_UNPAID]
        assert parts[0] == ledgers.SHEET_UNPAID and (len(parts) > 1) == (paper == "A4")
        people = []
        for name in parts:  # each part lists the same people in the same order
            head = [c.value for c in wb[name][2]]
            people.append([r[head.index("身份证号")] for r in wb[name].iter_rows(min_row=3, values_only=True)
                           if isinstance(r[0], int)])
        assert all(p == people[0] for p in people) and len(people[0]) == res["sheets"][ledgers.SHEET_UNPAID]
        if paper == "A4":
            assert "未参保人员台账（二）（共2部分，按序号对照）" in wb[parts[1]]["A1"].value


def test_rejected_rows_file_prints_too(tmp_path):
    people = rows(seed=6, households=5)
    people[1] = dict(people[1], 公民身份号码=corrupt_check_digit(people[1]["公民身份号码"]))
    src = write_xlsx(tmp_path / "名单.xlsx", people)
    with open_workspace(tmp_path / "v.db") as ws:
        import_roster(ws, src)
        out = rejects.export_rejects(ws, tmp_path / "错行.xlsx")["file"]  # kept in the workspace, exported on demand
    sheet = openpyxl.load_workbook(out).worksheets[0]
    assert sheet.print_title_rows == "$1:$1" and sheet.page_setup.orientation == "landscape"
    assert sheet.sheet_properties.pageSetUpPr.fitToPage and "&N" in sheet.oddFooter.center.text
    assert sheet["A1"].value == "原行号"  # no title row: the file goes back in as a list


def test_report_headline_one_figure_per_label_and_rates_name_their_denominator(listed, tmp_path):
    ws, order = listed
    record_visit(ws, order[0], "paid_on_site", by="李书记")
    record_visit(ws, order[1], "paid_self", by="李书记")
    record_visit(ws, order[2], "paid_self", by="李书记")
    figs = reports.make_report(ws, save=False)
    lines = dict(ledgers.summary_lines(figs))
    assert lines["　其中：医保局确认已缴费"] == 0
    # 自报待核实 is every claim, the same figure as the tables' column of that name
    assert lines["　其中：自报待核实"] == 3 == figs["paid_claimed"] and lines["　　（含当场协助缴费）"] == 1
    assert str(lines["完成率（占任务数）"]) == figures.percent(3, figs["target"])  # rounded once, from the counts
    assert str(lines["医保局确认完成率（占任务数）"]) == "0.0%"
    rates = [k for k in lines if "率" in k]
    assert rates and all("占任务数" in k or "占名单" in k for k in rates)  # every rate names what it divides by
    assert ledgers.CLAIMED_LABEL in dict(ledgers.PROGRESS_HEADERS)
    # one person in one special group only: the category table already shows it, no second table
    assert ledgers.special_rows(figs) == []
    ledgers.write_report_xlsx(figs, tmp_path / "r.xlsx")
    assert not any("特殊群体" in n for n in openpyxl.load_workbook(tmp_path / "r.xlsx").sheetnames)
