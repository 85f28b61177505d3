"""The three-part report of a department's list, as xlsx: matched, only theirs, only ours (plus the
proposals to confirm, the change against the kind's earlier list and the rows that could not be read).

It stays with the township and the village clerks, so it carries full ID numbers, always as text; no
cell is ever a formula or holds a control character, whatever the department's file held.
"""

from __future__ import annotations

import os
from pathlib import Path

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter

from ..lists.matching import MatchResult
from ..text.cells import clean
from .ledgers import check_output

_HEAD_FONT = Font(bold=True)
_HEAD_FILL = PatternFill("solid", fgColor="DDEBF7")
LIKELY = {"enrolled": "多半已参保", "missing": "可能是医保局名单漏报"}
HOW = {"id": "身份证号一致", "confirmed": "人工确认"}


def safe_text(value: object) -> str:
    """A cell's text with control and invisible characters gone (cells.clean) and a leading = + - @
    made harmless."""
    text = clean("" if value is None else str(value), keep_lines=True)
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text


def _sheet(wb: Workbook, title: str, headers: list[str], rows: list[list], widths: list[int]) -> None:
    ws = wb.create_sheet(title)
    for i, w in enumerate(widths, 1):
        ws.column_dimensions[get_column_letter(i)].width = w
    ws.freeze_panes = "A2"
    head = []
    for h in headers:
        c = WriteOnlyCell(ws, value=h)
        c.font, c.fill = _HEAD_FONT, _HEAD_FILL
        head.append(c)
    ws.append(head)
    for row in rows:
        cells = []
        for v in row:
            if isinstance(v, int):
                cells.append(v)
                continue
            c = WriteOnlyCell(ws, value=safe_text(v))
            c.data_type = "s"  # never a formula
            c.number_format = "@"
            cells.append(c)
        ws.append(cells)
    ws.auto_filter.ref = f"A1:{get_column_letter(len(headers))}{len(rows) + 1}"


def write_report(res: MatchResult, out: str | Path) -> Path:
    """Write the report; the file appears whole or not at all."""
    out = check_output(out)
    info = res.info
    wb = Workbook(write_only=True)
    likely = {k: sum(1 for r in res.only_theirs if r["likely"] == k) for k in LIKELY}
    _sheet(wb, "汇总", ["项目", "人数"], [
        ["名单", f"{info.kind}：{info.name}（{info.date}）"],
        ["已匹配（在本方名单上）", len(res.matched)],
        ["待确认（无身份证号，姓名+出生日期相符）", len(res.proposed)],
        ["仅部门名单有", len(res.only_theirs)],
        ["  其中：多半已参保", likely["enrolled"]],
        ["  其中：可能是医保局名单漏报", likely["missing"]],
        ["仅本方名单有此类别、部门未确认", len(res.only_ours)],
        ["非本辖区", len(res.elsewhere)],
        ["未能读取的行", len(res.rejected)],
        ["较上一份同类名单：新增", len(res.added)],
        ["较上一份同类名单：不再在名单上", len(res.removed)],
    ], [40, 40])
    _sheet(wb, "已匹配", ["名单行号", "姓名", "身份证号", "村（社区）", "名单上的姓名", "匹配方式"],
           [[m["row"], m["name"], m["pid"], m["village"], m["listed_name"], HOW.get(m["how"], m["how"])]
            for m in res.matched], [10, 12, 22, 16, 14, 14])
    _sheet(wb, "待确认", ["名单行号", "名单上的姓名", "本方姓名", "身份证号", "出生日期", "村（社区）", "依据"],
           [[p["row"], p["listed_name"], p["name"], p["pid"], p["birth"], p["village"], p["why"]]
            for p in res.proposed], [10, 14, 12, 22, 12, 16, 40])
    _sheet(wb, "仅部门名单有", ["名单行号", "姓名", "身份证号", "出生日期", "村（社区）", "判断", "说明"],
           [[r["row"], r["name"], r["pid"], r["birth"], r["village"], LIKELY[r["likely"]],
             "；".join(x for x in (r["id_problem"], r["why"]) if x)] for r in res.only_theirs],
           [10, 12, 22, 12, 16, 18, 50])
    _sheet(wb, "仅本方名单有", ["姓名", "身份证号", "村（社区）", "本方人员类别"],
           [[r["name"], r["pid"], r["village"], r["categories"]] for r in res.only_ours], [12, 22, 16, 24])
    _sheet(wb, "名单变化", ["变化", "姓名", "身份证号", "村（社区）"],
           [["新增", m["name"], m["pid"], m["village"]] for m in res.added]
           + [["不再在名单上", r["name"], r["pid"], r["village"]] for r in res.removed], [14, 12, 22, 16])
    _sheet(wb, "未能读取的行", ["名单行号", "原因"], [[r["row"], r["reason"]] for r in res.rejected], [10, 60])
    tmp = out.with_name(f".{out.name}.{os.getpid()}.part")
    try:
        wb.save(tmp)
        tmp.replace(out)
    finally:
        if tmp.exists():
            tmp.unlink()
    return out
