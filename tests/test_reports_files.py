"""Ledgers, the report (xlsx and PDF), the feedback sheet and messages: real files read back."""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
from pathlib import Path

import openpyxl
import pytest
from openpyxl.utils import get_column_letter
from PIL import Image

from canvasser import cli
from canvasser.core.demo import make_demo
from canvasser.core.errors import Cancelled, InputError
from canvasser.core.outputs import ledgers, report_pdf
from canvasser.core.rules import campaign, messages, reports, visits
from canvasser.core.storage.opening import open_workspace
from canvasser.core.text import ids
from tests.pdfread import pdffonts, pdftext

from .fixtures import ledger_table

LEDGER_SHEETS = ["未参保", "已参保", "特殊群体", "外出务工", "不需参保"]
CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> Path:
    """A demo village plus a few known facts: a dead person with a photo and a date in the note, an official payment."""
    path = tmp_path_factory.mktemp("demo") / "demo.db"
    make_demo(path, seed=9, households=30)
    ws = open_workspace(path)
    photo = path.parent / "death.png"
    Image.new("RGB", (8, 8), "white").save(photo)
    pids = [r[0] for r in ws.conn.execute("SELECT pid FROM persons WHERE status='' ORDER BY pid LIMIT 4")]
    visits.record_visit(ws, pids[0], "dead", by="李书记", note="家属称2026年10月3日去世", photos=[photo])
    visits.record_visit(ws, pids[1], "refused", by="王主任", reason="经济困难")
    ws.emit("status.official", f"p:{pids[2]}", {"year": 2027, "paid": True, "amount": 400,
                                                 "paid_at": "2026-11-02", "channel": "税务APP", "source": "test"})
    visits.record_visit(ws, pids[3], "insured_elsewhere", by="王主任", place="广东省东莞市", via="电话")
    ws.set_meta("test_pids", json.dumps(pids))
    ws.close()
    return path


def pids_of(path: Path) -> list[str]:
    ws = open_workspace(path)
    try:
        return json.loads(ws.meta("test_pids"))
    finally:
        ws.close()


def ws_categories(path: Path) -> list[str]:
    """Everyone's categories on this year's list."""
    ws = open_workspace(path)
    try:
        return [r[0] for r in ws.conn.execute("SELECT categories FROM persons WHERE status != 'not_listed'")]
    finally:
        ws.close()


def numeric_ids(wb) -> int:
    return sum(1 for sh in wb.worksheets for row in sh.iter_rows(values_only=True)
               for v in row if isinstance(v, (int, float)) and v > 1e14)


HEADER = 2  # every sheet: a title row (place, year, date), then the header


def body(sheet) -> list[tuple]:
    """The data rows: after the header, up to the blank row above the signature lines."""
    out = []
    for r in sheet.iter_rows(min_row=HEADER + 1, values_only=True):
        if all(v is None for v in r):
            break
        if r[0] != ledgers.EMPTY:  # an empty ledger's one row saying so
            out.append(r)
    return out


def column(sheet, header: str) -> list:
    i = [c.value for c in sheet[HEADER]].index(header)
    return [r[i] for r in body(sheet)]


