"""Print setup for every spreadsheet the app writes: a township clerk prints them as they come.

One place decides how a sheet prints: a title row (village, year, date) above the header, A4
landscape when the sheet is wide, fitted to the page width (as many pages down as it needs), the
title and header rows repeated on every page, "第 N 页 共 M 页" in the footer, and, on a ledger
someone signs, the signature and date lines under the last row. Writers call `begin` before their
header row and `sign` after their last row; both work on openpyxl's write-only sheets.
"""

from __future__ import annotations

import datetime as dt

from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font
from openpyxl.worksheet.properties import PageSetupProperties

TITLE_FONT = Font(bold=True, size=14)
SIGN_FONT = Font(size=11)
LANDSCAPE_FROM = 7  # columns: a sheet this wide prints across the page
SIGNATURES = ("制表人：", "审核人：", "村（社区）负责人（签字）：", "日期：　　　年　　月　　日")
DATE_FORMAT = "yyyy-mm-dd"
TIME_FORMAT = "yyyy-mm-dd hh:mm"


def title_text(what: str, *, village: str = "", year: int | str = "", day: dt.date | None = None) -> str:
    """青石村 2027年度 未参保人员台账（2026年11月29日）."""
    day = day or dt.date.today()
    parts = [p for p in (village, f"{year}年度" if year else "", what) if p]
    return "　".join(parts) + f"（{day.year}年{day.month}月{day.day}日）"


def begin(ws, title: str, n_cols: int) -> int:
    """Set up printing and write the title row; returns the row the header goes on (2). A
    write-only sheet writes its properties with its first row, so the setup comes first."""
    setup(ws, n_cols, header_rows=2)
    cell = WriteOnlyCell(ws, value=title)
    cell.font = TITLE_FONT
    cell.alignment = Alignment(horizontal="left", vertical="center")
    ws.append([cell])
    return 2


def setup(ws, n_cols: int, header_rows: int = 2) -> None:
    """Landscape when wide, fitted to one page wide, header rows repeated, page numbers."""
    ps = ws.page_setup
    ps.paperSize = 9  # A4
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
