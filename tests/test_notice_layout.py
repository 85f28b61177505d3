"""Notices lay out by measured height: every household size from 1 to 60 in both layouts, read back
from the PDF's word boxes (tests/pdfread.py): no word over another, none across the cut line of a
two-up page, continuation sheets numbered, the 回执 once per household on its last sheet."""

from __future__ import annotations

import re

import pytest

from canvasser.core.lists.roster import import_roster
from canvasser.core.outputs.notices.notice import build_notices, plan_sheets
from canvasser.core.rules import campaign
from canvasser.core.storage.opening import open_workspace
from canvasser.core.text.ids import check_digit

from .pdfread import page_words, qr_codes

SURNAMES = "赵钱孙李周吴郑王冯陈褚卫蒋沈韩杨朱秦尤许何吕施张孔曹严华金魏陶姜戚谢邹喻柏水窦章云苏潘葛奚范彭郎鲁韦昌马苗凤花方俞任袁柳"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华建国红梅兰"
SIZES = range(1, 61)


def pid(n: int) -> str:
    """A valid ID number, distinct for every n below 27,000."""
    body = f"5103211960{1 + n // 900 % 12:02d}{1 + n // 10800 % 28:02d}{n % 900:03d}"
    return body + check_digit(body)


def overlap(ws: list) -> str | None:
    for i, (a0, b0, a1, b1, t) in enumerate(ws):
        for c0, d0, c1, d1, u in ws[i + 1:]:
            if min(a1, c1) - max(a0, c0) > 0.5 and min(b1, d1) - max(b0, d0) > 0.5:
                return f"{t!r} over {u!r}"
    return None


@pytest.fixture(scope="module")
def sizes_db(tmp_path_factory):
    """One household of every size from 1 to 60 (1,830 people), in one group, nobody done; the last
    one fully subsidised (everyone 特困)."""
    tmp = tmp_path_factory.mktemp("sizes")
    src = tmp / "list.csv"
    n = 0
    heads = {}
    with open(src, "w", encoding="utf-8") as f:
        f.write("姓名,公民身份号码,人员类别,村（社区）,村民小组,户编号,与户主关系\n")
        for size in SIZES:
            for i in range(size):
                n += 1
                name = SURNAMES[size % len(SURNAMES)] + GIVEN[i % len(GIVEN)] + GIVEN[(i // len(GIVEN) + size) % len(GIVEN)]
                if i == 0:
                    name = f"户{size:02d}" + SURNAMES[size % len(SURNAMES)]
                    heads[size] = name
                f.write(f"{name},{pid(n)},,青石村,一组,H{size:03d},{'户主' if i == 0 else '子'}\n")
        for i in range(3):
            n += 1
            f.write(f"资助{i},{pid(n)},特困人员,青石村,二组,H999,{'户主' if i == 0 else '子'}\n")
    db = tmp / "v.db"
    with open_workspace(db) as ws:
        import_roster(ws, src)
        campaign.update(ws, {"payment_link": "https://pay.example.invalid/qr"})
    return db, heads


@pytest.mark.parametrize("per_page", [1, 2])
def test_every_household_size_fits_without_overprint(sizes_db, tmp_path, per_page):
    db, heads = sizes_db
    out = tmp_path / "n.pdf"
    with open_workspace(db) as ws:
        res = build_notices(ws, out, per_page=per_page)
    pages = page_words(out)
    assert len(pages) == res.pages
    cut = 842 / 2
    receipts = 0
    sheets_of: dict[int, list[str]] = {}
    for k, page in enumerate(pages, 1):
        clash = overlap(page)
        assert clash is None, f"page {k}: {clash}"
        for x0, top, x1, bottom, t in page:
            assert 15 <= x0 and x1 <= 595 - 15 and 15 <= top and bottom <= 842 - 15, (k, t)
            if per_page == 2:  # nothing across the cut line, nor in the 9 mm kept clear on each side
                assert bottom < cut - 20 or top > cut + 20, f"page {k}: {t!r} at the cut line"
        text = "".join(t for *_, t in page)
        receipts += text.count("回执")
        for size, head in heads.items():
            if head in text:
                sheets_of.setdefault(size, []).extend(re.findall(rf"{head}户(?:：|缴费通知（续）)青石村一组第(\d+/\d+)张", text) or ["-"])
    assert receipts == (len(heads) + 1 if per_page == 1 else 0)
    # a long household runs on numbered sheets; a short one has a single unnumbered sheet
    assert sheets_of[1] == ["-"] and sheets_of[60][0] == "1/" + sheets_of[60][-1].split("/")[1]
    assert len(sheets_of[60]) == int(sheets_of[60][-1].split("/")[1]) >= 2
    assert res.extra["sheets"] > len(heads)


def test_fully_subsidised_household_gets_no_demand_and_no_code(sizes_db, tmp_path):
    db, _ = sizes_db
    out = tmp_path / "free.pdf"
    with open_workspace(db) as ws:
        res = build_notices(ws, out, households=["H999"])
    text = "".join(t for *_, t in page_words(out)[0])
    assert "资助参保，无需个人缴费，请核对信息" in text
    assert "全额资助" not in text and "特困" not in text and "请在" not in text and "合计应缴" not in text
    assert qr_codes(out) == []
    assert res.extra["subsidised_households"] == 1


def test_plan_keeps_a_row_with_the_receipt():
    # 10 rows fit beside the end block on no sheet: rows run on, the last sheet keeps one row
    assert plan_sheets(3, first_room=100, cont_room=200, row=20, end_h=150, more_h=20) == [2, 1]
    assert plan_sheets(3, first_room=300, cont_room=300, row=20, end_h=150, more_h=20) == [3]
    assert plan_sheets(30, first_room=300, cont_room=400, row=20, end_h=150, more_h=20) == [14, 15, 1]


def test_visit_sheet_pages_count_within_their_group(sizes_db, tmp_path):
    from canvasser.core.outputs.notices.sheet import build_visit_sheet

    db, _ = sizes_db
    out = tmp_path / "s.pdf"
    with open_workspace(db) as ws:
        res = build_visit_sheet(ws, out)
    pages = ["".join(t for *_, t in p) for p in page_words(out)]
    assert len(pages) == res.pages
    first = [p for p in pages if "青石村一组" in p]
    n = len(first)
    assert n > 2 and [re.search(r"第(\d+)/(\d+)页", p).groups() for p in first] == \
        [(str(k), str(n)) for k in range(1, n + 1)]
    assert all("内部工作用表，用后收回" in p for p in pages)
