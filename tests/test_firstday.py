"""A cadre's first day through the CLI: one group's notices, an import that leaves the bureau's folder
alone, Chinese status names, and a standalone workspace that joins its township later, keeping its work."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from canvasser.cli import main
from canvasser.core.rules import campaign
from canvasser.core.storage import integrity
from canvasser.core.storage.opening import open_workspace
from tests.fixtures import rows, write_xlsx
from tests.pdfread import pages_of

CODE = "QS7K-2M9P-XT4D-8RWA"


def cli(capsys, *args) -> dict:
    capsys.readouterr()
    code = main([*map(str, args), "--json"])
    out = capsys.readouterr()
    assert code == 0, out.err
    return json.loads(out.out)


def cli_text(capsys, *args) -> tuple[int, str, str]:
    capsys.readouterr()
    code = main(list(map(str, args)))
    out = capsys.readouterr()
    return code, out.out, out.err


def pdf_pages(path) -> int:
    return pages_of(path)


@pytest.fixture
def village(tmp_path, capsys):
    people = rows(seed=11, households=30, village="青石村")
    inbox = tmp_path / "U盘"
    inbox.mkdir()
    src = write_xlsx(inbox / "名单.xlsx", people, raw_ids={3: "12345"})  # one bad row: a rejects file is due
    db = tmp_path / "v.db"
    res = cli(capsys, "import-roster", "--db", db, src)
    assert res["rejected"] and res["imported"] == len(people) - 1
    return db, people, src


def test_import_writes_nothing_beside_the_bureau_file(village):
    _db, _people, src = village
    assert sorted(p.name for p in src.parent.iterdir()) == ["名单.xlsx"]
    exports = list(Path(os.environ["CANVASSER_DATA"]).rglob("*.xlsx"))
    assert exports == []  # the rows not imported stay in the workspace, encrypted (issue 33)


def test_notices_for_one_group_are_that_groups_households(village, tmp_path, capsys):
    db, people, _src = village
    listed = [p for i, p in enumerate(people, 1) if i != 3]
    groups = sorted({p["村民小组"] for p in listed})
    group = groups[1]
    theirs = {p["户编号"] for p in listed if p["村民小组"] == group}
    out = tmp_path / "g.pdf"
    res = cli(capsys, "notices", "--db", db, "--out", out, "--group", group)
    assert res["households"] == len(theirs) and pdf_pages(out) == len(theirs) < len({p["户编号"] for p in listed})
    # a household by a member's ID, and an unknown group is bad input that writes no file
    one = listed[0]
    res = cli(capsys, "notices", "--db", db, "--out", tmp_path / "h.pdf", "--id", one["公民身份号码"])
    assert res["households"] == 1
    code, _out, err = cli_text(capsys, "notices", "--db", db, "--out", tmp_path / "x.pdf", "--group", "九十九组")
    assert code == 2 and "九十九组" in err and not (tmp_path / "x.pdf").exists()


def test_search_prints_chinese_status_names(village, capsys):
    db, people, _src = village
    pid = people[0]["公民身份号码"]
    cli(capsys, "visit", "--db", db, "--id", pid, "--outcome", "paid_on_site", "--by", "李书记")
    code, out, _err = cli_text(capsys, "search", "--db", db, people[0]["姓名"])
    assert code == 0 and "当场协助缴费" in out and "paid_on_site" not in out


def test_standalone_workspace_joins_its_township_keeping_its_visits(village, tmp_path, capsys):
    db, people, src = village
    listed = [p for i, p in enumerate(people, 1) if i != 3]
    paid, away = listed[4]["公民身份号码"], listed[5]["公民身份号码"]
    cli(capsys, "visit", "--db", db, "--id", paid, "--outcome", "paid_on_site", "--by", "李书记")
    cli(capsys, "visit", "--db", db, "--id", away, "--outcome", "not_home", "--by", "李书记")
    cli(capsys, "campaign", "--db", db, "--set", "standard=380")  # set alone: the township's rules win at join

    t = tmp_path / "t.db"
    cli(capsys, "init", "--db", t, "--township", "某某镇")
    cli(capsys, "import-roster", "--db", t, src)
    township_visit = listed[8]["公民身份号码"]
    cli(capsys, "visit", "--db", t, "--id", township_visit, "--outcome", "migrant_informed", "--by", "乡镇")
    cli(capsys, "setup-package", "--db", t, "--village", "青石村", "--out", tmp_path / "s.ccpkg", "--code", CODE)

    res = cli(capsys, "init", "--db", db, "--from", tmp_path / "s.ccpkg", "--code", CODE)
    assert res["joined"] and res["mode"] == "village" and res["pending"] > 0 and res["differences"] == []
    with open_workspace(db) as ws:
        assert ws.mode == "village" and integrity.check(ws)["ok"]
        assert ws.scalar("SELECT status FROM persons WHERE pid=?", (township_visit,)) == "migrant_informed"
        assert campaign.load(ws).values["standard"] == 400
    cli(capsys, "export", "--db", db, "--out", tmp_path / "up.ccpkg")
    cli(capsys, "receive", "--db", t, tmp_path / "up.ccpkg")
    with open_workspace(t) as ws:
        status = dict(ws.conn.execute("SELECT pid, status FROM persons WHERE pid IN (?,?,?)",
                                      (paid, away, township_visit)).fetchall())
        assert status == {paid: "paid_on_site", away: "not_home", township_visit: "migrant_informed"}
        assert campaign.load(ws).values["standard"] == 400
        assert integrity.check(ws)["ok"]
    # joining twice is refused: it is a village workspace now
    code, _out, err = cli_text(capsys, "init", "--db", db, "--from", tmp_path / "s.ccpkg", "--code", CODE)
    assert code == 2 and "村工作区" in err


def test_a_workspace_with_another_villages_people_cannot_join(tmp_path, capsys):
    mine = write_xlsx(tmp_path / "a.xlsx", rows(seed=5, households=5, village="光明村"))
    theirs = write_xlsx(tmp_path / "b.xlsx", rows(seed=6, households=5, village="青石村"))
    db, t = tmp_path / "v.db", tmp_path / "t.db"
    cli(capsys, "import-roster", "--db", db, mine)
    cli(capsys, "init", "--db", t, "--township", "某某镇")
    cli(capsys, "import-roster", "--db", t, theirs)
    cli(capsys, "setup-package", "--db", t, "--village", "青石村", "--out", tmp_path / "s.ccpkg", "--code", CODE)
    code, _out, err = cli_text(capsys, "init", "--db", db, "--from", tmp_path / "s.ccpkg", "--code", CODE)
    assert code == 2 and "光明村" in err
    with open_workspace(db) as ws:
        assert ws.mode == "standalone"
