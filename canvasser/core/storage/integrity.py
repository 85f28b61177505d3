"""Integrity: replay the whole event log into a scratch database and compare with the live projections.

Also gives a digest of the projections, so tests (and the township) can tell whether two replicas
hold the same state.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path

from . import oslock
from .layers import campaign_rows
from .location import sqlite_uri
from .projection import rebuild
from .schema import PROJECTION_TABLES
from .sqlcipher import apply_key, attach, sqlite3
from .store import Workspace, migrate
from .sweep import CHECK_PREFIX, CLAIM

_ORDER = {"persons": "pid", "households": "hid", "visits": "visit_id", "campaign": "scope, key", "canvassers": "name",
          "conflicts": "pid", "official_payments": "pid, year", "ref_marks": "pid, list"}


def table_digest(conn: sqlite3.Connection, table: str, where: str = "", params: tuple = ()) -> str:
    h = hashlib.sha256()
    for row in conn.execute(f"SELECT * FROM {table} {where} ORDER BY {_ORDER[table]}", params):
        h.update(repr(tuple(row)).encode("utf-8"))
    return h.hexdigest()


def projection_digests(conn: sqlite3.Connection, schema: str = "main") -> dict[str, str]:
    return {t: _schema_digest(conn, schema, t) for t in PROJECTION_TABLES}


def _schema_digest(conn: sqlite3.Connection, schema: str, table: str) -> str:
    h = hashlib.sha256()
    for row in conn.execute(f"SELECT * FROM {schema}.{table} ORDER BY {_ORDER[table]}"):
        h.update(repr(tuple(row)).encode("utf-8"))
    return h.hexdigest()


def state_digest(ws: Workspace, village: str | None = None, township: str | None = None,
                 exclude: tuple[str, ...] = ()) -> str:
    """One digest of what people see: persons, visits, statuses (optionally for one village, of one
    township when given: a village is (township, village) across a county; `exclude`: people left
    out). With a township the campaign is compared as that township sees it (core/storage/layers.py):
    a county holds every township's layer, the township only its own."""
    h = hashlib.sha256()
    conds, params = [], []
    if village:
        conds.append("village=?")
        params.append(village)
    if township:
        conds.append("township=?")
        params.append(township)
    if exclude:
        conds.append(f"pid NOT IN ({','.join('?' * len(exclude))})")
        params += list(exclude)
    who = " AND ".join(conds)
    if township or exclude:
        tables = (("persons", f"WHERE {who}"),
                  ("households", f"WHERE hid IN (SELECT household FROM persons WHERE {who})"))
    else:
        tables = (("persons", f"WHERE {who}" if who else ""), ("households", f"WHERE {who}" if who else ""))
    for t, where in tables:
        h.update(table_digest(ws.conn, t, where, tuple(params)).encode())
    vwhere = f"WHERE pid IN (SELECT pid FROM persons WHERE {who})" if who else ""
    for t in ("visits", "official_payments"):
        h.update(table_digest(ws.conn, t, vwhere, tuple(params)).encode())
    if township:
        h.update(repr(sorted(campaign_rows(ws.conn, ["", township]).items())).encode())
    else:
        h.update(table_digest(ws.conn, "campaign").encode())
    return h.hexdigest()


def check(ws: Workspace) -> dict:
    """Replay every event into a scratch file; the projections must be identical.

    The scratch file holds everyone too, so an encrypted workspace replays into a scratch file
    encrypted with a throwaway key."""
    with tempfile.TemporaryDirectory(prefix=CHECK_PREFIX) as tmp, oslock.claimed(Path(tmp) / CLAIM):
        scratch = Path(tmp) / "replay.db"  # (a killed check's folder is swept at the next start)
        conn = sqlite3.connect(str(scratch), isolation_level=None, uri=True)
        try:
            apply_key(conn, os.urandom(32) if ws.key is not None else None)
            migrate(conn)
            # by URI: a path string would be taken as UTF-8 and miss a Chinese-named folder whose
            # name is on disk in the filesystem encoding (GB18030), attaching a new, empty file
            attach(conn, sqlite_uri(ws.path), "live", ws.key)
            conn.execute("BEGIN")
            conn.execute("INSERT INTO main.events SELECT * FROM live.events")
            rebuild(conn)
            conn.execute("COMMIT")
            replayed = projection_digests(conn, "main")
            live = projection_digests(conn, "live")
            events = conn.execute("SELECT count(*) FROM main.events").fetchone()[0]
            bad_seq = conn.execute(
                "SELECT count(*) FROM (SELECT origin, count(*) n, max(seq) m FROM main.events GROUP BY origin) "
                "WHERE n > m").fetchone()[0]
        finally:
            conn.close()
    differs = sorted(t for t in PROJECTION_TABLES if replayed[t] != live[t])
    return {"ok": not differs and not bad_seq, "events": events, "differs": differs}
