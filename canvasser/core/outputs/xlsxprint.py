"""Print setup for every spreadsheet the app writes: a township clerk prints them as they come.

One place decides how a sheet prints: a title row (village, year, date) above the header, A4
landscape when the sheet is wide, fitted to the page width (as many pages down as it needs), the
title and header rows repeated on every page, "第 N 页 共 M 页" in the footer, and, on a ledger
someone signs, the signature and date lines under the last row. Writers call `begin` before their
header row and `sign` after their last row; both work on openpyxl's write-only sheets.
"""

from __future__ import annotations

import datetime as dt
from copy import copy

from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.worksheet.properties import PageSetupProperties

from .. import clock
from ..text.cells import clean

TITLE_FONT = Font(bold=True, size=14)
SIGN_FONT = Font(size=11)
LANDSCAPE_FROM = 7  # columns: a sheet this wide prints across the page
SIGNATURES = ("制表人：", "审核人：", "村（社区）负责人（签字）：", "日期：　　　年　　月　　日")
DATE_FORMAT = "yyyy-mm-dd"
TIME_FORMAT = "yyyy-mm-dd hh:mm"
THIN = Side(style="thin", color="000000")
GRID = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)  # every table cell, as a printed form has

# ---- paper: a sheet is fitted to one page wide, so its columns decide the printed type size ----
PAPERS = {"A4": (9, 595.0, 842.0), "A3": (8, 842.0, 1191.0)}  # name: (Excel's paperSize, short, long side in pt)
MARGIN_IN = 0.4  # left and right margins, inches
BODY_PT = 11.0  # the cells' type size (Excel's default)
UNIT_PT = 5.6  # printed points per unit of column width at that size (7 px at 96 dpi, plus padding)
MIN_PT = 8.0  # never print a table smaller than this
FIT_PT = 8.5  # a table printing at least this size stays one part
PLAN_PT = 9.0  # a table split into parts is split so each prints at least this size


def usable_width(paper: str = "A4", landscape: bool = True) -> float:
    """The printable width of a page in points (margins taken off)."""
    _, short, long = PAPERS[paper]
    return (long if landscape else short) - 72 * 2 * MARGIN_IN


def printed_pt(widths: list[float], paper: str = "A4", landscape: bool = True) -> float:
    """The cells' type size as printed when columns this wide are fitted to one page width."""
    need = sum(widths) * UNIT_PT + 8
    return BODY_PT * min(1.0, usable_width(paper, landscape) / need)


def plan_parts(widths: list[float], keep: list[int], paper: str = "A4") -> list[list[int]]:
    """The column indexes of each printed part of a table too wide for one landscape page: a table
    printing at FIT_PT or more is one part (all its columns); a wider one is cut into as few parts
    as print at PLAN_PT or more, each starting with the `keep` columns (序号, 姓名, 身份证号) and
    taking a run of the others in order, the runs about equally wide."""
    if printed_pt(widths, paper) >= FIT_PT:
        return [list(range(len(widths)))]
    budget = (usable_width(paper) * BODY_PT / PLAN_PT - 8) / UNIT_PT - sum(widths[i] for i in keep)
    rest = [i for i in range(len(widths)) if i not in keep]
    for k in range(2, len(rest) + 1):
        runs = _runs([widths[i] for i in rest], k)
        if all(sum(widths[rest[j]] for j in run) <= budget for run in runs) or k == len(rest):
            return [sorted([*keep, *(rest[j] for j in run)]) for run in runs]
    return [list(range(len(widths)))]


def _runs(widths: list[float], k: int) -> list[list[int]]:
    """`widths` cut in order into k runs of about equal total width (none empty)."""
    total, acc = sum(widths), 0.0
    runs: list[list[int]] = [[]]
    for j, w in enumerate(widths):
        left = len(widths) - j  # columns still to place, this one included
        if runs[-1] and len(runs) < k and (acc + w / 2 > total * len(runs) / k or left == k - len(runs)):
            runs.append([])
        runs[-1].append(j)
        acc += w
    return runs


