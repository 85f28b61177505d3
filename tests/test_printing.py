"""Printing: real PDFs parsed back (tests/pdfread.py: text, word boxes, fonts, and QR codes read from the
drawn pages). Names, amounts, masked IDs, QR payload, embedded fonts, glyph warnings."""

from __future__ import annotations

import csv
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
import reportlab

from canvasser.core.errors import Cancelled, InputError
from canvasser.core.lists.roster import import_roster
from canvasser.core.outputs.notices.notice import build_notices
from canvasser.core.rules import campaign
from canvasser.core.rules.visits import record_visit
from canvasser.core.storage.opening import open_workspace
from canvasser.core.text import fonts
from canvasser.core.text.ids import check_digit, mask
from tests.fixtures import CHILD_ENCODING
from tests.pdfread import pages_of, pdffonts, pdftext, pdfwords, qr_codes, text_in_box  # noqa: F401 - used by other modules

LABELS = ("低保", "特困", "残疾", "监测", "孤儿", "脱贫")
FULL_ID = re.compile(r"(?<!\d)\d{17}[\dXx](?!\d)")


def pid(n: int, birth: str = "19800101") -> str:
    body = f"510321{birth}{n:03d}"
    return body + check_digit(body)


# household id -> members (name, relation, category, birth yyyymmdd, phone)
PEOPLE = {
    "H01": [("王䶮", "户主", "", "19700304", "13812341234"), ("李秀英", "配偶", "低保对象", "19720101", ""),
            ("王小明", "子", "在校学生", "20120601", "")],
    "H02": [("张喆", "户主", "特困人员", "19500101", "13900001111")],
    "H03": [("刘伟", "户主", "", "19850505", "13700002222"), ("刘芳", "女", "", "20100505", "")],
    "H04": [("陈静", "户主", "重度残疾人", "19600101", ""), ("陈强", "子", "防止返贫监测对象", "19880101", "")],
    "H05": [("赵磊", "户主", "", "19900101", "13600003333")],
}


def write_roster(path: Path, people: dict = PEOPLE, extra: list[tuple] = ()) -> dict[str, str]:
    """A bureau-style CSV; returns name -> ID number."""
    ids: dict[str, str] = {}
    n = 0
    with open(path, "w", newline="", encoding="utf-8-sig") as f:
        w = csv.writer(f)
        w.writerow(["姓名", "公民身份号码", "人员类别", "村（社区）", "村民小组", "户编号", "与户主关系", "户籍地址", "联系电话"])
        for hid, members in people.items():
            for name, rel, cat, birth, phone in members:
                n += 1
                ids[name] = pid(n, birth)
                grp = "二组" if hid in ("H04", "H05") else "一组"
                w.writerow([name, ids[name], cat, "青石村", grp, hid, rel, f"某某县某某镇青石村{grp}{n}号", phone])
        for row in extra:
            n += 1
            ids[row[0]] = pid(n, row[3])
            w.writerow([row[0], ids[row[0]], row[2], "青石村", "一组", row[4], row[1], "某某县某某镇青石村一组99号", ""])
    return ids


@pytest.fixture
def village(tmp_path):
    src = tmp_path / "roster.csv"
    ids = write_roster(src)
    ws = open_workspace(tmp_path / "v.db")
    import_roster(ws, src)
    yield ws, ids
    ws.close()


def test_notices_read_back(village, tmp_path):
    ws, ids = village
    out = tmp_path / "n.pdf"
    res = build_notices(ws, out)
    assert res.households == 5 and res.pages == 5 and res.missing_glyphs == []
    assert pages_of(out) == 5
    text = pdftext(out)
    for name in ("王䶮", "张喆", "刘伟", "陈静", "赵磊"):  # every head, Extension A included
        assert name in text
    for name, number in ids.items():
        assert mask(number) in text, name
        assert number not in text
    assert not FULL_ID.search(text)
    assert not any(label in text for label in LABELS)
    assert "2027年度城乡居民医保缴费通知" in text
    assert "2026年12月31日" in text
    assert "全额资助" not in text and "0元" in text  # 特困 owes nothing, still listed, no reason beside the name
    flat = re.sub(r"\s+", "", text)
    assert "固定等待期3个月；断保的，每多断保1年，再增加1个月" in flat and "补缴" in flat
    assert "此前每连续断保" not in flat
    # 医疗救助 is promised only where a member qualifies (低保, 特困, 重度残疾 ...), never to 赵磊's household
    pages = {p.split("户：")[0].split("\n")[-1]: re.sub(r"\s+", "", p) for p in text.split("\f") if "户：" in p}
    for head in ("王䶮", "张喆", "陈静"):
        assert "基本医保、大病保险、医疗救助三重保障" in pages[head], head
    assert "医疗救助" not in pages["赵磊"] and "基本医保和大病保险保障" in pages["赵磊"]
    assert "医疗救助" not in pages["刘伟"]


