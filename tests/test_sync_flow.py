"""Township and villages through the CLI: setup, visits, exports, receipts, paid list, return packages."""

from __future__ import annotations

import csv
import json
import shutil
import time

import pytest

from canvasser.cli import main
from canvasser.core.storage import integrity
from canvasser.core.storage.opening import open_workspace
from canvasser.core.storage.store import Workspace
from tests.test_sync_support import TOWNSHIP, VILLAGES, ids_of, write_township_csv


def cli(capsys, *args) -> dict:
    capsys.readouterr()
    code = main([*map(str, args), "--json"])
    out = capsys.readouterr()
    assert code == 0, out.err
    return json.loads(out.out)


def cli_fail(capsys, *args) -> tuple[int, str]:
    capsys.readouterr()
    code = main(list(map(str, args)))
    return code, capsys.readouterr().err


def write_paid(path, pids):
    with open(path, "w", encoding="utf-8-sig", newline="") as f:
        w = csv.writer(f)
        w.writerow(["序号", "身份证号码", "姓名", "缴费金额", "缴费日期", "缴费渠道", "缴费年度"])
        for i, pid in enumerate(pids, 1):
            w.writerow([i, pid, "", "400", "2026-11-20", "微信", "2027"])
    return path


def view(ws: Workspace, village: str) -> list[tuple]:
    return ws.conn.execute("SELECT pid, name, status, official, last_outcome, visit_count FROM persons "
                           "WHERE village=? ORDER BY pid", (village,)).fetchall()


@pytest.fixture
def township(tmp_path, capsys):
    csv_path, people = write_township_csv(tmp_path / "roster.csv", households=6)
    t = tmp_path / "t.db"
    res = cli(capsys, "init", "--db", t, "--township", TOWNSHIP)
    assert res["mode"] == "township" and len(res["fingerprint"]) == 24
    assert cli(capsys, "import-roster", "--db", t, csv_path)["imported"] == len(people)
    return t, people


def test_round_trip_three_villages(tmp_path, capsys, township):
    t, people = township
    dbs = {}
    for v in VILLAGES:
        res = cli(capsys, "setup-package", "--db", t, "--village", v, "--out", tmp_path / f"s-{v}.ccpkg", "--no-code")
        assert res["people"] == len(ids_of(people, v)) and res["protected"] == "file-key" and res["warning"]
        dbs[v] = tmp_path / f"{v}.db"
        res = cli(capsys, "init", "--db", dbs[v], "--from", tmp_path / f"s-{v}.ccpkg")
        assert (res["village"], res["township"], res["people"]) == (v, TOWNSHIP, len(ids_of(people, v)))
    # visits in each village; the first package is lost and covered by the second
    for i, v in enumerate(VILLAGES):
        vids = ids_of(people, v)
        cli(capsys, "visit", "--db", dbs[v], "--id", vids[0], "--outcome", "dead", "--by", "村文书")
        assert cli(capsys, "export", "--db", dbs[v], "--out", tmp_path / f"lost-{v}.ccpkg")["events"] == 2
        cli(capsys, "visit", "--db", dbs[v], "--id", vids[1], "--outcome", "promised", "--promised", "2026-12-20")
        cli(capsys, "visit", "--db", dbs[v], "--id", vids[2 + i], "--outcome", "paid_self")
        status = cli(capsys, "status", "--db", dbs[v])
        assert status["unsent"] == 4  # the lost package's two wait for the township; two never left
        assert (status["visits_unsent"], status["visits_waiting"], status["other_waiting"]) == (2, 1, 1)
        assert cli(capsys, "export", "--db", dbs[v], "--out", tmp_path / f"up-{v}.ccpkg")["events"] == 4
        status = cli(capsys, "status", "--db", dbs[v])
        assert (status["visits_unsent"], status["visits_waiting"], status["unsent"]) == (0, 3, 4)
    for v in reversed(VILLAGES):
        res = cli(capsys, "receive", "--db", t, tmp_path / f"up-{v}.ccpkg")
        assert (res["applied"], res["already_known"]) == (4, 0)
    # the lost packages turn up late: nothing new
    for v in VILLAGES:
        res = cli(capsys, "receive", "--db", t, tmp_path / f"lost-{v}.ccpkg")
        assert (res["applied"], res["already_known"]) == (0, 2)
    status = cli(capsys, "status", "--db", t)
    assert {s["village"]: s["packages_received"] for s in status["villages"]} == {v: 2 for v in VILLAGES}
    assert all(s["last_received_at"] for s in status["villages"])
    # the township imports the bureau's paid list: one person per village, one of them claimed paid before
    paid = [ids_of(people, v)[2 + i] for i, v in enumerate(VILLAGES)]
    assert cli(capsys, "import-paid", "--db", t, write_paid(tmp_path / "paid.csv", paid))["matched"] == 3
    for v in VILLAGES:
        res = cli(capsys, "export", "--db", t, "--village", v, "--out", tmp_path / f"down-{v}.ccpkg")
        assert res["events"] == 1  # its official status: the village already holds everything else
        assert cli(capsys, "receive", "--db", dbs[v], tmp_path / f"down-{v}.ccpkg")["applied"] >= 1
        again = cli(capsys, "receive", "--db", dbs[v], tmp_path / f"down-{v}.ccpkg")
        assert again["applied"] == 0
        status = cli(capsys, "status", "--db", dbs[v])
        assert status["unsent"] == 0 and status["visits_waiting"] == status["visits_unsent"] == 0  # confirmed
        assert cli(capsys, "export", "--db", dbs[v], "--out", tmp_path / f"after-{v}.ccpkg")["events"] == 0
    with open_workspace(t) as town:
        for v in VILLAGES:
            with open_workspace(dbs[v]) as vil:
                assert view(vil, v) == view(town, v)
                assert integrity.state_digest(vil, v) == integrity.state_digest(town, v)
                assert integrity.check(vil)["ok"]
                pid = ids_of(people, v)[2 + VILLAGES.index(v)]
                assert vil.scalar("SELECT status FROM persons WHERE pid=?", (pid,)) == "paid_official"
        assert integrity.check(town)["ok"]
    for db in [t, *dbs.values()]:
        assert cli(capsys, "check", "--db", db)["ok"]


