"""How long SQLCipher alone takes to write what a list import writes: the floor under the import budget.

    python bench/write_floor.py --db IMPORTED.db        (CANVASSER_PASSPHRASE unlocks an encrypted one)

Takes a workspace a list import made and writes its persons, events, households and list chunks
again into a new workspace, inside SQLite (`INSERT … SELECT`: no Python touches a row), the way a
first list is written: the new file encrypted with its own key as the app makes it (SQLCipher, the
same page size), one transaction, a rollback journal, the import's page cache, the tables' own
indexes (the schema's: the same ones the import keeps up or builds again at the end) dropped and
built again at the end. Reading the rows from the other file (decrypting it) is measured on its own
and taken off. Everything left is work any import that keeps this storage must do, before it has
read, checked or spelled a single name.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

# each table's rows, under a condition that holds for all of them: without one SQLite copies whole
# pages (its transfer shortcut), which no import could do
TABLES = {"persons": "rowid > 0", "events": "rowid > 0", "households": "rowid > 0", "list_chunks": "list_no > -1"}
DEFERRED = ("persons", "events")  # the tables whose indexes a first list builds at the end


def write_floor(source: Path, target: Path, cpu: dict[str, float] | None = None) -> dict[str, float]:
    """Seconds for each step of writing `source`'s listed rows into a new workspace at `target`
    (and the CPU seconds of each in `cpu`, if given)."""
    from canvasser.core.lists.roster import BULK_CACHE_MB
    from canvasser.core.storage.opening import open_workspace
    from canvasser.core.storage.sqlcipher import attach
    from canvasser.core.storage.store import connect

    src = open_workspace(source, create=False)  # unlocked as the app does (passphrase, key file)
    src_key = src.key
    src.close()
    ws = open_workspace(target)  # a new workspace: its own data key, as a first import's file has
    ws.origin  # noqa: B018 — a real workspace has its origin row before any import
    key = ws.key
    ws.close()
    conn = connect(target, key)
    conn.execute("PRAGMA journal_mode=DELETE")
    conn.execute(f"PRAGMA cache_size=-{BULK_CACHE_MB * 1024}")
    attach(conn, str(source), "src", src_key)
    steps: dict[str, float] = {}

    def timed(label: str, sql: str) -> None:
        t, c = time.perf_counter(), time.process_time()
        conn.execute(sql).fetchall()
        steps[label] = time.perf_counter() - t
        if cpu is not None:
            cpu[label] = time.process_time() - c

    for table, every in TABLES.items():  # what reading (and decrypting) alone costs: taken off below
        timed(f"read {table}", f"SELECT count(*) FROM (SELECT * FROM src.{table} WHERE {every})")
    conn.execute("BEGIN IMMEDIATE")
    marks = ",".join("?" * len(DEFERRED))
    indexes = conn.execute(f"SELECT name, sql FROM main.sqlite_master WHERE type='index' AND sql IS NOT NULL "
                           f"AND tbl_name IN ({marks}) ORDER BY name", DEFERRED).fetchall()
    for name, _ in indexes:
        conn.execute(f'DROP INDEX main."{name}"')
    for table, every in TABLES.items():
        timed(f"rows {table}", f"INSERT INTO main.{table} SELECT * FROM src.{table} WHERE {every}")
    for name, sql in indexes:
        timed(f"index {name}", sql)
    timed("commit", "COMMIT")
    conn.close()
    return steps


def floor_seconds(steps: dict[str, float]) -> float:
    """The writing: rows, indexes and commit, less what reading the source took."""
    writing = sum(s for k, s in steps.items() if not k.startswith("read "))
    return writing - sum(s for k, s in steps.items() if k.startswith("read "))


def child_floor(source: str, target: str) -> dict:
    """(bench/common.py runs this in a fresh process.)"""
    from common import Section, remove_workspace

    remove_workspace(Path(target))
    cpu: dict[str, float] = {}
    with Section() as s:
        steps = write_floor(Path(source), Path(target), cpu)
    remove_workspace(Path(target))
    return {"floor": floor_seconds(steps), "floor_cpu": floor_seconds(cpu), "steps": steps, "steps_cpu": cpu,
            "wall": s.wall, "cpu": s.cpu}


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
    indexes = sum(s for k, s in steps.items() if k.startswith("index "))
    print(f"SQLCipher alone, writing the rows and {sum(k.startswith('index ') for k in steps)} indexes: "
          f"{floor_seconds(steps):.1f}s (of which index builds {indexes:.1f}s; reading the source taken off), "
          f"single-threaded, before any reading or checking")


if __name__ == "__main__":
    main()
