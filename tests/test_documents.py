"""Documents a county bureau signs off (issue 29): the daily report as an official document, the
feedback sheet's honest columns and the bureau's 序号 in a village, the letter's students and
pages, the notice's wording, channels and contact, the year's first print, the visit sheet.
Real files written and read back: PDFs through poppler, xlsx through openpyxl."""

from __future__ import annotations

import csv
import json
import re
import subprocess
import sys

import openpyxl
import pytest
import qrcode

from canvasser.core.errors import InputError
from canvasser.core.lists.matching import match_list
from canvasser.core.lists.roster import import_roster
from canvasser.core.outputs import ledgers, report_pdf, xlsxprint
from canvasser.core.outputs.notices import data, firstprint, students
from canvasser.core.outputs.notices import layout as L
from canvasser.core.outputs.notices.leaflet import build_leaflet
from canvasser.core.outputs.notices.notice import build_notices
from canvasser.core.outputs.notices.sheet import NOTE_MIN, build_visit_sheet, columns
from canvasser.core.rules import campaign, figures, reports
from canvasser.core.rules.visits import ensure_canvasser, record_visit
from canvasser.core.storage.opening import open_workspace

from .fixtures import CHILD_ENCODING, TODAY, ledger_table
from .test_printing import pages_of, pdftext, write_roster
from .test_sync_support import VILLAGES, ids_of, make_township, make_village


def flat(text: str) -> str:
    return re.sub(r"\s+", "", text)


@pytest.fixture
def village(tmp_path):
    src = tmp_path / "roster.csv"
    ids = write_roster(src)
    ws = open_workspace(tmp_path / "v.db")
    import_roster(ws, src)
    yield ws, ids
    ws.close()


# ---- letters to parents ---------------------------------------------------------------------------
KIDS = {  # a household of four students, one of school age not listed, a 22-year-old working away
    "H01": [("王䶮", "户主", "", "19700304", "13812341234"), ("王小明", "子", "在校学生", "20120601", ""),
            ("王小红", "女", "在校学生", "20100601", ""), ("王小刚", "子", "学生", "20140601", ""),
            ("王小丽", "女", "在校学生", "20160601", "")],
    "H02": [("贺建", "户主", "", "19780101", ""), ("贺明", "子", "", "20040301", "")],
    "H03": [("周勇", "户主", "", "19800101", ""), ("周小燕", "女", "", "20150505", "")],
}


@pytest.fixture
def kids(tmp_path):
    src = tmp_path / "kids.csv"
    ids = write_roster(src, KIDS)
    ws = open_workspace(tmp_path / "k.db")
    import_roster(ws, src)
    png = tmp_path / "code.png"
    qrcode.make("https://pay.example.invalid/miniprogram?c=510321").save(png)
    campaign.update(ws, {"payment_image": str(png)})
    yield ws, ids
    ws.close()


def test_letters_take_one_page_each_with_a_payment_code_even_for_four_students(kids, tmp_path):
    ws, ids = kids
    out = tmp_path / "letters.pdf"
    res = build_leaflet(ws, out, template="letter")
    assert res.extra["letters"] == res.households == 1 == res.pages == pages_of(out)
    text = flat(pdftext(out))
    assert "王小红、王小明、王小刚、王小丽同学家长" in text and "家长回执" in text  # eldest first
    assert "也可扫描右侧的码缴费" in text  # the code stands beside the channels, not below them
    # nobody is a student on age alone: 贺明 (22) and 周小燕 (11) get no letter, they are asked about
    assert "贺明" not in text and "周小燕" not in text
    asked = {p["name"]: p["age"] for p in res.extra["school_age_unlisted"]}
    assert asked == {"贺明": 22, "周小燕": 11}


def test_school_age_people_are_confirmed_or_declined_by_the_cadre(kids, tmp_path):
    ws, ids = kids
    assert students.decline(ws, [ids["贺明"]]) == 1  # working away: not a student, not asked again
    assert [p["name"] for p in students.unlisted_in(ws)] == ["周小燕"]
    assert students.confirm(ws, [ids["周小燕"]], by="李书记") == 1
    assert students.unlisted_in(ws) == []
    res = build_leaflet(ws, tmp_path / "l.pdf", template="letter", households=["H03"])
    text = flat(pdftext(tmp_path / "l.pdf"))
    assert res.households == 1 and "周小燕同学家长" in text and res.pages == 1
    assert "在校学生" in ws.scalar("SELECT categories FROM persons WHERE pid=?", (ids["周小燕"],))
    with pytest.raises(InputError):
        students.decline(ws, [])


