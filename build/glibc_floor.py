"""Measure a Linux bundle's glibc floor: the newest GLIBC_x.y symbol version any file in it needs.

    python build/glibc_floor.py dist/canvasser      -> prints e.g. "2.28 (libQt6Core.so.6)"

Every ELF file in the folder is read with `objdump -T` (binutils); the floor is written to
`_internal/glibc-floor.txt`, which the programs check at start (canvasser/glibc.py).
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

NEED = re.compile(r"\bGLIBC_(\d+)\.(\d+)(?:\.(\d+))?\b")


def needs(path: Path) -> tuple[int, ...]:
    out = subprocess.run(["objdump", "-T", str(path)], capture_output=True, encoding="utf-8", errors="replace")
    versions = [tuple(int(x) for x in m.groups() if x) for m in NEED.finditer(out.stdout)]
    return max(versions, default=())


def measure(folder: Path) -> tuple[str, str]:
    """The floor and the file that sets it."""
    best, who = (), ""
    for path in sorted(folder.rglob("*")):
        if path.is_file() and not path.is_symlink():
            with open(path, "rb") as f:
                if f.read(4) != b"\x7fELF":
                    continue
            v = needs(path)
            if v > best:
                best, who = v, path.name
    return ".".join(map(str, best)), who


def main() -> int:
    folder = Path(sys.argv[1] if len(sys.argv) > 1 else "dist/canvasser")
    version, who = measure(folder)
    if not version:
        print("no glibc symbol versions found (objdump missing?)", file=sys.stderr)
        return 1
    internal = folder / "_internal"
    (internal if internal.is_dir() else folder).joinpath("glibc-floor.txt").write_text(version + "\n", encoding="ascii")
    print(f"{version} ({who})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