def test_ledger_sheets_headers_ids_as_text(demo, tmp_path):
    out = tmp_path / "台账.xlsx"
    ws = open_workspace(demo)
    try:
        res = ledgers.write_ledger(ws, out)
        figs = reports.figures(ws)
        camp = campaign.load(ws)
    finally:
        ws.close()
    wb = openpyxl.load_workbook(out)
    for want in LEDGER_SHEETS:
        assert any(want in n for n in wb.sheetnames), want
    assert numeric_ids(wb) == 0
    for sheet in wb.worksheets:
        header = [c.value for c in sheet[HEADER]]
        assert all(CJK.search(h) for h in header), header
        assert sheet.freeze_panes == "A3"
        assert sheet.auto_filter.ref and sheet.auto_filter.ref.startswith("A2:")
        id_col = header.index("身份证号") + 1
        assert sheet.column_dimensions[get_column_letter(id_col)].width >= 18  # wide enough for 18 digits
        for row in sheet.iter_rows(min_row=HEADER + 1, max_row=HEADER + len(body(sheet)), min_col=id_col,
                                   max_col=id_col):
            cell = row[0]
            assert cell.data_type == "s" and cell.number_format == "@"
            assert ids.is_valid(cell.value)
    todo = wb[ledgers.SHEET_UNPAID]
    assert len(body(todo)) == figs["remaining"] == res["sheets"][ledgers.SHEET_UNPAID]
    assert len(body(wb[ledgers.SHEET_PAID])) == figs["paid_official"] + figs["paid_claimed"]
    assert len(body(wb[ledgers.SHEET_EXEMPT])) == figs["accepted"]
    special = wb[ledgers.SHEET_SPECIAL]
    # the special groups as the dashboard counts them: every one of them, nobody else (no students)
    assert all(camp.is_special(c) for c in column(special, "人员类别"))
    assert len(body(special)) == sum(1 for c in ws_categories(demo) if camp.is_special(c))

    pids = pids_of(demo)
    exempt = {r["身份证号"]: r for r in ledger_table(wb, ledgers.SHEET_EXEMPT)}
    dead = exempt[pids[0]]
    assert dead["不需参保原因"] == "死亡" and dead["证明材料（张）"] == 1 and "去世" in dead["备注"]
    away = {r["身份证号"]: r for r in ledger_table(wb, ledgers.SHEET_AWAY)}
    assert away[pids[3]]["外出地点"] == "广东省东莞市" and away[pids[3]]["联系方式"] == "电话"
    paid = {r["身份证号"]: r for r in ledger_table(wb, ledgers.SHEET_PAID)}
    assert paid[pids[2]]["参保状态"] == "医保局确认已缴费" and paid[pids[2]]["缴费渠道/联系方式"] == "税务APP"
    assert paid[pids[2]]["登记人"] == ledgers.BUREAU_RECORDED  # the bureau's list recorded what counts
    groups = list(dict.fromkeys(column(todo, "组")))
    assert groups == sorted(groups, key=reports.group_key) and groups[:2] == ["一组", "二组"]
    # nobody in the 未参保 sheet is done
    statuses = set(column(todo, "当前状态"))
    assert not statuses & {campaign.STATUS_LABELS[s] for s in camp.done_set}


def test_ledger_cancel_writes_nothing(demo, tmp_path):
    out = tmp_path / "l.xlsx"
    ws = open_workspace(demo)
    try:
        with pytest.raises(Cancelled):
            ledgers.write_ledger(ws, out, progress=lambda done, msg: False)
        with pytest.raises(InputError):
            ledgers.write_ledger(ws, tmp_path / "l.csv")
    finally:
        ws.close()
    assert not out.exists() and not list(tmp_path.iterdir())


def test_report_xlsx_sections(demo, tmp_path):
    ws = open_workspace(demo)
    try:
        figs = reports.make_report(ws, save=False)
    finally:
        ws.close()
    out = tmp_path / "r.xlsx"
    ledgers.write_report_xlsx(figs, out)
    wb = openpyxl.load_workbook(out)
    for name in ("总体情况", "分村排名", "分组进度", "分类别进度", "走访人员"):
        assert name in wb.sheetnames
    assert numeric_ids(wb) == 0
    villages = body(wb["分村排名"])
    assert villages[-1][1] == "合计" and villages[-1][3] == figs["total"] and villages[-1][4] == figs["done"]
    groups = body(wb["分组进度"])
    assert sum(r[1] for r in groups) == figs["total"] and sum(r[2] for r in groups) == figs["done"]
    assert wb["分组进度"]["E3"].number_format == "0.0%"
    cats = {r[0]: r for r in body(wb["分类别进度"])}
    assert sum(r[1] for r in cats.values()) == figs["total"]
    for name, v in figs["by_category"].items():
        assert (cats[name][-1] == "未达100%") == v["below_100"]


