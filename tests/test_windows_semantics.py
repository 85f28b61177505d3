"""Windows file semantics: a file some handle has open cannot be replaced or deleted there.

On Windows the system itself refuses (the calls are only watched). Elsewhere `os.replace` and
`os.unlink` are patched to fail, as Windows does, when this process holds the source or the target
open (read from /proc/self/fd, so SQLite's own handles count). Backup, restore
and every output either succeed without replacing an open file or refuse cleanly: the old file
untouched, no partial file left, a Chinese message naming the file to close.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import openpyxl
import pytest

from canvasser.core.lists.roster import import_roster
from canvasser.core.outputs.ledgers import write_ledger
from canvasser.core.rules.visits import record_visit
from canvasser.core.storage import backup, files, integrity
from canvasser.core.storage.opening import open_workspace
from canvasser.core.storage.sqlcipher import apply_key, sqlite3
from tests.fixtures import rows, write_xlsx

WINDOWS = sys.platform == "win32"
pytestmark = pytest.mark.skipif(not WINDOWS and not Path("/proc/self/fd").is_dir(),
                                reason="needs /proc to see open handles")


def _open_here(path: str | os.PathLike) -> bool:
    real = os.path.realpath(path)
    for fd in os.listdir("/proc/self/fd"):
        try:
            if os.readlink(f"/proc/self/fd/{fd}") == real:
                return True
        except OSError:
            continue
    return False


@pytest.fixture
def windows_files(monkeypatch):
    """os.replace / os.unlink refuse an open file, as on Windows (where Windows does the refusing);
    returns the refusals seen."""
    real_replace, real_unlink = os.replace, os.unlink
    refused: list[str] = []

    def replace(src, dst, *a, **k):
        for p in (src, dst):
            if not WINDOWS and os.path.exists(p) and _open_here(p):
                refused.append(str(dst))
                raise PermissionError(13, "另一个程序正在使用此文件，进程无法访问。", str(p))
        try:
            return real_replace(src, dst, *a, **k)
        except PermissionError:
            refused.append(str(dst))
            raise

    def unlink(path, *a, **k):
        if not WINDOWS and os.path.exists(path) and _open_here(path):
            refused.append(str(path))
            raise PermissionError(13, "另一个程序正在使用此文件，进程无法访问。", str(path))
        try:
            return real_unlink(path, *a, **k)
        except PermissionError:
            refused.append(str(path))
            raise

    monkeypatch.setattr(os, "replace", replace)
    monkeypatch.setattr(os, "unlink", unlink)
    return refused


@pytest.fixture
def village(tmp_path, monkeypatch):
    monkeypatch.setenv("CANVASSER_DATA", str(tmp_path / "数据"))
    people = rows(households=6)
    src = write_xlsx(tmp_path / "名单.xlsx", people)
    path = tmp_path / "青石 村.db"
    with open_workspace(path) as ws:
        import_roster(ws, src)
    return path, people


def test_the_simulation_refuses_an_open_file(tmp_path, windows_files):
    target = tmp_path / "台账.xlsx"
    target.write_bytes(b"old")
    (tmp_path / "new").write_bytes(b"new")
    with open(target, "rb"):
        with pytest.raises(PermissionError):
            os.replace(tmp_path / "new", target)
    os.replace(tmp_path / "new", target)
    assert target.read_bytes() == b"new"


def test_backup_with_the_workspace_and_the_old_backup_open(village, tmp_path, windows_files):
    path, _ = village
    with open_workspace(path) as ws, open_workspace(path) as second:
        first = backup.backup(ws)  # the workspace is open twice: it is copied, never replaced
        assert backup.validate(first) > 0
        before = first.read_bytes()
        record_visit(second, second.scalar("SELECT pid FROM persons LIMIT 1"), "not_home", by="李书记")
        held = sqlite3.connect(str(first))  # today's backup open elsewhere (a viewer, a restore check)
        try:
            with pytest.raises(files.FileInUse, match="正被其他程序打开"):
                backup.backup(ws)
        finally:
            held.close()
        assert first.read_bytes() == before  # refused cleanly: the old backup whole, no part left
        assert not list(first.parent.glob("*.part"))
        assert windows_files
        again = backup.backup(ws)  # closed: it works
        assert backup.validate(again) == ws.event_count()


def test_restore_with_a_second_handle_open_succeeds_whole(village, windows_files):
    path, _ = village
    with open_workspace(path) as ws:
        saved = backup.backup(ws)
        events_then = ws.event_count()
        origin_then = ws.origin
        record_visit(ws, ws.scalar("SELECT pid FROM persons LIMIT 1"), "not_home", by="李书记")
    second = open_workspace(path)  # e.g. the worker's connection not yet closed
    try:
        res = backup.restore(path, saved)
        assert res["events"] == events_then
        assert second.event_count() == events_then  # the open handle reads the restored file
    finally:
        second.close()
    assert not windows_files  # nothing open was replaced or deleted
    assert not list(path.parent.glob(f".{path.name}.restore-part*"))
    with open_workspace(path) as ws:
        assert ws.event_count() == events_then
        assert ws.origin != origin_then  # the next write starts a new origin
        assert integrity.check(ws)["ok"]


def test_restore_refuses_while_another_handle_writes(village, monkeypatch):
    path, _ = village
    monkeypatch.setattr(backup, "BUSY_SECONDS", 0.2)
    with open_workspace(path) as ws:
        saved = backup.backup(ws)
        record_visit(ws, ws.scalar("SELECT pid FROM persons LIMIT 1"), "not_home", by="李书记")
        events_now = ws.event_count()
        key = ws.key
    writer = sqlite3.connect(str(path), isolation_level=None)
    apply_key(writer, key)
    writer.execute("BEGIN IMMEDIATE")  # another program in the middle of a write
    try:
        with pytest.raises(backup.InputError, match="请先关闭"):
            backup.restore(path, saved)
    finally:
        writer.execute("ROLLBACK")
        writer.close()
    with open_workspace(path) as ws:
        assert ws.event_count() == events_now  # not half restored: untouched
        assert integrity.check(ws)["ok"]
    assert not list(path.parent.glob(f".{path.name}.restore-part*"))


def test_a_ledger_open_in_wps_is_refused_and_kept(village, tmp_path, windows_files):
    path, _ = village
    out = tmp_path / "台账.xlsx"
    with open_workspace(path) as ws:
        write_ledger(ws, out)
        before = out.read_bytes()
        with open(out, "rb"):  # open in WPS
            with pytest.raises(files.FileInUse, match="台账.xlsx"):
                write_ledger(ws, out)
        assert out.read_bytes() == before
        assert not [p for p in tmp_path.iterdir() if p.name.endswith(".part")]
        write_ledger(ws, out)  # closed: written again
    openpyxl.load_workbook(out, read_only=True).close()


def test_cli_says_which_file_to_close(village, tmp_path, windows_files, capsys):
    from canvasser import cli

    path, _ = village
    out = tmp_path / "台账.xlsx"
    assert cli.main(["ledger", "--db", str(path), "--out", str(out)]) == 0
    capsys.readouterr()
    with open(out, "rb"):
        assert cli.main(["ledger", "--db", str(path), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "台账.xlsx" in err and "关闭" in err, err

