"""The workspace: one SQLite file holding the event log and the projections screens read.

Every change is an event appended through `Workspace.writing()`; the projections are updated in the
same transaction, so the file is always consistent, and a crash or a kill leaves it as it was before
the change began. `canvasser check` replays the whole log into a scratch database and compares.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import os
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from ..tiers import Tier
from . import atrest, evidence, files, location
from . import hlc as hlc_mod
from .events import EVENT_COLUMNS, INSERT_EVENT, ORDER, Event, dump_payload, new_event_ids, sql_literal
from .failures import explain, explain_at
from .machine import machine_id as _machine_id
from .schema import MIGRATIONS
from .sqlcipher import PAGE_SIZE, apply_key, sqlite3

HLC_MARK = "hlc_mark"  # meta key: the largest HLC this file holds (its clock; see DESIGN §3)


class WorkspaceError(Exception):
    """A problem with the workspace file the user must act on (wrong file, newer version ...)."""


_NOW_CACHE: list = [0, ""]


def now_iso() -> str:
    """Local time with its UTC offset, to the second (cached within the second: imports call it a lot)."""
    sec = int(time.time())
    if _NOW_CACHE[0] != sec:
        _NOW_CACHE[0] = sec
        _NOW_CACHE[1] = dt.datetime.fromtimestamp(sec).astimezone().isoformat()
    return _NOW_CACHE[1]


EVIDENCE_PENDING = evidence.PENDING  # meta key: a converted workspace's photos are still plain
_UNSET = object()
WAL_KEEP = 64 << 20  # bytes of WAL file left on disk after a checkpoint


def connect(path: str | Path, key: bytes | None = None) -> sqlite3.Connection:
    """Open a workspace file; with `key` it is a SQLCipher database encrypted with that data key."""
    conn = sqlite3.connect(str(path), isolation_level=None, check_same_thread=False, timeout=30)
    apply_key(conn, key)
    # 16 KB pages: a township's merge and a big list write a third fewer pages than with 4 KB. Only a
    # new file takes it (before WAL fixes the header); an older workspace keeps its page size.
    if key is None:
        conn.execute(f"PRAGMA page_size={PAGE_SIZE}")
    conn.execute("PRAGMA journal_mode=WAL")
    # a big write (a list, a merge) grows the WAL to its own size; without a limit that file stays
    # on a laptop's small disk until the app closes
    conn.execute(f"PRAGMA journal_size_limit={int(WAL_KEEP)}")
    conn.execute("PRAGMA foreign_keys=ON")
    conn.execute("PRAGMA synchronous=NORMAL")
    conn.execute("PRAGMA cache_size=-131072")  # 128 MB: big imports insert into random B-tree pages
    conn.execute("PRAGMA temp_store=MEMORY")
    return conn


def read_only(path: Path) -> bool:
    """A workspace this program may read but not write (a read-only folder, stick or file), found by
    trying (location.can_write, location.writable): on Windows os.access calls every folder writable,
    whatever its permissions, and only a file's read-only attribute unwritable."""
    return path.exists() and not (location.can_write(path) and location.writable(path.parent))


def connect_readonly(path: Path, key: bytes | None = None) -> sqlite3.Connection:
    """Open a workspace in a place nobody can write, as it is: searching and printing still work,
    any write fails as read-only (failures.py). `immutable`: SQLite cannot make its -shm file there."""
    uri = f"{Path(files.real_path(path)).as_uri()}?mode=ro&immutable=1"
    conn = sqlite3.connect(uri, uri=True, isolation_level=None, check_same_thread=False)
    apply_key(conn, key)
    conn.create_function("reverse", 1, lambda s: s[::-1] if isinstance(s, str) else s, deterministic=True)
    if conn.execute("PRAGMA user_version").fetchone()[0] != len(MIGRATIONS):
        conn.close()
        raise WorkspaceError("工作区所在的文件夹是只读的，而这个工作区需要先升级（要写入），无法打开。"
                             "请复制到可写的位置再打开")
    return conn


