"""A village writes only its own village: at the township (held, never applied) and at its own door
(a wider list brings only its people; another village's list is refused)."""

from __future__ import annotations

from canvasser.core.lists.roster import import_roster
from canvasser.core.rules.people import update_person
from canvasser.core.rules.visits import record_visit
from canvasser.core.storage import integrity
from canvasser.core.sync import scope
from tests.fixtures import TODAY, write_csv
from tests.test_sync_flow import cli, cli_fail
from tests.test_sync_support import VILLAGES, ids_of, make_township, make_village, send, township_rows


def test_a_village_package_for_another_village_changes_nothing(tmp_path):
    town, people = make_township(tmp_path)
    a, b = VILLAGES[0], VILLAGES[1]
    va, vb = make_village(town, tmp_path, a), make_village(town, tmp_path, b)
    g1, g2 = ids_of(people, b)[:2]
    update_person(vb, g1, {"phone": "13999999999"}, by="杨柳村文书")
    send(vb, town, tmp_path / "b1.ccpkg")
    # 青石 takes the whole township's list (the wrong file, with the override) and works on 杨柳村's people
    res = import_roster(va, tmp_path / "township.csv", today=TODAY, all_villages=True)
    assert res.imported > 0
    record_visit(va, g2, "dead", by="青石村文书")
    mine = ids_of(people, a)[0]
    record_visit(va, mine, "not_home", by="青石村文书")
    before_b = integrity.state_digest(town, b)
    got = send(va, town, tmp_path / "a1.ccpkg")
    assert got["held"] >= res.imported + 1 and got["applied"] >= 1
    assert town.scalar("SELECT phone FROM persons WHERE pid=?", (g1,)) == "13999999999"
    assert town.scalar("SELECT status FROM persons WHERE pid=?", (g2,)) != "dead"
    assert town.scalar("SELECT last_outcome FROM persons WHERE pid=?", (mine,)) == "not_home"
    assert integrity.state_digest(town, b) == before_b
    send(town, vb, tmp_path / "b2.ccpkg", village=b)
    assert vb.scalar("SELECT phone FROM persons WHERE pid=?", (g1,)) == "13999999999"
    assert vb.scalar("SELECT status FROM persons WHERE pid=?", (g2,)) != "dead"
    # held for review: sent again, nothing is held twice; rejected, nothing is applied
    assert send(va, town, tmp_path / "a2.ccpkg")["applied"] == 0
    held = scope.list_held(town)
    assert sum(h["events"] for h in held) == got["held"] and held[0]["village"] == a
    assert "不是本村的人员" in "".join(held[0]["reasons"])
    for h in held:
        scope.decide(town, h["package_id"], accept=False)
    assert scope.list_held(town) == [] and integrity.state_digest(town, b) == before_b
    assert integrity.check(town)["ok"]


def test_accepting_held_events_applies_them(tmp_path):
    town, people = make_township(tmp_path)
    a, b = VILLAGES[0], VILLAGES[1]
    va = make_village(town, tmp_path, a)
    import_roster(va, tmp_path / "township.csv", today=TODAY, all_villages=True)
    g = ids_of(people, b)[3]
    record_visit(va, g, "not_home", by="青石村文书")
    assert send(va, town, tmp_path / "a1.ccpkg")["held"]
    assert town.scalar("SELECT visit_count FROM persons WHERE pid=?", (g,)) == 0
    assert scope.decide(town, "all", accept=True)["applied"] >= 1
    assert town.scalar("SELECT visit_count FROM persons WHERE pid=?", (g,)) == 1
    assert integrity.check(town)["ok"]


def test_a_village_workspace_takes_only_its_village_from_a_wider_list(tmp_path, capsys):
    town, people = make_township(tmp_path)
    a = VILLAGES[0]
    make_village(town, tmp_path, a).close()
    db = tmp_path / f"{a}.db"
    res = cli(capsys, "import-roster", "--db", db, tmp_path / "township.csv")
    others = len(people) - len(ids_of(people, a))
    assert res["skipped_other_villages"] == others and res["imported"] == 0 and res["villages"] == [a]
    only_b = write_csv(tmp_path / "b.csv", [p for p in township_rows() if p["村（社区）"] == VILLAGES[1]])
    code, err = cli_fail(capsys, "import-roster", "--db", db, only_b)
    assert code == 2 and "没有本村" in err and "--all-villages" in err
    assert cli(capsys, "search", "--db", db, ids_of(people, VILLAGES[1])[0])["total"] == 0
