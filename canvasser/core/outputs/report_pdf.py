"""The daily report as an A4 PDF (reportlab platypus): an official document a county bureau signs off.

Every page names whose report it is (the unit: township or village, and the issuer) and counts its
pages ("第 2 页 共 5 页"); the first page says who issued, made and checked it and when; the
coverage year is given with the year it is collected in. Every rate names what it divides by, and
one label is one figure (the same names as the xlsx: `ledgers.summary_lines`). A section heading
never stands alone at the foot of a page (it keeps with its table), and cell text is wrapped by
`layout.wrap`, which never leaves a bracket alone on a line.

Every paragraph and table style names the bundled CJK font and the canvas starts with it, so no
standard (unembedded) font such as Helvetica is ever referenced and the file prints the same on
every machine. No <b> tags: the bundled font has no bold face to map them to.
"""

from __future__ import annotations

from pathlib import Path
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from ..rules import figures, reports
from ..storage import files
from ..text import fonts
from ..text.cells import clean
from ..tiers import Tier
from .ledgers import (
    CLAIMED_LABEL,
    LIST_RATE,
    TARGET_RATE,
    _progress_cells,
    alert_lines,
    check_output,
    late_text,
    maker_lines,
    special_rows,
    summary_lines,
    village_rows,
    year_label,
)
from .notices import layout as L

ALERT = colors.HexColor("#F8CBAD")
HEAD = colors.HexColor("#DDEBF7")
TEXT_W = A4[0] - 30 * mm - 12 + 7  # a paragraph's width in the frame (its padding off; `_p` takes 7 off)
NUMERALS = "一二三四五六七八九十"


def _styles(font: str) -> dict[str, ParagraphStyle]:
    return {
        "title": ParagraphStyle("title", fontName=font, fontSize=16, leading=22, alignment=1, spaceAfter=4),
        "sub": ParagraphStyle("sub", fontName=font, fontSize=10, leading=14, alignment=1, spaceAfter=6),
        "h2": ParagraphStyle("h2", fontName=font, fontSize=12.5, leading=18, spaceBefore=8, spaceAfter=4,
                             keepWithNext=1),
        "h3": ParagraphStyle("h3", fontName=font, fontSize=10.5, leading=15, spaceBefore=6, spaceAfter=3,
                             keepWithNext=1),
        "body": ParagraphStyle("body", fontName=font, fontSize=10, leading=14),
        "note": ParagraphStyle("note", fontName=font, fontSize=9, leading=12, textColor=colors.black),
        "cell": ParagraphStyle("cell", fontName=font, fontSize=8.5, leading=11),
        "head": ParagraphStyle("head", fontName=font, fontSize=8.5, leading=10.5, alignment=1),
    }


def _p(text: object, style: ParagraphStyle, width: float) -> Paragraph:
    """A paragraph wrapped by `layout.wrap` to `width` (less the cell's padding): the same line
    breaks as every printed form, a short bracketed phrase never cut."""
    lines = L.wrap(str(text), style.fontSize, max(width - 7, style.fontSize))
    return Paragraph("<br/>".join(escape(line) for line in lines), style)


