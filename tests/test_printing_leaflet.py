"""Leaflets, letters to parents, editable templates and visit sheets: real PDFs read back."""

from __future__ import annotations

import json
import re
import subprocess
import sys

import pytest

from canvasser.core.errors import InputError
from canvasser.core.lists.roster import import_roster
from canvasser.core.outputs.notices import students
from canvasser.core.outputs.notices import templates as T
from canvasser.core.outputs.notices.leaflet import build_leaflet
from canvasser.core.outputs.notices.sheet import build_visit_sheet
from canvasser.core.rules import campaign
from canvasser.core.rules.visits import record_visit
from canvasser.core.storage.opening import open_workspace
from canvasser.core.text.ids import mask

from .fixtures import CHILD_ENCODING
from .pdfread import pages_of, pdffonts, pdftext
from .test_printing import FULL_ID, LABELS, write_roster


@pytest.fixture
def village(tmp_path):
    src = tmp_path / "roster.csv"
    ids = write_roster(src)
    ws = open_workspace(tmp_path / "v.db")
    import_roster(ws, src)
    yield ws, ids
    ws.close()


def flat(text: str) -> str:
    return re.sub(r"\s+", "", text)


def test_leaflet_filled_from_campaign(village, tmp_path):
    ws, _ = village
    campaign.update(ws, {"standard": 420, "collection_end": "2026-12-20", "waiting_fixed_months": 4})
    out = tmp_path / "l.pdf"
    res = build_leaflet(ws, out)
    text = flat(pdftext(out))
    assert res.pages == pages_of(out) == 1
    assert "2027年度城乡居民医保参保缴费明白纸" in text
    assert "每人420元" in text and "2026年12月20日前缴费" in text and "固定等待期4个月" in text
    assert "省税务APP" in text  # payment channels
    assert "{" not in text and "}" not in text
    assert all(f.embedded and "Helvetica" not in f.name for f in pdffonts(out))


def test_edited_template_is_used_and_reset(village, tmp_path):
    ws, _ = village
    text, source = T.load(ws, "leaflet")
    assert source == "builtin"
    T.save(ws, "leaflet", text.replace("一人参保　全家安心", "早缴费　早安心　截止{deadline}"))
    assert T.load(ws, "leaflet")[1] == "workspace"
    out = tmp_path / "l.pdf"
    res = build_leaflet(ws, out)
    assert res.extra["source"] == "workspace"
    assert "早缴费早安心截止2026年12月31日" in flat(pdftext(out))
    assert T.reset(ws, "leaflet") is True
    build_leaflet(ws, out)
    assert "一人参保" in pdftext(out)


@pytest.mark.parametrize("bad", ["= 标题 {no_such_field}", "= 标题 {coverage_year", "[不存在的区块]"])
def test_bad_template_refused(village, bad):
    ws, _ = village
    with pytest.raises(InputError):
        T.save(ws, "leaflet", bad + "\n正文一段。\n")
    assert T.load(ws, "leaflet")[1] == "builtin"


def test_letter_per_student_household(village, tmp_path):
    ws, ids = village
    out = tmp_path / "letter.pdf"
    res = build_leaflet(ws, out, template="letter")
    # a student is someone listed as one: 王小明 (在校学生, H01); 刘芳 (16, H03) is only of school age:
    # no letter, and she is offered to the cadre instead
    assert res.households == 1 and res.persons == 1 and res.pages == pages_of(out) == 1
    assert "刘芳" not in pdftext(out)
    unlisted = res.extra["school_age_unlisted"]
    assert [(p["name"], p["id"], p["age"]) for p in unlisted] == [("刘芳", ids["刘芳"], 16)]
    assert students.confirm(ws, [ids["刘芳"]], by="李书记") == 1  # the cadre confirms: her category says so now
    assert "在校学生" in ws.scalar("SELECT categories FROM persons WHERE pid=?", (ids["刘芳"],))
    res = build_leaflet(ws, out, template="letter")
    assert res.households == 2 and res.persons == 2 and not res.extra["generic"]
    assert res.extra["school_age_unlisted"] == []
    text = pdftext(out)
    assert "尊敬的王小明同学家长" in text and "尊敬的刘芳同学家长" in text  # the letter names the student
    assert flat(text).count("家长回执") == 2 and "学生姓名：王小明" in text and "家长签字" in text
    assert "全额资助" not in text
    assert mask(ids["王小明"]) in text and mask(ids["刘芳"]) in text
    assert "李秀英" not in text  # not a student
    assert not FULL_ID.search(text)
    assert not any(label in text for label in LABELS)  # no subsidy table beside a named child
    record_visit(ws, ids["王小明"], "via_school", by="李书记")
    assert build_leaflet(ws, out, template="letter").households == 1


def test_generic_letter(village, tmp_path):
    out = tmp_path / "g.pdf"
    res = build_leaflet(village[0], out, template="letter", generic=True)
    text = pdftext(out)
    assert res.extra["generic"] and res.extra["letters"] == 1
    assert "尊敬的家长" in text and "王䶮" not in text
    assert "家长回执" in flat(text)


def test_leaflet_figures_come_from_the_campaign(village, tmp_path):
    ws, _ = village
    out = tmp_path / "l.pdf"
    build_leaflet(ws, out)
    text = flat(pdftext(out))
    assert "724" not in text and "补助0元" not in text  # no invented figure when none is set
    assert "咨询电话：12393" in text and "请向村委会咨询" not in text
    assert "补缴" in text and "缩短增加的等待期" in text
    campaign.update(ws, {"fiscal_subsidy": 700, "standard": 380})
    build_leaflet(ws, out)
    text = flat(pdftext(out))
    assert "每人380元，各级财政再为每人补助700元" in text


