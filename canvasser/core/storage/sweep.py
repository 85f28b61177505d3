"""What a killed run left behind, cleaned at the next start.

A run killed mid-way (the laptop's power, a kill -9, the task manager) leaves its temporary files:
`check`'s scratch copy of the whole workspace in the temporary folder (`canvasser-check-*/replay.db`,
as big as the workspace and encrypted with a key nobody has), half-written `.part` files of backups,
sidecars and photos, a restore's staged copy, and a backup's sidecar whose copy never arrived. Each
writer holds an OS lock on its temporary file while it writes (`oslock.claimed`); the sweep removes
only files whose lock is free, i.e. whose writer is gone, so a run still going is never disturbed.
"""

from __future__ import annotations

import contextlib
import shutil
import tempfile
import time
from pathlib import Path

from . import atrest, oslock

CHECK_PREFIX = "canvasser-check-"
CLAIM = ".lock"  # the file a scratch folder's owner holds locked
UNCLAIMED_AGE = 3600  # a scratch folder with no lock file (an older version's) is left an hour


FRESH = 2.0  # seconds: a file this new may be between its writer's last write and its rename


def _gone(path: Path) -> bool:
    """A temporary file whose writer is gone: its lock is free, and it is not brand new (a writer lets
    go of its claim just before renaming the finished file into place)."""
    try:
        # (abs: a clock put back makes every file look new, and none would ever be swept)
        return abs(time.time() - path.stat().st_mtime) > FRESH and oslock.free(path)
    except OSError:
        return False


def _remove(path: Path) -> bool:
    try:
        if path.is_dir():
            shutil.rmtree(path)
        else:
            path.unlink()
        return True
    except OSError:  # in use (Windows), or already gone
        return False


def scratch_folders(temp: Path | None = None) -> list[Path]:
    """`check`'s scratch folders left by killed runs."""
    temp = Path(temp or tempfile.gettempdir())
    out = []
    with contextlib.suppress(OSError):
        for d in temp.glob(CHECK_PREFIX + "*"):
            lock = d / CLAIM
            if lock.exists():
                if _gone(lock):
                    out.append(d)
            elif d.is_dir():  # killed before its lock was made (then empty), or an older version's
                age = abs(time.time() - d.stat().st_mtime)
                if age > UNCLAIMED_AGE or (age > FRESH and not any(d.iterdir())):
                    out.append(d)
    return out


def beside(db_path: Path) -> list[Path]:
    """Temporary files beside a workspace whose writers are gone: its sidecar's `.part`, a restore's
    staged copy, photos half-written into its evidence folder."""
    db_path = Path(db_path)
    candidates = [Path(f"{atrest.sidecar(db_path)}.part"),
                  db_path.with_name(f".{db_path.name}.restore-part"),
                  db_path.with_name(f".{db_path.name}.restore-part-journal")]
    evidence = db_path.with_name(db_path.stem + ".evidence")
    with contextlib.suppress(OSError):
        if evidence.is_dir():
            candidates += list(evidence.glob("*.part"))
    return [p for p in candidates if _gone(p)]


def backups(folder: Path) -> list[Path]:
    """In a backups folder: `.part` copies whose writer is gone, and sidecars whose copy never came."""
    out = []
    with contextlib.suppress(OSError):
        if not folder.is_dir():
            return []
        for p in folder.rglob("*.part"):
            if _gone(p):
                out.append(p)
        for side in folder.rglob("*.db" + atrest.SUFFIX):
            db = Path(str(side)[:-len(atrest.SUFFIX)])
            if not db.exists() and not Path(f"{db}.part").exists():
                out.append(side)
    return out


def sweep(db_path: str | Path | None = None, *, temp: Path | None = None) -> list[Path]:
    """Remove what killed runs left (see the module); returns what was removed. Never raises."""
    found = scratch_folders(temp)
    if db_path:
        with contextlib.suppress(OSError):
            found += beside(Path(db_path))
    from ...paths import data_dir

    with contextlib.suppress(OSError):
        found += backups(data_dir() / "backups")
        keys = data_dir() / "keys"
        if keys.is_dir():
            found += [p for p in keys.glob("*.part") if _gone(p)]
    return [p for p in found if _remove(p)]
