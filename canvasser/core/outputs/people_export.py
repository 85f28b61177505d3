"""Export what the people table shows: the same filter (core `PeopleFilter`), the same order, as
an xlsx a clerk can hand on; ID numbers masked unless the user asks for them in full.

Every cell is written as text or a number: a name or note beginning with "=" stays text (no live
formula leaves the app) and control characters are dropped.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell

from ..rules import dashboard, groups
from ..rules.campaign import STATUS_LABELS
from ..rules.campaign import load as load_campaign
from ..rules.dashboard import PeopleFilter, list_where
from ..storage.store import Workspace
from ..text import ids
from ..text.cells import clean
from .ledgers import Col, _open_sheet, _save, check_output

HEADERS = [Col("序号", 7), Col("村（社区）", 12), Col("组", 8), Col("户编号", 18, True), Col("姓名", 10),
           Col("身份证号", 21, True), Col("性别", 6), Col("与户主关系", 10), Col("电话", 14, True),
           Col("人员类别", 16), Col("状态", 16), Col("最近走访", 12), Col("走访人", 10), Col("外出地点", 14)]
DEFAULT_ORDER = dashboard.DEFAULT_ORDER  # the people table's: village, group (一组, 二组 …), household


def _cell(sheet, value) -> WriteOnlyCell:
    if isinstance(value, int):
        return WriteOnlyCell(sheet, value=value)
    cell = WriteOnlyCell(sheet, value=clean("" if value is None else str(value), keep_lines=True))
    cell.data_type = "s"  # never a formula, whatever the text begins with
    return cell


def write_people(ws: Workspace, flt: PeopleFilter, out: str | Path, *, full_ids: bool = False,
                 order: str = DEFAULT_ORDER, today: dt.date | None = None) -> dict:
    """Write the people `flt` selects, in `order` (the table's ORDER BY), to an xlsx; returns the count."""
    out = check_output(out)
    camp = load_campaign(ws)
    where, params = list_where(ws, flt, camp, today)
    groups.rank_sql(ws.conn)  # (the orders sort groups as people count them)
    sql = (f"SELECT p.*, (SELECT v.place FROM visits v WHERE v.pid = p.pid AND v.voided = 0 AND v.place <> '' "
           f"ORDER BY v.hlc DESC LIMIT 1) AS v_place FROM persons p WHERE {where} ORDER BY {order}")
    wb = Workbook(write_only=True)
    sheet = _open_sheet(wb, "人员名单", HEADERS)
    n = 0
    cur = ws.conn.execute(sql, params)
    cols = [c[0] for c in cur.description]
    for raw in cur:
        r = dict(zip(cols, raw))
        n += 1
        sheet.append([_cell(sheet, v) for v in (
            n, r["village"], r["grp"], r["household"], r["name"], r["pid"] if full_ids else ids.mask(r["pid"]),
            r["sex"], r["relation"], r["phone"], (r["categories"] or "").replace(",", "、"),
            STATUS_LABELS.get(r["status"], r["status"]), (r["last_visit_at"] or "")[:10], r["last_visit_by"],
            r["v_place"] or r["away_place"])])
    _save(wb, out)
    return {"file": str(out), "rows": n, "full_ids": full_ids}
