"""Machine identity from each OS's own id, the glibc floor check, and output in a GBK pipe."""

from __future__ import annotations

import io
import json
import shutil
import subprocess
import sys
import types
from pathlib import Path

import pytest

from canvasser import cli, glibc
from canvasser.core.storage import machine, store
from canvasser.core.storage.opening import open_workspace

ROOT = Path(__file__).resolve().parents[1]


# ---- machine identity --------------------------------------------------------------------------
def fake_winreg(guid: str | None) -> types.ModuleType:
    """A stand-in for the winreg module with HKLM\\SOFTWARE\\Microsoft\\Cryptography\\MachineGuid."""
    mod = types.ModuleType("winreg")
    mod.HKEY_LOCAL_MACHINE, mod.KEY_READ, mod.KEY_WOW64_64KEY = 0x80000002, 0x20019, 0x0100
    opened: list = []

    class Key:
        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return False

    def open_key(root, sub, reserved, access):
        opened.append((root, sub, access))
        if guid is None:
            raise FileNotFoundError(2, "系统找不到指定的文件。")
        return Key()

    mod.OpenKey = open_key
    mod.QueryValueEx = lambda key, name: (guid, 1) if name == "MachineGuid" else (_ for _ in ()).throw(OSError())
    mod.opened = opened
    return mod


def test_windows_uses_the_registry_machine_guid_from_the_64_bit_view(monkeypatch):
    reg = fake_winreg("9b3c2a51-0d1e-4f7a-8c6b-2e5d7f9a1b3c")
    monkeypatch.setitem(sys.modules, "winreg", reg)
    monkeypatch.setattr(sys, "platform", "win32")
    assert machine.machine_id() == "9b3c2a51-0d1e-4f7a-8c6b-2e5d7f9a1b3c"
    root, sub, access = reg.opened[0]
    assert sub == r"SOFTWARE\Microsoft\Cryptography" and access & reg.KEY_WOW64_64KEY


def test_windows_without_the_value_falls_back_to_the_mac_address(monkeypatch):
    monkeypatch.setitem(sys.modules, "winreg", fake_winreg(None))
    monkeypatch.setattr(sys, "platform", "win32")
    assert machine.machine_id().startswith("node-")


def test_linux_reads_machine_id_then_dbus(tmp_path, monkeypatch):
    etc, dbus = tmp_path / "machine-id", tmp_path / "dbus-machine-id"
    monkeypatch.setattr(machine, "LINUX_FILES", (str(etc), str(dbus)))
    monkeypatch.setattr(sys, "platform", "linux")
    dbus.write_text("d41d8cd98f00b204e9800998ecf8427e\n", encoding="ascii")
    assert machine.machine_id() == "d41d8cd98f00b204e9800998ecf8427e"  # no /etc/machine-id
    etc.write_text("", encoding="ascii")
    assert machine.machine_id() == "d41d8cd98f00b204e9800998ecf8427e"  # an empty one (first boot)
    etc.write_text("0123456789abcdef0123456789abcdef\n", encoding="ascii")
    assert machine.machine_id() == "0123456789abcdef0123456789abcdef"
    dbus.unlink()
    etc.unlink()
    assert machine.machine_id().startswith("node-")


def test_macos_reads_the_platform_uuid(monkeypatch):
    out = ('+-o J314sAP  <class IOPlatformExpertDevice, id 0x100000222>\n  {\n'
           '    "IOPlatformSerialNumber" = "C02XXXXXXXXX"\n'
           '    "IOPlatformUUID" = "3F2504E0-4F89-11D3-9A0C-0305E82C3301"\n  }\n')
    calls: list = []

    def run(args, **kw):
        calls.append(args)
        return subprocess.CompletedProcess(args, 0, out.encode("utf-8"), b"")

    monkeypatch.setattr(machine.subprocess, "run", run)
    monkeypatch.setattr(sys, "platform", "darwin")
    assert machine.machine_id() == "3F2504E0-4F89-11D3-9A0C-0305E82C3301"
    assert calls[0][0] == "/usr/sbin/ioreg"


def test_a_new_machine_guid_means_a_copied_file_and_a_new_origin(tmp_path, monkeypatch):
    monkeypatch.setattr(sys, "platform", "win32")
    monkeypatch.setitem(sys.modules, "winreg", fake_winreg("aaaaaaaa-0000-0000-0000-000000000001"))
    with open_workspace(tmp_path / "青石村.db") as ws:
        first = ws.origin
    with open_workspace(tmp_path / "青石村.db") as ws:
        assert ws.origin == first  # same laptop, same file
    monkeypatch.setitem(sys.modules, "winreg", fake_winreg("bbbbbbbb-0000-0000-0000-000000000002"))
    with open_workspace(tmp_path / "青石村.db") as ws:
        assert ws.origin != first  # the file went to another laptop
        assert ws.scalar("SELECT machine FROM origins WHERE origin=?", (ws.origin,)).startswith("bbbbbbbb")
    assert store._machine_id is machine.machine_id


# ---- glibc floor -------------------------------------------------------------------------------
def test_an_old_glibc_gets_a_sentence(tmp_path):
    (tmp_path / glibc.FLOOR_FILE).write_text("2.28\n", encoding="ascii")
    assert glibc.too_old(tmp_path, system="2.36") == ""
    assert glibc.too_old(tmp_path, system="2.28") == ""
    why = glibc.too_old(tmp_path, system="2.27")
    assert "glibc 2.28" in why and "2.27" in why and "统信 UOS" in why
    (tmp_path / glibc.FLOOR_FILE).write_text("2.35\n", encoding="ascii")
    assert "2.35" in glibc.too_old(tmp_path, system="2.31")
    assert glibc.too_old(tmp_path / "no-bundle", system="2.17") == ""  # not a bundle: nothing to check


