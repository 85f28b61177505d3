"""Reading a bureau list into chunks of people to write, here or in a second process.

A `ListReader` turns the table's rows, a chunk at a time, into the people an import writes: rejected
rows reported (and kept for the rejects file), the same person twice reported and dropped, the
workspace's village and township filled in where the list has none, households formed.

For a big list that work runs in a second process (`BackgroundReader`) while this one writes to
SQLite: a village laptop has two cores, and reading, checking and spelling a township's million
people takes a third of the import's time when done in turn with the writing. The second process
only reads the file; every write stays in the importing process's one transaction, so a failure or
a kill of either process still leaves the workspace as it was.
"""

from __future__ import annotations

import datetime as dt
import gc
import multiprocessing
import os
import pickle
import signal
import sys
from array import array
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Protocol

from ..errors import Cancelled
from .listrows import ChunkParser, People, fill_households
from .tables import Table, cell_text, norm_header, open_table

POLL_SECONDS = 0.25  # how often a wait for the reading process hears whether the user cancelled


@dataclass
class Parsed:
    """One chunk of a list, read: the people to write and what to report about the other rows."""

    people: People
    rows: int = 0  # rows that were a person or a rejected person (not blank, total or header lines)
    rejected: list[dict] = field(default_factory=list)  # for the import report
    duplicates: list[dict] = field(default_factory=list)
    bad_rows: list[tuple[int, list, str]] = field(default_factory=list)  # (row, cells as typed, reason)


class Sightings:
    """The people met so far in a list (by `_seen_key`), the row each was first met on and a hash of
    the name it carried there.

    A township's million IDs as a set of ints take about 60 MB; their row numbers and name hashes
    wait in arrays (24 bytes a person) and are looked up only for a duplicate, which is rare: a dict
    of them would take 40 MB more, memory the page cache puts to better use."""

    def __init__(self) -> None:
        self.keys: set[int] = set()
        self.order = array("q")
        self.rows = array("q")
        self.names = array("q")
        self.index: dict[int, int] | None = None
        self.scans = 0

    def __contains__(self, pid: str) -> bool:
        return _seen_key(pid) in self.keys

    def meet(self, pids: list[str], rows: list[int], names: list[str] | None = None
             ) -> list[tuple[int, int, bool]]:
        """Record the people of a chunk (ID, sheet row, name); returns (position, first row, same
        name) of each one met before, in this chunk or an earlier one."""
        keys, order, first_rows, first_names = self.keys, self.order, self.rows, self.names
        names = names if names is not None else [""] * len(pids)
        again = []
        for i, (pid, rownum, name) in enumerate(zip(pids, rows, names)):
            key = _seen_key(pid)
            if key in keys:
                at = self._position(key)
                again.append((i, first_rows[at], first_names[at] == hash(name)))
                continue
            keys.add(key)
            if self.index is not None:
                self.index[key] = len(order)
            order.append(key)
            first_rows.append(rownum)
            first_names.append(hash(name))
        return again

    def _position(self, key: int) -> int:
        """Where `key` was first met: a scan of the array for the first few duplicates, then a dict
        of all (a file with many duplicates pays its memory, a clean one does not)."""
        if self.index is None:
            self.scans += 1
            if self.scans <= 64:
                return self.order.index(key)
            self.index = {k: i for i, k in enumerate(self.order)}
        return self.index[key]


def _seen_key(pid: str) -> int:
    """An ID as a small int (its first 17 digits decide the check character): a million of them
    take half the memory of the strings."""
    return int(pid[:17])


class ListSource(Protocol):
    """A list being read: its table (header, columns, sheets), its chunks in order, and once they
    are all read, the people met in it."""

    table: Table
    seen: Sightings | None

    def chunks(self) -> Iterator[Parsed]: ...

    def close(self) -> None: ...


