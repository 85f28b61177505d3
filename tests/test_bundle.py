"""The one-folder app built by pyinstaller.spec, run from the bundle alone after moving it elsewhere.

`pytest -m bundle` builds the bundle into a temp folder (a few minutes; needs PyInstaller in the running
Python), or reuses a built one given as CANVASSER_BUNDLE=dist/canvasser (copied, never changed). The
programs then run with no Python on PATH and no PYTHON* variables, from a folder whose path has a space
and Chinese characters, the way it sits on a village laptop. The tests of the windowed entry's argument
handling need no bundle and run in the default suite.
"""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import sqlite3
import struct
import subprocess
import sys
from pathlib import Path

import pytest

from tests.fixtures import CHILD_ENCODING
from tests.pdfread import pdffonts, pdftext

ROOT = Path(__file__).resolve().parents[1]
EXE = ".exe" if os.name == "nt" else ""
BUDGET_MB = 150
QT_TRANSLATIONS = {"qtbase_zh_CN.qm"}


def load_entry_gui():
    spec = importlib.util.spec_from_file_location("entry_gui", ROOT / "build" / "entry_gui.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# ---- the windowed entry (no bundle needed) ---------------------------------------------------------

def test_gui_argv_opens_the_window_unless_a_command_is_given(tmp_path):
    entry = load_entry_gui()
    ws = tmp_path / "青石村.db"
    ws.write_bytes(b"")
    assert entry.gui_argv([]) == ["gui"]
    assert entry.gui_argv(["--demo", "--screenshot", "s.png"]) == ["gui", "--demo", "--screenshot", "s.png"]
    assert entry.gui_argv(["--db", "x.db"]) == ["gui", "--db", "x.db"]
    assert entry.gui_argv([str(ws)]) == ["gui", "--db", str(ws)]  # dropped on the icon / file association
    assert entry.gui_argv(["demo", "--db", "x.db"]) == ["demo", "--db", "x.db"]
    assert entry.gui_argv(["--help"]) == ["--help"]
    assert entry.gui_argv([str(tmp_path / "missing.db")]) == [str(tmp_path / "missing.db")]


def test_windowed_output_goes_to_the_log_and_keeps_the_last_lines(tmp_path):
    entry = load_entry_gui()
    log = tmp_path / "logs" / "canvasser.log"
    stream = entry.LogStream(log)
    stream.write("错误：工作区不存在\n")
    stream.write("second line\n")
    stream.flush()
    assert log.read_bytes().startswith(b"\xef\xbb\xbf")  # one BOM: Notepad on older Windows reads it right
    assert log.read_text("utf-8-sig") == "错误：工作区不存在\nsecond line\n"
    assert stream.tail[-2:] == ["错误：工作区不存在", "second line"]
    stream._fh.close()
    again = entry.LogStream(log)  # the next start appends: no second BOM
    again.write("third\n")
    again._fh.close()
    assert log.read_bytes().count(b"\xef\xbb\xbf") == 1 and log.read_text("utf-8-sig").endswith("line\nthird\n")
    log.write_bytes(b"x" * (entry.LOG_LIMIT + 1))
    rotated = entry.LogStream(log)
    rotated.write("new\n")
    rotated._fh.close()
    assert log.read_text("utf-8-sig") == "new\n"
    assert (tmp_path / "logs" / "canvasser.log.1").stat().st_size == entry.LOG_LIMIT + 1


# ---- the bundle --------------------------------------------------------------------------------------

def file_state(folder: Path) -> dict[str, tuple[int, int]]:
    return {str(p.relative_to(folder)): (p.stat().st_size, p.stat().st_mtime_ns)
            for p in folder.rglob("*") if p.is_file() or p.is_symlink()}


@pytest.fixture(scope="module")
def app(tmp_path_factory) -> Path:
    """The bundle folder, moved (or copied) away from where it was built."""
    work = tmp_path_factory.mktemp("bundle")
    target = work / "移动后 的位置" / "canvasser"
    target.parent.mkdir()
    given = os.environ.get("CANVASSER_BUNDLE")
    if given:
        shutil.copytree(given, target, symlinks=True)
        return target
    if importlib.util.find_spec("PyInstaller") is None:
        pytest.fail("PyInstaller is not installed in this Python: pip install pyinstaller")
    build = subprocess.run(
        [sys.executable, "-m", "PyInstaller", "--noconfirm", "--distpath", str(work / "dist"),
         "--workpath", str(work / "build"), str(ROOT / "pyinstaller.spec")],
        cwd=ROOT, capture_output=True, encoding=CHILD_ENCODING, errors="replace", timeout=3600)
    assert build.returncode == 0, build.stderr[-3000:]
    shutil.move(str(work / "dist" / "canvasser"), str(target))
    shutil.rmtree(work / "build", ignore_errors=True)
    return target


@pytest.fixture(scope="module")
def home(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("home")


@pytest.fixture(scope="module")
def bare_env(home) -> dict[str, str]:
    """No Python on PATH, no PYTHON*/VIRTUAL_ENV, offscreen Qt, a scratch home for the data folder."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("PYTHON", "VIRTUAL_ENV", "CANVASSER_", "XDG_"))}
    env["QT_QPA_PLATFORM"] = "offscreen"
    if os.name == "nt":
        root = env.get("SystemRoot", r"C:\Windows")
        env["PATH"] = f"{root}\\System32;{root}"
        env["LOCALAPPDATA"] = str(home / "AppData" / "Local")
    else:
        env["PATH"] = "/usr/bin:/bin"
    env["HOME"] = str(home)
    env["XDG_DATA_HOME"] = str(home / "data")
    env["XDG_CONFIG_HOME"] = str(home / "config")
    return env


@pytest.fixture(scope="module")
def pristine(app) -> dict[str, tuple[int, int]]:
    return file_state(app)


def run(app: Path, program: str, *args, env, cwd) -> subprocess.CompletedProcess:
    r = subprocess.run([str(app / (program + EXE)), *map(str, args)], capture_output=True, encoding=CHILD_ENCODING,
                       timeout=600, env=env, cwd=cwd)
    assert r.returncode == 0, f"{program} {args}: {r.returncode}\n{r.stdout[-1500:]}\n{r.stderr[-3000:]}"
    return r


def bundle_mb(folder: Path) -> float:
    """Counted the way the acceptance check counts (symlinks followed)."""
    return sum(f.stat().st_size for f in folder.rglob("*") if f.is_file()) / 2**20


@pytest.mark.bundle
def test_bundle_layout_and_size(app, pristine):
    internal = app / "_internal"
    assert (app / ("canvasser" + EXE)).is_file() and (app / ("canvasser-cli" + EXE)).is_file()
    assert (internal / "resources" / "fonts" / "wqy-zenhei.ttc").stat().st_size > 10_000_000
    assert (internal / "resources" / "templates" / "letter.txt").is_file()
    assert (internal / "resources" / "icons" / "canvasser.png").is_file()
    assert not list(internal.rglob("*.py")), "sources of resources/ must not be bundled"
    translations = {p.name for p in internal.rglob("*.qm")}
    assert translations == QT_TRANSLATIONS
    qt_modules = {p.name.split(".")[0] for p in (internal / "PySide6").glob("Qt*.*")
                  if p.suffix in (".so", ".pyd")}
    assert qt_modules == {"QtCore", "QtGui", "QtWidgets"}
    for unwanted in ("tkinter", "_tkinter", "numpy", "pytest", "tests"):
        assert not list(internal.glob(f"{unwanted}*")), unwanted
    assert not [p for p in app.rglob("*") if p.is_symlink()], "symlinks break zips and FAT32 sticks"
    assert bundle_mb(app) <= BUDGET_MB


@pytest.mark.bundle
def test_encryption_at_rest_from_the_bundle(app, pristine, bare_env, tmp_path):
    """SQLCipher and the xlsx open password (msoffcrypto, cryptography) work inside the bundle."""
    from tests.fixtures import rows, write_xlsx

    env = dict(bare_env, CANVASSER_PASSPHRASE="打包测试的口令")
    db = tmp_path / "村.db"
    people = rows(households=5)
    run(app, "canvasser-cli", "import-roster", "--db", db, write_xlsx(tmp_path / "名单.xlsx", people), env=env,
        cwd=tmp_path)
    assert db.read_bytes()[:16] != b"SQLite format 3\x00" and people[0]["公民身份号码"].encode() not in db.read_bytes()
    pw = tmp_path / "pw.txt"
    pw.write_text("账本口令123", encoding="utf-8")
    run(app, "canvasser-cli", "ledger", "--db", db, "--out", tmp_path / "台账.xlsx", "--password-file", pw, env=env,
        cwd=tmp_path)
    assert (tmp_path / "台账.xlsx").read_bytes()[:8] == bytes.fromhex("D0CF11E0A1B11AE1")
    bad = subprocess.run([str(app / ("canvasser-cli" + EXE)), "check", "--db", str(db)], capture_output=True,
                         text=True, env=dict(env, CANVASSER_PASSPHRASE="错误的口令呀"), cwd=tmp_path, timeout=600)
    assert bad.returncode == 2 and "口令不对" in bad.stderr


@pytest.mark.bundle
def test_command_line_from_the_bundle(app, pristine, bare_env, tmp_path):
    db = tmp_path / "演示村.db"
    out = run(app, "canvasser-cli", "demo", "--db", db, "--json", env=bare_env, cwd=tmp_path)
    demo = json.loads(out.stdout)
    assert demo["imported"] > 100 and db.is_file()
    with sqlite3.connect(db) as conn:  # initials were made by pypinyin inside the bundle
        name, initials = conn.execute("SELECT name, py_initials FROM persons WHERE py_initials != '' "
                                      "ORDER BY pid LIMIT 1").fetchone()
    found = json.loads(run(app, "canvasser-cli", "search", "--db", db, initials, "--json",
                           env=bare_env, cwd=tmp_path).stdout)
    assert name in [r["name"] for r in found["results"]]
    run(app, "canvasser-cli", "check", "--db", db, env=bare_env, cwd=tmp_path)
    pdf = tmp_path / "通知.pdf"
    out = run(app, "canvasser-cli", "notices", "--db", db, "--out", pdf, env=bare_env, cwd=tmp_path)
    assert "缴费通知" in out.stdout
    assert pdf.read_bytes()[:5] == b"%PDF-"
    text = pdftext(pdf).split("\f")[0]
    assert "缴费通知" in text and "**********" in text
    assert any("WenQuanYi" in f.name for f in pdffonts(pdf))


def png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])


@pytest.mark.bundle
def test_window_screenshot_from_the_bundle(app, pristine, bare_env, home, tmp_path):
    shot = tmp_path / "s.png"
    run(app, "canvasser", "--demo", "--screenshot", shot, env=bare_env, cwd=tmp_path)
    assert png_size(shot) == (1366, 768)
    data = (home / "AppData" / "Local" if os.name == "nt" else home / "data") / "canvasser"
    assert (data / "demo.db").is_file(), "the demo village belongs in the user's data folder"


@pytest.mark.bundle
def test_nothing_was_written_inside_the_bundle(app, pristine):
    assert file_state(app) == pristine


@pytest.mark.bundle
def test_portable_mode_keeps_data_beside_the_programs(app, pristine, bare_env, home, tmp_path):
    marker = app / "portable.txt"
    marker.write_text("portable\n", encoding="utf-8")
    try:
        run(app, "canvasser", "--demo", "--screenshot", tmp_path / "p.png", env=bare_env, cwd=tmp_path)
        assert (app / "data" / "demo.db").is_file()
    finally:
        marker.unlink()
        shutil.rmtree(app / "data", ignore_errors=True)
