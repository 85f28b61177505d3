"""Bureau-style lists for tests: real xlsx and csv files written the way counties send them."""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import json
import locale
import os
import random
import shutil
import stat
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import openpyxl

from canvasser.core.demo import people as demo_people

HEADER = ["序号", "姓名", "公民身份号码", "性别", "出生日期", "人员类别", "乡镇（街道）", "村（社区）", "村民小组", "户编号",
          "与户主关系", "户籍地址", "联系电话", "上年参保状态"]
TODAY = dt.date(2026, 11, 20)
# what a Python child (the CLI) writes to a pipe: the locale's encoding (GBK on Chinese Windows,
# GB18030 in CI's second run); poppler and zbar write UTF-8. Named now, at import, not as "locale"
# (looked up at each decode): once a QApplication exists, Qt 6 on Linux switches this process's
# LC_CTYPE to UTF-8 (C.UTF-8), while a child still starts in the locale its environment names.
# Characters a URI reads as its own, for folder names: "#" (a fragment), "%" (an escape), "&" and, where
# the file system takes it, "?" (a query: a name Windows refuses, so not there)
URI_CHARS = "#1 &100%" if sys.platform == "win32" else "#1 ?100%"
CHILD_ENCODING = ("utf-8" if sys.flags.utf8_mode else locale.getencoding() if sys.version_info >= (3, 11)
                  else locale.getpreferredencoding(False))


def rows(seed: int = 3, households: int = 40, village: str = "青石村") -> list[dict]:
    return demo_people(seed, households, village, "某某镇", TODAY)


def write_xlsx(path: Path, people: list[dict], *, title: bool = True, instructions: bool = False,
               total: bool = True, blank_every: int = 0, header: list[str] | None = None,
               raw_ids: dict[int, object] | None = None) -> Path:
    """An xlsx like the bureau's: optional instructions sheet, title rows, blank lines, 合计 row."""
    wb = openpyxl.Workbook()
    if instructions:
        info = wb.active
        info.title = "填表说明"
        info.append(["填表说明：身份证号请设置为文本格式。"])
        info.append(["本表由县医保局导出。"])
        ws = wb.create_sheet("未参保人员名单")
    else:
        ws = wb.active
        ws.title = "Sheet1"
    cols = header or HEADER
    if title:
        ws.append(["某某镇2027年度城乡居民医保未参保人员名单"])
        ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(cols))
        ws.append(["导出日期：2026-10-08"])
    ws.append(cols)
    for i, p in enumerate(people, 1):
        values = [i, p["姓名"], p["公民身份号码"], p["性别"], p["出生日期"], p["人员类别"], p["乡镇（街道）"],
                  p["村（社区）"], p["村民小组"], p["户编号"], p["与户主关系"], p["户籍地址"], p["联系电话"],
                  p["上年参保状态"]]
        if raw_ids and i in raw_ids:
            values[2] = raw_ids[i]
        ws.append(values)
        if blank_every and i % blank_every == 0:
            ws.append([])
    if total:
        ws.append(["合计", f"{len(people)}人"])
    wb.save(path)
    return path


def write_csv(path: Path, people: list[dict], encoding: str = "utf-8-sig") -> Path:
    with open(path, "w", encoding=encoding, newline="") as f:
        w = csv.writer(f)
        w.writerow(HEADER)
        for i, p in enumerate(people, 1):
            w.writerow([i, p["姓名"], p["公民身份号码"], p["性别"], p["出生日期"], p["人员类别"], p["乡镇（街道）"],
                        p["村（社区）"], p["村民小组"], p["户编号"], p["与户主关系"], p["户籍地址"], p["联系电话"],
                        p["上年参保状态"]])
    return path


def corrupt_check_digit(pid: str) -> str:
    last = pid[-1]
    return pid[:-1] + ("0" if last != "0" else "1")


def shuffled(people: list[dict], seed: int = 0) -> list[dict]:
    out = list(people)
    random.Random(seed).shuffle(out)
    return out


def open_protected(path: Path, password: str):
    """The decrypted bytes of a password-protected xlsx, read back by msoffcrypto-tool (an independent
    reader of the format Excel and WPS write); raises ValueError for a wrong password."""
    import io

    import msoffcrypto

    with open(path, "rb") as f:
        office = msoffcrypto.OfficeFile(f)
        try:
            office.load_key(password=password)
            out = io.BytesIO()
            office.decrypt(out, verify_integrity=True)
        except Exception as exc:  # noqa: BLE001 — msoffcrypto raises several kinds
            raise ValueError("文件打开密码不对，或文件已损坏") from exc
    out.seek(0)
    return out


