"""The county's report for the 约谈会, as an A4 PDF and as a workbook: the same figures.

It leads with what is said at the meeting (core/rules/meeting.py: the last three townships and
departments, the gap to the task number, the days left, the special groups still not done), then
ranks every township against its task number, drills down into each township's villages (a village
is (township, village): two townships may each have a 杨柳村), and shows each responsible
department's progress, in total and by township. No names or ID numbers: figures only.
"""

from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer

from ..rules import meeting
from ..rules.figures import CONFIRMED, LABELS, list_rate, target_rate
from ..storage import files
from ..text import fonts
from . import xlsxprint
from .ledgers import _save, _sheet_table, check_output, last_package_cell, maker_lines
from .report_pdf import _styles, _table

TOWNSHIP_HEAD = ["排名", "乡镇（街道）", "任务数", "名单人数", LABELS["done"], LABELS["target_rate"], "差额",
                 LABELS[CONFIRMED], "最近上报"]
VILLAGE_HEAD = ["乡镇（街道）", "村（社区）", "村内排名", "任务数", "名单人数", LABELS["done"], LABELS["target_rate"], "差额"]
DEPT_HEAD = ["排名", "责任部门", "负责人数", LABELS["done"], LABELS["remaining"], LABELS["rate"], "其中（未完成）"]


def township_rows(figs: dict) -> list[list]:
    bt = figs["by_township"]
    rows = [[bt[t]["rank"], t, bt[t]["target"], bt[t]["total"], bt[t]["done"], target_rate(bt[t]), bt[t]["gap"],
             bt[t][CONFIRMED], last_package_cell(bt[t]) or "从未上报"] for t in figs["ranking"]]
    rows.append(["", "全县合计", figs.get("target", figs["total"]), figs["total"], figs["done"], target_rate(figs),
                 figs.get("gap", 0), figs[CONFIRMED], ""])
    return rows


def village_rows(figs: dict) -> list[list]:
    """Every township's villages, each township's in its own rank order (the drill-down)."""
    rows = []
    for t in figs["ranking"]:
        town = figs["by_township"][t]
        for rank, v in enumerate(town.get("village_ranking") or sorted(town.get("by_village") or {}), 1):
            acc = town["by_village"][v]
            rows.append([t, v, rank, acc["target"], acc["total"], acc["done"], target_rate(acc), acc["gap"]])
    return rows


def department_rows(figs: dict) -> list[list]:
    deps = figs.get("departments") or {}
    return [[deps[d]["rank"], d, deps[d]["total"], deps[d]["done"], deps[d]["remaining"], list_rate(deps[d]),
             "、".join(f"{w} {c['remaining']}" for w, c in deps[d].get("categories", {}).items() if c["remaining"])]
            for d in figs.get("department_ranking") or deps]


def department_township_rows(figs: dict) -> tuple[list[str], list[list]]:
    """Each township's progress for each department (未完成/负责), for the departments' own rounds."""
    deps = figs.get("departments") or {}
    names = list(deps)
    rows = []
    for t in figs["ranking"]:
        row: list = [t]
        for d in names:
            acc = (deps[d].get("by_township") or {}).get(t)
            row.append(f"{acc['remaining']}/{acc['total']}" if acc and acc["total"] else "—")
        rows.append(row)
    return names, rows


def _alerts(figs: dict, names: list[str]) -> list[int]:
    """The rows of the last three townships (shaded)."""
    last = {t["name"] for t in meeting.bottom_townships(figs)}
    return [i for i, n in enumerate(names) if n in last]


