"""The rows of a list that were not imported, as a spreadsheet to fix and import again.

The import (lists/roster.py) returns them with their sheet row numbers and reasons; writing them is
an output: the file holds full ID numbers as typed, so it can take an open password, and it prints
like every sheet the app writes. By default it lands in the workspace's 导出 folder.
"""

from __future__ import annotations

from pathlib import Path

import openpyxl
from openpyxl.styles import Font, PatternFill

from ...paths import exports_dir
from ..lists.roster import ImportResult
from ..lists.tables import Table, cell_text
from ..storage.store import Workspace
from ..text.cells import text_cell
from . import xlsxlock, xlsxprint

check_password = xlsxlock.check_password  # an open password is checked before the import begins


def save(ws: Workspace, res: ImportResult, target: str | Path | None = None, *, password: str | None = None) -> str:
    """Write the import's rejected rows (if any) to `target` (default: the 导出 folder) and say
    where in `res.rejects_file`; returns that path ('' when every row was taken)."""
    if res.bad_rows and res.table is not None:
        res.rejects_file = str(write_rejects(res.table, res.bad_rows, target, ws, password=password))
    return res.rejects_file


def write_rejects(table: Table, rejected: list[tuple[int, list, str]], target: str | Path | None,
                  ws: Workspace, *, password: str | None = None) -> Path:
    """The rejected rows, as typed, with the reason in an extra column, ready to fix and re-import."""
    wb = openpyxl.Workbook()
    sheet = wb.active
    sheet.title = "未导入的行"
    sheet.append(["原行号", "错误原因", *(text_cell(sheet, h) for h in table.headers)])
    for c in sheet[1]:
        c.font = Font(bold=True)
        c.fill = PatternFill("solid", fgColor="FFF2CC")
    for rownum, cells, why in rejected:
        sheet.append([rownum, text_cell(sheet, why), *[text_cell(sheet, cell_text(c), text=True) for c in cells]])
    sheet.column_dimensions["B"].width = 46
    for i in range(len(table.headers)):
        sheet.column_dimensions[openpyxl.utils.get_column_letter(i + 3)].width = 20
    sheet.auto_filter.ref = sheet.dimensions
    sheet.freeze_panes = "C2"
    xlsxprint.setup(sheet, len(table.headers) + 2, header_rows=1)  # no title row: it goes back in as a list
    name = f"{table.path.stem}_未导入行.xlsx"
    for candidate in ([Path(target)] if target else [exports_dir(ws.path) / name]):
        try:
            candidate.parent.mkdir(parents=True, exist_ok=True)
            xlsxlock.save(wb, candidate, password)
            return candidate
        except OSError:
            continue
    raise OSError("无法写入错误行文件")