def test_copied_village_laptop_loses_nothing(tmp_path, capsys, township):
    t, people = township
    v = VILLAGES[2]
    cli(capsys, "setup-package", "--db", t, "--village", v, "--out", tmp_path / "s.ccpkg", "--no-code")
    cli(capsys, "init", "--db", tmp_path / "a.db", "--from", tmp_path / "s.ccpkg")
    vids = ids_of(people, v)
    cli(capsys, "visit", "--db", tmp_path / "a.db", "--id", vids[0], "--outcome", "not_home")
    shutil.copy(tmp_path / "a.db", tmp_path / "b.db")
    shutil.copy(tmp_path / "a.db.keys", tmp_path / "b.db.keys")  # a workspace's copy is both files
    cli(capsys, "visit", "--db", tmp_path / "a.db", "--id", vids[1], "--outcome", "military")
    cli(capsys, "visit", "--db", tmp_path / "b.db", "--id", vids[2], "--outcome", "prison")
    assert cli(capsys, "export", "--db", tmp_path / "a.db", "--out", tmp_path / "a.ccpkg")["events"] == 2
    assert cli(capsys, "export", "--db", tmp_path / "b.db", "--out", tmp_path / "b.ccpkg")["events"] == 2
    assert cli(capsys, "receive", "--db", t, tmp_path / "b.ccpkg")["applied"] == 2
    assert cli(capsys, "receive", "--db", t, tmp_path / "a.ccpkg")["applied"] == 1  # the shared first visit
    with open_workspace(t) as town:
        outcomes = dict(town.conn.execute("SELECT pid, last_outcome FROM persons WHERE pid IN (?,?,?)", vids[:3]))
        assert outcomes == {vids[0]: "not_home", vids[1]: "military", vids[2]: "prison"}
    # each copy gets the other's visit back, and both end equal to the township's view
    for name in ("a", "b"):
        cli(capsys, "export", "--db", t, "--village", v, "--out", tmp_path / f"down-{name}.ccpkg")
        assert cli(capsys, "receive", "--db", tmp_path / f"{name}.db", tmp_path / f"down-{name}.ccpkg")["applied"] == 1
        assert cli(capsys, "status", "--db", tmp_path / f"{name}.db")["unsent"] == 0
    with open_workspace(t) as town, open_workspace(tmp_path / "a.db") as a, open_workspace(tmp_path / "b.db") as b:
        assert integrity.state_digest(a, v) == integrity.state_digest(b, v) == integrity.state_digest(town, v)


