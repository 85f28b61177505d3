"""The Linux bundle's glibc floor: checked at start, so an old system gets a sentence, not a loader error.

The bundle carries its own libpython, Qt and other libraries, each linked against the glibc of the
machine that built them. The build measures the newest glibc symbol version any bundled file needs
(`build/glibc_floor.py`, from `objdump -T`) into `glibc-floor.txt` beside the bundled resources. At
start the programs compare it with the running system's glibc and, if that is older, say which
systems the bundle is for instead of failing deep inside Qt with "version `GLIBC_2.34' not found".
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

FLOOR_FILE = "glibc-floor.txt"


def _version(text: str) -> tuple[int, ...]:
    return tuple(int(p) for p in text.strip().split(".") if p.isdigit())


def system_glibc() -> str:
    """The running glibc's version ('2.28'), or '' where there is none (Windows, macOS, musl)."""
    try:
        found = os.confstr("CS_GNU_LIBC_VERSION") or ""
    except (AttributeError, ValueError, OSError):
        return ""
    return found.split()[-1] if found.startswith("glibc") else ""


def floor(bundle: Path | None = None) -> str:
    """The glibc version the bundle needs, as the build measured it; '' when not recorded."""
    base = bundle if bundle is not None else Path(getattr(sys, "_MEIPASS", ""))
    try:
        return (base / FLOOR_FILE).read_text(encoding="ascii").strip()
    except (OSError, UnicodeDecodeError):
        return ""


def too_old(bundle: Path | None = None, system: str | None = None) -> str:
    """A Chinese message when this system's glibc is older than the bundle needs, else ''."""
    need = floor(bundle)
    have = system_glibc() if system is None else system
    if not need or not have or _version(have) >= _version(need):
        return ""
    return (f"本程序需要 glibc {need} 或更新版本，这台电脑是 glibc {have}，无法运行。"
            "请改用为 glibc 2.28 打包的 Linux 版（canvasser-linux-x64-glibc2.28，适用于统信 UOS 20、"
            "银河麒麟 V10、Ubuntu 20.04、Debian 10 及更新的系统），或升级系统。")
