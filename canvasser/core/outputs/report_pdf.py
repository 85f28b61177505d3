"""The daily report as an A4 PDF (reportlab platypus), with the same sections as the xlsx.

Every paragraph and table style names the bundled CJK font and the canvas starts with it, so no
standard (unembedded) font such as Helvetica is ever referenced and the file prints the same on
every machine. No <b> tags: the bundled font has no bold face to map them to.
"""

from __future__ import annotations

from pathlib import Path

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from ..rules import freshness, reports
from ..rules.figures import LABELS
from ..storage import files
from ..text import fonts
from .ledgers import (
    PROGRESS_HEADERS,
    _progress_cells,
    check_output,
    late_text,
    special_rows,
    summary_lines,
    village_rows,
)

ALERT = colors.HexColor("#F8CBAD")
HEAD = colors.HexColor("#DDEBF7")


def _styles(font: str) -> dict[str, ParagraphStyle]:
    return {
        "title": ParagraphStyle("title", fontName=font, fontSize=16, leading=22, alignment=1, spaceAfter=4),
        "sub": ParagraphStyle("sub", fontName=font, fontSize=10, leading=14, alignment=1, spaceAfter=8),
        "h2": ParagraphStyle("h2", fontName=font, fontSize=12.5, leading=18, spaceBefore=8, spaceAfter=4),
        "h3": ParagraphStyle("h3", fontName=font, fontSize=10.5, leading=15, spaceBefore=6, spaceAfter=3),
        "body": ParagraphStyle("body", fontName=font, fontSize=10, leading=14),
        "note": ParagraphStyle("note", fontName=font, fontSize=9, leading=12, textColor=colors.black),
        "cell": ParagraphStyle("cell", fontName=font, fontSize=8.5, leading=11),
        "head": ParagraphStyle("head", fontName=font, fontSize=8.5, leading=10.5, alignment=1),
    }


def _table(st: dict, header: list[str], rows: list[list], widths: list[float] | None = None,
           alerts: list[int] = (), total_row: bool = False, text_cols: tuple[int, ...] = (0,)) -> Table:
    """A grid with a wrapped header row (repeated on each page); text columns left, figures right."""
    head = [Paragraph(h, st["head"]) for h in header]
    body = [[Paragraph(str(v), st["cell"]) if j in text_cols else ("" if v is None else str(v))
             for j, v in enumerate(r)] for r in rows]
    t = Table([head, *body], colWidths=widths, repeatRows=1)
    font = st["cell"].fontName
    style = [
        ("FONTNAME", (0, 0), (-1, -1), font),
        ("FONTSIZE", (0, 0), (-1, -1), 8.5),
        ("LEADING", (0, 0), (-1, -1), 11),
        ("BACKGROUND", (0, 0), (-1, 0), HEAD),
        ("GRID", (0, 0), (-1, -1), 0.4, colors.black),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("ALIGN", (0, 1), (-1, -1), "RIGHT"),
    ]
    for i in alerts:
        style.append(("BACKGROUND", (0, i + 1), (-1, i + 1), ALERT))
    if total_row and rows:
        style.append(("LINEABOVE", (0, len(rows)), (-1, len(rows)), 1.2, colors.black))
    t.setStyle(TableStyle(style))
    return t


PROGRESS_HEAD = [h for h, _ in PROGRESS_HEADERS]  # the xlsx's labels: one label per figure (figures.LABELS)


