"""The requirements Windows adds, for build/windows.sh: pip installs Windows wheels on Linux
(`--platform win_amd64`) but evaluates environment markers for the machine it runs on, so a dependency
marked `sys_platform == "win32"` (PyInstaller's pefile and pywin32-ctypes, colorama for pytest and
click) is left out. This reads the Requires-Dist of every distribution in the target folder, evaluates
their markers as Windows CPython 3.13 would, and prints those not installed, one a line.

    python3 build/windows_deps.py SITE_FOLDER
"""

from __future__ import annotations

import sys
from email.parser import BytesHeaderParser
from pathlib import Path

from pip._vendor.packaging.requirements import InvalidRequirement, Requirement
from pip._vendor.packaging.utils import canonicalize_name

WINDOWS = {"sys_platform": "win32", "platform_system": "Windows", "os_name": "nt", "platform_machine": "AMD64",
           "python_version": "3.13", "python_full_version": "3.13.2", "implementation_name": "cpython",
           "platform_python_implementation": "CPython", "platform_release": "10", "extra": ""}


def missing(site: Path) -> list[str]:
    installed, wanted = set(), []
    for info in site.glob("*.dist-info"):
        meta = BytesHeaderParser().parsebytes((info / "METADATA").read_bytes())
        installed.add(canonicalize_name(meta["Name"]))
        for line in meta.get_all("Requires-Dist") or []:
            try:
                req = Requirement(line)
            except InvalidRequirement:
                continue
            if req.marker is not None and req.marker.evaluate(WINDOWS):
                wanted.append(req)
    out = {}
    for req in wanted:
        name = canonicalize_name(req.name)
        if name not in installed:
            out.setdefault(name, f"{req.name}{req.specifier}")
    return sorted(out.values())


if __name__ == "__main__":
    print("\n".join(missing(Path(sys.argv[1]))))
