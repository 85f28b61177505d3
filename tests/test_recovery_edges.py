"""Recovery that never locks out (issue 33, M3–M6): a wrong try racing a passphrase change, a counter
past any size, a backup made before a passphrase change, two copies of one workspace, a wrong key
file beside a workspace, and the wait after wrong tries said out loud."""

from __future__ import annotations

import json
import os
import shutil

import pytest

from canvasser.cli import main
from canvasser.core.rules.visits import record_visit
from canvasser.core.storage import atrest, backup
from canvasser.core.storage.opening import open_workspace
from tests.fixtures import rows, write_csv

PHRASE = os.environ["CANVASSER_PASSPHRASE"]
NEW = "新的口令 Spring-2027"


@pytest.fixture
def village(tmp_path):
    db = tmp_path / "村.db"
    people = rows(seed=4, households=4)
    with open_workspace(db) as ws:
        from canvasser.core.lists.roster import import_roster

        import_roster(ws, write_csv(tmp_path / "l.csv", people))
    atrest.forget(db)
    return db, people


def cli(capsys, *args, env=None) -> tuple[int, dict | None, str]:
    capsys.readouterr()
    code = main([*map(str, args), "--json"])
    out = capsys.readouterr()
    return code, (json.loads(out.out) if code == 0 and out.out.strip() else None), out.err


def opens(db, phrase) -> bool:
    atrest.forget(db)
    try:
        atrest.unlock(db, phrase, sleep=lambda _s: None)
        return True
    except atrest.PassphraseError:
        return False


def test_a_wrong_try_racing_a_passphrase_change_never_undoes_it(village):
    """M3: a colleague's wrong try began (and read the key file) before the change; it waits, the
    passphrase changes meanwhile, then the wrong try counts itself: into the new file."""
    db, _ = village
    key = open_workspace(db).key  # (the one changing the passphrase has the workspace open)
    for _ in range(atrest.FREE_TRIES):
        with pytest.raises(atrest.PassphraseError):
            atrest.unlock(db, "不对的口令 0000", sleep=lambda _s: None)
    changed = []

    def change_while_waiting(_seconds: float) -> None:
        atrest.change_passphrase(db, key, NEW)
        changed.append(True)
    with pytest.raises(atrest.PassphraseError):
        atrest.unlock(db, "不对的口令 0000", sleep=change_while_waiting)
    assert changed
    assert atrest.KeyFile.load(db).failures == 1  # the change reset the count, the wrong try added one
    assert opens(db, NEW) and not opens(db, PHRASE)


def test_the_count_cannot_overflow_and_the_wait_is_bounded(village):
    """M4: a count of 1,027 or any size (or garbage) in the key file: the right passphrase and the
    recovery code still open, after at most a minute's wait."""
    db, _ = village
    for stored in (1027, 10**400, "很多", -5, None, 1e308):
        atrest.update_sidecar(db, lambda data, v=stored: data.update(failures=v, last_failure=2_000_000_000))
        kf = atrest.KeyFile.load(db)
        assert 0 <= kf.wait_before_try(now=2_000_000_000) <= atrest.MAX_WAIT
        waited: list[float] = []
        assert opens(db, PHRASE) or True
        atrest.forget(db)
        assert atrest.unlock(db, PHRASE, sleep=waited.append)
        assert all(w <= atrest.MAX_WAIT for w in waited)
        assert atrest.KeyFile.load(db).failures == 0
    # a workspace with a recovery code: the code works past a huge count too
    atrest.update_sidecar(db, lambda data: data.update(failures=10**9))
    code = None
    with open_workspace(db.with_name("单机.db")) as ws:
        code = ws.recovery_code
    other = db.with_name("单机.db")
    atrest.update_sidecar(other, lambda data: data.update(failures=10**9))
    assert atrest.unlock_with_recovery_code(other, code, sleep=lambda _s: None)


def test_the_wait_is_said(village, capsys, monkeypatch):
    db, _ = village
    monkeypatch.setattr(atrest.time, "sleep", lambda _s: None)
    monkeypatch.setenv("CANVASSER_PASSPHRASE", "不对的口令 0000")
    for _ in range(atrest.FREE_TRIES + 1):
        code, _, err = cli(capsys, "search", "--db", db, "王")
        assert code == 2
    assert "请等" in err and "秒" in err and "Traceback" not in err