def write_county_pdf(figs: dict, out: str | Path, *, title: str = "", by: str = "") -> dict:
    """The county's report (from `reports.make_report` at a county) as an A4 PDF; {"file", "pages"}.
    `by`: who made it (制表人), printed under the title with the issuing unit and the checker."""
    out = check_output(out, ".pdf")
    font = fonts.register()
    st = _styles(font)
    place = title or f"{figs.get('county') or '全县'}城乡居民医保参保缴费进度通报"
    m = meeting.summary(figs)
    story: list = [Paragraph(place, st["title"]),
                   Paragraph(f"{figs['coverage_year']}年度　报表日期 {figs['date']}　征缴截止 {figs['deadline']}"
                             f"（剩 {figs['days_left']} 天）", st["sub"]),
                   Paragraph("　".join(maker_lines(figs, by)), st["body"])]
    story.append(Paragraph("一、约谈要点", st["h2"]))
    for line in (m["headline"], m["township_line"], m["department_line"], m["special"]):
        if line:
            story.append(Paragraph(line, st["body"]))
    if m["silent"]:
        story.append(Paragraph(f"未按时上报（超过 {figs.get('silent_days', 3)} 天或从未上报）的乡镇：{'、'.join(m['silent'])}。",
                               st["body"]))
    story.append(Paragraph("二、各乡镇排名（按任务数完成率）", st["h2"]))
    rows = [[*r[:5], str(r[5]), *r[6:]] for r in township_rows(figs)]
    story.append(_table(st, TOWNSHIP_HEAD, rows,
                        [11 * mm, 26 * mm, 16 * mm, 17 * mm, 16 * mm, 19 * mm, 15 * mm, 18 * mm, 40 * mm],
                        _alerts(figs, figs["ranking"]), total_row=True, text_cols=(1, 8)))
    story.append(Paragraph("三、责任部门进度（负责人员的完成情况，一人可属多个部门）", st["h2"]))
    drows = [[*r[:5], str(r[5]), r[6]] for r in department_rows(figs)]
    last = {d["name"] for d in meeting.bottom_departments(figs)}
    story.append(_table(st, DEPT_HEAD, drows, [11 * mm, 22 * mm, 18 * mm, 18 * mm, 18 * mm, 20 * mm, 71 * mm],
                        [i for i, r in enumerate(drows) if r[1] in last], text_cols=(1, 6)))
    names, trows = department_township_rows(figs)
    if names and trows:
        story.append(Paragraph("各部门分乡镇（未完成/负责人数）", st["h3"]))
        story.append(_table(st, ["乡镇（街道）", *names], trows, [30 * mm, *[150 * mm / len(names)] * len(names)],
                            text_cols=tuple(range(len(names) + 1))))
    story.append(Paragraph("四、各乡镇分村进度", st["h2"]))
    vrows = [[*r[:6], str(r[6]), r[7]] for r in village_rows(figs)]
    story.append(_table(st, VILLAGE_HEAD, vrows,
                        [26 * mm, 30 * mm, 15 * mm, 18 * mm, 18 * mm, 18 * mm, 22 * mm, 18 * mm],
                        text_cols=(0, 1)))
    story.append(Spacer(1, 4 * mm))
    story.append(Paragraph("说明：乡镇任务数为县里下达的任务数（未下达的以名单人数计），村任务数为乡镇填写的（未填的以名单人数计）；"
                           "已完成 = 医保局确认已缴 + 自报待核实 + 不需参保；完成率（占任务数）= 已完成 ÷ 任务数；"
                           "差额 = 任务数 − 已完成；责任部门的完成率占其负责的人数；百分比由人数直接四舍五入到 0.1%。",
                           st["note"]))
    pages = [0]

    def footer(canvas, doc) -> None:
        pages[0] = doc.page
        canvas.saveState()
        canvas.setFont(font, 8.5)
        canvas.drawCentredString(A4[0] / 2, 10 * mm, f"{place}　第 {doc.page} 页")
        canvas.restoreState()

    tmp = out.with_name(f".{out.name}.part")
    try:
        doc = SimpleDocTemplate(str(tmp), pagesize=A4, leftMargin=12 * mm, rightMargin=12 * mm, topMargin=15 * mm,
                                bottomMargin=18 * mm, title=place, author="canvasser", creator="canvasser",
                                initialFontName=font, initialFontSize=10, initialLeading=14)
        doc.build(story, onFirstPage=footer, onLaterPages=footer)
        files.replace(tmp, out)
    finally:
        if tmp.exists():
            tmp.unlink()
    return {"file": str(out), "pages": pages[0]}


def write_county_xlsx(figs: dict, out: str | Path, *, by: str = "") -> dict:
    """The same report as a workbook: 约谈要点, 乡镇排名, 责任部门, 部门分乡镇, 分村进度; the first sheet
    ends with who issued, made and checked it."""
    out = check_output(out)
    wb = Workbook(write_only=True)
    day = xlsxprint.as_date(figs["date"])
    county = figs.get("county") or ""
    m = meeting.summary(figs)

    def heading(what: str) -> str:
        return xlsxprint.title_text(f"参保缴费进度通报·{what}", village=county, year=figs["coverage_year"], day=day)

    lines = [["总体", m["headline"]], ["排名后三位的乡镇", m["township_line"]], ["进度后三位的责任部门", m["department_line"]],
             ["特殊困难群体及在校学生", m["special"]], ["未按时上报的乡镇", "、".join(m["silent"]) or "无"],
             ["距征缴截止天数", figs["days_left"]]]
    _sheet_table(wb, "约谈要点", [("项目", 22), ("内容", 110)], lines, heading=heading("约谈要点"),
                 sign=maker_lines(figs, by))
    _sheet_table(wb, "乡镇排名", [(h, w) for h, w in zip(TOWNSHIP_HEAD, (6, 16, 9, 10, 9, 13, 9, 12, 26))],
                 township_rows(figs), _alerts(figs, figs["ranking"]), heading=heading("乡镇排名"))
    last = {d["name"] for d in m["bottom_departments"]}
    drows = department_rows(figs)
    _sheet_table(wb, "责任部门", [(h, w) for h, w in zip(DEPT_HEAD, (6, 12, 10, 9, 9, 13, 50))], drows,
                 [i for i, r in enumerate(drows) if r[1] in last], heading=heading("责任部门"))
    names, trows = department_township_rows(figs)
    if names:
        _sheet_table(wb, "部门分乡镇", [("乡镇（街道）", 16), *[(f"{n}（未完成/负责）", 16) for n in names]], trows,
                     heading=heading("各部门分乡镇"))
    _sheet_table(wb, "分村进度", [(h, w) for h, w in zip(VILLAGE_HEAD, (14, 16, 8, 9, 10, 9, 13, 9))],
                 village_rows(figs), heading=heading("各乡镇分村进度"))
    _save(wb, out)
    return {"file": str(out)}
