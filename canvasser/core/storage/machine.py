"""This computer's identity, from the operating system's own stable id.

A workspace remembers the machine, path and inode it writes from; when any of them changes the file
was copied or moved and starts a new origin (DESIGN: copy detection). The id must therefore not
change while the laptop stays the same: a network card's MAC address does (a USB Wi-Fi dongle, a VPN
adapter, a docking station), so it is only the last resort.
"""

from __future__ import annotations

import re
import subprocess
import sys
import uuid
from pathlib import Path

LINUX_FILES = ("/etc/machine-id", "/var/lib/dbus/machine-id")
WINDOWS_KEY = r"SOFTWARE\Microsoft\Cryptography"
MACOS_IOREG = ("/usr/sbin/ioreg", "-rd1", "-c", "IOPlatformExpertDevice")


def machine_id() -> str:
    """The OS's id of this machine (Windows MachineGuid, Linux machine-id, macOS IOPlatformUUID);
    the MAC address only where the OS gives none."""
    reader = {"win32": windows_id, "darwin": macos_id}.get(sys.platform, linux_id)
    try:
        found = reader()
    except (OSError, ValueError, subprocess.SubprocessError):
        found = ""
    return found or f"node-{uuid.getnode():012x}"


def windows_id() -> str:
    """HKLM\\SOFTWARE\\Microsoft\\Cryptography\\MachineGuid, set by Windows setup. Read from the 64-bit
    registry view even by a 32-bit Python (whose default view has no such value)."""
    import winreg

    access = winreg.KEY_READ | getattr(winreg, "KEY_WOW64_64KEY", 0)
    with winreg.OpenKey(winreg.HKEY_LOCAL_MACHINE, WINDOWS_KEY, 0, access) as key:
        value, _kind = winreg.QueryValueEx(key, "MachineGuid")
    return str(value).strip().lower()


def linux_id() -> str:
    """systemd's /etc/machine-id (D-Bus's copy on systems without systemd)."""
    for name in LINUX_FILES:
        try:
            text = Path(name).read_text(encoding="ascii", errors="replace").strip()
        except OSError:
            continue
        if text:
            return text
    return ""


def macos_id() -> str:
    """The IOPlatformUUID of the Mac's logic board, as `ioreg` reports it."""
    out = subprocess.run(MACOS_IOREG, capture_output=True, timeout=10, check=True).stdout.decode("utf-8", "replace")
    found = re.search(r'"IOPlatformUUID"\s*=\s*"([0-9A-Fa-f-]+)"', out)
    return found.group(1).upper() if found else ""