def test_report_pdf_embeds_font_and_has_chinese(demo, tmp_path):
    ws = open_workspace(demo)
    try:
        ws.set_meta("mode", "township")
        figs = reports.make_report(ws, save=False)
    finally:
        ws.set_meta("mode", "standalone")
        ws.close()
    out = tmp_path / "r.pdf"
    res = report_pdf.write_report_pdf(figs, out)
    assert res["pages"] >= 1
    fonts = pdffonts(out)
    assert fonts and all(f.embedded for f in fonts), fonts
    assert not any("Helvetica" in f.name for f in fonts)
    text = pdftext(out)
    for heading in ("城乡居民医保参保缴费进度日报", "总体情况", "分村排名", "分组进度", "分类别进度", "合计", "青石村"):
        assert heading in text, heading
    assert "未达100%" in text  # the demo's special groups are not all done


def test_feedback_sheet(demo, tmp_path):
    out = tmp_path / "反馈.xlsx"
    ws = open_workspace(demo)
    try:
        res = ledgers.write_feedback(ws, out)
        total = ws.scalar("SELECT count(*) FROM persons WHERE status <> 'paid_official'")
    finally:
        ws.close()
    wb = openpyxl.load_workbook(out)
    sheet = wb.worksheets[0]
    head = [c.value for c in sheet[HEADER]]
    for h in ("姓名", "身份证号", "是否参保", "未参保原因", "缴费金额", "死亡时间", "备注", "村（社区）", "组"):
        assert h in head
    assert numeric_ids(wb) == 0
    rows = {r[head.index("身份证号")]: dict(zip(head, r)) for r in body(sheet)}
    assert len(rows) == total == res["rows"]
    pids = pids_of(demo)
    assert rows[pids[0]]["未参保原因"] == "死亡" and rows[pids[0]]["死亡时间"].date() == dt.date(2026, 10, 3)
    assert rows[pids[1]]["未参保原因"] == "拒参" and "经济困难" in rows[pids[1]]["备注"]
    assert pids[2] not in rows  # the bureau already has them as paid
    assert rows[pids[3]]["未参保原因"] == "异地参保" and "东莞" in rows[pids[3]]["备注"]
    assert {r["是否参保"] for r in rows.values()} <= set(ledgers.FEEDBACK_PAID_LIST)
    claimed = [r for r in rows.values() if "待医保局核实" in (r["备注"] or "")]
    # a payment only claimed is 待核实, with no amount: only the bureau's list says what was paid
    assert claimed and all(r["缴费金额"] is None and r["是否参保"] == "待核实" for r in claimed)
    unvisited = [r for r in rows.values() if r["填报状态"] == "待填报"]
    assert unvisited and all(r["未参保原因"] is None for r in unvisited)  # nobody reported a reason
    assert set(r["未参保原因"] for r in rows.values()) <= set(ledgers.FEEDBACK_REASON_LIST) | {None}
    assert sheet.data_validations.dataValidation  # drop-down lists for the towns


def test_message_has_no_id_or_category(demo):
    ws = open_workspace(demo)
    try:
        row = ws.one("SELECT pid, household FROM persons WHERE status='' AND categories LIKE '%低保%' LIMIT 1") or \
            ws.one("SELECT pid, household FROM persons WHERE status='' LIMIT 1")
        camp = campaign.load(ws)
        res = messages.compose(ws, row["pid"], by="李书记")
        members = ws.query("SELECT * FROM persons WHERE household=?", (row["household"],))
        hh = messages.compose(ws, row["pid"], household=True)
        with pytest.raises(InputError):
            messages.compose(ws, row["pid"], by="不存在的人")
        done = ws.scalar("SELECT pid FROM persons WHERE status='paid_official' LIMIT 1")
        with pytest.raises(InputError):
            messages.compose(ws, done)
    finally:
        ws.close()
    for text in (res["text"], hh["text"]):
        assert not re.search(r"\d{6,}", text.replace("13908150001", "")), text
        for word in ("低保", "特困", "残疾", "监测", "孤儿", "脱贫"):
            assert word not in text
        assert "2026年12月31日" in text and camp.values["payment_link"] in text
    assert "13908150001" in res["text"] and "李书记" in res["text"]
    assert res["id"] == ids.mask(row["pid"])
    due = [m for m in members if not camp.is_done(m["status"]) and m["active"]]
    assert hh["people"] == len(due) and hh["amount"] == sum(camp.amount_due(m["categories"]) for m in due)


