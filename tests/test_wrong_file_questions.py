"""Files that are probably the wrong ones are a question, not a silent import: the paid list picked
as a list of the unenrolled; a package signed with a key retired after it was exported is held for
the township, not lost."""

from __future__ import annotations

from tests.fixtures import rows, write_csv
from tests.test_sync_flow import cli, cli_fail, write_paid


def test_the_paid_list_is_not_imported_as_a_list_of_the_unenrolled(tmp_path, capsys):
    people = rows(seed=4, households=5)
    db = tmp_path / "v.db"
    cli(capsys, "import-roster", "--db", db, write_csv(tmp_path / "l.csv", people))
    paid = write_paid(tmp_path / "已缴费.csv", [p["公民身份号码"] for p in people[:3]])
    code, err = cli_fail(capsys, "import-roster", "--db", db, paid)
    assert code == 2 and "已缴费名单" in err and "import-paid" in err and "--not-paid-list" in err
    assert cli(capsys, "import-paid", "--db", db, paid)["matched"] == 3
    assert "imported" in cli(capsys, "import-roster", "--db", db, paid, "--not-paid-list")  # asked, answered


def test_a_package_exported_before_a_rekey_is_held_then_accepted(tmp_path):
    from canvasser.core.rules.visits import record_visit
    from canvasser.core.storage import integrity
    from canvasser.core.sync import rekey_village, scope
    from tests.test_sync_support import VILLAGES, ids_of, make_township, make_village
    town, people = make_township(tmp_path)
    a, b = VILLAGES[0], VILLAGES[1]
    va = make_village(town, tmp_path, a)
    mine, theirs = ids_of(people, a)[0], ids_of(people, b)[0]
    from canvasser.core.lists.roster import import_roster
    from tests.fixtures import TODAY
    import_roster(va, tmp_path / "township.csv", today=TODAY, all_villages=True)  # the wrong file, forced
    record_visit(va, mine, "dead", by="青石村文书")
    record_visit(va, theirs, "dead", by="青石村文书")  # (out of scope: stays held even when accepted)
    from canvasser.core.sync import export_package, receive_package
    export_package(va, tmp_path / "before.ccpkg")
    rekey_village(town, a, tmp_path / "new.ccpkg", no_code=True)
    got = receive_package(town, tmp_path / "before.ccpkg")
    assert got["applied"] == 0 and got["held"] > 3  # the visits, the canvasser, the other villages' people
    assert town.scalar("SELECT status FROM persons WHERE pid=?", (mine,)) != "dead"
    [held] = scope.list_held(town)
    res = scope.decide(town, held["package_id"], accept=True)
    assert res["applied"] >= 2 and res["still_held"] == got["held"] - res["applied"]
    assert town.scalar("SELECT status FROM persons WHERE pid=?", (mine,)) == "dead"
    assert town.scalar("SELECT status FROM persons WHERE pid=?", (theirs,)) != "dead"
    assert "不是本村的人员" in "".join(scope.list_held(town)[0]["reasons"])
    assert integrity.check(town)["ok"]
