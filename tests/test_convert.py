"""An old plain workspace is converted on first open, atomically: killed at any point, exactly one
complete, checkable workspace is left, plain as it was (before the switch) or encrypted."""

from __future__ import annotations

import os
import random
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from canvasser.core.lists.roster import import_roster
from canvasser.core.rules.visits import record_visit
from canvasser.core.storage import atrest, backup, integrity
from canvasser.core.storage.opening import open_workspace
from tests.fixtures import CHILD_ENCODING, rows, write_xlsx

NEW = "转换后的口令 2027"
STAGES = ("start", "attached", "exported", "checked", "backups", "keys", "replaced")
ROOT = Path(__file__).resolve().parent.parent

CHILD = """
import os, sys
from canvasser.core.storage import convert
from canvasser.core.storage.opening import open_workspace
from tests.fixtures import CHILD_ENCODING
stage = sys.argv[2]
def die(name):
    if name == stage:
        os._exit(9)
convert._stage = die
open_workspace(sys.argv[1]).close()
"""


@pytest.fixture(scope="module")
def plain(tmp_path_factory) -> tuple[Path, str, int]:
    """A plain workspace as an older version left it (WAL mode, visits), with its digest."""
    d = tmp_path_factory.mktemp("plain")
    db = d / "老村.db"
    ws = open_workspace(db, plain=True)
    people = rows(seed=5, households=60)
    import_roster(ws, write_xlsx(d / "l.xlsx", people))
    for p in people[:40]:
        record_visit(ws, p["公民身份号码"], "not_home", by="李书记")
    digest, events = integrity.state_digest(ws), ws.event_count()
    ws.close()
    assert atrest.file_state(db) == "plain"
    return db, digest, events


def _copy(plain_db: Path, where: Path, data: Path) -> Path:
    where.mkdir(parents=True, exist_ok=True)
    db = where / plain_db.name
    shutil.copy(plain_db, db)
    with open_workspace(db, plain=True) as ws:  # an old plain daily backup too
        backup.backup(ws)
    return db


def _env(data: Path) -> dict:
    return dict(os.environ, CANVASSER_PASSPHRASE=NEW, CANVASSER_DATA=str(data), PYTHONPATH=str(ROOT))


def _exactly_one_workspace(db: Path, digest: str, events: int) -> str:
    """The file at `db` is complete and checks; nothing else in its folder is a workspace."""
    state = atrest.file_state(db)
    ws = open_workspace(db, plain=True) if state == "plain" else open_workspace(db, passphrase=NEW)
    try:
        assert integrity.check(ws)["ok"]
        assert integrity.state_digest(ws) == digest and ws.event_count() == events
    finally:
        ws.close()
    others = {p.name for p in db.parent.iterdir()} - {db.name, db.name + "-wal", db.name + "-shm", db.name + ".keys"}
    assert all(".converting" in name for name in others), others
    return state


def _finish_and_verify(db: Path, data: Path, digest: str, events: int) -> None:
    """The next open completes the conversion; leftovers and plain backups are gone."""
    ws = open_workspace(db, passphrase=NEW)
    try:
        assert ws.key is not None and integrity.check(ws)["ok"] and integrity.state_digest(ws) == digest
    finally:
        ws.close()
    assert atrest.file_state(db) == "encrypted"
    assert sorted(p.name for p in db.parent.iterdir()) == [db.name, db.name + ".keys"]
    assert all(atrest.file_state(f) == "encrypted" for f in backup.backup_dir(db).glob("*.db"))


@pytest.mark.parametrize("stage", STAGES)
def test_a_conversion_killed_at_each_stage_leaves_one_complete_workspace(plain, tmp_path, stage, monkeypatch):
    plain_db, digest, events = plain
    data = tmp_path / "data"
    monkeypatch.setenv("CANVASSER_DATA", str(data))
    db = _copy(plain_db, tmp_path / "w", data)
    r = subprocess.run([sys.executable, "-c", CHILD, str(db), stage], env=_env(data), capture_output=True,
                       encoding=CHILD_ENCODING,
                       timeout=300)
    assert r.returncode == 9, r.stderr
    state = _exactly_one_workspace(db, digest, events)
    assert state == ("encrypted" if stage == "replaced" else "plain")
    _finish_and_verify(db, data, digest, events)


def test_a_conversion_killed_at_random_moments_leaves_one_complete_workspace(plain, tmp_path, monkeypatch):
    plain_db, digest, events = plain
    data = tmp_path / "data"
    monkeypatch.setenv("CANVASSER_DATA", str(data))
    rng = random.Random(19)
    # how long a whole conversion takes here, to kill inside it
    db = _copy(plain_db, tmp_path / "timing", data)
    start = time.monotonic()
    subprocess.run([sys.executable, "-c", CHILD, str(db), "never"], env=_env(data), check=True, timeout=300)
    full = time.monotonic() - start
    states = set()
    for i in range(6):
        db = _copy(plain_db, tmp_path / f"k{i}", data)
        p = subprocess.Popen([sys.executable, "-c", CHILD, str(db), "never"], env=_env(data),
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(rng.uniform(0.2, 1.0) * full)
        p.kill()  # SIGKILL; TerminateProcess on Windows
        p.wait()
        states.add(_exactly_one_workspace(db, digest, events))
        _finish_and_verify(db, data, digest, events)
    assert states <= {"plain", "encrypted"}


def test_a_converted_workspace_keeps_its_origin_and_a_demo_stays_plain(plain, tmp_path, monkeypatch):
    from canvasser.core.demo import make_demo

    plain_db, _, _ = plain
    monkeypatch.setenv("CANVASSER_DATA", str(tmp_path / "data"))
    db = tmp_path / plain_db.name
    shutil.copy(plain_db, db)
    with open_workspace(db, plain=True) as ws:
        origin = ws.origin
    with open_workspace(db, passphrase=NEW) as ws:
        assert ws.key is not None and ws.origin == origin and ws.recovery_code
    demo = tmp_path / "演示村.db"
    make_demo(demo, households=5, visits=False)
    with open_workspace(demo) as ws:
        assert ws.key is None
    assert atrest.file_state(demo) == "plain"