def test_fonts_embedded_and_no_standard_font(village, tmp_path):
    out = tmp_path / "n.pdf"
    build_notices(village[0], out, per_page=2)
    lines = pdffonts(out)
    assert lines, "no fonts listed"
    for font in lines:
        assert font.embedded, font
        assert "Helvetica" not in font.name and "WenQuanYi" in font.name, font


def test_amounts_and_total(village, tmp_path):
    ws, _ = village
    out = tmp_path / "n.pdf"
    build_notices(ws, out)
    text = pdftext(out, layout=True)
    line = next(ln for ln in text.splitlines() if "李秀英" in ln)
    assert re.search(r"\b40元", line), line  # 低保: 400 - 360
    line = next(ln for ln in text.splitlines() if "陈强" in ln)
    assert re.search(r"\b120元", line), line  # 监测: 400 - 280
    # household H01: 400 + 40 + 400
    assert "本户合计应缴：840元" in text


def test_subsidy_table_change_changes_notices(village, tmp_path):
    ws, _ = village
    campaign.update(ws, {"subsidies": {"低保": 100, "特困": 250}, "standard": 420})
    out = tmp_path / "n.pdf"
    build_notices(ws, out)
    text = pdftext(out, layout=True)
    line = next(ln for ln in text.splitlines() if "李秀英" in ln)
    assert re.search(r"\b320元", line), line
    line = next(ln for ln in text.splitlines() if "张喆" in ln and "元" in ln)
    assert re.search(r"\b170元", line), line
    assert "0元（政府全额资助）" not in text
    line = next(ln for ln in text.splitlines() if "赵磊" in ln and "元" in ln)
    assert re.search(r"\b420元", line), line


def test_done_members_and_households_left_out(village, tmp_path):
    ws, ids = village
    record_visit(ws, ids["赵磊"], "paid_on_site", by="李书记")
    record_visit(ws, ids["王小明"], "via_school", by="李书记")
    record_visit(ws, ids["刘芳"], "refused", reason="经济困难", by="李书记")  # not done: stays
    out = tmp_path / "n.pdf"
    res = build_notices(ws, out)
    assert res.households == 4
    text = pdftext(out)
    assert "赵磊" not in text and "王小明" not in text
    assert "刘芳" in text and "王䶮" in text


def test_qr_decodes_to_payment_link(village, tmp_path):
    ws, _ = village
    link = "https://example.gov.cn/pay?channel=resident&year=2027"
    campaign.update(ws, {"payment_link": link})
    out = tmp_path / "n.pdf"
    build_notices(ws, out, per_page=2)
    codes = qr_codes(out, 1, 2)
    assert len(codes) == 3  # four notices on two pages; 张喆 pays nothing: his notice has no code
    assert set(codes) == {link}


def test_non_ascii_link_is_percent_encoded(village, tmp_path):
    ws, _ = village
    campaign.update(ws, {"payment_link": "https://example.cn/缴费"})
    out = tmp_path / "n.pdf"
    build_notices(ws, out, households=["H05"])
    assert qr_codes(out) == ["https://example.cn/%E7%BC%B4%E8%B4%B9"]


def test_missing_glyph_reported_and_rest_printed(tmp_path):
    src = tmp_path / "rare.csv"
    ids = write_roster(src, {"R1": [("张𪚥", "户主", "", "19900101", "")], "R2": [("王五", "户主", "", "19800101", "")]})
    with open_workspace(tmp_path / "r.db") as ws:
        import_roster(ws, src)
        out = tmp_path / "r.pdf"
        res = build_notices(ws, out)
    assert [(m.name, m.char, m.id) for m in res.missing_glyphs] == [("张𪚥", "𪚥", mask(ids["张𪚥"]))]
    text = pdftext(out)
    assert res.households == 2 and "王五" in text
    assert "张□" in text  # a visible hand-fill box, extracted as □
    assert "生僻字" in text