def test_an_education_list_makes_a_student_without_a_category(kids, tmp_path):
    ws, ids = kids
    path = tmp_path / "学生名单.csv"
    with open(path, "w", newline="", encoding="utf-8-sig") as f:
        w = csv.writer(f)
        w.writerow(["学生姓名", "身份证号", "学校", "班级"])
        w.writerow(["贺明", ids["贺明"], "", ""])  # on the list, no school written
    match_list(ws, path, "学生", today=TODAY)
    res = build_leaflet(ws, tmp_path / "l.pdf", template="letter", households=["H02"])
    assert res.households == 1 and "贺明同学家长" in flat(pdftext(tmp_path / "l.pdf"))


# ---- notices: wording, 医疗救助, channels, contact --------------------------------------------------
def test_channels_say_no_collection_unless_the_county_allows_it(village, tmp_path):
    ws, _ = village
    assert not any("代收" in c for c in campaign.printed_channels(campaign.load(ws)))
    with pytest.raises(InputError, match="代收"):
        campaign.update(ws, {"payment_channels": ["税务APP", "村委会代收"]})
    campaign.update(ws, {"payment_channels": ["税务APP", "村委会代收"], "village_collects": "1"})
    assert campaign.printed_channels(campaign.load(ws)) == ["税务APP", "村委会代收"]
    build_notices(ws, tmp_path / "n.pdf")
    assert "村委会代收" in flat(pdftext(tmp_path / "n.pdf"))
    # a received setting that allows no collection drops it from what is printed
    ws.emit("campaign.set", "campaign", {"village_collects": False})
    assert campaign.printed_channels(campaign.load(ws)) == ["税务APP"]
    build_notices(ws, tmp_path / "n.pdf")
    assert "代收" not in flat(pdftext(tmp_path / "n.pdf"))


def test_the_contact_phone_is_the_canvassers_else_the_village_committees(village, tmp_path):
    ws, _ = village
    assert data.contact(ws, "", "青石村").source == ""
    res = build_notices(ws, tmp_path / "n.pdf")
    assert res.extra["contact_phone"] == "" and res.extra["contact_source"] == ""
    with pytest.raises(InputError):
        data.set_village_phone(ws, "青石村", "打电话给我")
    data.set_village_phone(ws, "青石村", "0816-1234567")
    res = build_notices(ws, tmp_path / "n.pdf")
    assert res.extra["contact_source"] == "village" and "村（社区）电话：0816-1234567" in flat(pdftext(tmp_path / "n.pdf"))
    ensure_canvasser(ws, "李书记", "13908150001")
    res = build_notices(ws, tmp_path / "n.pdf", by="李书记")
    text = flat(pdftext(tmp_path / "n.pdf"))
    assert res.extra["contact_source"] == "canvasser" and "联系人：李书记电话：13908150001" in text


# ---- the year's first print -------------------------------------------------------------------------
def test_first_print_amounts_are_confirmed_once_a_year_and_again_when_they_change(village):
    ws, _ = village
    assert firstprint.due(ws)
    shown = dict(firstprint.lines(campaign.load(ws)))
    assert shown["个人缴费标准"] == "400元/人" and shown["资助参保：低保"] == "资助360元，个人缴40元"
    assert shown["缴费码"] == "不印缴费码" and "银行柜台" in shown["缴费渠道"]
    firstprint.confirm(ws, by="李书记")
    assert not firstprint.due(ws)
    campaign.update(ws, {"standard": 420})  # a township's new standard arrives: asked again
    assert firstprint.due(ws)


def _cli(*args, stdin: str = "") -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "canvasser", *map(str, args)], capture_output=True,
                          encoding=CHILD_ENCODING, input=stdin)