def test_this_system_reports_its_glibc():
    if sys.platform.startswith("linux") and glibc.system_glibc():
        assert glibc.system_glibc().startswith("2.")


def test_the_windowed_program_says_so_and_stops(monkeypatch, capsys):
    from tests.test_bundle import load_entry_gui

    entry = load_entry_gui()
    monkeypatch.setattr(glibc, "too_old", lambda: "本程序需要 glibc 2.35 或更新版本，这台电脑是 glibc 2.28，无法运行。")
    monkeypatch.setattr(shutil, "which", lambda tool: None)  # no zenity/kdialog here
    monkeypatch.setattr(sys, "argv", ["canvasser"])
    assert entry.run() == 1
    assert "glibc 2.35" in capsys.readouterr().err


@pytest.mark.skipif(not shutil.which("objdump"), reason="needs objdump (binutils)")
def test_the_floor_is_measured_from_the_built_files(tmp_path):
    bundle = tmp_path / "canvasser"
    (bundle / "_internal").mkdir(parents=True)
    shutil.copy(sys.executable, bundle / "canvasser")
    (bundle / "_internal" / "readme.txt").write_text("不是程序\n", encoding="utf-8")
    r = subprocess.run([sys.executable, str(ROOT / "build" / "glibc_floor.py"), str(bundle)],
                       capture_output=True, encoding="utf-8")
    assert r.returncode == 0, r.stderr
    floor = (bundle / "_internal" / glibc.FLOOR_FILE).read_text(encoding="ascii").strip()
    assert r.stdout.startswith(floor) and floor.startswith("2.")
    assert glibc.too_old(bundle / "_internal", system="2.0") and not glibc.too_old(bundle / "_internal",
                                                                                     system=floor)


# ---- a GBK pipe ----------------------------------------------------------------------------------
class GbkStdout(io.TextIOWrapper):
    def __init__(self):
        super().__init__(io.BytesIO(), encoding="gbk", newline="")


def test_json_and_summaries_survive_a_gbk_pipe(monkeypatch):
    """Chinese Windows writes a pipe in GBK, which has no 䶮 (a real given name): JSON is then
    ASCII-escaped, the same object; the summary shows a '?' instead of failing after the work."""
    out = GbkStdout()
    monkeypatch.setattr(sys, "stdout", out)
    cli.emit({"name": "刘䶮", "village": "青石村"}, "已记录 刘䶮 的走访", as_json=True)
    cli.emit({}, "已记录 刘䶮 的走访", as_json=False)
    cli.emit({"name": "张三"}, "", as_json=True)
    out.flush()
    lines = out.buffer.getvalue().decode("gbk").splitlines()
    assert json.loads(lines[0]) == {"name": "刘䶮", "village": "青石村"}
    assert lines[1] == "已记录 刘? 的走访"
    assert lines[2] == '{"name": "张三"}'  # what GBK can hold stays readable


# ---- the workflow builds with the README's scripts ------------------------------------------------
def test_the_workflow_calls_the_readme_build_scripts():
    flow = (ROOT / ".github" / "workflows" / "bundle.yml").read_text(encoding="utf-8")
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for command in ("powershell -ExecutionPolicy Bypass -File build\\build_bundle.ps1", "bash build/build_bundle.sh"):
        assert command in readme and command in flow
    assert "runs-on: windows-" in flow and "almalinux:8" in flow and "-m bundle" in flow
    assert "build/constraints-glibc2.28.txt" in flow and (ROOT / "build" / "constraints-glibc2.28.txt").is_file()


def test_the_data_folder_on_windows_is_the_local_one(tmp_path, monkeypatch):
    """%LOCALAPPDATA%\\canvasser: a roaming profile would copy workspaces and backups at every logon."""
    from canvasser import paths

    monkeypatch.delenv("CANVASSER_DATA", raising=False)
    monkeypatch.setattr(paths, "portable", lambda: False)
    monkeypatch.setattr(sys, "platform", "win32")
    monkeypatch.setenv("APPDATA", str(tmp_path / "Roaming"))
    monkeypatch.setenv("LOCALAPPDATA", str(tmp_path / "Local"))
    assert paths.data_dir() == tmp_path / "Local" / "canvasser"
    monkeypatch.delenv("LOCALAPPDATA")
    monkeypatch.setattr(Path, "home", classmethod(lambda cls: tmp_path / "张三"))
    assert paths.data_dir() == tmp_path / "张三" / "AppData" / "Local" / "canvasser"


# ---- csv encodings ---------------------------------------------------------------------------------
def test_a_short_gbk_file_ending_in_chinese_is_gbk(tmp_path):
    """Only the sample's end may cut a UTF-8 character: a whole short file that is not UTF-8 is GBK."""
    from canvasser.core.lists.tables import detect_encoding

    f = tmp_path / "名单.csv"
    f.write_bytes("no,id\n1,张".encode("gbk"))
    assert detect_encoding(f) == "gb18030"
    f.write_bytes("no,id\n1,张".encode())
    assert detect_encoding(f) == "utf-8"
    f.write_bytes("no,id\n1,张".encode("utf-8-sig"))
    assert detect_encoding(f) == "utf-8-sig"