def test_visit_sheet_masks_and_groups(village, tmp_path):
    ws, ids = village
    record_visit(ws, ids["刘伟"], "not_home", by="李书记")
    out = tmp_path / "s.pdf"
    res = build_visit_sheet(ws, out)
    text = pdftext(out)
    assert res.households == 5 and res.extra["groups"] == 2 and res.pages == pages_of(out) == 2
    assert "13812341234" in text  # the cadre's own working sheet: phones to call from
    assert "内部工作用表，用后收回" in text
    assert "第 1/1 页" in text
    line = next(ln for ln in pdftext(out, layout=True).splitlines() if "李秀英" in ln)
    assert re.search(r"\b40元", line)  # what she owes
    assert not FULL_ID.search(text)
    assert not any(label in text for label in LABELS)
    assert "无人在家" in text  # the last outcome
    assert "青石村一组" in text and "青石村二组" in text
    res = build_visit_sheet(ws, out, groups=["二组"])
    text = pdftext(out)
    assert res.households == 2 and "陈静" in text and "王䶮" not in text
    with pytest.raises(InputError):
        build_visit_sheet(ws, out, groups=["九十九组"])


def cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "canvasser", *args], capture_output=True, encoding=CHILD_ENCODING)


def test_cli_template_and_leaflet(village, tmp_path):
    ws, _ = village
    ws.close()
    db = str(tmp_path / "v.db")
    edited = tmp_path / "mine.txt"
    edited.write_text("= {coverage_year}年村里的话\n请大家在{deadline}前缴费。\n[二维码]\n", encoding="gb18030")
    r = cli("template", "--db", db, "--name", "leaflet", "--edit-from", str(edited), "--json")
    assert r.returncode == 0, r.stderr
    r = cli("template", "--db", db, "--name", "leaflet", "--show", "--json")
    assert json.loads(r.stdout)["source"] == "workspace"
    out = tmp_path / "l.pdf"
    r = cli("leaflet", "--db", db, "--out", str(out), "--json")
    assert r.returncode == 0, r.stderr
    assert "2027年村里的话" in pdftext(out)
    bad = tmp_path / "bad.txt"
    bad.write_text("{oops}\n", encoding="utf-8")
    r = cli("template", "--db", db, "--name", "leaflet", "--edit-from", str(bad))
    assert r.returncode == 2 and "oops" in r.stderr
    r = cli("visit-sheet", "--db", db, "--out", str(tmp_path / "s.pdf"), "--group", "一组", "--json")
    assert r.returncode == 0 and json.loads(r.stdout)["households"] == 3
    # the leaflet for one group: one copy for each of its households, to hand out door to door
    single = pages_of(out)
    r = cli("leaflet", "--db", db, "--out", str(tmp_path / "一组.pdf"), "--group", "一组", "--json")
    assert r.returncode == 0, r.stderr
    res = json.loads(r.stdout)
    assert res["households"] == 3 and pages_of(tmp_path / "一组.pdf") == 3 * single
    assert pdftext(tmp_path / "一组.pdf").count("2027年村里的话") == 3
    r = cli("leaflet", "--db", db, "--out", str(tmp_path / "无.pdf"), "--group", "九十九组")
    assert r.returncode == 2 and not (tmp_path / "无.pdf").exists()


def test_township_template_reaches_villages_and_a_village_edit_stays_local(tmp_path):
    """A leaflet edited at the township travels with the return package and is printed in the
    village; the village's own edit goes first there, and its reset brings the township's back."""
    from canvasser.core.sync import export_package, receive_package

    from .test_sync_support import VILLAGES, make_township, make_village
    town, _ = make_township(tmp_path)
    village = make_village(town, tmp_path, VILLAGES[0])
    builtin, _ = T.load(town, "leaflet")
    T.save(town, "leaflet", builtin.replace("一人参保　全家安心", "乡镇统一口径：截止{deadline}"))
    assert T.load(town, "leaflet")[1] == "township" and T.edited_names(town) == ["leaflet"]
    assert "template:leaflet" not in campaign.load(town).values  # not a campaign setting people see
    export_package(town, tmp_path / "down.ccpkg", village=VILLAGES[0])
    receive_package(village, tmp_path / "down.ccpkg")
    assert T.load(village, "leaflet")[1] == "township"
    out = tmp_path / "v.pdf"
    assert build_leaflet(village, out).extra["source"] == "township"
    assert "乡镇统一口径：截止2026年12月31日" in flat(pdftext(out))
    T.save(village, "leaflet", builtin.replace("一人参保　全家安心", "本村的话"))
    assert T.load(village, "leaflet")[1] == "workspace"
    assert T.reset(village, "leaflet") is True and T.load(village, "leaflet")[1] == "township"
    assert T.reset(town, "leaflet") is True and T.load(town, "leaflet") == (builtin, "builtin")
    export_package(town, tmp_path / "down2.ccpkg", village=VILLAGES[0])
    receive_package(village, tmp_path / "down2.ccpkg")
    assert T.load(village, "leaflet") == (builtin, "builtin") and T.edited_names(village) == []
    village.close()
    town.close()
