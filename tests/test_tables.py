"""Reading spreadsheets as the sheet numbers them: blank rows and columns before the data, vertical
merges, empty sheets, rows read lazily past the header scan."""

from __future__ import annotations

import openpyxl
import pytest

from canvasser.core.lists import roster
from canvasser.core.lists.roster import import_roster
from canvasser.core.lists.tables import HEADER_SCAN, open_table
from canvasser.core.storage.opening import open_workspace

from .fixtures import TODAY, rows


@pytest.fixture
def ws(tmp_path):
    w = open_workspace(tmp_path / "t.db")
    yield w
    w.close()


COLUMNS = ["序号", "姓名", "公民身份号码", "村（社区）", "户编号", "与户主关系"]


def _offset_sheet_with_merges(path, people):
    """Data from column C, header in sheet row 4 under two blank rows and a title; 村 merged down
    in two blocks, the first crossing the rows read to find the header; 户编号 merged per household;
    an instructions sheet and an empty sheet before it."""
    wb = openpyxl.Workbook()
    wb.active.title = "填表说明"
    wb.active["A1"] = "身份证号请设置为文本格式"
    wb.create_sheet("空白")
    ws = wb.create_sheet("名单")
    ws["C3"] = "某某镇未参保人员名单"
    ws.merge_cells("C3:H3")
    for j, name in enumerate(COLUMNS):
        ws.cell(row=4, column=3 + j, value=name)
    first_block = HEADER_SCAN + 6  # rows 5..50: past the header scan
    expected = {}
    households: dict[str, list[int]] = {}
    for i, p in enumerate(people):
        r = 5 + i
        village = "东村" if i < first_block else "西村"
        values = [i + 1, p["姓名"], p["公民身份号码"], village, p["户编号"], p["与户主关系"]]
        for j, v in enumerate(values):
            if j == 3 and i not in (0, first_block):
                continue  # merged: only the block's first cell holds the village
            if j == 4 and households.get(p["户编号"]):
                continue  # merged: only the household's first row holds its number
            ws.cell(row=r, column=3 + j, value=v)
        households.setdefault(p["户编号"], []).append(r)
        expected[r] = values
    last = 5 + len(people) - 1
    ws.merge_cells(start_row=5, start_column=6, end_row=4 + first_block, end_column=6)
    ws.merge_cells(start_row=5 + first_block, start_column=6, end_row=last, end_column=6)
    for rs in households.values():
        if len(rs) > 1:
            assert rs == list(range(rs[0], rs[-1] + 1))  # the demo lists a household's members together
            ws.merge_cells(start_row=rs[0], start_column=7, end_row=rs[-1], end_column=7)
    wb.save(path)
    return expected


def test_rows_keep_their_sheet_positions_and_merges_are_filled(tmp_path):
    people = rows(households=25)
    assert len(people) > HEADER_SCAN + 10
    expected = _offset_sheet_with_merges(tmp_path / "offset.xlsx", people)
    table = open_table(tmp_path / "offset.xlsx", roster.ALIASES, required=roster.REQUIRED)
    assert (table.sheet, table.header_row) == ("名单", 4)
    assert table.headers[:2] == ["", ""] and table.headers[2:] == COLUMNS
    assert table.mapping["name"] == 3 and table.mapping["village"] == 5
    got = {r: cells[2:8] for r, cells in table.rows}
    assert got == expected


def test_offset_merged_sheet_imports_every_person_into_its_village(ws, tmp_path):
    people = rows(households=25)
    _offset_sheet_with_merges(tmp_path / "offset.xlsx", people)
    res = import_roster(ws, tmp_path / "offset.xlsx", today=TODAY)
    assert (res.imported, res.rejected) == (len(people), [])
    counts = dict(ws.conn.execute("SELECT village, count(*) FROM persons GROUP BY village"))
    assert counts == {"东村": HEADER_SCAN + 6, "西村": len(people) - HEADER_SCAN - 6}
    members = dict(ws.conn.execute("SELECT hid, members FROM households"))
    assert sum(members.values()) == len(people)
    assert len(members) == len({p["户编号"] for p in people})