def test_cli_shows_the_amounts_until_confirmed_and_warns_of_no_phone(village, tmp_path):
    ws, _ = village
    ws.close()
    db = tmp_path / "v.db"
    r = _cli("notices", "--db", db, "--out", tmp_path / "n.pdf", "--json")
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert out["amounts_confirmed"] is False and ["个人缴费标准", "400元/人"] in out["amounts_to_confirm"]
    assert "个人缴费标准：400元/人" in r.stderr and any("联系电话" in w for w in out["warnings"])
    r = _cli("notices", "--db", db, "--out", tmp_path / "n.pdf", "--confirm-amounts", "--village-phone",
             "0816-7654321", "--json")
    out = json.loads(r.stdout)
    assert r.returncode == 0 and out["amounts_confirmed"] and "warnings" not in out and out["contact_source"] == "village"
    r = _cli("notices", "--db", db, "--out", tmp_path / "n.pdf", "--json")
    assert json.loads(r.stdout)["amounts_confirmed"] and "400元/人" not in r.stderr
    assert _cli("notices", "--db", db, "--out", tmp_path / "n.pdf", "--village-phone", "abc").returncode == 2


# ---- the feedback sheet ---------------------------------------------------------------------------
def test_a_death_date_only_when_one_was_given(village, tmp_path):
    ws, ids = village
    record_visit(ws, ids["刘伟"], "dead", by="李书记")  # no date given
    record_visit(ws, ids["赵磊"], "dead", by="李书记", note="家属说2026年10月3日去世")
    record_visit(ws, ids["陈静"], "dead", by="李书记")
    path = tmp_path / "死亡名单.csv"
    with open(path, "w", newline="", encoding="utf-8-sig") as f:
        w = csv.writer(f)
        w.writerow(["姓名", "身份证号", "死亡时间"])
        w.writerow(["陈静", ids["陈静"], "2026-09-12"])
    match_list(ws, path, "死亡", today=TODAY)
    ledgers.write_feedback(ws, tmp_path / "fb.xlsx")
    sheet = openpyxl.load_workbook(tmp_path / "fb.xlsx").worksheets[0]
    head = [c.value for c in sheet[2]]
    rows = {r[head.index("身份证号")]: dict(zip(head, r)) for r in sheet.iter_rows(min_row=3, values_only=True)
            if r[head.index("身份证号")]}
    assert rows[ids["刘伟"]]["死亡时间"] is None and "死亡时间未登记" in rows[ids["刘伟"]]["备注"]
    assert "走访登记日期" not in rows[ids["刘伟"]]["备注"]
    assert rows[ids["赵磊"]]["死亡时间"].date().isoformat() == "2026-10-03"
    assert rows[ids["陈静"]]["死亡时间"].date().isoformat() == "2026-09-12"  # the death list's date


def test_a_villages_feedback_sheet_keeps_the_bureaus_serials(tmp_path):
    town, people = make_township(tmp_path)
    serial = {p["公民身份号码"]: i for i, p in enumerate(people, 1)}  # write_csv numbers the rows 1..n
    village = make_village(town, tmp_path, VILLAGES[1])
    try:
        mine = ids_of(people, VILLAGES[1])
        assert min(serial[p] for p in mine) > 1  # not the list's first rows: a renumbering would show
        ledgers.write_feedback(village, tmp_path / "fb.xlsx")
        sheet = openpyxl.load_workbook(tmp_path / "fb.xlsx").worksheets[0]
        head = [c.value for c in sheet[2]]
        got = [(r[head.index("身份证号")], r[head.index("序号")]) for r in sheet.iter_rows(min_row=3, values_only=True)
               if r[head.index("身份证号")]]
        assert got == sorted(((p, serial[p]) for p in mine), key=lambda x: x[1])  # the bureau's 序号 and order
    finally:
        village.close()
        town.close()