def migrate(conn: sqlite3.Connection) -> None:
    conn.create_function("reverse", 1, lambda s: s[::-1] if isinstance(s, str) else s, deterministic=True)
    version = conn.execute("PRAGMA user_version").fetchone()[0]
    if version > len(MIGRATIONS):
        raise WorkspaceError(f"此工作区由更新版本的程序创建（版本 {version}），请升级程序后再打开")
    for number, sql in enumerate(MIGRATIONS[version:], start=version + 1):
        conn.execute("BEGIN IMMEDIATE")
        try:
            for statement in _split_sql(sql):
                conn.execute(statement)
            conn.execute(f"PRAGMA user_version = {number}")
            conn.execute("COMMIT")
        except BaseException:
            _rollback(conn)
            raise


def _rollback(conn: sqlite3.Connection) -> None:
    """Roll back if a transaction is still open: after a full disk or an I/O error SQLite has
    already rolled it back, and a second ROLLBACK would replace the real cause with "cannot
    rollback - no transaction is active"."""
    if conn.in_transaction:
        conn.execute("ROLLBACK")


def _split_sql(sql: str) -> list[str]:
    return [s.strip() for s in sql.split(";") if s.strip()]


@dataclass
class Batch:
    """Events appended in one transaction, with the entities they touch."""

    ws: Workspace
    author: str
    events: list[Event] = field(default_factory=list)
    new_entities: set[str] = field(default_factory=set)

    def emit(self, kind: str, entity: str, payload: dict, *, author: str | None = None, new: bool = False,
             scope: str | None = None) -> Event:
        ev = self.ws._new_event(kind, entity, payload, author if author is not None else self.author,
                                scope if scope is not None else self.ws.scope_for(entity, payload))
        self.events.append(ev)
        if new:
            self.new_entities.add(entity)
        if len(self.events) >= 20000:
            self.flush()
        return ev

    def append_many(self, kind: str, entities: list[str], payloads: list[str], scopes: list[str]
                    ) -> tuple[list[str], str]:
        """Append events of one kind, one per entity, from payloads already in JSON, without making
        Event objects; returns their hlc values and the time they were recorded.

        A list import creates people by the hundred thousand; this is its path. What is the same
        for every event (origin, kind, author, time) is written into the statement as literals, so
        each row binds six values instead of ten. The caller projects what it appends (the entities
        must be new, with no other event pending in this batch)."""
        self.flush()
        ws = self.ws
        n = len(entities)
        now = now_iso()
        if not n:
            return [], now
        seq0 = ws._next_seq() - 1
        ws._seq = seq0 + n
        hlcs = ws.clock.ticks(n)
        sql = (f"INSERT INTO events ({EVENT_COLUMNS}) VALUES (?, {sql_literal(ws.origin)}, ?, ?, {sql_literal(kind)}, ?, ?, "
               f"{sql_literal(self.author or '')}, {sql_literal(now)}, ?)")
        ws.conn.executemany(sql, zip(new_event_ids(n), range(seq0 + 1, seq0 + n + 1), hlcs, entities, payloads,
                                     scopes))
        return hlcs, now

    def flush(self) -> None:
        """Write and project what has been emitted so far (still inside the transaction)."""
        if not self.events:
            return
        self.ws._insert_events(self.events)
        from .projection import project  # on first write: it loads pypinyin, off the window's start-up path

        project(self.ws.conn, self.events, self.new_entities)
        self.events = []
        self.new_entities = set()