class ListReader:
    """Reads a list's chunks in this process."""

    def __init__(self, table: Table, today: dt.date, defaults: dict[str, str], chunk_size: int,
                 pid_headers: frozenset[str], prepare: Callable[[People], None] | None = None):
        self.table, self.defaults, self.chunk_size, self.prepare = table, defaults, chunk_size, prepare
        self.parser = ChunkParser(table.mapping, today, pid_headers)
        self.seen = Sightings()

    def close(self) -> None:
        """Nothing to release here (the background reader has a process to stop)."""

    def chunks(self) -> Iterator[Parsed]:
        for sheet, chunk in chunks_of(self.table, self.chunk_size):
            yield self.read(sheet, chunk)

    def read(self, sheet: str, chunk: list[tuple[int, list]]) -> Parsed:
        table = self.table
        people, bad_rows = self.parser.parse(chunk)
        where = {"sheet": sheet} if len(table.sheets) > 1 else {}
        parsed = Parsed(people, len(people) + len(bad_rows), bad_rows=bad_rows)
        parsed.rejected = [{"row": rownum, "reason": why, **serial(cells, table.mapping), **where}
                           for rownum, cells, why in bad_rows]
        again = self.seen.meet(people["pid"], people.rows, people["name"])
        if again:
            cells = dict(chunk)
            for i, first, same_name in again:
                rownum = people.rows[i]
                if same_name:
                    parsed.duplicates.append({"row": rownum, "reason": f"与第{first}行是同一人（身份证号相同），只计一次",
                                              "first_row": first, **serial(cells[rownum], table.mapping), **where})
                    continue
                # the same ID under another name: one of the two rows is wrong, and it is not this
                # program's to guess which: the later row goes to the rejected rows, with the reason
                why = (f"身份证号与第{first}行相同，但姓名不同（本行“{people['name'][i]}”）：其中一行有误，"
                       f"本行未导入，请核对后改正")
                parsed.rejected.append({"row": rownum, "reason": why, "first_row": first,
                                        **serial(cells[rownum], table.mapping), **where})
                parsed.bad_rows.append((rownum, cells[rownum], why))
            dropped = {i for i, _, _ in again}
            people = people.take([i not in dropped for i in range(len(people))])
        for f, default in self.defaults.items():
            if default and not all(people[f]):
                people.cols[f] = [v or default for v in people[f]]
        fill_households(people)
        if self.prepare is not None:
            self.prepare(people)
        parsed.people = people
        return parsed


def chunks_of(table: Table, size: int) -> Iterator[tuple[str, list[tuple[int, list]]]]:
    """The table's rows in chunks of `size`, each from one sheet: (sheet, [(row number, cells)])."""
    chunk: list[tuple[int, list]] = []
    sheet = table.current_sheet
    for row in table.rows:
        if table.current_sheet != sheet and chunk:
            yield sheet, chunk
            chunk = []
        sheet = table.current_sheet
        chunk.append(row)
        if len(chunk) >= size:
            yield sheet, chunk
            chunk = []
    if chunk:
        yield sheet, chunk


def serial(cells: list, mapping: dict[str, int]) -> dict:
    """The row's 序号, as the cadre sees it in the file (for the report), if the list has one."""
    i = mapping.get("serial")
    if i is None or i >= len(cells):
        return {}
    return {"serial": cell_text(cells[i])}


@dataclass
class ListSpec:
    """What a reading process needs to open and read a list on its own."""

    path: Path
    aliases: dict[str, tuple[str, ...]]
    required: tuple[str, ...]
    overrides: dict[str, str]
    today: dt.date
    defaults: dict[str, str]
    chunk_size: int
    # more columns for each chunk, worked out where it is read (a module-level function: it is sent to
    # the reading process), so that the writing process, the slower of the two, has less to do
    prepare: Callable[[People], None] | None = None

    def open(self) -> ListReader:
        table = open_table(self.path, self.aliases, required=self.required, overrides=self.overrides)
        pid_headers = frozenset(norm_header(a) for a in self.aliases["pid"])
        return ListReader(table, self.today, self.defaults, self.chunk_size, pid_headers, self.prepare)


def start_method() -> str:
    """How the reading process starts: forked where that is safe (POSIX, no Qt loaded: the command
    line), so it needs no interpreter of its own and no imports (a quarter of a second of CPU);
    spawned where Qt's threads may run (the window) and on Windows."""
    return "fork" if os.name == "posix" and "PySide6.QtCore" not in sys.modules else "spawn"


class ReaderDied(RuntimeError):
    """The reading process ended without finishing the list (killed, or out of memory)."""


