"""Backups and restores: each workspace's backups kept apart from another's (two files both called
村.db, two copies of one workspace), a restore that refuses another workspace's backup unless told and
says whose it is, an encrypted backup checked with the open key alone, and a backup made before a
passphrase change that still restores (asking for its own passphrase by name).

(Windows' file rules for backups: test_windows_semantics.py; a killed backup: test_kills.py;
the window's backup screen: ui/test_app_and_backup.py.)"""

from __future__ import annotations

import os
import shutil

import pytest

from canvasser.core.lists.roster import import_roster
from canvasser.core.rules.visits import record_visit
from canvasser.core.storage import atrest, backup
from canvasser.core.storage.opening import open_workspace
from tests.fixtures import URI_CHARS, rows, run_cli, small_village, unlocks, write_csv, write_xlsx
from tests.test_sync_flow import cli, cli_fail

PHRASE = os.environ["CANVASSER_PASSPHRASE"]
NEW = "新的口令 Spring-2027"


@pytest.fixture
def village(tmp_path):
    return small_village(tmp_path)



def test_two_same_named_workspaces_keep_separate_backups(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("CANVASSER_DATA", str(tmp_path / "appdata"))
    a, b = tmp_path / "A" / "村.db", tmp_path / "B" / "村.db"
    cli(capsys, "import-roster", "--db", a, write_csv(tmp_path / "a.csv", rows(seed=1, households=4, village="青石村")))
    cli(capsys, "import-roster", "--db", b, write_csv(tmp_path / "b.csv", rows(seed=2, households=6, village="杨柳村")))
    ba = cli(capsys, "backup", "--db", a)
    bb = cli(capsys, "backup", "--db", b)
    assert ba["backup"] != bb["backup"] and ba["workspace_id"] != bb["workspace_id"]
    assert ba["workspace_id"] in ba["backup"] and len(bb["kept"]) == 1
    before = cli(capsys, "search", "--db", a, "青石村")["total"]
    code, err = cli_fail(capsys, "restore", "--db", a, "--from", bb["backup"])
    assert code == 2 and "另一个工作区" in err and "杨柳村" in err and "--other-workspace" in err
    assert cli(capsys, "search", "--db", a, "青石村")["total"] == before
    cli(capsys, "restore", "--db", a, "--from", ba["backup"])  # its own backup: no question
    res = cli(capsys, "restore", "--db", a, "--from", bb["backup"], "--other-workspace")
    assert res["workspace_id"] == bb["workspace_id"]


def test_whose_a_file_is_read_in_a_folder_named_with_hash_and_question_mark(tmp_path):
    """`owner` names the file exactly (a URI of its bytes): a "#" once cut the name short, so SQLite
    answered {} and left an empty file called "村 " beside the folder."""
    from canvasser.core.storage.backup import owner
    from canvasser.core.storage.opening import open_workspace

    path = tmp_path / f"村 {URI_CHARS}" / "青石村.db"
    path.parent.mkdir()
    with open_workspace(path) as ws:
        wid = ws.workspace_id
    assert owner(path).get("workspace_id") == wid
    assert sorted(p.name for p in tmp_path.iterdir()) == [f"村 {URI_CHARS}"]
    assert owner(tmp_path / "没有.db") == {} and not (tmp_path / "没有.db").exists()


def test_an_encrypted_backup_validates_with_the_open_workspace_key_alone(tmp_path, monkeypatch):
    """The window checks a backup before restoring it, with no passphrase at hand but the open key."""
    ws = open_workspace(tmp_path / "v.db")
    import_roster(ws, write_xlsx(tmp_path / "l.xlsx", rows(households=4)))
    copy = backup.backup(ws, tmp_path / "copy.db")
    monkeypatch.delenv("CANVASSER_PASSPHRASE")
    assert backup.validate(copy) == ws.event_count()
    atrest.forget(ws.path)
    with pytest.raises(atrest.PassphraseError):
        backup.validate(copy)


def test_a_backup_made_before_a_passphrase_change_restores(village, tmp_path, capsys, monkeypatch):
    """M5: both a kept daily backup and one saved elsewhere (`backup --out`) restore with the new
    passphrase; the kept one was re-wrapped, the other opens with the workspace's own key."""
    db, people = village
    assert run_cli(capsys, "backup", "--db", db)[0] == 0
    elsewhere = tmp_path / "before.db"
    assert run_cli(capsys, "backup", "--db", db, "--out", elsewhere)[0] == 0
    with open_workspace(db) as ws:
        record_visit(ws, people[0]["公民身份号码"], "dead", by="李书记")
    (tmp_path / "new.txt").write_text(NEW + "\n", encoding="utf-8")
    assert run_cli(capsys, "passphrase", "--db", db, "--new-passphrase-file", tmp_path / "new.txt")[0] == 0
    atrest.forget(db)
    monkeypatch.setenv("CANVASSER_PASSPHRASE", NEW)
    kept = backup.list_backups(db)
    assert kept and unlocks(kept[0]["file"], NEW) and not unlocks(kept[0]["file"], PHRASE)  # re-wrapped
    code, res, err = run_cli(capsys, "restore", "--db", db, "--from", elsewhere)
    assert code == 0, err
    atrest.forget(db)
    with open_workspace(db, passphrase=NEW) as ws:
        assert ws.scalar("SELECT count(*) FROM visits") == 0  # the state of the backup
    assert not unlocks(db, PHRASE)  # the workspace keeps its new passphrase


def test_a_backup_of_another_key_asks_for_its_passphrase_by_name(village, tmp_path, capsys, monkeypatch):
    db, people = village
    other = tmp_path / "其他.db"
    with open_workspace(other, passphrase="别的口令 123456") as ws:
        from canvasser.core.lists.roster import import_roster

        import_roster(ws, write_csv(tmp_path / "o.csv", people))
        ws.set_meta("workspace_id", open_workspace(db).meta("workspace_id"))  # (same id: only the key differs)
        backup.backup(ws, tmp_path / "o-backup.db")
    atrest.forget(other)
    code, _, err = run_cli(capsys, "restore", "--db", db, "--from", tmp_path / "o-backup.db")
    assert code == 2 and "--backup-passphrase-file" in err
    (tmp_path / "old.txt").write_text("别的口令 123456\n", encoding="utf-8")
    code, _, err = run_cli(capsys, "restore", "--db", db, "--from", tmp_path / "o-backup.db",
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
    ba = run_cli(capsys, "backup", "--db", a)[1]["backup"]
    bb = run_cli(capsys, "backup", "--db", b)[1]["backup"]
    assert ba != bb and os.path.exists(ba) and os.path.exists(bb)
    code, _, err = run_cli(capsys, "restore", "--db", b, "--from", ba)
    assert code == 2 and "副本" in err  # A's backup is not B's: said, not done
    with open_workspace(b) as ws:
        assert ws.scalar("SELECT count(*) FROM visits") == 1
    assert run_cli(capsys, "restore", "--db", b, "--from", bb)[0] == 0  # B's own restores
    assert run_cli(capsys, "restore", "--db", b, "--from", ba, "--other-workspace")[0] == 0