def row_height(cells: list[tuple[str, float]]) -> float:
    """Points for a row whose wrapped texts (text, column width) all show: a spreadsheet does not
    grow a row for wrapped text on its own when it prints (LibreOffice, WPS)."""
    lines = 1
    for text, width in cells:
        units = sum(2.1 if ord(ch) > 0x2E80 else 1.1 for ch in str(text))  # a CJK character is about two units
        lines = max(lines, -(-int(units + 0.999) // max(1, int(width - 1))))
    return 15.0 * lines + 3


header_height = row_height


class Grid:
    """Bordered cells for one write-only sheet. Each kind of cell (plain, text, date, time) gets
    its style once; every cell copies it (a style set cell by cell cost seconds on a big ledger).
    Text is cleaned and never a formula (cells.py)."""

    KINDS = (("plain", None), ("text", "@"), ("date", DATE_FORMAT), ("time", TIME_FORMAT))

    def __init__(self, ws):
        self.ws = ws
        self.styles = {}
        for kind, fmt in self.KINDS:
            proto = WriteOnlyCell(ws)
            proto.border = GRID
            if fmt:
                proto.number_format = fmt
            self.styles[kind] = proto._style
        self._cells: list[WriteOnlyCell] = []

    def cell(self, value, text: bool = False, *, own_style: bool = False) -> WriteOnlyCell:
        """A bordered cell for `value` ('' and None: an empty bordered cell); `text`: always a
        string formatted as text (IDs, phones, household codes). Cells share their kind's style
        object (nothing changes it once written); `own_style` gives a copy to change (a fill)."""
        if value == "":
            value = None
        kind = "text" if text else "plain"
        if isinstance(value, dt.datetime):
            kind = "time"
        elif isinstance(value, dt.date):
            kind = "date"
        elif value is not None and text and not isinstance(value, str):
            value = str(value)
        if isinstance(value, str):
            value = clean(value, keep_lines=True)
        c = WriteOnlyCell(self.ws, value=value)
        c._style = copy(self.styles[kind]) if own_style else self.styles[kind]
        if isinstance(value, str) and (text or value[:1] == "="):
            c.data_type = "s"
        return c

    def row(self, values: list, text_cols: frozenset[int] = frozenset(), *, own_style: bool = False
            ) -> list[WriteOnlyCell]:
        return [self.cell(v, i in text_cols, own_style=own_style) for i, v in enumerate(values)]

    def stream(self, values: list, text_cols: frozenset[int] = frozenset()) -> list[WriteOnlyCell]:
        """The same bordered cells for a row appended at once to a write-only sheet (which writes
        each row as it is appended), reusing one cell object per column: a big ledger's million
        cells cost no million objects. The style goes on before the value: a date's value would
        otherwise set a date format on the style the cell had (shared by every cell of its kind)."""
        cells = self._cells
        while len(cells) < len(values):
            cells.append(WriteOnlyCell(self.ws))
        out = cells[:len(values)]
        styles = self.styles
        for i, (c, value) in enumerate(zip(out, values)):
            text = i in text_cols
            if value == "":
                value = None
            if isinstance(value, str):
                c._style = styles["text" if text else "plain"]
                c.value = clean(value, keep_lines=True)
                if text or value[:1] == "=":
                    c.data_type = "s"
            elif value is not None and text:
                c._style = styles["text"]
                c.value = str(value)
                c.data_type = "s"
            else:
                c._style = styles["time" if isinstance(value, dt.datetime) else "date" if isinstance(value, dt.date)
                                  else "text" if text else "plain"]
                c.value = value
        return out


def title_text(what: str, *, village: str = "", year: int | str = "", day: dt.date | None = None) -> str:
    """青石村 2027年度 未参保人员台账（2026年11月29日）."""
    day = day or clock.today()
    parts = [p for p in (village, f"{year}年度" if year else "", what) if p]
    return "　".join(parts) + f"（{day.year}年{day.month}月{day.day}日）"


def begin(ws, title: str, n_cols: int, paper: str = "A4") -> int:
    """Set up printing and write the title row; returns the row the header goes on (2). A
    write-only sheet writes its properties with its first row, so the setup comes first."""
    setup(ws, n_cols, header_rows=2, paper=paper)
    cell = WriteOnlyCell(ws, value=title)
    cell.font = TITLE_FONT
    cell.alignment = Alignment(horizontal="left", vertical="center")
    ws.append([cell])
    return 2


def setup(ws, n_cols: int, header_rows: int = 2, paper: str = "A4") -> None:
    """Landscape when wide, fitted to one page wide, header rows repeated, page numbers."""
    ps = ws.page_setup
    ps.paperSize = PAPERS[paper][0]
    ps.orientation = "landscape" if n_cols >= LANDSCAPE_FROM else "portrait"
    ps.fitToWidth = 1
    ps.fitToHeight = 0  # as many pages down as the rows need
    if ws.sheet_properties.pageSetUpPr is None:
        ws.sheet_properties.pageSetUpPr = PageSetupProperties()
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = f"1:{header_rows}"
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.page_margins.top = ws.page_margins.bottom = 0.6
    for footer in (ws.oddFooter, ws.evenFooter):
        footer.center.text = "第 &P 页 共 &N 页"
        footer.center.size = 9


def sign(ws, n_cols: int) -> None:
    """A blank row, then the signature and date lines spread across the sheet's width."""
    ws.append([])
    step = max(1, n_cols // len(SIGNATURES))
    row: list = [None] * max(n_cols, step * len(SIGNATURES))
    for i, label in enumerate(SIGNATURES):
        cell = WriteOnlyCell(ws, value=label)
        cell.font = SIGN_FONT
        row[i * step] = cell
    ws.append(row)


def as_date(text: str | dt.date | None) -> dt.date | None:
    """'2026-12-01…' -> a real date (Excel sorts and filters it as one); None when there is none."""
    if isinstance(text, dt.date):
        return text
    t = (text or "")[:10]
    try:
        return dt.date.fromisoformat(t) if t else None
    except ValueError:
        return None


def as_time(text: str | None) -> dt.datetime | None:
    """'2026-12-01T09:30…' -> a real date and time to the minute; None when there is none."""
    t = (text or "")[:16].replace(" ", "T")
    try:
        return dt.datetime.fromisoformat(t) if t else None
    except ValueError:
        return None