def run_cli(capsys, *argv) -> tuple[int, dict]:
    code = cli.main([*map(str, argv), "--json"])
    out = capsys.readouterr().out
    return code, (json.loads(out) if out.strip() else {})


def test_cli_report_ledger_feedback_message(demo, tmp_path, capsys):
    db = tmp_path / "w.db"
    shutil.copy(demo, db)
    # the days are given, never read off the clock: the second report compares against the first
    code, r = run_cli(capsys, "report", "--db", db, "--out", tmp_path / "r.xlsx", "--date", "2026-11-29")
    assert code == 0 and (tmp_path / "r.xlsx").exists()
    for key in ("total", "done", "remaining", "paid_official", "paid_claimed", "rate", "by_group", "by_category",
                "by_village"):
        assert key in r
    assert r["done"] + r["remaining"] == r["total"]
    code, p = run_cli(capsys, "report", "--db", db, "--out", tmp_path / "r.pdf", "--date", "2026-11-30")
    assert code == 0 and p["pages"] >= 1 and p["change"]["since"]
    assert run_cli(capsys, "report", "--db", db, "--out", tmp_path / "r.txt")[0] == 2
    assert run_cli(capsys, "report", "--db", db, "--date", "30/11/2026")[0] == 2
    code, led = run_cli(capsys, "ledger", "--db", db, "--out", tmp_path / "l.xlsx")
    assert code == 0 and set(led["sheets"]) == {ledgers.SHEET_UNPAID, ledgers.SHEET_PAID, ledgers.SHEET_SPECIAL,
                                                ledgers.SHEET_AWAY, ledgers.SHEET_EXEMPT}
    code, fb = run_cli(capsys, "feedback", "--db", db, "--out", tmp_path / "f.xlsx")
    assert code == 0 and fb["rows"] == fb["not_paid"] + fb["claimed"] and fb["claimed"] >= fb["paid_on_site"]
    pid = pids_of(db)[1]
    code, msg = run_cli(capsys, "message", "--db", db, "--id", pid, "--household")
    assert code == 0 and msg["id"] == ids.mask(pid) and pid not in msg["text"]
    assert run_cli(capsys, "message", "--db", db, "--id", "110101199003077777")[0] == 2
    assert run_cli(capsys, "report", "--db", tmp_path / "missing.db")[0] == 2


def test_sheet_continues_past_the_row_limit(demo, tmp_path, monkeypatch):
    monkeypatch.setattr(ledgers, "MAX_ROWS", 50)
    out = tmp_path / "l.xlsx"
    ws = open_workspace(demo)
    try:
        res = ledgers.write_ledger(ws, out)
    finally:
        ws.close()
    wb = openpyxl.load_workbook(out)
    todo = [n for n in wb.sheetnames if n.startswith(ledgers.SHEET_UNPAID) and "（" not in n]  # part one
    assert len(todo) == -(-res["sheets"][ledgers.SHEET_UNPAID] // 50) > 1
    assert todo[1] == f"{ledgers.SHEET_UNPAID}(2)"
    rows = sum(len(body(wb[n])) for n in todo)
    assert rows == res["sheets"][ledgers.SHEET_UNPAID]
    assert [c.value for c in next(wb[todo[1]].iter_rows(min_row=HEADER, max_row=HEADER))][6] == "身份证号"