class Workspace:
    """An open workspace file. Not thread-safe: use one per thread (the GUI has one worker)."""

    def __init__(self, path: str | Path, *, key: bytes | None | object = _UNSET, create: bool = True,
                 look_only: bool = False, **opening):
        """Open (or create) the workspace file at `path` with its data key (None: a plain file);
        `look_only`: as it is, for reading only (a folder the caller found read-only).

        Which key, converting an old plain file, sealing its photos: that is opening a user's
        workspace, `storage.opening.open_workspace(path)`, not this."""
        if key is _UNSET or opening:
            raise TypeError("Workspace(path, key=...) opens a file with the key it is given; a user's workspace is "
                            "opened by canvasser.core.storage.opening.open_workspace(path, passphrase=..., plain=...)")
        self.path = Path(path)
        if not create and not self.path.exists():
            raise WorkspaceError(f"找不到工作区文件：{self.path}")
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.recovery_code: str | None = None  # a new workspace's one-time recovery code (set by its opener)
        self.key = key
        try:
            if look_only or read_only(self.path):
                self.conn = connect_readonly(self.path, key)
            else:
                self.conn = connect(self.path, key)
                migrate(self.conn)
        except sqlite3.DatabaseError as exc:  # busy, disk full, read-only: say so (failures.py), not "damaged"
            if why := explain_at(exc, self.path):
                raise WorkspaceError(why) from exc
            if key is not None and atrest.file_state(self.path) == "encrypted":
                raise WorkspaceError(f"工作区文件与它的密钥文件不相配（或文件已损坏）：{self.path}") from exc
            raise WorkspaceError(explain(exc) or f"无法打开工作区（文件损坏或不是工作区）：{self.path}：{exc}") from exc
        self.look_only = look_only or read_only(self.path)
        self._origin: str | None = None
        self._clock: hlc_mod.Clock | None = None
        self._seq: int | None = None
        self._in_tx = False

    # ---- meta -------------------------------------------------------------------------------
    @functools.cached_property
    def db(self):
        """sqlite-utils over this connection: the views' dict reads (views.py); made on first use."""
        import sqlite_utils  # after .sqlcipher: it then takes SQLCipher's module as pysqlite3

        return sqlite_utils.Database(self.conn)

    def meta(self, key: str, default: str | None = None) -> str | None:
        row = self.conn.execute("SELECT value FROM meta WHERE key=?", (key,)).fetchone()
        return row[0] if row else default

    def set_meta(self, key: str, value: str) -> None:
        self.conn.execute("INSERT INTO meta(key, value) VALUES(?, ?) ON CONFLICT(key) DO UPDATE SET value=excluded.value",
                          (key, value))

    @property
    def tier(self) -> Tier:
        """Which tier this workspace is (core/tiers.py): village, township, county or standalone."""
        return Tier.of(self.meta("mode"))

    @property
    def mode(self) -> str:
        """The tier's stored name: 'village', 'township', 'county' or 'standalone'."""
        return self.tier.value

    @property
    def workspace_id(self) -> str:
        wid = self.meta("workspace_id")
        if not wid:
            wid = uuid.uuid4().hex
            self.set_meta("workspace_id", wid)
        return wid

    # ---- identity ---------------------------------------------------------------------------
    def _binding(self) -> tuple[str, str, int]:
        real = files.real_path(self.path)
        try:
            inode = os.stat(real).st_ino
        except OSError:
            inode = 0
        return _machine_id(), real, inode

    @property
    def origin(self) -> str:
        """The origin this file writes under; a new one if the file was copied or moved."""
        if self._origin is None:
            machine, path, inode = self._binding()
            current = self.meta("origin")
            row = self.conn.execute("SELECT machine, path, inode FROM origins WHERE origin=?",
                                    (current,)).fetchone() if current else None
            if row is None or tuple(row) != (machine, path, inode):
                reason = "new" if current is None else "copied-or-moved"
                current = uuid.uuid4().hex[:16]
                self._write_local(lambda: (
                    self.conn.execute("INSERT INTO origins VALUES (?,?,?,?,?,?)",
                                      (current, now_iso(), machine, path, inode, reason)),
                    self.set_meta("origin", current)))
            self._origin = current
        return self._origin

    def _write_local(self, fn) -> None:
        if self._in_tx:
            fn()
            return
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            fn()
            self.conn.execute("COMMIT")
        except BaseException:
            _rollback(self.conn)
            raise

    @property
    def clock(self) -> hlc_mod.Clock:
        if self._clock is None:
            self._clock = hlc_mod.Clock(self.file_clock())
        return self._clock

    def file_clock(self) -> str | None:
        """The largest HLC written to this file by any connection or process (None: no events).

        Kept in `meta` so that a write reads it with one row; a file from before the mark scans its
        log once, and the first write transaction stores what it found."""
        mark = self.meta(HLC_MARK)
        if mark is None:
            mark = self.conn.execute("SELECT max(hlc) FROM events").fetchone()[0]
        return mark

    def _next_seq(self) -> int:
        if self._seq is None:
            self._seq = self.conn.execute("SELECT coalesce(max(seq), 0) FROM events WHERE origin=?",
                                          (self.origin,)).fetchone()[0]
        self._seq += 1
        return self._seq

    def scope_for(self, entity: str, payload: dict) -> str:
        """Which village an event belongs to (for township → village packages); '' = everyone.
        A campaign change belongs to its writer's layer (core/layers.py): a township's or its
        villages' to the township, the county's (and a standalone workspace's) to the drive ('')."""
        if entity.startswith("p:"):
            village = payload.get("village")
            if village is None:
                row = self.conn.execute("SELECT village FROM persons WHERE pid=?", (entity[2:],)).fetchone()
                village = row[0] if row else ""
            return village or ""
        if entity == "campaign":
            return self.campaign_layer
        return ""

    @property
    def campaign_layer(self) -> str:
        """The layer this workspace's campaign changes go to: its township's name, or '' (the drive's)."""
        return (self.meta("township") or "") if self.tier in (Tier.TOWNSHIP, Tier.VILLAGE) else ""

    def _new_event(self, kind: str, entity: str, payload: dict, author: str, scope: str) -> Event:
        return Event(new_event_ids(1)[0], self.origin, self._next_seq(), self.clock.tick(), kind, entity,
                     payload, author or "", now_iso(), scope)

    def _insert_events(self, events: list[Event]) -> None:
        self.conn.executemany(INSERT_EVENT, [e.row() for e in events])

    # ---- transactions -----------------------------------------------------------------------
    @contextlib.contextmanager
    def transaction(self) -> Iterator[None]:
        """One atomic unit: all or nothing, whatever happens inside."""
        if self._in_tx:
            yield
            return
        self.origin  # bind before the write transaction starts  # noqa: B018
        self.conn.execute("BEGIN IMMEDIATE")
        self._in_tx = True
        self._seq = None  # another connection (the GUI's worker, a CLI run) may have written since
        try:
            # The clock lives in the file: under the write lock, move past every HLC any connection
            # or process has written (a package from a fast-clock laptop received elsewhere), so
            # nothing written here can sort before what the file already holds.
            mark = self.file_clock()
            if mark:
                self.clock.observe(mark)
            yield
            last = self.clock.last
            if last > (mark or hlc_mod.ZERO):  # ticked or merged past the mark: leave the new one
                self.set_meta(HLC_MARK, last)
            self.conn.execute("COMMIT")
        except BaseException:
            _rollback(self.conn)
            self._seq = None
            self._clock = None
            raise
        finally:
            self._in_tx = False

    @contextlib.contextmanager
    def writing(self, author: str = "") -> Iterator[Batch]:
        """Append events atomically; projections follow in the same transaction."""
        with self.transaction():
            batch = Batch(self, author)
            yield batch
            batch.flush()

    @contextlib.contextmanager
    def deferring_indexes(self, *tables: str, when: bool = True,
                          progress: Callable[[int, int], object] | None = None) -> Iterator[None]:
        """Drop the secondary indexes of `tables` and build them again at the end (inside the
        current transaction, so a failure restores them with everything else).

        Sorting a million keys once is several times cheaper than a million random B-tree inserts
        per index: this is how a first list import stays fast. At a million people the rebuild
        takes some twenty seconds, so `progress(built, total)` hears of each index before it starts
        (raising there, e.g. Cancelled, abandons the transaction)."""
        if not when:
            yield
            return
        assert self._in_tx, "deferring_indexes needs a write transaction"
        marks = ",".join("?" * len(tables))
        indexes = self.conn.execute(f"SELECT name, sql FROM sqlite_master WHERE type='index' AND sql IS NOT NULL "
                                    f"AND tbl_name IN ({marks}) ORDER BY name", tables).fetchall()
        for name, _ in indexes:
            self.conn.execute(f'DROP INDEX "{name}"')
        yield
        for built, (_, sql) in enumerate(indexes):
            if progress:
                progress(built, len(indexes))
            self.conn.execute(sql)

    @contextlib.contextmanager
    def rollback_journal(self, when: bool = True) -> Iterator[None]:
        """Write with a rollback journal instead of the WAL for a while (outside any transaction).

        A first list of a million people writes a gigabyte: in WAL mode every page goes to the WAL
        and again into the file at the checkpoint; with a rollback journal new pages are written
        once, and a kill still leaves the file as it was (the journal is rolled back on the next
        open). SQLite allows the switch only while no other connection has the file open; if one
        has, the work goes on in WAL mode."""
        if not when or self._in_tx:
            yield
            return
        try:
            mode = self.conn.execute("PRAGMA journal_mode=DELETE").fetchone()[0]
        except sqlite3.OperationalError:  # another connection holds the file
            mode = "wal"
        try:
            yield
        finally:
            if mode != "wal":
                self.conn.execute("PRAGMA journal_mode=WAL")

    @contextlib.contextmanager
    def page_cache(self, megabytes: int | None) -> Iterator[None]:
        """SQLite's page cache at `megabytes` for a while (None: unchanged). A first list of a
        million people needs the memory for its own rows more than for cached pages."""
        if megabytes is None:
            yield
            return
        before = self.conn.execute("PRAGMA cache_size").fetchone()[0]
        self.conn.execute(f"PRAGMA cache_size = {-1024 * int(megabytes)}")
        try:
            yield
        finally:
            self.conn.execute(f"PRAGMA cache_size = {int(before)}")

    def set_cache(self, megabytes: int) -> None:
        """SQLite's page cache for this connection from now on (it fills only as pages are read)."""
        self.conn.execute(f"PRAGMA cache_size = {-1024 * int(megabytes)}")

    def emit(self, kind: str, entity: str, payload: dict, author: str = "") -> Event:
        with self.writing(author) as b:
            return b.emit(kind, entity, payload)

    # ---- reading ----------------------------------------------------------------------------
    def query(self, sql: str, params: tuple | dict = ()) -> list[dict]:
        cur = self.conn.execute(sql, params)
        cols = [c[0] for c in cur.description]
        return [dict(zip(cols, r)) for r in cur.fetchall()]

    def one(self, sql: str, params: tuple | dict = ()) -> dict | None:
        rows = self.query(sql, params)
        return rows[0] if rows else None

    def scalar(self, sql: str, params: tuple | dict = ()):
        row = self.conn.execute(sql, params).fetchone()
        return row[0] if row else None

    def events_for(self, entity: str) -> list[Event]:
        rows = self.conn.execute(f"SELECT {EVENT_COLUMNS} FROM events WHERE entity=? ORDER BY {ORDER}", (entity,))
        return [Event.from_row(r) for r in rows]

    def event_count(self) -> int:
        return self.scalar("SELECT count(*) FROM events")

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self.conn.close()

    def __enter__(self) -> Workspace:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


__all__ = ["EVENT_COLUMNS", "INSERT_EVENT", "ORDER", "Event", "Workspace", "WorkspaceError", "dump_payload",
           "new_event_ids", "now_iso", "sql_literal"]  # the event names stay importable from here