# ---- ledgers --------------------------------------------------------------------------------------
def test_special_groups_ledger_is_the_dashboards_and_the_registrar_is_who_recorded_what_counts(village, tmp_path):
    ws, ids = village
    record_visit(ws, ids["王䶮"], "migrant_informed", by="王主任")  # a canvasser's visit ...
    ws.emit("status.official", f"p:{ids['王䶮']}", {"year": 2027, "paid": True, "amount": 400,
                                                     "paid_at": "2026-11-02", "channel": "税务APP", "source": "test"})
    record_visit(ws, ids["赵磊"], "paid_self", by="李书记")
    ledgers.write_ledger(ws, tmp_path / "l.xlsx")
    wb = openpyxl.load_workbook(tmp_path / "l.xlsx")
    special = {r["姓名"] for r in ledger_table(wb, ledgers.SHEET_SPECIAL)}
    assert special == {"李秀英", "张喆", "陈静", "陈强"}  # 低保, 特困, 重度残疾, 监测: no student (王小明)
    figs = reports.figures(ws)
    assert sum(v["total"] for v in figs["by_category"].values() if v["must_complete"]) == len(special)
    paid = {r["姓名"]: r for r in ledger_table(wb, ledgers.SHEET_PAID)}
    assert paid["王䶮"]["登记人"] == ledgers.BUREAU_RECORDED  # not 王主任, who only told him while away
    assert paid["赵磊"]["登记人"] == "李书记"


def test_plan_parts_splits_only_what_is_too_wide_and_balances_the_parts():
    narrow = [6, 10, 20, 12, 12]
    assert xlsxprint.plan_parts(narrow, [0, 1, 2]) == [[0, 1, 2, 3, 4]]
    wide = [6, 9, 20] + [14] * 14
    parts = xlsxprint.plan_parts(wide, [0, 1, 2])
    assert len(parts) == 2 and all(p[:3] == [0, 1, 2] for p in parts)
    assert sorted({i for p in parts for i in p}) == list(range(len(wide)))
    assert all(xlsxprint.printed_pt([wide[i] for i in p]) >= xlsxprint.PLAN_PT for p in parts)
    assert xlsxprint.plan_parts(wide, [0, 1, 2], "A3") == [list(range(len(wide)))]


# ---- the daily report -----------------------------------------------------------------------------
def test_the_report_names_its_unit_and_maker_on_every_page_and_rounds_half_up(tmp_path):
    town, people = make_township(tmp_path, households=40)
    try:
        for p in ids_of(people, VILLAGES[0])[:7]:
            record_visit(town, p, "paid_self", by="干事")
        figs = reports.make_report(town, save=False)
        assert figs["unit"] == figs["issuer"] == "某某镇"
        res = report_pdf.write_report_pdf(figs, tmp_path / "r.pdf", by="王干事")
    finally:
        town.close()
    pages = pdftext(tmp_path / "r.pdf").split("\f")[:res["pages"]]
    assert res["pages"] >= 2
    first = flat(pages[0])
    assert "某某镇2027年度城乡居民医保参保缴费进度日报" in first and "2027年度（2026年征缴）" in first
    assert "填报单位：某某镇（盖章）" in first and "制表人：王干事" in first and "审核人：" in first and "报出日期" in first
    for k, page in enumerate(pages, 1):
        assert f"第{k}页共{res['pages']}页" in flat(page) and "某某镇" in page.splitlines()[0]
    for page in pages:
        for line in page.splitlines():
            assert not line.strip().startswith(("）", ")")), line  # no bracket left alone at a line's start
            assert not line.strip().endswith(("（", "(")), line
    assert figures.RATE_TARGET in first and figures.LABELS["paid_claimed"] in first
    assert figures.percent(3, 2000) == "0.2%" and figures.percent(149, 100000) == "0.1%"  # once, from the counts


def test_wrap_keeps_a_short_bracketed_phrase_whole():
    lines = L.wrap("自报已缴费、学校代缴（待核实）共计", 10, 80)
    assert any("（待核实）" in line for line in lines)
    assert not any(line.startswith("）") or line.endswith("（") for line in L.wrap(figures.RATE_LIST, 10, 45))


# ---- the visit sheet ------------------------------------------------------------------------------
def test_the_visit_sheet_has_room_for_a_place_and_shows_promised_dates(village, tmp_path):
    ws, ids = village
    record_visit(ws, ids["刘伟"], "promised", promised="2026-12-20", by="李书记")
    cols = columns(842 - 2 * 12 * 72 / 25.4)
    note = cols.names.index("note")
    assert cols.xs[note + 1] - cols.xs[note] >= NOTE_MIN and cols.xs[-1] <= 842 - 2 * 12 * 72 / 25.4 + 0.01
    build_visit_sheet(ws, tmp_path / "s.pdf")
    line = next(ln for ln in pdftext(tmp_path / "s.pdf", layout=True).splitlines() if "刘伟" in ln and "元" in ln)
    assert "承诺12月20日" in line