# ---- read-only places ------------------------------------------------------------------------------
def _lock(path: Path) -> Callable[[], None] | None:
    """Make a folder or file read-only the way this system does it; the undo, or None where it cannot."""
    folder = path.is_dir()
    if sys.platform == "win32":
        if not folder:  # the read-only attribute ("属性 → 只读")
            os.chmod(path, stat.S_IREAD)
            return lambda: os.chmod(path, stat.S_IREAD | stat.S_IWRITE)
        everyone = "*S-1-1-0"  # a folder: an ACL entry denying writes to everyone (a read-only share's rights)
        try:
            done = subprocess.run(["icacls", str(path), "/deny", f"{everyone}:(OI)(CI)(W)"], capture_output=True)
        except OSError:
            return None
        if done.returncode:
            return None
        return lambda: subprocess.run(["icacls", str(path), "/remove:d", everyone], capture_output=True, check=False)
    if os.geteuid() != 0:
        path.chmod(0o555 if folder else 0o444)
        return lambda: path.chmod(0o755 if folder else 0o644)
    # root ignores modes: the immutable attribute, as a write-protected stick behaves
    if not shutil.which("chattr") or subprocess.run(["chattr", "+i", str(path)], capture_output=True).returncode:
        return None
    return lambda: subprocess.run(["chattr", "-i", str(path)], check=False)


def _writes(path: Path) -> bool:
    try:
        if path.is_dir():
            probe = path / ".probe"
            probe.write_bytes(b"")
            probe.unlink()
        else:
            with open(path, "ab"):
                pass
        return True
    except OSError:
        return False


@contextlib.contextmanager
def read_only(path: Path, monkeypatch) -> Iterator[bool]:
    """`path` (a folder or a file) read-only for the block, as the system makes it: modes for a user,
    the immutable attribute for root, on Windows the read-only attribute of a file and a deny-write ACL
    entry on a folder. Yields True. Where this system lets the test write all the same (root without
    chattr; Wine run as root, which honours neither Windows way) the program's own write probes
    (location.writable, location.can_write) answer no for it instead, and it yields False."""
    from canvasser.core.storage import location

    undo = _lock(path)
    real = undo is not None and not _writes(path)
    if not real:
        if undo is not None:
            undo()
            undo = None
        name, target = ("writable", path) if path.is_dir() else ("can_write", path)
        probe = getattr(location, name)
        monkeypatch.setattr(location, name, lambda p, _probe=probe: False if Path(p) == target else _probe(p))
    try:
        yield real
    finally:
        if undo is not None:
            undo()
def ledger_table(wb, title: str, header_row: int = 2) -> list[dict]:
    """A ledger's rows as dicts, its printed parts ("台账", "台账（二）" …, each repeating 序号, 姓名
    and 身份证号) joined back by 序号; the signature lines and an empty ledger's "（无）" row left out."""
    names = [n for n in wb.sheetnames if n == title or n.startswith(f"{title}（")]
    merged: dict[object, dict] = {}
    for name in names:
        ws = wb[name]
        head = [c.value for c in ws[header_row]]
        for r in ws.iter_rows(min_row=header_row + 1, values_only=True):
            if r[0] is None or r[0] == "（无）" or (isinstance(r[0], str) and r[0].endswith("：")):
                continue
            merged.setdefault(r[0], {}).update(zip(head, r))
    return list(merged.values())


def run_cli(capsys, *args) -> tuple[int, dict | None, str]:
    """The command line as a user runs it, with --json: its exit code, its JSON (None on failure), its
    words on stderr."""
    from canvasser.cli import main

    capsys.readouterr()
    code = main([*map(str, args), "--json"])
    out = capsys.readouterr()
    return code, (json.loads(out.out) if code == 0 and out.out.strip() else None), out.err


def small_village(tmp_path: Path) -> tuple[Path, list[dict]]:
    """An encrypted village of four households (its key forgotten, as after closing the app)."""
    from canvasser.core.lists.roster import import_roster
    from canvasser.core.storage import atrest
    from canvasser.core.storage.opening import open_workspace

    db = tmp_path / "村.db"
    people = rows(seed=4, households=4)
    with open_workspace(db) as ws:
        import_roster(ws, write_csv(tmp_path / "l.csv", people))
    atrest.forget(db)
    return db, people


def unlocks(db: Path, phrase: str) -> bool:
    """Whether `phrase` opens the workspace (the kept key forgotten first)."""
    from canvasser.core.storage import atrest

    atrest.forget(db)
    try:
        atrest.unlock(db, phrase, sleep=lambda _s: None)
        return True
    except atrest.PassphraseError:
        return False
