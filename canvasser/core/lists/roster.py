"""Importing the bureau's list of people (未参保人员名单) into the workspace.

Every bad row is rejected with its sheet row number and a reason; the same person twice is a
duplicate, counted once; importing the same file again changes nothing; an updated list adds new
people and updates changed fields, and people missing from it are only reported (a missing row is
not proof of anything). The whole import is one transaction.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from itertools import chain
from pathlib import Path

import orjson

from .. import clock, outcomes, person_fields
from ..errors import Cancelled, Question
from ..rules.figures import own_unit as counted_unit
from ..storage.gcpause import no_cycle_collection
from ..storage.ownership import LIST_SOURCE
from ..storage.projection import DEFAULT_YEAR, coverage_year, insert_listed_people, project_households
from ..storage.sqlcipher import sqlite3
from ..storage.store import Workspace, now_iso
from ..text import pinyin
from ..text.cells import clean
from ..text.ids import mask
from ..text.names import rare_chars, rare_in
from ..tiers import Tier
from .listreader import BackgroundReader, ListSource, ListSpec, Sightings
from .listrows import People
from .tables import Table, cell_text, norm_header, open_table

# the list's columns: the ID, each person field a column carries (core/person_fields.py), the household
# head's name (a household without 户编号 is keyed by it) and the list's own 序号
ALIASES: dict[str, tuple[str, ...]] = {
    "pid": ("公民身份号码", "身份证号", "身份证号码", "证件号码", "身份证", "身份证件号码", "证件号", "社会保障号码",
            "社会保障号", "公民身份证号码"),
    **{f.name: f.aliases for f in person_fields.FIELDS if f.aliases},
    "head": ("户主姓名", "户主"),
    "serial": ("序号", "编号"),
}
FIELDS = tuple(ALIASES)
ROSTER_FIELDS = person_fields.FROM_COLUMNS  # what a re-import compares with what the bureau said last
_CARRIED = tuple(f for f in person_fields.LISTED if f not in ROSTER_FIELDS)  # listed from another's cell (all phones)
_SAID = (*ROSTER_FIELDS, *_CARRIED)  # what the bureau's list says of a person, compared at a re-import
_VILLAGE = _SAID.index("village")
CHUNK = 5000
# people of a re-import looked up together: each lookup of a chunk's IDs walks most of the ID and
# event indexes' pages (a chunk's people are spread over the whole file), which at a million people
# do not stay in the page cache; five chunks at a time read them a fifth as often (a new year's CPU
# time at a million people: 100 s one chunk at a time, 61 s by 25,000, 76 s by 50,000)
REIMPORT_BATCH = 25_000
HUGE_FILE = 64 << 20  # a list file this big holds about 400,000 people or more
BULK_CACHE_MB = 64  # page cache while such a list loads first: a million people stay under 500 MB
BACKGROUND_FILE = 4 << 20  # a list this big (some 25,000 rows) is read in a second process while this one writes
REQUIRED = ("name", "pid")


@dataclass
class ImportResult:
    imported: int = 0
    updated: int = 0
    unchanged: int = 0
    households: int = 0
    villages: list[str] = field(default_factory=list)
    rejected: list[dict] = field(default_factory=list)
    duplicates: list[dict] = field(default_factory=list)
    missing: int = 0
    rejects_file: str = ""
    sheet: str = ""
    header_row: int = 0
    columns: list[dict] = field(default_factory=list)
    rows: int = 0
    rare_names: list[dict] = field(default_factory=list)  # names with a character few systems can show or print
    missing_pids: list[str] = field(default_factory=list)  # kept when asked (a new year marks them gone)
    seen: object = None  # the list's IDs (a Sightings), kept when asked
    bad_rows: list = field(default_factory=list, repr=False)  # (row number, cells, reason): outputs/rejects.py saves them
    table: Table | None = field(default=None, repr=False)  # the list's table (its headers head the rejects file)
    other_villages: dict[str, int] = field(default_factory=dict)  # left out: people of other villages
    households_written: set[str] = field(default_factory=set, repr=False)  # by this import (a first list's)

    def as_json(self) -> dict:
        return {"imported": self.imported, "updated": self.updated, "unchanged": self.unchanged,
                "households": self.households, "villages": self.villages, "rejected": self.rejected,
                "duplicates": self.duplicates, "missing_from_list": self.missing, "rejects_file": self.rejects_file,
                "sheet": self.sheet, "header_row": self.header_row, "rows": self.rows, "columns": self.columns,
                "rare_names": self.rare_names, "other_villages": self.other_villages,
                "skipped_other_villages": sum(self.other_villages.values())}


def read_roster(path: str | Path, overrides: dict[str, str] | None = None) -> Table:
    return open_table(path, ALIASES, required=REQUIRED, overrides=overrides)


def import_roster(ws: Workspace, path: str | Path, *, overrides: dict[str, str] | None = None, author: str = "",
                  progress: Callable[[int, str], bool] | None = None, today: dt.date | None = None,
                  keep_missing: bool = False, all_villages: bool = False, not_paid_list: bool = False,
                  early: ListSource | None = None) -> ImportResult:
    """Import (or re-import) a list. `progress(rows_done, message)` may return False to cancel.
    `keep_missing`: also return who the list leaves out, and whom it names. The rejected rows come
    back in the result (`bad_rows`) and are kept inside the workspace (`keep_rejects`); a file of them
    to fix and import again is an output (`outputs.rejects`), written when the user asks.

    A village's workspace (made from the township's setup package) takes only that village's people
    from a wider list; a list with none of them is refused (a Question) unless `all_villages`,
    which also takes everyone. A standalone workspace takes every row, as before. A list with the columns
    of a paid list (amount, payment date) is refused unless `not_paid_list`: imported as a list of
    the unenrolled, the people who paid would be canvassed as if they had not. `early`: the list's
    reading, begun before the workspace was opened (`start_reading`); closed here in every case."""
    with no_cycle_collection():
        return _import(ws, Path(path), overrides, clean(author or "").strip(), progress, today, keep_missing,
                       all_villages, not_paid_list, early)


def _spec(path: Path, overrides: dict[str, str] | None, today: dt.date | None, defaults: dict[str, str],
          year: int | None) -> ListSpec:
    """`year`: the coverage year of a first list, whose reader works out the new people's payloads
    (None: a list into a workspace that has people, most of them on it again, for whom the payloads
    would be made in vain)."""
    return ListSpec(path, ALIASES, REQUIRED, overrides or {}, today or clock.today(), defaults, CHUNK,
                    functools.partial(prepare_created, year=year) if year is not None else None)


def start_reading(path: str | Path, *, overrides: dict[str, str] | None = None,
                  today: dt.date | None = None) -> ListSource | None:
    """Begin reading a big list for a workspace not made yet (the command line's first import), so
    that its reading process reads while the new workspace's keys are made (two Argon2id runs);
    `import_roster(..., early=)` takes it if the workspace needs nothing else of it (None: small)."""
    spec = _spec(Path(path), overrides, today, {"village": "", "township": ""}, DEFAULT_YEAR)
    if not _background(spec.path):
        return None
    return BackgroundReader(spec, early=True)


def _same_spec(a: ListSpec | None, b: ListSpec) -> bool:
    if a is None:
        return False
    key = lambda s: (s.path, s.overrides, s.today, s.defaults, s.prepare.keywords if s.prepare else None)  # noqa: E731
    return key(a) == key(b)


def _import(ws: Workspace, path: Path, overrides: dict[str, str] | None,
            author: str, progress: Callable[[int, str], bool] | None, today: dt.date | None,
            keep_missing: bool = False, all_villages: bool = False, not_paid_list: bool = False,
            early: ListSource | None = None) -> ImportResult:
    res = ImportResult()
    few = _few_people(ws)
    spec = _spec(path, overrides, today,
                 {"village": ws.meta("village", "") or "", "township": ws.meta("township", "") or ""},
                 coverage_year(ws.conn) if few else None)
    if early is not None and _same_spec(getattr(early, "spec", None), spec):
        reader = early
    else:
        if early is not None:
            early.close()
        reader = _open_reader(spec, progress, res)
    try:
        if not not_paid_list:
            _refuse_paid_list(reader.table)
        return _write(ws, reader, path, res, few, author, progress, keep_missing,
                      own_unit(ws) if not all_villages else ("", ""),
                      spec.prepare.keywords["year"] if spec.prepare else None)
    finally:
        reader.close()


def _open_reader(spec: ListSpec, progress: Callable[[int, str], bool] | None, res: ImportResult) -> ListSource:
    """A big list is read in a second process while this one writes; a small one here (starting
    a process costs more than its reading)."""
    if not _background(spec.path):
        return replace(spec, prepare=None).open()  # here the writer works out the new people's columns itself

    def waiting() -> object:
        if progress is None:
            return None
        return progress(res.rows, f"已读取 {res.rows} 行" if res.rows else "正在读取名单…")

    return BackgroundReader(spec, waiting)


def _background(path: Path) -> bool:
    return path.is_file() and path.stat().st_size >= BACKGROUND_FILE


def _write(ws: Workspace, reader: ListSource, path: Path, res: ImportResult, few: bool,
           author: str, progress: Callable[[int, str], bool] | None,
           keep_missing: bool = False, own: tuple[str, str] = ("", ""),
           prepared: int | None = None) -> ImportResult:
    """Write the reader's chunks in one transaction (the import proper); `own`: (column, name) of
    the only unit taken (a village's own village, a township's under a county its own township);
    `prepared`: the coverage year the reader made the new people's payloads for."""
    table = reader.table
    res.sheet, res.header_row, res.columns = "、".join(table.sheets) or table.sheet, table.header_row, \
        table.column_report(ALIASES)
    bad_rows: list[tuple[int, list, str]] = []
    households: set[str] = set()
    villages: set[str] = set()
    huge = few and path.stat().st_size > HUGE_FILE
    with ws.rollback_journal(when=few), ws.page_cache(BULK_CACHE_MB if huge else None), \
            ws.writing(author) as batch:
        fresh = ws.scalar("SELECT 1 FROM persons LIMIT 1") is None
        if fresh:  # households with nobody in them (none, in practice) are merged into as any written here
            res.households_written.update(r[0] for r in ws.conn.execute("SELECT hid FROM households"))
        new_households: set[str] = set()
        waiting: list[People] = []  # a re-import's chunks, looked up together (REIMPORT_BATCH)
        list_no, placed = (ws.scalar("SELECT max(list_no) FROM list_chunks") or 0) + 1, 0
        with ws.deferring_indexes("persons", "events", when=few, progress=_index_progress(progress, res)):
            for parsed in reader.chunks():
                res.rows += parsed.rows
                res.rejected += parsed.rejected
                res.duplicates += parsed.duplicates
                bad_rows += parsed.bad_rows
                people = _own_unit(parsed.people, *own, res) if own[1] else parsed.people
                if not fresh:  # a first list's households are counted in their table at the end
                    households.update(people["household"])
                villages.update(people["village"])
                if fresh:
                    new_households |= _apply(ws, batch, people, res, fresh, prepared)
                else:
                    waiting.append(people)
                    if sum(map(len, waiting)) >= REIMPORT_BATCH:
                        new_households |= _apply(ws, batch, _joined(waiting), res, fresh, prepared)
                        waiting = []
                placed = _remember_rows(ws, people, list_no, placed)
                res.rare_names += [{"row": people.rows[i], "name": people["name"][i],
                                    "chars": "".join(rare_chars(people["name"][i])), "id": mask(people["pid"][i])}
                                   for i in rare_in(people["name"])]
                if progress and progress(res.rows, f"已读取 {res.rows} 行") is False:
                    raise Cancelled("导入已取消，工作区未改变")
            if waiting:
                new_households |= _apply(ws, batch, _joined(waiting), res, fresh, prepared)
            batch.flush()
        if res.other_villages and not (res.imported or res.updated or res.unchanged):
            what = "村" if own[0] == "village" else "乡镇"
            raise Question(_not_ours(own, res.other_villages) + f"确实要导入别{what}的人员，请加 --all-villages",
                           "all_villages", _not_ours(own, res.other_villages) + f"确实要导入别{what}的人员吗？")
        if not fresh:
            project_households(ws.conn, new_households)
        villages.discard("")
        res.households = ws.scalar("SELECT count(*) FROM households") if fresh else len(households)
        res.villages = sorted(villages)
        if fresh:  # a first list misses nobody
            res.missing = 0
        elif keep_missing:
            res.missing_pids = _missing(ws, reader.seen, villages)
            res.missing = len(res.missing_pids)
        else:
            res.missing = _count_missing(ws, reader.seen, villages)
        if keep_missing:
            res.seen = reader.seen
        if ws.tier is Tier.STANDALONE and len(villages) == 1 and not ws.meta("village"):
            ws.set_meta("village", next(iter(villages)))
        if bad_rows:
            keep_rejects(ws, list_no, table, bad_rows)
        ws.conn.execute("INSERT OR REPLACE INTO imports VALUES (?,?,?,?,?,?)", (
            hashlib.sha1(f"{path}{now_iso()}".encode()).hexdigest(), "roster", path.name, file_sha256(path), now_iso(),
            json.dumps({k: v for k, v in res.as_json().items() if k in ("imported", "updated", "unchanged")})))
        if progress:
            progress(res.rows, "正在写入…")
    res.bad_rows, res.table = bad_rows, table  # (a file of them only where the user asks: outputs/rejects.py)
    return res


def _parts(items: list, size: int = CHUNK) -> list[list]:
    """`items` in pieces a statement can bind."""
    return [items[i:i + size] for i in range(0, len(items), size)]


def _joined(chunks: list[People]) -> People:
    """Chunks of a list as one (their columns end to end)."""
    if len(chunks) == 1:
        return chunks[0]
    return People({f: list(chain.from_iterable(c.cols[f] for c in chunks)) for f in chunks[0].cols},
                  list(chain.from_iterable(c.rows for c in chunks)))


def keep_rejects(ws: Workspace, list_no: int, table: Table, bad_rows: list[tuple[int, list, str]]) -> None:
    """The rows a list import rejected, as typed, kept inside the workspace (so encrypted with it, never
    a plain spreadsheet in the data folder): `outputs.rejects.export_rejects` writes them when someone asks."""
    ws.conn.execute("INSERT OR REPLACE INTO list_rejects VALUES (?,?,?,?,?)", (
        list_no, table.path.name, now_iso(), json.dumps([cell_text(h) for h in table.headers], ensure_ascii=False),
        json.dumps([[n, why, [cell_text(c) for c in cells]] for n, cells, why in bad_rows], ensure_ascii=False)))


def kept_rejects(ws: Workspace) -> list[dict]:
    """The imports whose rejected rows are kept, newest first: list number, file, when, how many rows."""
    return [{"list": r[0], "file": r[1], "at": r[2], "rows": r[3]} for r in ws.conn.execute(
        "SELECT list_no, file, at, json_array_length(rows) FROM list_rejects ORDER BY list_no DESC")]


def _remember_rows(ws: Workspace, people: People, list_no: int, chunk_no: int) -> int:
    """This chunk's IDs and 序号 in list order, as one row (the feedback sheet goes back in the
    bureau's order; see ledgers.list_order); returns the next chunk's number."""
    if people:
        ws.conn.execute("INSERT OR REPLACE INTO list_chunks VALUES (?, ?, ?, ?)",
                        (list_no, chunk_no, "\n".join(people["pid"]),
                         "\n".join(s.replace("\n", " ") for s in people["serial"])))
    return chunk_no + 1
def _refuse_paid_list(table: Table) -> None:
    """A paid list picked by mistake (it has a payment amount or date column) is a question, not a list."""
    from .paid import ALIASES as PAID
    paid = {norm_header(a) for f in ("amount", "paid_at") for a in PAID[f]}
    found = [str(h) for h in table.headers if h and norm_header(str(h)) in paid]
    if found:
        why = f"这份文件有“{'”“'.join(found[:3])}”列，像是医保局的已缴费名单，不是未参保人员名单，未导入。"
        raise Question(why + "已缴费名单请用 canvasser import-paid 导入；确实是未参保人员名单请加 --not-paid-list",
                       "not_paid_list", why + "已缴费名单应从“导入已缴费名单”导入。确实要把它当作未参保人员名单导入吗？")


def own_unit(ws: Workspace) -> tuple[str, str]:
    """(persons column, name) of the one unit a workspace takes from a wider list (figures.own_unit:
    a village its village, a township under a county its township); ('', '') takes every row."""
    return counted_unit(ws) or ("", "")


def _own_unit(people: People, col: str, own: str, res: ImportResult) -> People:
    """The people of the `own` unit (rows naming none count as ours); the others counted by unit."""
    keep = [not v or v == own for v in people[col]]
    if all(keep):
        return people
    for v, k in zip(people[col], keep):
        if not k:
            res.other_villages[v] = res.other_villages.get(v, 0) + 1
    return people.take(keep)


def _not_ours(own: tuple[str, str], others: dict[str, int]) -> str:
    what = "村" if own[0] == "village" else "乡镇"
    names = "、".join(sorted(others, key=lambda v: -others[v])[:5]) + ("等" if len(others) > 5 else "")
    return (f"这份名单里没有本{what}（{own[1]}）的人，{sum(others.values())} 人都是别的{what}的（{names}），"
            f"可能选错了文件，未导入任何人。")


def _index_progress(progress: Callable[[int, str], bool] | None, res: ImportResult
                    ) -> Callable[[int, int], None] | None:
    """Tells the user of each search index rebuilt after a first list (a cancel still rolls back)."""
    if progress is None:
        return None

    def tell(built: int, total: int) -> None:
        if progress(res.rows, f"正在建立查询索引（{built + 1}/{total}）…") is False:
            raise Cancelled("导入已取消，工作区未改变")

    return tell


def file_sha256(path: Path) -> str:
    """A file's SHA-256, read a megabyte at a time (a list imported twice is known by it)."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _few_people(ws: Workspace) -> bool:
    """Whether rebuilding the indexes after the import beats keeping them up to date row by row:
    true for a first list (a township's million people), false for a workspace already full."""
    return ws.scalar("SELECT count(*) FROM (SELECT 1 FROM persons LIMIT 20000)") < 20000


def _apply(ws: Workspace, batch, people: People, res: ImportResult, fresh: bool = False,
           prepared: int | None = None) -> set[str]:
    """Emit created/updated events for one chunk, comparing with what the last import said.

    New people go in bulk (events and persons rows straight from their columns); returns their
    households, which the caller projects once at the end. In a workspace that had nobody before
    (`fresh`) everyone is new, and their households are written with them instead."""
    if not people:
        return set()
    if fresh:
        _create(ws, batch, people, res, with_households=True, prepared=prepared)
        return set()
    pids = people["pid"]
    present = {}
    for part in _parts(sorted(pids)):  # in ID order: each part walks the ID index forward
        present.update((r[0], r) for r in ws.conn.execute(
            f"SELECT pid, {', '.join(ROSTER_FIELDS)} FROM persons WHERE pid IN ({','.join('?' * len(part))})", part))
    created = people.take([pid not in present for pid in pids])
    if created:
        _create(ws, batch, created, res, with_households=False, prepared=prepared)
    if len(created) == len(people):
        return set(created["household"])
    last = _bureau_said(ws, [pid for pid in pids if pid in present])
    state_rows = []
    again = people.take([pid in present for pid in pids])
    # a million people listed again: each one's fields as a tuple, compared with a tuple of what the
    # bureau said last (a dict per person and field took four fifths of a new year's time)
    carried = len(ROSTER_FIELDS)
    for pid, values in zip(again["pid"], zip(*(again[f] for f in _SAID))):
        said_values = last.get(pid)
        if said_values == values:  # the list says again what it said last (most people): nothing to do
            res.unchanged += 1
            continue
        if said_values is None:  # the projection keeps all phones; compare the main one
            before = (*present[pid][1:], *values[carried:])
        else:
            before = said_values
        changed = {f: v for f, v, b in zip(_SAID, values, before) if v and str(b or "") != str(v)}
        if changed:  # marked as the list's word: it never overwrites what a person set (ownership.py)
            batch.emit("person.updated", f"p:{pid}", {**changed, "source": LIST_SOURCE}, scope=values[_VILLAGE])
            res.updated += 1
        else:
            res.unchanged += 1
        state_rows.append((pid, orjson.dumps(dict(zip(_SAID, values)), option=orjson.OPT_SORT_KEYS).decode()))
    if state_rows:
        ws.conn.executemany("INSERT OR REPLACE INTO roster_state VALUES (?,?)", state_rows)
    return set(created["household"]) if created else set()


def _create(ws: Workspace, batch, people: People, res: ImportResult, *, with_households: bool,
            prepared: int | None = None) -> None:
    """person.created events and persons rows for people new to the workspace, straight from their
    columns (the fold of a lone person.created event gives exactly these rows; `check` replays it)."""
    year = coverage_year(ws.conn)
    if "payload" not in people.cols or year != prepared:  # the reader's are for another year (or none)
        prepare_created(people, year)
    hlcs, now = batch.append_many("person.created", ["p:" + pid for pid in people["pid"]],
                                  people["payload"], people["village"])
    insert_listed_people(ws.conn, people.cols, hlcs, now, year)
    if with_households:
        _add_households(ws.conn, people, res.households_written)
    res.imported += len(people)


def prepare_created(people: People, year: int) -> None:
    """What writing a chunk's people as new needs that depends on nothing in the workspace: each
    one's person.created payload and pinyin keys. A list's reader does this (in its own process for
    a big list, beside the writing: `ListSpec.prepare`), so the writer, the slower one, only writes."""
    people.cols["payload"] = created_payloads(people, year)
    keys = list(map(pinyin.keys, people["name"]))
    people.cols["py_initials"] = [k[0] for k in keys]
    people.cols["py_full"] = [k[1] for k in keys]


_CREATED_KEYS = tuple(sorted({*person_fields.LISTED, "active", "source", "year"}))  # a created payload's keys, sorted


def created_payloads(people: People, year: int) -> list[str]:
    """Each new person's person.created payload in its stored JSON form: the listed fields
    (core/person_fields.py) and active, source and year, keys built in sorted order so orjson need
    not sort them. `year`: the coverage year whose list they came onto."""
    c = people.cols
    fixed = {"active": 1, "source": LIST_SOURCE, "year": year}
    columns = [c[k] if k in c else [fixed[k]] * len(people) for k in _CREATED_KEYS]
    return [orjson.dumps(dict(zip(_CREATED_KEYS, values))).decode() for values in zip(*columns)]


def _add_households(conn: sqlite3.Connection, people: People, written: set[str]) -> None:
    """Write the households of a first list's chunk of new people, as `project_households` would
    (the 户主 heads it, else the smallest ID; members counted), from the rows in hand: a second
    pass over a million persons rows, one lookup per household, took longer than the people did.

    Lists come sorted by household, so one rarely spans two chunks; when it does, the row the
    earlier chunk wrote is merged in. Only households in `written` (those this import wrote so far, in
    a workspace that had none) can have such a row: the others are not looked up."""
    rows: dict[str, list] = {}
    c = people.cols
    for hid, pid, relation, village, grp, name, address in zip(c["household"], c["pid"], c["relation"], c["village"],
                                                              c["grp"], c["name"], c["address"]):
        if not hid:
            continue
        rank = (relation != "户主", pid)
        cur = rows.get(hid)
        if cur is None:
            rows[hid] = [hid, village, grp, name, pid, address, 1, rank]
        else:
            cur[6] += 1
            if rank < cur[7]:
                cur[1:6], cur[7] = (village, grp, name, pid, address), rank
    hids = [hid for hid in rows if hid in written]
    written.update(rows)
    for i in range(0, len(hids), 500):
        chunk = hids[i:i + 500]
        for r in conn.execute(
                "SELECT h.hid, h.village, h.grp, h.head, h.head_pid, h.address, h.members, p.relation "
                f"FROM households h JOIN persons p ON p.pid = h.head_pid WHERE h.hid IN ({','.join('?' * len(chunk))})",
                chunk):
            cur = rows[r[0]]
            cur[6] += r[6]
            if (r[7] != "户主", r[4]) < cur[7]:
                cur[1:6] = r[1:6]
    conn.executemany("INSERT OR REPLACE INTO households (hid, village, grp, head, head_pid, address, members) "
                     "VALUES (?,?,?,?,?,?,?)", [r[:7] for r in rows.values()])


def _bureau_said(ws: Workspace, pids: list[str]) -> dict[str, tuple]:
    """What the bureau's lists said last about each person, as a tuple of its `_SAID` fields (None
    where it said nothing): the roster state kept by re-imports, else the person.created event of
    the list that brought them in (a first import writes no roster state: its event already holds
    exactly that)."""
    if not pids:
        return {}
    said = {}
    pids = sorted(pids)  # each lookup walks the indexes forward
    for part in _parts(pids):
        said.update((r[0], _said(orjson.loads(r[1]))) for r in ws.conn.execute(
            f"SELECT pid, fields FROM roster_state WHERE pid IN ({','.join('?' * len(part))})", part))
    rest = [f"p:{pid}" for pid in pids if pid not in said]
    for i in range(0, len(rest), 500):
        chunk = rest[i:i + 500]
        for entity, payload in ws.conn.execute(
                f"SELECT entity, payload FROM events WHERE entity IN ({','.join('?' * len(chunk))}) "
                f"AND kind='person.created' ORDER BY hlc, origin, seq", chunk):
            fields = orjson.loads(payload)
            if fields.get("source") == LIST_SOURCE:
                said[entity[2:]] = _said(fields)  # the latest list wins
    return said


def _said(fields: dict) -> tuple:
    return tuple(map(fields.get, _SAID))


def _missing(ws: Workspace, seen: Sightings, villages: set[str]) -> list[str]:
    """People of these villages who came from a bureau list and are on this year's, but not in this one."""
    if not villages:
        return []
    marks = ",".join("?" * len(villages))
    return [pid for (pid,) in ws.conn.execute(
        f"SELECT pid FROM persons WHERE village IN ({marks}) AND source='bureau' AND {outcomes.ON_LIST_SQL} "
        f"ORDER BY pid", sorted(villages)) if pid not in seen]


def _count_missing(ws: Workspace, seen: Sightings, villages: set[str]) -> int:
    """People of these villages who came from an earlier list but are not in this one."""
    if not villages:
        return 0
    marks = ",".join("?" * len(villages))
    total = 0
    for (pid,) in ws.conn.execute(f"SELECT pid FROM persons WHERE village IN ({marks}) AND source='bureau'",
                                  sorted(villages)):
        if pid not in seen:
            total += 1
    return total
