"""The uninstaller's list for build/installer.nsi: a `Delete` for every file of the built program
folder and an `RMDir` (empty folders only) for every folder in it, deepest first, so the uninstaller
removes exactly what the installer put there and nothing else.

    python3 build/nsis_files.py dist/windows/canvasser > uninstall-files.nsh
"""

from __future__ import annotations

import sys
from pathlib import Path


def lines(folder: Path) -> list[str]:
    files = sorted(p for p in folder.rglob("*") if p.is_file())
    dirs = sorted((p for p in folder.rglob("*") if p.is_dir()), key=lambda p: len(p.parts), reverse=True)
    win = lambda p: str(p.relative_to(folder)).replace("/", "\\").replace("$", "$$")  # noqa: E731
    return ([f'Delete "$INSTDIR\\{win(p)}"' for p in files]
            + [f'RMDir "$INSTDIR\\{win(p)}"' for p in dirs])


if __name__ == "__main__":
    sys.stdout.write("\n".join(lines(Path(sys.argv[1]))) + "\n")