def write_report_pdf(figs: dict, out: str | Path, *, title: str = "") -> dict:
    """Render the report dict (from `reports.make_report`) to an A4 PDF; returns {"file", "pages"}."""
    out = check_output(out, ".pdf")
    font = fonts.register()
    st = _styles(font)
    place = title or "城乡居民医保参保缴费进度日报"
    story: list = [Paragraph(place, st["title"]),
                   Paragraph(f"{figs['coverage_year']}年度　报表日期 {figs['date']}　征缴截止 {figs['deadline']}"
                             f"（剩 {figs['days_left']} 天）", st["sub"])]

    story.append(Paragraph("一、总体情况", st["h2"]))
    lines = summary_lines(figs)
    half = (len(lines) + 1) // 2
    left, right = lines[:half], lines[half:]
    grid = [[Paragraph(str(x), st["cell"]) for x in (*a, *(b or ("", "")))] for a, b in
            zip(left, [*right, *([None] * (len(left) - len(right)))])]
    t = Table(grid, colWidths=[48 * mm, 36 * mm, 54 * mm, 36 * mm])
    t.setStyle(TableStyle([("FONTNAME", (0, 0), (-1, -1), font), ("FONTSIZE", (0, 0), (-1, -1), 9),
                           ("LEADING", (0, 0), (-1, -1), 12), ("GRID", (0, 0), (-1, -1), 0.4, colors.black),
                           ("BACKGROUND", (0, 0), (0, -1), HEAD), ("BACKGROUND", (2, 0), (2, -1), HEAD),
                           ("VALIGN", (0, 0), (-1, -1), "MIDDLE")]))
    story.append(t)
    alerts = []
    if figs.get("below_70"):
        alerts.append(f"{LABELS['target_rate']}低于70%的村：{'、'.join(figs['below_70'])}。")
    if figs.get("below_80"):
        alerts.append(f"{LABELS['target_rate']}低于80%的村：{'、'.join(figs['below_80'])}。")
    if figs.get("special_below_100"):
        alerts.append(f"特殊群体须100%参保，尚未完成：{'、'.join(figs['special_below_100'])}。")
    alerts += [f"{label}：{'、'.join(names)}。" for label, names in freshness.alert_lines(figs)]
    if alerts:
        story.append(Spacer(1, 2 * mm))
    for a in alerts:
        story.append(Paragraph(a, st["note"]))

    story.append(Paragraph("二、分村排名（按任务数完成率）", st["h2"]))
    vrows = [[*r[0:6], r[13], r[7], r[11], r[12]] for r in village_rows(figs)]  # the rate against the task
    valerts = [i for i, n in enumerate(figs["ranking"]) if figs["by_village"][n]["target_rate"] < reports.WARN_RATE]
    story.append(_table(st, ["排名", "村（社区）", "任务数", "人数", LABELS["done"], LABELS["remaining"],
                             LABELS["target_rate"], LABELS["paid_official"], "差额", "较上次新增"], vrows,
                        [12 * mm, 30 * mm, 16 * mm, 16 * mm, 16 * mm, 16 * mm, 16 * mm, 18 * mm, 14 * mm, 16 * mm],
                        valerts, total_row=True, text_cols=(1,)))

    story.append(Paragraph("三、分组进度", st["h2"]))
    story.append(_table(st, ["组", *PROGRESS_HEAD],
                        [[k, *_progress_cells(v)] for k, v in figs["by_group"].items()],
                        [34 * mm, *[17.5 * mm] * 8]))

    story.append(Paragraph("四、分类别进度（每人只计一类；特殊群体须100%）", st["h2"]))
    cats = list(figs["by_category"].items())
    story.append(_table(st, ["人员类别", *PROGRESS_HEAD, "提示"],
                        [[k, *_progress_cells(v), "未达100%" if v["below_100"] else ""] for k, v in cats],
                        [24 * mm, *[15.5 * mm] * 8, 18 * mm], [i for i, (_, v) in enumerate(cats) if v["below_100"]]))
    spec = special_rows(figs)
    if spec:  # only where someone in two groups makes them differ from the table above
        story.append(Paragraph("特殊群体（一人可属多类，与上表不同的）", st["h3"]))
        story.append(_table(st, ["特殊群体", *PROGRESS_HEAD, "提示"],
                            [[k, *_progress_cells(v), "未达100%" if v["below_100"] else "已完成"] for k, v in spec],
                            [24 * mm, *[15.5 * mm] * 8, 18 * mm],
                            [i for i, (_, v) in enumerate(spec) if v["below_100"]]))

    story.append(Paragraph(f"五、走访人员当日工作（{figs['date']}）", st["h2"]))
    cv = figs.get("by_canvasser") or {}
    if cv:
        story.append(_table(st, ["走访人", "走访次数", "联系人数", "当日办结"],
                            [[k, v["visits"], v["contacts"], v["done_outcomes"]] for k, v in cv.items()],
                            [40 * mm, 30 * mm, 30 * mm, 30 * mm]))
    else:
        story.append(Paragraph("当日没有走访记录。", st["body"]))

    tr = figs.get("trend") or []
    if tr:
        story.append(Paragraph("六、近日走势", st["h2"]))
        story.append(_table(st, ["日期", "走访次数", "走访办结", "医保局确认（当日导入）", "新增完成", "迟报"],
                            [[t["day"], t["visits"], t["done_by_visit"], t["paid_official"], t["done"], late_text(t)]
                             for t in tr],
                            [24 * mm, 20 * mm, 20 * mm, 32 * mm, 20 * mm, 44 * mm]))
    story.append(Spacer(1, 4 * mm))
    story.append(Paragraph("说明：已完成 = 医保局确认已缴 + 自报待核实（当场协助、自行缴费、学校代缴，待医保局名单确认）+ 不需参保；"
                           "完成率（占名单）= 已完成 ÷ 名单人数；完成率（占任务数）= 已完成 ÷ 任务数（未填任务数的村以名单人数计）；"
                           "差额 = 任务数 − 已完成；百分比由人数直接四舍五入到 0.1%。"
                           "近日走势：往日的数字保持当日报出时的样子，之后才收到的记在“迟报”。", st["note"]))

    pages = [0]

    def footer(canvas, doc) -> None:
        pages[0] = doc.page
        canvas.saveState()
        canvas.setFont(font, 8.5)
        canvas.drawCentredString(A4[0] / 2, 10 * mm, f"{place}　第 {doc.page} 页")
        canvas.restoreState()

    tmp = out.with_name(f".{out.name}.part")
    try:
        doc = SimpleDocTemplate(str(tmp), pagesize=A4, leftMargin=15 * mm, rightMargin=15 * mm, topMargin=15 * mm,
                                bottomMargin=18 * mm, title=place, author="canvasser", creator="canvasser",
                                initialFontName=font, initialFontSize=10, initialLeading=14)
        doc.build(story, onFirstPage=footer, onLaterPages=footer)
        files.replace(tmp, out)
    finally:
        if tmp.exists():
            tmp.unlink()
    return {"file": str(out), "pages": pages[0]}
