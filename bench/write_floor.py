"""How long SQLite alone takes to write what a list import writes: the floor under the import budget.

    python bench/write_floor.py --db IMPORTED.db

Takes a workspace a list import made and writes its persons, events and households again into a
new workspace, inside SQLite (`INSERT … SELECT`: no Python touches a row), the way a first list is
written: one transaction, a rollback journal, the import's page cache, the secondary indexes
dropped and built again at the end. Reading the rows from the other file costs little (measured
and printed); everything else is work any import that keeps this storage must do, before it has
read, checked or spelled a single name. bench_import.py prints it after the million-row csv.
"""

from __future__ import annotations

import argparse
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from canvasser.core.lists.roster import BULK_CACHE_MB  # noqa: E402
from canvasser.core.storage.opening import open_workspace  # noqa: E402

TABLES = ("persons", "events", "households")
DEFERRED = ("persons", "events")  # the tables whose indexes a first list builds at the end


def write_floor(source: Path, target: Path) -> dict[str, float]:
    """Seconds for each step of writing `source`'s listed rows into a new workspace at `target`."""
    ws = open_workspace(target)
    ws.origin  # noqa: B018 — a real workspace has its origin row before any import
    ws.close()
    conn = sqlite3.connect(str(target), isolation_level=None)
    conn.execute("PRAGMA journal_mode=DELETE")
    conn.execute(f"PRAGMA cache_size=-{BULK_CACHE_MB * 1024}")
    conn.execute("PRAGMA temp_store=MEMORY")
    conn.execute("ATTACH ? AS src", (str(source),))
    steps: dict[str, float] = {}

    def timed(label: str, sql: str) -> None:
        t = time.perf_counter()
        conn.execute(sql).fetchall()
        steps[label] = time.perf_counter() - t

    for table in TABLES:  # what reading alone costs (subtracted below)
        timed(f"read {table}", f"SELECT count(*) FROM (SELECT * FROM src.{table} WHERE rowid > 0)")
    conn.execute("BEGIN IMMEDIATE")
    marks = ",".join("?" * len(DEFERRED))
    indexes = conn.execute(f"SELECT name, sql FROM sqlite_master WHERE type='index' AND sql IS NOT NULL "
                           f"AND tbl_name IN ({marks}) ORDER BY name", DEFERRED).fetchall()
    for name, _ in indexes:
        conn.execute(f'DROP INDEX "{name}"')
    for table in TABLES:  # "WHERE rowid > 0" keeps SQLite from copying whole pages (its transfer shortcut)
        timed(f"rows {table}", f"INSERT INTO {table} SELECT * FROM src.{table} WHERE rowid > 0")
    for name, sql in indexes:
        timed(f"index {name}", sql)
    timed("commit", "COMMIT")
    conn.close()
    return steps


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--db", required=True, help="a workspace a list import made (e.g. of a million people)")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="canvasser-floor-") as tmp:
        steps = write_floor(Path(args.db), Path(tmp) / "floor.db")
    report(steps)


def report(steps: dict[str, float]) -> None:
    for label, seconds in steps.items():
        print(f"  {seconds:6.2f}s  {label}")
    writing = sum(s for k, s in steps.items() if not k.startswith("read "))
    indexes = sum(s for k, s in steps.items() if k.startswith("index "))
    print(f"SQLite alone, writing the rows and {sum(k.startswith('index ') for k in steps)} indexes: {writing:.1f}s "
          f"(of which index builds {indexes:.1f}s), single-threaded, before any reading or checking")


if __name__ == "__main__":
    main()