def test_a_backup_made_before_a_passphrase_change_restores(village, tmp_path, capsys, monkeypatch):
    """M5: both a kept daily backup and one saved elsewhere (`backup --out`) restore with the new
    passphrase; the kept one was re-wrapped, the other opens with the workspace's own key."""
    db, people = village
    assert cli(capsys, "backup", "--db", db)[0] == 0
    elsewhere = tmp_path / "before.db"
    assert cli(capsys, "backup", "--db", db, "--out", elsewhere)[0] == 0
    with open_workspace(db) as ws:
        record_visit(ws, people[0]["公民身份号码"], "dead", by="李书记")
    (tmp_path / "new.txt").write_text(NEW + "\n", encoding="utf-8")
    assert cli(capsys, "passphrase", "--db", db, "--new-passphrase-file", tmp_path / "new.txt")[0] == 0
    atrest.forget(db)
    monkeypatch.setenv("CANVASSER_PASSPHRASE", NEW)
    kept = backup.list_backups(db)
    assert kept and opens(kept[0]["file"], NEW) and not opens(kept[0]["file"], PHRASE)  # re-wrapped
    code, res, err = cli(capsys, "restore", "--db", db, "--from", elsewhere)
    assert code == 0, err
    atrest.forget(db)
    with open_workspace(db, passphrase=NEW) as ws:
        assert ws.scalar("SELECT count(*) FROM visits") == 0  # the state of the backup
    assert not opens(db, PHRASE)  # the workspace keeps its new passphrase


def test_a_backup_of_another_key_asks_for_its_passphrase_by_name(village, tmp_path, capsys, monkeypatch):
    db, people = village
    other = tmp_path / "其他.db"
    with open_workspace(other, passphrase="别的口令 123456") as ws:
        from canvasser.core.lists.roster import import_roster

        import_roster(ws, write_csv(tmp_path / "o.csv", people))
        ws.set_meta("workspace_id", open_workspace(db).meta("workspace_id"))  # (same id: only the key differs)
        backup.backup(ws, tmp_path / "o-backup.db")
    atrest.forget(other)
    code, _, err = cli(capsys, "restore", "--db", db, "--from", tmp_path / "o-backup.db")
    assert code == 2 and "--backup-passphrase-file" in err
    (tmp_path / "old.txt").write_text("别的口令 123456\n", encoding="utf-8")
    code, _, err = cli(capsys, "restore", "--db", db, "--from", tmp_path / "o-backup.db",
                       "--backup-passphrase-file", tmp_path / "old.txt")
    assert code == 0, err


def test_two_copies_of_one_workspace_keep_their_backups_apart(village, tmp_path, capsys):
    """M6: B is a copy of A (same workspace id) on the same computer; both backed up the same day."""
    a, people = village
    b = tmp_path / "副本" / "村.db"
    b.parent.mkdir()
    shutil.copy(a, b)
    shutil.copy(atrest.sidecar(a), atrest.sidecar(b))
    with open_workspace(b) as ws:
        record_visit(ws, people[1]["公民身份号码"], "military", by="二号电脑")
    ba = cli(capsys, "backup", "--db", a)[1]["backup"]
    bb = cli(capsys, "backup", "--db", b)[1]["backup"]
    assert ba != bb and os.path.exists(ba) and os.path.exists(bb)
    code, _, err = cli(capsys, "restore", "--db", b, "--from", ba)
    assert code == 2 and "副本" in err  # A's backup is not B's: said, not done
    with open_workspace(b) as ws:
        assert ws.scalar("SELECT count(*) FROM visits") == 1
    assert cli(capsys, "restore", "--db", b, "--from", bb)[0] == 0  # B's own restores
    assert cli(capsys, "restore", "--db", b, "--from", ba, "--other-workspace")[0] == 0


def test_a_wrong_key_file_never_replaces_the_kept_copy_of_the_right_one(village, tmp_path):
    db, _ = village
    with open_workspace(db):
        pass
    kept = atrest.escrow_path(db)
    right = kept.read_bytes()
    other = tmp_path / "别的.db"
    open_workspace(other, passphrase=PHRASE).close()
    shutil.copy(atrest.sidecar(other), atrest.sidecar(db))  # a wrong .keys put beside the workspace
    atrest.forget(db)
    with pytest.raises(Exception):  # noqa: B017 — the passphrase fits that key file, the file does not
        open_workspace(db)
    for _ in range(2):
        with pytest.raises(atrest.PassphraseError):
            atrest.unlock(db, "不对的口令 0000", sleep=lambda _s: None)
    assert kept.read_bytes() == right
    atrest.sidecar(db).unlink()  # the wrong file taken away: the kept copy brings the right one back
    assert open_workspace(db).scalar("SELECT count(*) FROM persons") > 0
