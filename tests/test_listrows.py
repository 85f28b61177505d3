"""The column-by-column parse of a list's rows gives, row for row, what the explaining parser gives."""

from __future__ import annotations

import random

from canvasser.core.lists.listrows import PERSON_COLUMNS, ChunkParser, parse_row
from canvasser.core.lists.roster import ALIASES
from canvasser.core.lists.tables import cell_text, is_total, norm_header
from canvasser.core.text import ids
from tests.fixtures import HEADER, TODAY, rows

_PID_HEADERS = frozenset(norm_header(a) for a in ALIASES["pid"])

MAPPING = {"serial": 0, "name": 1, "pid": 2, "sex": 3, "birth": 4, "categories": 5, "township": 6, "village": 7,
           "grp": 8, "household": 9, "relation": 10, "address": 11, "phone": 12, "last_year": 13}


def messy_rows(seed: int) -> list[list]:
    """Rows as csv and xlsx files hold them: mostly clean, and every way a row goes odd."""
    rnd = random.Random(seed)
    out: list[list] = []
    for i, p in enumerate(rows(seed=seed, households=60), 1):
        cells: list = [i, p["姓名"], p["公民身份号码"], p["性别"], p["出生日期"], p["人员类别"], p["乡镇（街道）"],
                       p["村（社区）"], p["村民小组"], p["户编号"], p["与户主关系"], p["户籍地址"], p["联系电话"],
                       p["上年参保状态"]]
        kind = rnd.randrange(16)
        pid = cells[2]
        if kind == 0:
            cells[2] = pid[:-1] + pid[-1].lower() if pid.endswith("X") else " " + pid  # cleaned by `info`
        elif kind == 1:
            cells[2] = pid.translate(str.maketrans("0123456789", "０１２３４５６７８９"))
        elif kind == 2:
            cells[2] = pid[:17] + ("0" if pid[17] != "0" else "1")  # wrong check digit
        elif kind == 3:
            cells[1] = ""
        elif kind == 4:
            cells[1] = " " + cells[1][:1] + "\u3000" + cells[1][1:] + " "
        elif kind == 5:
            cells[12] = float(cells[12]) if cells[12].isdigit() else cells[12]  # an xlsx number
            cells[8] = 3
        elif kind == 6:
            cells[12] = "138-0000-1111 / 13900002222，0571-8888"
            cells[5] = "低保、 重度残疾；无"
        elif kind == 7:
            cells = cells[:5]  # a short row: the later columns are missing
        elif kind == 8:
            cells = ["", "", "", ""]
        elif kind == 9:
            cells = ["合计", "100人"]
        elif kind == 10:
            cells = list(HEADER)  # the header again, on a later page
        elif kind == 11:
            cells[2] = float(pid[:15] + "000")  # Excel turned it into a number
        elif kind == 12:
            cells[2] = pid[:6] + pid[8:17]  # 15 digits, upgraded by `info`
        elif kind == 13:
            cells[9] = ""  # no 户编号: grouped by head and address later
        out.append(cells)
    return out


def one_by_one(chunk: list[tuple[int, list]]) -> tuple[list[dict], list[tuple[int, str]]]:
    """What the per-row parser says about each row (blank, total and header lines skipped)."""
    people, rejected = [], []
    for rownum, cells in chunk:
        texts = [cell_text(c) for c in cells]
        if not any(texts) or is_total(cells):
            continue
        head = cells[MAPPING["pid"]] if MAPPING["pid"] < len(cells) else ""
        if isinstance(head, str) and head and not head[0].isdigit() and norm_header(head) in _PID_HEADERS:
            continue
        p, why = parse_row(cells, texts, MAPPING, TODAY)
        if p is None:
            rejected.append((rownum, why))
        else:
            people.append({**p, "row": rownum})
    return people, rejected


def test_columns_equal_the_row_by_row_parse_on_messy_rows():
    parser = ChunkParser(MAPPING, TODAY, _PID_HEADERS)
    for seed in range(4):
        chunk = list(enumerate(messy_rows(seed), 2))
        people, rejected = parser.parse(chunk)
        expected, expected_rejects = one_by_one(chunk)
        got = [{**dict(zip(PERSON_COLUMNS, values)), "row": r}
               for values, r in zip(zip(*(people[f] for f in PERSON_COLUMNS)), people.rows)]
        assert got == expected
        assert [(r, why) for r, _, why in rejected] == expected_rejects
        assert len(expected) > 60 and len(expected_rejects) > 10
        assert any(p["phones"].count(",") >= 2 for p in got) and any(p["pid"].endswith("X") for p in got)
        assert all(ids.is_valid(p["pid"]) for p in got)


def test_aliases_cover_every_column_the_parser_reads():
    assert set(MAPPING) <= set(ALIASES)
