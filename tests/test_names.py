"""Rare characters flagged at import and when a person is added, found by the other characters;
full-width letters and digits folded."""

from __future__ import annotations

import json

from canvasser.core.lists.roster import import_roster
from canvasser.core.rules.people import add_person, update_person
from canvasser.core.rules.search import search
from canvasser.core.storage.opening import open_workspace
from canvasser.core.text import names

from .test_printing import pid, run_cli, write_roster

PEOPLE = {"R1": [("王𠮷明", "户主", "", "19800101", ""), ("ＬＩ小明", "子", "", "20100101", "")],
          "R2": [("张三", "户主", "", "19700101", ""), ("刘𡈽", "配偶", "", "19720101", "")]}


def test_rare_names_flagged_at_import_and_found_by_the_other_characters(tmp_path):
    write_roster(tmp_path / "r.csv", PEOPLE)
    with open_workspace(tmp_path / "v.db") as ws:
        res = import_roster(ws, tmp_path / "r.csv")
        flagged = {r["name"]: r for r in res.rare_names}
        assert set(flagged) == {"王𠮷明", "刘𡈽"} and flagged["王𠮷明"]["chars"] == "𠮷"
        assert flagged["王𠮷明"]["row"] == 2 and "*" in flagged["王𠮷明"]["id"]  # masked, never the number
        assert ws.scalar("SELECT count(*) FROM persons WHERE name = 'LI小明'") == 1  # folded
        for query in ("王明", "wm", "wangming", "王"):
            assert "王𠮷明" in [r["name"] for r in search(ws, query)["results"]], query
        assert "LI小明" in [r["name"] for r in search(ws, "li")["results"]]


def test_rare_name_flagged_when_added_and_full_width_folded(tmp_path):
    write_roster(tmp_path / "r.csv", PEOPLE)
    with open_workspace(tmp_path / "v.db") as ws:
        import_roster(ws, tmp_path / "r.csv")
        number = add_person(ws, pid(901, "20200101"), "ＺＨＡＮＧ１号")
        assert ws.scalar("SELECT name FROM persons WHERE pid=?", (number,)) == "ZHANG1号"
        update_person(ws, number, {"name": "赵　ＡＢ"})
        assert ws.scalar("SELECT name FROM persons WHERE pid=?", (number,)) == "赵AB"
    r = run_cli("person", "--db", str(tmp_path / "v.db"), "--id", pid(902, "20200101"), "--add", "周𠮷")
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert out["rare_chars"] == "𠮷" and out["name"] == "周𠮷"
    assert names.warning("周𠮷").startswith("姓名“周𠮷”含生僻字“𠮷”") and names.warning("周杰") == ""
