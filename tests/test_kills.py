"""kill -9 at any moment of the new paths of issue 33 leaves one complete state, and the next start
cleans what the killed run left: a passphrase change raced by wrong tries, a receive that binds
origins, a list import that keeps its rejected rows, a backup, a check."""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
import time
from pathlib import Path

from canvasser.core.lists.roster import import_roster, kept_rejects
from canvasser.core.rules.visits import record_visit
from canvasser.core.storage import atrest, integrity, sweep
from canvasser.core.storage.opening import open_workspace
from canvasser.core.sync import export_package, receive_package
from tests.fixtures import rows, write_csv
from tests.test_sync_support import VILLAGES, ids_of, make_township, make_village

PHRASE = os.environ["CANVASSER_PASSPHRASE"]
NEW = "新的口令 Spring-2027"


def _env(**extra) -> dict:
    return dict(os.environ, QT_QPA_PLATFORM="offscreen", PYTHONIOENCODING="utf-8", **extra)


def _cli(*args, **env) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "canvasser", *map(str, args)], env=_env(**env),
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def _timed(*args, **env) -> float:
    start = time.monotonic()
    p = _cli(*args, **env)
    assert p.wait(timeout=300) == 0
    return time.monotonic() - start


def _kill_within(p: subprocess.Popen, seconds: float) -> None:
    time.sleep(seconds)
    p.kill()  # SIGKILL; TerminateProcess on Windows
    p.wait()


def _opens(db: Path, phrase: str) -> bool:
    atrest.forget(db)
    try:
        atrest.unlock(db, phrase, sleep=lambda _s: None)
        return True
    except atrest.PassphraseError:
        return False


def test_a_passphrase_change_killed_while_colleagues_mistype_leaves_one_passphrase(tmp_path):
    db = tmp_path / "村.db"
    with open_workspace(db) as ws:
        import_roster(ws, write_csv(tmp_path / "l.csv", rows(seed=2, households=3)))
    new_file = tmp_path / "new.txt"
    new_file.write_text(NEW + "\n", encoding="utf-8")
    full = _timed("passphrase", "--db", db, "--new-passphrase-file", new_file)
    old_file = tmp_path / "old.txt"
    old_file.write_text(PHRASE + "\n", encoding="utf-8")
    assert _opens(db, NEW)
    rng = random.Random(33)
    current, other = NEW, PHRASE
    for _ in range(5):
        target = tmp_path / ("old.txt" if current == NEW else "new.txt")
        wrong = [_cli("search", "--db", db, "王", CANVASSER_PASSPHRASE="不对的口令 0000") for _ in range(2)]
        change = _cli("passphrase", "--db", db, "--new-passphrase-file", target, CANVASSER_PASSPHRASE=current)
        _kill_within(change, rng.uniform(0.1, 1.2) * full)
        for w in wrong:
            w.wait(timeout=300)
        json.loads(atrest.sidecar(db).read_text(encoding="utf-8"))  # whole, never half-written
        now_old, now_new = _opens(db, current), _opens(db, other)
        assert now_old != now_new  # exactly one of the two opens the workspace
        if now_new:
            current, other = other, current
    time.sleep(sweep.FRESH + 0.5)
    subprocess.run([sys.executable, "-m", "canvasser", "search", "--db", str(db), "王"], env=_env(
        CANVASSER_PASSPHRASE=current), capture_output=True, timeout=300)
    assert not Path(f"{atrest.sidecar(db)}.part").exists()  # swept at that start, if a kill left one


def test_a_receive_killed_at_the_township_applies_all_or_nothing(tmp_path):
    town, people = make_township(tmp_path, households=40)
    a = make_village(town, tmp_path, VILLAGES[0])
    for i, pid in enumerate(ids_of(people, VILLAGES[0])):
        record_visit(a, pid, "not_home", by=f"文书{i % 3}", note="再去" * 20)
    up = tmp_path / "up.ccpkg"
    export_package(a, up)
    a.close()
    town.close()
    t = tmp_path / "t.db"
    keep = tmp_path / "t-before.db"
    keep.write_bytes(t.read_bytes())
    Path(f"{keep}.keys").write_bytes(atrest.sidecar(t).read_bytes())
    full = _timed("receive", "--db", t, up)
    rng = random.Random(7)
    outcomes = set()
    for _ in range(4):
        for suffix in ("", "-wal", "-shm"):
            Path(f"{t}{suffix}").unlink(missing_ok=True)
        t.write_bytes(keep.read_bytes())
        p = _cli("receive", "--db", t, up)
        _kill_within(p, rng.uniform(0.3, 1.0) * full)
        with open_workspace(t) as ws:
            got = ws.scalar("SELECT count(*) FROM receipts")
            bound = ws.scalar("SELECT count(*) FROM origin_owners WHERE peer != ''")
            visits = ws.scalar("SELECT count(*) FROM visits")
            assert (got, bool(bound), bool(visits)) in ((1, True, True), (0, False, False))
            outcomes.add(got)
            assert integrity.check(ws)["ok"]
            assert receive_package(ws, up)["duplicate"] == bool(got)
    assert outcomes  # (which moments the kills hit varies with the machine's load)


def test_an_import_killed_keeps_its_rejected_rows_with_its_people_or_neither(tmp_path):
    people = rows(seed=12, households=2500)
    people[5] = dict(people[5], 公民身份号码="510321199002020019")  # a bad check digit: rejected
    src = write_csv(tmp_path / "big.csv", people)
    db = tmp_path / "k.db"
    open_workspace(db).close()
    full = _timed("import-roster", "--db", db, src)
    rng = random.Random(3)
    for i in range(3):
        fresh = tmp_path / f"k{i}.db"
        open_workspace(fresh).close()
        p = _cli("import-roster", "--db", fresh, src)
        _kill_within(p, rng.uniform(0.3, 0.9) * full)
        with open_workspace(fresh) as ws:
            n, kept = ws.scalar("SELECT count(*) FROM persons"), kept_rejects(ws)
            assert (n, len(kept)) in ((0, 0), (len(people) - 1, 1))


def test_a_killed_backup_and_check_leave_nothing_after_the_next_start(tmp_path, monkeypatch):
    db = tmp_path / "村.db"
    with open_workspace(db) as ws:
        import_roster(ws, write_csv(tmp_path / "l.csv", rows(seed=2, households=1500)))
    temp = tmp_path / "tmp"
    temp.mkdir()
    env = {"TMPDIR": str(temp)}
    for what in (("backup", "--db", db), ("check", "--db", db)):
        full = _timed(*what, **env)
        for frac in (0.35, 0.6, 0.85):
            _kill_within(_cli(*what, **env), frac * full)
    data = Path(os.environ["CANVASSER_DATA"])
    time.sleep(sweep.FRESH + 0.5)  # (a file seconds old may be a writer's just before its rename)
    _timed("search", "--db", db, "王", **env)  # the next start
    left = [p for p in (*temp.rglob("*"), *data.rglob("*.part")) if p.exists()]
    assert not [p for p in left if p.name.startswith(sweep.CHECK_PREFIX) or p.suffix == ".part"], left
    for side in data.rglob("*.db.keys"):  # every backup sidecar has its backup
        assert Path(str(side)[:-5]).exists(), side
