"""Errors name the real cause: busy is not damaged, a full disk is not "cannot rollback", a truncated
xlsx is not an English zip error, a read-only folder still reads; no .part file is left behind."""

from __future__ import annotations

import os

import pytest

from canvasser.core.storage import backup, store
from canvasser.core.storage.opening import open_workspace
from canvasser.core.storage.sqlcipher import apply_key, sqlite3
from canvasser.core.sync import container
from tests.fixtures import rows, write_csv, write_xlsx
from tests.test_sync_flow import cli, cli_fail


@pytest.fixture
def village(tmp_path, capsys):
    db = tmp_path / "v.db"
    people = rows(seed=9, households=6)
    cli(capsys, "import-roster", "--db", db, write_csv(tmp_path / "l.csv", people))
    return db, people


def test_busy_is_not_damaged(village, capsys, monkeypatch):
    db, people = village
    with open_workspace(db) as ws:
        key = ws.key
    holder = sqlite3.connect(str(db), isolation_level=None)
    apply_key(holder, key)
    holder.execute("PRAGMA journal_mode=DELETE")  # as a first big list is written: readers wait too
    holder.execute("BEGIN EXCLUSIVE")
    real = sqlite3.connect
    monkeypatch.setattr(store.sqlite3, "connect", lambda *a, **k: real(*a, **{**k, "timeout": 0.2}))  # not 30 s
    try:
        code, err = cli_fail(capsys, "visit", "--db", db, "--id", people[0]["公民身份号码"], "--outcome", "not_home")
    finally:
        holder.execute("ROLLBACK")
        holder.execute("PRAGMA journal_mode=WAL")
        holder.close()
    assert code == 1 and "另一个程序" in err and "损坏" not in err
    assert cli(capsys, "visit", "--db", db, "--id", people[0]["公民身份号码"], "--outcome", "not_home")


def test_a_full_disk_says_so_and_leaves_no_part_file(village, tmp_path, capsys, monkeypatch):
    db, people = village
    with open_workspace(db) as ws:
        ws.conn.execute("PRAGMA max_page_count=" + str(ws.scalar("PRAGMA page_count")))  # no room to grow
        with pytest.raises(sqlite3.OperationalError) as info, ws.transaction():
            ws.conn.executemany("INSERT INTO meta VALUES (?, ?)", [(f"k{i}", "x" * 4000) for i in range(2000)])
        assert "full" in str(info.value)  # the cause itself, not "cannot rollback"

    def full(*_a, **_k):
        raise OSError(28, "No space left on device")
    monkeypatch.setattr(os, "fsync", full)
    with pytest.raises(OSError):
        container.write(tmp_path / "x.ccpkg", {"a": 1}, {}, lambda b: b"\0" * 64)
    assert not list(tmp_path.glob("*.part"))

    class FullDisk:  # a workspace whose copy runs out of room half-way
        def backup(self, dst):
            dst.execute("CREATE TABLE half (x)")
            raise sqlite3.OperationalError("database or disk is full")
    with pytest.raises(sqlite3.OperationalError):
        backup._copy(FullDisk(), tmp_path / "b" / "x.db")
    assert not list((tmp_path / "b").glob("*"))
    code, err = cli_fail(capsys, "export", "--db", db, "--out", tmp_path / "y.ccpkg")  # (not a sync workspace)
    assert code == 2


def test_a_truncated_xlsx_is_named_in_chinese(tmp_path, capsys):
    whole = write_xlsx(tmp_path / "名单.xlsx", rows(seed=3, households=5))
    cut = tmp_path / "半截.xlsx"
    cut.write_bytes(whole.read_bytes()[: whole.stat().st_size // 2])
    code, err = cli_fail(capsys, "import-roster", "--db", tmp_path / "x.db", cut)
    assert code == 2 and "不是完整的表格文件" in err and "zip" not in err.lower()


def test_search_works_in_a_read_only_folder(village, capsys, monkeypatch):
    """A workspace the program finds read-only (store.read_only: a stick locked after the CLI's own
    check, a share) opens as it is: searching works, a write says why it failed."""
    db, people = village
    monkeypatch.setattr(store, "read_only", lambda path: True)
    hits = cli(capsys, "search", "--db", db, people[1]["公民身份号码"])
    assert hits["total"] == 1
    code, err = cli_fail(capsys, "visit", "--db", db, "--id", people[1]["公民身份号码"], "--outcome", "not_home")
    assert code == 1 and "只读" in err