class BackgroundReader:
    """Reads a list in a second process and hands this one its chunks, one ahead at most: the pipe
    holds back a reader that runs ahead of the writer, so memory stays that of a chunk or two.

    `waiting()` is called while this process waits for the reader (a big workbook takes seconds
    before its first row); returning False cancels. `close()` stops the process, whatever state it
    is in: the caller's `with`/`finally` does that on a cancel or an error."""

    def __init__(self, spec: ListSpec, waiting: Callable[[], object] | None = None, *, early: bool = False):
        """`early`: return at once (the table arrives when first asked for), so that this process can
        open the workspace while the list is read."""
        if waiting is not None and waiting() is False:  # the user hears at once that reading began
            raise Cancelled("导入已取消，工作区未改变")
        ctx = multiprocessing.get_context(start_method())
        self._conn, child_end = ctx.Pipe(duplex=False)
        self._proc = ctx.Process(target=serve, args=(child_end, spec), name="canvasser-list-reader", daemon=True)
        self._waiting = waiting
        self.spec = spec
        self._proc.start()
        child_end.close()
        self.seen: Sightings | None = None
        self._table: Table | None = None
        if not early:
            self._table = self._receive_table()

    @property
    def table(self) -> Table:
        if self._table is None:
            self._table = self._receive_table()
        return self._table

    def _receive_table(self) -> Table:
        try:
            return self._receive("table")
        except ReaderDied as exc:  # e.g. a script without `if __name__ == "__main__":` (see the README)
            self.close()
            raise ReaderDied("读取名单的进程未能启动，导入未开始，工作区未改变") from exc
        except BaseException:
            self.close()
            raise

    def chunks(self) -> Iterator[Parsed]:
        self.table  # noqa: B018 — the table comes first in the pipe
        while True:
            kind, value = self._next()
            if kind == "end":
                self.seen = value
                return
            value.people = value.people.people()  # unpacked (_Packed)
            yield value

    def _receive(self, expected: str):
        kind, value = self._next()
        if kind != expected:
            raise ReaderDied(f"读取名单的进程答非所问（{kind}），工作区未改变")
        return value

    def _next(self) -> tuple[str, object]:
        try:  # a reader that died: EOF on Linux; on Windows poll itself fails (BrokenPipeError, WinError 109)
            while not self._conn.poll(POLL_SECONDS):
                if self._waiting is not None and self._waiting() is False:
                    raise Cancelled("导入已取消，工作区未改变")
                if not self._proc.is_alive() and not self._conn.poll(0):
                    break
            kind, value = self._conn.recv()
        except (EOFError, OSError) as exc:
            raise ReaderDied("读取名单的进程意外退出（可能是内存不足），导入未完成，工作区未改变") from exc
        if kind == "error":
            raise value
        return kind, value

    def close(self) -> None:
        self._conn.close()
        if self._proc.is_alive():
            self._proc.kill()
        self._proc.join()


def serve(conn, spec: ListSpec) -> None:
    """The reading process: sends ("table", the table without its rows), then ("chunk", Parsed) per
    chunk, then ("end", the Sightings); or ("error", exception) if the list cannot be read."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl+C is the importing process's to handle
    gc.disable()  # millions of small objects and no cycles: see gcpause
    try:
        reader = spec.open()
        conn.send(("table", replace(reader.table, rows=iter(()))))
        for parsed in reader.chunks():
            parsed.people = _pack(parsed.people)
            conn.send(("chunk", parsed))
        conn.send(("end", reader.seen))
    except BaseException as exc:  # noqa: BLE001 — whatever it is, the importing process must hear of it
        try:
            pickle.dumps(exc)
        except Exception:  # noqa: BLE001
            exc = RuntimeError(f"{type(exc).__name__}: {exc}")
        try:
            conn.send(("error", exc))
        except OSError:
            pass  # the importing process is gone: nobody to tell
    finally:
        conn.close()


_SEP = "\x00"  # in no cleaned cell, canonical ID, JSON payload (escaped there) or pinyin key


class _Packed:
    """A chunk's people as they cross the pipe: each column of text joined into one string (pickle
    copies a few long strings instead of a hundred thousand short ones, and the writer splits them
    at C speed; a fifth of the reading process's time went on pickling), other columns as they are."""

    def __init__(self, people: People):
        self.n = len(people)
        self.rows = array("q", people.rows)
        self.cols: dict[str, object] = {}
        for f, col in people.cols.items():
            try:
                joined = _SEP.join(col)
            except TypeError:  # not all text
                self.cols[f] = col
                continue
            self.cols[f] = joined if joined.count(_SEP) == self.n - 1 else col

    def people(self) -> People:
        cols = {f: (v.split(_SEP) if self.n else []) if isinstance(v, str) else v for f, v in self.cols.items()}
        return People(cols, list(self.rows))


def _pack(people: People) -> _Packed:
    return _Packed(people)