def test_setup_twice_needs_rekey_and_old_key_is_refused(tmp_path, capsys, township):
    t, people = township
    v = VILLAGES[0]
    cli(capsys, "setup-package", "--db", t, "--village", v, "--out", tmp_path / "s.ccpkg", "--no-code")
    code, err = cli_fail(capsys, "setup-package", "--db", t, "--village", v, "--out", tmp_path / "s2.ccpkg")
    assert code == 2 and "rekey" in err
    cli(capsys, "init", "--db", tmp_path / "old.db", "--from", tmp_path / "s.ccpkg")
    old_key = cli(capsys, "keys", "--db", tmp_path / "old.db")["fingerprint"]
    cli(capsys, "visit", "--db", tmp_path / "old.db", "--id", ids_of(people, v)[0], "--outcome", "refused")
    cli(capsys, "export", "--db", tmp_path / "old.db", "--out", tmp_path / "old.ccpkg")
    # the laptop is lost: new keys, new setup package (with a code this time)
    res = cli(capsys, "rekey", "--db", t, "--village", v, "--out", tmp_path / "new.ccpkg", "--code", "QS7K-2M9P-XT4D-8RWA")
    assert res["revoked"] == [old_key] and res["fingerprint"] != old_key and res["protected"] == "code"
    code, err = cli_fail(capsys, "init", "--db", tmp_path / "new.db", "--from", tmp_path / "new.ccpkg")
    assert code == 2 and "口令" in err and not (tmp_path / "new.db").exists()
    code, err = cli_fail(capsys, "init", "--db", tmp_path / "new.db", "--from", tmp_path / "new.ccpkg",
                         "--code", "00000000")
    assert code == 2 and "口令不对" in err and not (tmp_path / "new.db").exists()
    cli(capsys, "init", "--db", tmp_path / "new.db", "--from", tmp_path / "new.ccpkg", "--code", "QS7K-2M9P-XT4D-8RWA")
    with open_workspace(t) as town:
        before = integrity.state_digest(town)
    # exported before the re-key: held for the clerk, not applied, not lost
    got = cli(capsys, "receive", "--db", t, tmp_path / "old.ccpkg")
    assert got["applied"] == 0 and got["held"] == 1
    with open_workspace(t) as town:
        assert integrity.state_digest(town) == before
    assert "作废" in "".join(cli(capsys, "held", "--db", t)["held"][0]["reasons"])
    # the old laptop, still in a thief's hands after the re-key: refused
    time.sleep(1.1)  # (a package's time is to the second)
    cli(capsys, "visit", "--db", tmp_path / "old.db", "--id", ids_of(people, v)[2], "--outcome", "refused")
    cli(capsys, "export", "--db", tmp_path / "old.db", "--out", tmp_path / "old2.ccpkg")
    code, err = cli_fail(capsys, "receive", "--db", t, tmp_path / "old2.ccpkg")
    assert code == 2 and "作废" in err
    keys = cli(capsys, "keys", "--db", t)
    assert [p["revoked"] for p in keys["peers"]] == [[old_key]]
    cli(capsys, "visit", "--db", tmp_path / "new.db", "--id", ids_of(people, v)[1], "--outcome", "dead")
    cli(capsys, "export", "--db", tmp_path / "new.db", "--out", tmp_path / "new-up.ccpkg")
    assert cli(capsys, "receive", "--db", t, tmp_path / "new-up.ccpkg")["applied"] == 1


def test_conflicting_creations_go_to_review(tmp_path, capsys, township):
    t, people = township
    a, b = VILLAGES[0], VILLAGES[1]
    for v in (a, b):
        cli(capsys, "setup-package", "--db", t, "--village", v, "--out", tmp_path / f"s-{v}.ccpkg", "--no-code")
        cli(capsys, "init", "--db", tmp_path / f"{v}.db", "--from", tmp_path / f"s-{v}.ccpkg")
    newcomer = "510321201001010016"
    from canvasser.core.rules.people import add_person
    for v, name in ((a, "周新来"), (b, "周新来")):
        with open_workspace(tmp_path / f"{v}.db") as ws:
            add_person(ws, newcomer, name, grp="一组")
        cli(capsys, "export", "--db", tmp_path / f"{v}.db", "--out", tmp_path / f"up-{v}.ccpkg")
        cli(capsys, "receive", "--db", t, tmp_path / f"up-{v}.ccpkg")
    queue = cli(capsys, "conflicts", "--db", t)
    assert [(c["id"], sorted(c["villages"])) for c in queue["conflicts"]] == [(newcomer, sorted([a, b]))]
    code, err = cli_fail(capsys, "conflicts", "--db", t, "--resolve", newcomer, "--village", VILLAGES[2])
    assert code == 2
    cli(capsys, "conflicts", "--db", t, "--resolve", newcomer, "--village", b)
    assert cli(capsys, "conflicts", "--db", t)["total"] == 0
    for v in (a, b):
        cli(capsys, "export", "--db", t, "--village", v, "--out", tmp_path / f"down-{v}.ccpkg")
        cli(capsys, "receive", "--db", tmp_path / f"{v}.db", tmp_path / f"down-{v}.ccpkg")
    with open_workspace(t) as town:
        assert town.scalar("SELECT village FROM persons WHERE pid=?", (newcomer,)) == b
        for v in (a, b):
            with open_workspace(tmp_path / f"{v}.db") as ws:
                assert ws.scalar("SELECT village FROM persons WHERE pid=?", (newcomer,)) == b
                assert integrity.state_digest(ws, v) == integrity.state_digest(town, v)


def test_commands_need_sync_mode(tmp_path, capsys):
    code, err = cli_fail(capsys, "export", "--db", tmp_path / "none.db", "--out", tmp_path / "x.ccpkg")
    assert code == 2
    open_workspace(tmp_path / "plain.db").close()
    code, err = cli_fail(capsys, "export", "--db", tmp_path / "plain.db", "--out", tmp_path / "x.ccpkg")
    assert code == 2 and "未启用同步" in err
    assert cli(capsys, "status", "--db", tmp_path / "plain.db") == {"mode": "standalone", "enabled": False}