def test_fallback_font_draws_what_the_bundled_font_lacks(tmp_path):
    vera = Path(reportlab.__file__).parent / "fonts" / "Vera.ttf"  # stands in for an Extension-B font
    assert not fonts.has_glyph("Š")
    src = tmp_path / "fb.csv"
    write_roster(src, {"F1": [("李Š", "户主", "", "19900101", "")]})
    fonts.use_fallback_candidates([str(vera)])
    try:
        with open_workspace(tmp_path / "f.db") as ws:
            import_roster(ws, src)
            res = build_notices(ws, tmp_path / "f.pdf")
        assert res.missing_glyphs == []
        assert "李Š" in pdftext(tmp_path / "f.pdf")
        lines = pdffonts(tmp_path / "f.pdf")
        assert any("Vera" in f.name for f in lines) and all(f.embedded for f in lines)
    finally:
        fonts.use_fallback_candidates(None)


def test_big_household_continues_on_next_slot(tmp_path):
    members = [(f"周{'一二三四五六七八九十'[i % 10]}{'甲乙丙丁戊'[i // 10]}", "户主" if i == 0 else "子", "", "19900101", "")
               for i in range(40)]
    src = tmp_path / "big.csv"
    write_roster(src, {"B1": members})
    with open_workspace(tmp_path / "b.db") as ws:
        import_roster(ws, src)
        res = build_notices(ws, tmp_path / "b.pdf", per_page=2)
    text = pdftext(tmp_path / "b.pdf")
    assert res.pages >= 2 and res.pages == pages_of(tmp_path / "b.pdf")
    assert all(m[0] in text for m in members)
    assert "（续）" in text and "本户合计应缴：16000元" in text


def test_household_selection_and_unknown(village, tmp_path):
    ws, ids = village
    res = build_notices(ws, tmp_path / "one.pdf", households=["H03", ids["陈强"]])
    assert res.households == 2
    text = pdftext(tmp_path / "one.pdf")
    assert "刘伟" in text and "陈静" in text and "赵磊" not in text
    with pytest.raises(InputError):
        build_notices(ws, tmp_path / "x.pdf", households=["NOPE"])


def test_cancel_leaves_no_file(village, tmp_path):
    out = tmp_path / "c.pdf"
    seen = []

    def cb(done, message):
        seen.append(done)
        return done < 2

    with pytest.raises(Cancelled):
        build_notices(village[0], out, progress=cb)
    assert not out.exists() and not list(tmp_path.glob(".canvasser-*"))
    assert seen


def test_canvasser_contact_printed(village, tmp_path):
    ws, ids = village
    record_visit(ws, ids["刘芳"], "not_home", by="张网格员")
    ws.emit("canvasser.set", "c:张网格员", {"phone": "13908150003", "active": 1}, "张网格员")
    build_notices(ws, tmp_path / "n.pdf", by="张网格员")
    text = pdftext(tmp_path / "n.pdf")
    assert "联系人：张网格员" in text and "13908150003" in text


def run_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "canvasser", *args, "--json"], capture_output=True,
                          encoding=CHILD_ENCODING)


def test_cli_notices_json(village, tmp_path):
    ws, _ = village
    ws.close()
    out = tmp_path / "cli.pdf"
    r = run_cli("notices", "--db", str(tmp_path / "v.db"), "--out", str(out), "--per-page", "2")
    assert r.returncode == 0, r.stderr
    data = json.loads(r.stdout)
    assert data["households"] == 5 and data["pages"] == 3 and data["missing_glyphs"] == []
    assert pages_of(out) == 3
    r = run_cli("notices", "--db", str(tmp_path / "v.db"), "--out", str(out), "--household", "H99")
    assert r.returncode == 2 and "H99" in r.stderr


def test_preflight_workspace_reports_names_and_addresses(tmp_path):
    from canvasser.core.outputs.notices.preflight import check_workspace
    from canvasser.core.rules.people import update_person

    src = tmp_path / "p.csv"
    ids = write_roster(src, {"P1": [("张𪚥", "户主", "", "19900101", ""), ("王五", "子", "", "20000101", "")]})
    with open_workspace(tmp_path / "p.db") as ws:
        import_roster(ws, src)
        update_person(ws, ids["王五"], {"address": "青石村𠀀号"})  # U+20000, Extension B
        found = {(m.name, m.char, m.field, m.id) for m in check_workspace(ws)}
    assert found == {("张𪚥", "𪚥", "name", mask(ids["张𪚥"])), ("王五", "𠀀", "address", mask(ids["王五"]))}