def _table(st: dict, header: list[str], rows: list[list], widths: list[float],
           alerts: list[int] = (), total_row: bool = False, text_cols: tuple[int, ...] = (0,)) -> Table:
    """A grid with a wrapped header row (repeated on each page); text columns left, figures right."""
    head = [_p(h, st["head"], w) for h, w in zip(header, widths)]
    body = [[_p(clean(str(v)), st["cell"], widths[j]) if j in text_cols else ("" if v is None else clean(str(v)))
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


PROGRESS_HEAD = ["人数", "已完成", "未完成", LIST_RATE, "医保局确认", CLAIMED_LABEL, "不需参保", "已走访"]


def _page_canvas(header: str, footer: str):
    """A canvas class that writes the running header and "第 n 页 共 N 页" on every page: the pages
    are kept until the end, when their number is known."""

    class PageCanvas(Canvas):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self._pages: list[dict] = []

        def showPage(self) -> None:
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self) -> None:
            total = len(self._pages)
            for state in self._pages:
                self.__dict__.update(state)
                self._decorate(total)
                super().showPage()
            super().save()

        def _decorate(self, total: int) -> None:
            self.saveState()
            L.draw(self, 15 * mm, A4[1] - 10 * mm, header, 8.5)
            L.hline(self, 15 * mm, A4[0] - 15 * mm, A4[1] - 11.5 * mm, 0.5)
            L.draw(self, A4[0] / 2, 10 * mm, f"{footer}　第 {self._pageNumber} 页 共 {total} 页", 8.5,
                   align="center")
            self.restoreState()

    return PageCanvas


def write_report_pdf(figs: dict, out: str | Path, *, title: str = "", by: str = "") -> dict:
    """Render the report dict (from `reports.make_report`) to an A4 PDF; returns {"file", "pages"}.
    `by`: who made it (制表人), printed on the first page."""
    out = check_output(out, ".pdf")
    font = fonts.register()
    st = _styles(font)
    unit = figs.get("unit") or ""
    issuer = figs.get("issuer") or unit
    name = title or f"{unit}{figs['coverage_year']}年度城乡居民医保参保缴费进度日报"
    story: list = [Paragraph(escape(name), st["title"]),
                   Paragraph(escape(f"{year_label(figs)}　截至 {figs['date']}　征缴截止 {figs['deadline']}"
                                    f"（剩 {figs['days_left']} 天）"), st["sub"])]
    issued, made, checked, when = maker_lines(figs, by)
    widths = [110 * mm, 70 * mm]
    t = Table([[_p(a, st["body"], w) for a, w in zip(row, widths)] for row in ((issued, when), (made, checked))],
              colWidths=widths)
    t.setStyle(TableStyle([("FONTNAME", (0, 0), (-1, -1), font), ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                           ("LEFTPADDING", (0, 0), (-1, -1), 0)]))
    story += [t, Spacer(1, 2 * mm)]
    sections = iter(NUMERALS)

    def heading(text: str) -> None:
        story.append(Paragraph(escape(f"{next(sections)}、{text}"), st["h2"]))

    heading("总体情况")
    lines = summary_lines(figs)
    lines = [(k, v) for k, v in lines if k not in {label for label, _ in alert_lines(figs)}]  # named below
    half = (len(lines) + 1) // 2
    left, right = lines[:half], lines[half:]
    widths = [48 * mm, 40 * mm, 52 * mm, 40 * mm]
    grid = [[_p(x, st["cell"], w) for x, w in zip((*a, *(b or ("", ""))), widths)] for a, b in
            zip(left, [*right, *([None] * (len(left) - len(right)))])]
    t = Table(grid, colWidths=widths)
    t.setStyle(TableStyle([("FONTNAME", (0, 0), (-1, -1), font), ("FONTSIZE", (0, 0), (-1, -1), 9),
                           ("LEADING", (0, 0), (-1, -1), 12), ("GRID", (0, 0), (-1, -1), 0.4, colors.black),
                           ("BACKGROUND", (0, 0), (0, -1), HEAD), ("BACKGROUND", (2, 0), (2, -1), HEAD),
                           ("VALIGN", (0, 0), (-1, -1), "MIDDLE")]))
    story.append(t)
    alerts = alert_lines(figs)
    if alerts:
        story.append(Spacer(1, 2 * mm))
    for label, names in alerts:
        story.append(_p(f"{label}：{'、'.join(names)}。", st["note"], TEXT_W))

    if len(figs["by_village"]) > 1 or Tier.of(figs.get("mode")).coordinates:
        heading(f"分村排名（按{TARGET_RATE}）")
        vrows = [[*r[0:2], r[2], r[3], r[4], r[5], r[6], r[7], r[11], r[12]] for r in village_rows(figs)]
        valerts = [i for i, n in enumerate(figs["ranking"]) if figs["by_village"][n]["target_rate"] < reports.WARN_RATE]
        story.append(_table(st, ["排名", "村（社区）", "任务数", "名单人数", "已完成", "未完成", TARGET_RATE, "医保局确认",
                                 "差额", "较上次新增"], vrows,
                            [11 * mm, 28 * mm, 15 * mm, 17 * mm, 15 * mm, 15 * mm, 23 * mm, 19 * mm, 15 * mm, 18 * mm],
                            valerts, total_row=True, text_cols=(1,)))

    heading("分组进度")
    story.append(_table(st, ["组", *PROGRESS_HEAD],
                        [[k, *_progress_cells(v)] for k, v in figs["by_group"].items()],
                        [30 * mm, 15 * mm, 15 * mm, 15 * mm, 25 * mm, 19 * mm, 23 * mm, 18 * mm, 15 * mm]))

    heading("分类别进度（每人只计一类；特殊群体须100%）")
    cats = list(figs["by_category"].items())
    cat_widths = [22 * mm, 14 * mm, 14 * mm, 14 * mm, 25 * mm, 17 * mm, 23 * mm, 17 * mm, 14 * mm, 19 * mm]
    story.append(_table(st, ["人员类别", *PROGRESS_HEAD, "提示"],
                        [[k, *_progress_cells(v), "未达100%" if v["below_100"] else ""] for k, v in cats],
                        cat_widths, [i for i, (_, v) in enumerate(cats) if v["below_100"]]))
    spec = special_rows(figs)
    if spec:  # only where someone in two groups makes them differ from the table above
        story.append(Paragraph("特殊群体（一人可属多类，与上表不同的）", st["h3"]))
        story.append(_table(st, ["特殊群体", *PROGRESS_HEAD, "提示"],
                            [[k, *_progress_cells(v), "未达100%" if v["below_100"] else "已完成"] for k, v in spec],
                            cat_widths, [i for i, (_, v) in enumerate(spec) if v["below_100"]]))

    heading(f"走访人员当日工作（{figs['date']}）")
    cv = figs.get("by_canvasser") or {}
    if cv:
        story.append(_table(st, ["走访人", "走访次数", "联系人数", "当日办结"],
                            [[k, v["visits"], v["contacts"], v["done_outcomes"]] for k, v in cv.items()],
                            [40 * mm, 30 * mm, 30 * mm, 30 * mm]))
    else:
        story.append(Paragraph("当日没有走访记录。", st["body"]))

    tr = figs.get("trend") or []
    if tr:
        heading("近日走势")
        # a past day keeps the figures it was first reported with; what came for it later is 迟报
        story.append(_table(st, ["日期", "走访次数", "走访办结", "医保局确认（当日导入）", "新增完成", "迟报"],
                            [[t["day"], t["visits"], t["done_by_visit"], t[figures.CONFIRMED], t["done"], late_text(t)]
                             for t in tr],
                            [24 * mm, 20 * mm, 20 * mm, 32 * mm, 20 * mm, 44 * mm]))
    story.append(Spacer(1, 4 * mm))
    story.append(_p(f"说明：完成数 = 医保局确认已缴费 + {CLAIMED_LABEL}（当场协助、自行缴费、学校代缴，待医保局缴费名单核实）"
                    f"+ 不需参保（认可的原因）；{TARGET_RATE} = 完成数 ÷ 任务数（未填任务数的村以名单人数计）；"
                    f"医保局确认完成率（{TARGET_RATE[4:-1]}）=（医保局确认已缴费 + 不需参保）÷ 任务数；{LIST_RATE}"
                    "= 完成数 ÷ 名单人数（组和人员类别没有任务数）；差额 = 任务数 - 完成数；百分比由人数直接四舍五入到 0.1%。"
                    "近日走势：往日的数字保持当日报出时的样子，之后才收到的记在“迟报”。", st["note"], TEXT_W))

    header = f"{unit}　{year_label(figs)}城乡居民医保参保缴费进度日报（{figs['date']}）"
    footer = f"填报单位：{issuer}"
    tmp = out.with_name(f".{out.name}.part")
    try:
        doc = SimpleDocTemplate(str(tmp), pagesize=A4, leftMargin=15 * mm, rightMargin=15 * mm, topMargin=16 * mm,
                                bottomMargin=18 * mm, title=name, author=issuer or "canvasser", creator="canvasser",
                                initialFontName=font, initialFontSize=10, initialLeading=14)
        doc.build(story, canvasmaker=_page_canvas(header, footer))
        files.replace(tmp, out)
    finally:
        if tmp.exists():
            tmp.unlink()
    return {"file": str(out), "pages": doc.page}
