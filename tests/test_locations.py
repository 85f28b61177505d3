"""Where the workspace is: a Chinese user and data folder with spaces, a path past 260 characters,
a USB stick or a network share (offered a copy on the laptop), a read-only folder (says what to do).
What differs by OS (drive types, MAX_PATH) is simulated; the rest runs for real."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from canvasser import cli
from canvasser.core.lists.roster import import_roster
from canvasser.core.rules.visits import record_visit
from canvasser.core.storage import backup, integrity, location
from canvasser.core.storage.opening import open_workspace
from tests.fixtures import URI_CHARS, read_only, rows, write_xlsx


def _village(path: Path, households: int = 4) -> Path:
    src = write_xlsx(path.parent / "名单 2027.xlsx", rows(households=households))
    with open_workspace(path) as ws:
        import_roster(ws, src)
        record_visit(ws, ws.scalar("SELECT pid FROM persons LIMIT 1"), "not_home", by="李书记")
    return path


def _cli(capsys, *args) -> tuple[int, dict | str]:
    capsys.readouterr()
    code = cli.main([*map(str, args), "--json"])
    out = capsys.readouterr()
    return code, (json.loads(out.out) if code == 0 else out.err)


# ---- Chinese names, spaces, ?, #, % ------------------------------------------------------------
def test_a_chinese_user_folder_with_spaces_and_url_characters(tmp_path, monkeypatch, capsys):
    home = tmp_path / "Users" / "张 三" / "AppData" / "Roaming"
    monkeypatch.setenv("CANVASSER_DATA", str(home / "canvasser"))
    folder = tmp_path / "Users" / "张 三" / "桌面" / f"2027 医保 {URI_CHARS}"
    folder.mkdir(parents=True)
    db = _village(folder / "青石 村.db")
    code, res = _cli(capsys, "check", "--db", db)
    assert code == 0 and res["ok"], res
    code, res = _cli(capsys, "backup", "--db", db)
    assert code == 0, res
    saved = Path(res["backup"])
    assert saved.is_relative_to(home) and backup.validate(saved) > 0  # `?`/`#` did not cut the name
    kept = folder / f"备份 {URI_CHARS}.db"  # a backup kept beside the workspace, in the same awkward folder
    code, res = _cli(capsys, "backup", "--db", db, "--out", kept)
    assert code == 0 and backup.validate(kept) > 0, res
    code, res = _cli(capsys, "restore", "--db", db, "--from", kept)
    assert code == 0, res
    with open_workspace(db) as ws:
        assert integrity.check(ws)["ok"]


@pytest.mark.skipif(sys.platform == "win32", reason="a Linux locale's file-name encoding: Windows names files in "
                    "UTF-16 whatever the code page (the whole Windows run is in code page 936)")
def test_check_and_import_find_their_files_under_a_gb18030_locale(tmp_path):
    """The bugs the GB18030 run found: ATTACH by a path string, and calamine opening a list by its
    path, named a different file (the name in UTF-8) from the one Python made (in GB18030)."""
    if "zh_CN.gb18030" not in subprocess.run(["locale", "-a"], capture_output=True, encoding="utf-8").stdout:
        pytest.skip("no zh_CN.GB18030 locale (`.ci/run` generates it)")
    env = dict(os.environ, LC_ALL="zh_CN.GB18030", LANG="zh_CN.GB18030", PYTHONUTF8="0")
    env.pop("PYTHONIOENCODING", None)
    # ASCII only on the command line: the child decodes it as GB18030; it names the folder itself
    code = ("import sys; from pathlib import Path; from canvasser.core.storage.opening import open_workspace; "
            "from canvasser.core.storage import integrity\nfrom canvasser.core.rules import people\n"
            "folder = Path(sys.argv[1]) / '\\u9752\\u77f3\\u6751 \\u6570\\u636e'\n"
            "folder.mkdir()\n"
            "ws = open_workspace(folder / '\\u9752\\u77f3\\u6751.db')\n"
            "people.add_person(ws, '110101199003071233', '\\u5f20\\u4e09', village='\\u9752\\u77f3\\u6751')\n"
            "from tests.fixtures import rows, write_xlsx\n"
            "from canvasser.core.lists.roster import import_roster\n"
            "res = import_roster(ws, write_xlsx(folder / '\\u540d\\u5355.xlsx', rows(households=3)))\n"
            "print(integrity.check(ws)['ok'], res.imported > 0, sys.getfilesystemencoding())")
    r = subprocess.run([sys.executable, "-c", code, str(tmp_path)], capture_output=True, encoding="gb18030",
                       env=env, cwd=Path(__file__).resolve().parents[1])
    assert r.returncode == 0, r.stderr
    assert r.stdout.split() == ["True", "True", "gb18030"]


# ---- long paths ------------------------------------------------------------------------------
def test_a_path_longer_than_260_characters_works(tmp_path, monkeypatch, capsys):
    """On Linux, and on Windows where long paths are on (LongPathsEnabled); elsewhere on Windows the
    user is told to move it, and nothing is made."""
    monkeypatch.setenv("CANVASSER_DATA", str(tmp_path / "数据"))
    deep = tmp_path
    while len(str(deep)) < 270:
        deep = deep / "Medical Insurance 2027 resident enrollment drive 参保动员"
    deep.mkdir(parents=True)
    if not location.long_paths():
        db = deep / "青石村 参保台账.db"
        assert location.too_long(db)
        code, err = _cli(capsys, "import-roster", "--db", db, write_xlsx(tmp_path / "名单.xlsx", rows(households=2)))
        assert code == 2 and "路径太长" in err and err.count("\n") == 1, err
        assert not db.exists()
        return
    db = _village(deep / "青石村 参保台账.db")
    assert len(str(db)) > 260 and not location.too_long(db)
    code, res = _cli(capsys, "check", "--db", db)
    assert code == 0 and res["ok"]
    code, res = _cli(capsys, "ledger", "--db", db, "--out", deep / "台账.xlsx")
    assert code == 0 and (deep / "台账.xlsx").is_file()
    code, res = _cli(capsys, "backup", "--db", db)
    assert code == 0 and backup.validate(res["backup"]) > 0


def test_a_path_sqlite_cannot_open_says_to_move_it(tmp_path, capsys):
    """SQLite opens at most 512 bytes (with "-journal"): Chinese folder names reach it at about 170
    characters. Instead of "无法打开工作区（文件损坏或不是工作区）" the user is told to move it."""
    deep = tmp_path
    while len(os.fsencode(deep)) < 520:
        deep = deep / "某某县医疗保障局二〇二七年度城乡居民医保参保动员工作资料"
    deep.mkdir(parents=True)
    db = deep / "青石村.db"
    assert location.too_long(db)
    code, err = _cli(capsys, "import-roster", "--db", db, write_xlsx(tmp_path / "名单.xlsx", rows(households=2)))
    assert code == 2 and "路径太长" in err and err.count("\n") == 1, err
    assert not db.exists()


def test_on_windows_with_long_paths_on_sqlites_own_limit_counts(tmp_path, monkeypatch):
    monkeypatch.setattr(sys, "platform", "win32")
    monkeypatch.setattr(location, "long_paths", lambda: True)  # LongPathsEnabled, a long-path-aware program
    assert not location.too_long(tmp_path / ("文件夹" * 85) / "青石村.db")  # 260 characters, 770 bytes
    assert location.too_long(tmp_path / ("文件夹" * 120) / "青石村.db")  # past SQLite's 1,040 bytes


def test_on_windows_a_path_past_max_path_says_to_move_it(tmp_path, monkeypatch):
    monkeypatch.setattr(sys, "platform", "win32")  # only the length rule runs: no Win32 call is made
    long_one = tmp_path / ("文件夹" * 85) / "青石村.db"  # 260 characters, far under 512 bytes
    assert len(str(long_one)) >= 260 and len(os.fsencode(long_one)) < 900
    assert location.too_long(long_one)
    assert not location.too_long(tmp_path / "青石村.db")
    why = location.problem(long_one)
    assert "路径太长" in why


# ---- sticks and shares ---------------------------------------------------------------------------
MOUNTS = """\
/dev/vda1 / ext4 rw,relatime 0 0
proc /proc proc rw 0 0
/dev/sdb1 /media/张三/KINGSTON vfat rw,nosuid,nodev,uid=1000 0 0
/dev/sdc1 /media/zhang/My\\040Disk exfat rw 0 0
//192.168.1.10/共享 /mnt/乡镇共享 cifs rw,vers=3.0 0 0
server:/export /home/zhang/nfs nfs4 rw 0 0
gvfsd-fuse /run/user/1000/gvfs fuse.gvfsd-fuse rw 0 0
/dev/sdd1 /run/media/li/U盘 ext4 rw 0 0
"""


@pytest.mark.parametrize(("path", "expected"), [
    ("/home/zhang/青石村.db", "local"),
    ("/media/张三/KINGSTON/青石村.db", "removable"),
    ("/media/zhang/My Disk/村 数据/青石村.db", "removable"),
    ("/media/zhang/My Diskette/x.db", "local"),  # not inside that mount
    ("/mnt/乡镇共享/青石村.db", "network"),
    ("/home/zhang/nfs/x.db", "network"),
    ("/run/user/1000/gvfs/smb-share:server=town,share=data/x.db", "network"),
    ("/run/media/li/U盘/青石村.db", "removable"),  # an ext4 stick, by where it is mounted
])
def test_linux_kind_from_mounts(path, expected):
    assert location.kind_from_mounts(path, MOUNTS) == expected


def test_this_machine_reads_its_own_mounts(tmp_path):
    """The test's own temporary folder is on this machine's disk, and the mount table (read, not
    assumed) says so."""
    if sys.platform.startswith("linux"):
        mounts = location._read_mounts()
        assert " / " in mounts or mounts.startswith("/")  # /proc/mounts was read: it holds the root
        assert location.kind_from_mounts(str(tmp_path.resolve()), mounts) == "local"
    assert location.kind(tmp_path / "x.db") == "local"


@pytest.mark.parametrize(("path", "drive_type", "expected"), [
    (r"C:\Users\张三\AppData\Roaming\canvasser\青石村.db", 3, "local"),
    (r"E:\村 数据\青石村.db", location.DRIVE_REMOVABLE, "removable"),
    (r"Z:\乡镇共享\青石村.db", location.DRIVE_REMOTE, "network"),
    (r"\\TOWN-PC\共享\青石村.db", None, "network"),
])
def test_windows_kind_by_drive_type(monkeypatch, path, drive_type, expected):
    asked: list[str] = []
    monkeypatch.setattr(location, "_drive_type", lambda root: asked.append(root) or drive_type)
    assert location._windows_kind(path) == expected
    assert asked == ([] if drive_type is None else [path[:2] + "\\"])


def test_a_workspace_on_a_stick_is_copied_to_the_laptop(tmp_path, monkeypatch):
    monkeypatch.setenv("CANVASSER_DATA", str(tmp_path / "张三 的数据"))
    stick = tmp_path / "KINGSTON" / "村 数据"
    stick.mkdir(parents=True)
    db = _village(stick / "青石村.db")
    with open_workspace(db) as ws:
        events, origin = ws.event_count(), ws.origin
    copy = location.copy_to_local(db)
    assert copy == tmp_path / "张三 的数据" / "workspaces" / "青石村.db"
    with open_workspace(copy) as ws:
        assert ws.event_count() == events and integrity.check(ws)["ok"]
        assert ws.origin != origin  # its own origin: both files may reach the township
    assert location.copy_to_local(db).name == "青石村（2）.db"  # an earlier copy is never overwritten
    assert not list(copy.parent.glob("*.part")) and not list(copy.parent.glob(".canvasser-copy-*"))


# ---- read-only folders -----------------------------------------------------------------------
def test_a_read_only_folder_says_what_to_do_and_the_copy_works(tmp_path, monkeypatch, capsys):
    folder = tmp_path / "只读 文件夹"
    folder.mkdir()
    monkeypatch.setenv("CANVASSER_DATA", str(tmp_path / "数据"))
    db = _village(folder / "青石村.db")
    conn = sqlite3.connect(db)  # a last write left in the WAL when the stick was locked
    conn.execute("PRAGMA wal_autocheckpoint=0")
    with open_workspace(db) as ws:
        ws.conn.execute("PRAGMA wal_autocheckpoint=0")
        record_visit(ws, ws.scalar("SELECT pid FROM persons LIMIT 1"), "promised", by="李书记",
                     promised="2026-12-01")
        events = ws.event_count()
        shutil.copyfile(f"{db}-wal", tmp_path / "wal")
    conn.close()
    if not Path(f"{db}-wal").exists():  # the last close checkpointed: put the WAL back as it was
        shutil.copyfile(tmp_path / "wal", f"{db}-wal")
    with read_only(folder, monkeypatch):  # a write-protected stick, a read-only share
        assert "只读" in location.problem(db)
        code, err = _cli(capsys, "search", "--db", db, "张")
        assert code == 0, err  # looking works where it is (issue 33)
        code, err = _cli(capsys, "visit", "--db", db, "--id", "510321199002020013", "--outcome", "not_home")
        assert code == 2 and "只读" in err and "复制到本机" in err and err.count("\n") == 1  # writing says why not
        copy = location.copy_to_local(db)
        with open_workspace(copy) as ws:
            assert ws.event_count() == events and integrity.check(ws)["ok"]


def test_a_read_only_file_says_what_to_do(tmp_path, monkeypatch, capsys):
    db = _village(tmp_path / "青石村.db")
    with read_only(db, monkeypatch):
        assert "只读" in location.problem(db)
        assert _cli(capsys, "status", "--db", db)[0] == 0  # looking works (issue 33)
        code, err = _cli(capsys, "canvasser", "--db", db, "--add", "李书记")
        assert code == 2 and "取消“只读”" in err and err.count("\n") == 1, err
