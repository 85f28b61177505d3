"""The rows of a list that were not imported, as a spreadsheet to fix and import again.

The import (lists/roster.py) keeps them inside the workspace, as typed, with their sheet row numbers
and reasons (encrypted with it: never a plain spreadsheet left in the data folder). Writing them out
is an output, made when the user asks (`canvasser rejects`, the import screen's button, `--rejects`
on an import): the file holds full ID numbers as typed, so it can take an open password, and it
prints like every sheet the app writes.
"""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl
from openpyxl.styles import Font, PatternFill

from ..errors import InputError
from ..lists.roster import ImportResult
from ..lists.tables import cell_text
from ..storage.store import Workspace
from ..text.cells import text_cell
from . import xlsxlock, xlsxprint

check_password = xlsxlock.check_password  # an open password is checked before the import begins


def save(ws: Workspace, res: ImportResult, target: str | Path | None = None, *, password: str | None = None) -> str:
    """Write an import's rejected rows to `target` (a file, or a folder for 名单_未导入行.xlsx) when
    one is asked for, and say where in `res.rejects_file`; '' when none was asked or none rejected
    (the rows stay kept in the workspace either way: `export_rejects`)."""
    if target and res.bad_rows and res.table is not None:
        res.rejects_file = str(write_rejects(res.table.path.stem, res.table.headers, res.bad_rows, target,
                                             password=password))
    return res.rejects_file


def export_rejects(ws: Workspace, out: str | Path, *, list_no: int | None = None,
                   password: str | None = None) -> dict:
    """Write the rejected rows of an import (the latest by default) to `out`, ready to fix and import
    again; with `password` as an encrypted Office file (the rows hold full ID numbers)."""
    xlsxlock.check_password(password)
    row = ws.conn.execute("SELECT list_no, file, headers, rows FROM list_rejects " +
                          ("WHERE list_no=?" if list_no is not None else "ORDER BY list_no DESC LIMIT 1"),
                          (list_no,) if list_no is not None else ()).fetchone()
    if row is None:
        raise InputError("没有保存的未导入行" + (f"（第 {list_no} 次导入）" if list_no is not None else "")
                         + "：最近的名单导入没有错误行")
    rows = [(n, cells, why) for n, why, cells in json.loads(row[3])]
    path = write_rejects(Path(row[1]).stem, json.loads(row[2]), rows, out, password=password)
    return {"file": str(path), "rows": len(rows), "list": row[0], "source": row[1], "protected": bool(password)}


def write_rejects(stem: str, headers: list, rejected: list[tuple[int, list, str]], target: str | Path,
                  *, password: str | None = None) -> Path:
    """The rejected rows, as typed, with the reason in an extra column, ready to fix and re-import."""
    wb = openpyxl.Workbook()
    sheet = wb.active
    sheet.title = "未导入的行"
    sheet.append(["原行号", "错误原因", *(text_cell(sheet, h) for h in headers)])
    for c in sheet[1]:
        c.font = Font(bold=True)
        c.fill = PatternFill("solid", fgColor="FFF2CC")
    for rownum, cells, why in rejected:
        sheet.append([rownum, text_cell(sheet, why), *[text_cell(sheet, cell_text(c), text=True) for c in cells]])
    sheet.column_dimensions["B"].width = 46
    for i in range(len(headers)):
        sheet.column_dimensions[openpyxl.utils.get_column_letter(i + 3)].width = 20
    sheet.auto_filter.ref = sheet.dimensions
    sheet.freeze_panes = "C2"
    xlsxprint.setup(sheet, len(headers) + 2, header_rows=1)  # no title row: it goes back in as a list
    target = Path(target)
    if target.is_dir():
        target = target / f"{stem}_未导入行.xlsx"
    target.parent.mkdir(parents=True, exist_ok=True)
    xlsxlock.save(wb, target, password)
    return target
