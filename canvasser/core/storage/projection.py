"""Projections: the tables screens read, as a pure function of the event log.

Each entity ("p:<national id>", "campaign", "c:<canvasser>") is projected by folding all its events
in (hlc, origin, seq) order. The same fold serves a live write, a received package and the full
replay of `canvasser check`, so they cannot disagree. When new events all sort after a person's
stored row (`updated_hlc`), `project_people` continues the fold from that row instead of starting
over: the result is the same, only cheaper. Conflict rules (DESIGN §3):
- person fields: last writer wins per field, by that order, except that a value from a list never
  overwrites a ground field (phones, address, place away, notes) a person set (ownership.py);
- visits: append-only; a void hides one;
- status: an official payment for the coverage year outranks every claim; among claims the last
  non-voided visit (or the last claim a lower tier's paid list made, `status.claimed`) wins.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from operator import attrgetter, itemgetter

import orjson

from .. import outcomes, person_fields
from ..text import pinyin
from ..tiers import unit_label
from . import refmarks
from .events import EVENT_COLUMNS, ORDER, Event, sql_literal
from .layers import campaign_rows, campaign_value
from .ownership import take_fields
from .sqlcipher import sqlite3

PERSON_FIELDS = person_fields.NAMES  # a person's fields, in the row's order (core/person_fields.py)
DEFAULT_YEAR = 2027

# The persons row, in the one order every fold builds and reads it (tuples: a merge handles a
# quarter of a million rows). Code addresses a cell by name through _P, never by a number.
_DATE = outcomes.DATE_FIELD  # the column of the date promised (its outcome's code: core/outcomes.py)
_PREV_COLS = ("prev_outcome", "prev_reason", "prev_via", "prev_promised")  # last year's final outcome
_LAST_COLS = ("last_outcome", "last_reason", "last_via", "last_visit_at", "last_visit_by", "last_note", _DATE,
              "followup")
_PERSON_COLS = ("pid", "rpid", *PERSON_FIELDS, "status", "official", "paid_amount", "paid_at", *_LAST_COLS,
                "visit_count", "evidence", "py_initials", "py_full", "created_at", "updated_hlc", "rname",
                *_PREV_COLS, "since_year")
_P = {name: i for i, name in enumerate(_PERSON_COLS)}  # column name -> place in a persons row
_FIELDS_AT = slice(_P[PERSON_FIELDS[0]], _P[PERSON_FIELDS[-1]] + 1)  # the columns field_columns() decides
_LAST_AT = slice(_P[_LAST_COLS[0]], _P[_LAST_COLS[-1]] + 1)
_PREV_AT = slice(_P[_PREV_COLS[0]], _P[_PREV_COLS[-1]] + 1)
_PERSON_SQL = (f"INSERT OR REPLACE INTO persons ({', '.join(_PERSON_COLS)}) "
               f"VALUES ({', '.join('?' * len(_PERSON_COLS))})")
_VISIT_COLS = ("visit_id", "pid", "at", "hlc", "author", "via", "outcome", "reason", _DATE, "followup", "place",
               "note", "photos", "voided", "void_reason", "year")
_V = {name: i for i, name in enumerate(_VISIT_COLS)}  # column name -> place in a visit row
_event_key = attrgetter("hlc", "origin", "seq")  # Event.key, without a Python call per event
_kind = attrgetter("kind")


def _fetch_events(conn: sqlite3.Connection, entities: list[str]) -> dict[str, list[Event]]:
    out: dict[str, list[Event]] = defaultdict(list)
    for i in range(0, len(entities), 500):
        chunk = entities[i:i + 500]
        rows = conn.execute(f"SELECT {EVENT_COLUMNS} FROM events WHERE entity IN ({','.join('?' * len(chunk))}) "
                            f"ORDER BY entity, {ORDER}", chunk)
        for r in rows:
            out[r[5]].append(Event.from_row(r))
    return out


def coverage_year(conn: sqlite3.Connection) -> int:
    return int(campaign_value(conn, "coverage_year", DEFAULT_YEAR))


def years(conn: sqlite3.Connection) -> tuple[int, int]:
    """(the coverage year, the year of a visit or a person that does not say its own).

    Visits and list entries name their coverage year; those written before years were kept
    belong to the workspace's first year, which starting a new year records (until then, to
    the current one)."""
    rows = campaign_rows(conn)
    year = int(json.loads(rows["coverage_year"][0])) if "coverage_year" in rows else DEFAULT_YEAR
    return year, int(json.loads(rows["first_year"][0])) if "first_year" in rows else year


# the statuses a fold writes besides a visit's outcome (core/outcomes.py)
_OFFICIAL, _GONE = outcomes.OFFICIAL.code, outcomes.NOT_LISTED.code
_DATED = frozenset(outcomes.takes(outcomes.DATE))  # last year's promise keeps its date (prev_promised)
GONE_PREFIX = _GONE + ":"  # left_reason of someone the bureau's list for a year left out (+ that year)
CLAIM_KIND = "status.claimed"  # a paid list kept below the top tier: a claim (its outcome), never 医保局确认


def is_gone(active, left_reason) -> bool:
    """Whether a person is off this year's list (the status `not_listed`, outside every count)."""
    return not active and str(left_reason or "").startswith(GONE_PREFIX)


GONE_SQL = f"(active = 0 AND left_reason LIKE '{GONE_PREFIX}%')"  # is_gone, in SQL


def project(conn: sqlite3.Connection, events: list[Event], new_entities: Iterable[str] = ()) -> None:
    """Bring the projections up to date after `events` were inserted into the log."""
    new = set(new_entities)
    by_entity: dict[str, list[Event]] = defaultdict(list)
    for ev in events:
        by_entity[ev.entity].append(ev)
    # campaign first: the coverage year decides every person's status
    if "campaign" in by_entity:
        old_year, old_first = years(conn)
        project_campaign(conn, _fetch_events(conn, ["campaign"])["campaign"])
        year, first = years(conn)
        if (year, first) != (old_year, old_first):
            if year == old_year + 1 and first == old_first:
                roll_over(conn)  # the stored rows were folded for last year: shift them, no refold
            else:
                project_all_persons(conn)
                by_entity = {k: v for k, v in by_entity.items() if not k.startswith("p:")}
    people = [e for e in by_entity if e.startswith("p:")]
    project_people(conn, {e: by_entity[e] for e in people if e not in new})
    year, first = years(conn)
    fresh = []
    for entity in people:
        if entity in new:
            folded = fold_person(entity[2:], sorted(by_entity[entity], key=_event_key), year, first)
            if folded:
                fresh.append(folded)
    touched_households = project_new_people(conn, fresh, year) if fresh else set()
    for entity in by_entity:
        if entity.startswith("c:"):
            project_canvasser(conn, entity, _fetch_events(conn, [entity])[entity])
    project_households(conn, touched_households)


def roll_over(conn: sqlite3.Connection) -> None:
    """The persons rows of a new coverage year from those of the last (what `fold_person` gives
    for the new year, checked by `canvasser check`): this year's status and visit columns start
    afresh, last year's final outcome moves beside them. An UPDATE of the rows that change, not a
    refold of everyone: a township of a million starts its year in seconds. It goes a range of rowids
    at a time (ROLL_OVER_ROWS): SQLite keeps the pages a statement changes, to undo it, in memory
    (temp_store=MEMORY: nothing of an encrypted file goes to a plain temp file), and one statement
    over a township of a million people held 350 MB there."""
    dated = ",".join(f"'{c}'" for c in outcomes.takes(outcomes.DATE)) or "''"
    top = conn.execute("SELECT max(rowid) FROM persons").fetchone()[0] or 0
    for low in range(0, top + 1, ROLL_OVER_ROWS):
        conn.execute(f"""
            UPDATE persons SET
                prev_outcome = CASE WHEN official = 1 THEN '{_OFFICIAL}' ELSE last_outcome END,
                prev_reason = last_reason, prev_via = last_via,
                prev_promised = CASE WHEN official = 0 AND last_outcome IN ({dated}) THEN promised ELSE '' END,
                status = CASE WHEN {GONE_SQL} THEN '{_GONE}' ELSE '' END,
                official = 0, paid_amount = NULL, paid_at = NULL, last_outcome = '', last_reason = '', last_via = '',
                last_visit_at = '', last_visit_by = '', last_note = '', promised = '', followup = '', visit_count = 0
            WHERE rowid >= ? AND rowid < ?
                  AND (status != '' OR last_outcome != '' OR prev_outcome != '' OR prev_reason != '' OR prev_via != ''
                       OR visit_count != 0)""", (low, low + ROLL_OVER_ROWS))


ROLL_OVER_ROWS = 25_000


def project_all_persons(conn: sqlite3.Connection) -> None:
    year, first = years(conn)
    entities = [r[0] for r in conn.execute("SELECT DISTINCT entity FROM events WHERE entity LIKE 'p:%'")]
    conn.execute("DELETE FROM persons")
    conn.execute("DELETE FROM visits")
    conn.execute("DELETE FROM official_payments")
    conn.execute("DELETE FROM conflicts")
    conn.execute("DELETE FROM ref_marks")
    households: set[str] = set()
    for i in range(0, len(entities), 5000):
        chunk = _fetch_events(conn, entities[i:i + 5000])
        folded = [fold_person(e[2:], chunk.get(e, []), year, first) for e in entities[i:i + 5000]]
        households |= project_new_people(conn, [f for f in folded if f], year)
    conn.execute("DELETE FROM households")
    project_households(conn, households)


def fold_person(pid: str, events: list[Event], year: int, first: int | None = None):
    """The pure fold: (person row, visit rows, official payments {year: payment}, created-by list,
    resolution, ref_marks rows) or None. `first` is the year of visits and entries that do not name theirs.

    This year's status and visit columns come from this year's visits and payment only; last
    year's final outcome (its payment, else its last live visit) goes beside them; evidence counts
    every year's photos (the references are kept)."""
    first = year if first is None else first
    if len(events) == 1 and events[0].kind == "person.created":
        return _created_only(pid, events[0], first)
    fields: dict = {}
    created: list[tuple[str, str, str]] = []
    visits: dict[str, list] = {}
    voids: dict[str, str] = {}
    official: dict[int, tuple] = {}
    resolution = None
    refs = []
    created_at = ""
    last_hlc = ""
    since = 0
    order: dict[str, int] = {}  # visit id -> its place among the events (a claim after it wins)
    claim: tuple[int, str] | None = None  # this year's last claim from a paid list: (place, outcome)
    for i, ev in enumerate(events):
        p = ev.payload
        last_hlc = ev.hlc
        kind = ev.kind
        if kind == "visit.recorded":
            visits[ev.event_id] = visit_row(pid, ev, first)
            order[ev.event_id] = i
        elif kind == CLAIM_KIND:
            if int(p.get("year") or first) == year and p.get("outcome"):
                claim = (i, str(p["outcome"]))
        elif kind in _FIELD_KINDS:
            _take_fields(fields, kind, p)
            if kind == "person.created":
                created.append((ev.origin, p.get("village") or "", p.get("township") or ""))
                created_at = created_at or ev.recorded_at
                listed = int(p.get("year") or first)
                since = min(since, listed) if since else listed
            elif kind == "conflict.resolved":
                resolution = p
        elif kind == "visit.voided":
            voids[p["visit"]] = p.get("reason", "")
        elif kind in refmarks.REF_KINDS:
            refs.append(ev)
        elif kind == "status.official":
            paid_year = int(p.get("year", year))
            if p.get("paid", True):
                official[paid_year] = (p.get("amount"), p.get("paid_at"), p.get("channel", ""), p.get("source", ""),
                                       ev.event_id, ev.recorded_at or "")
            else:
                official.pop(paid_year, None)
    if not fields and not visits and not official:
        return None
    for vid, why in voids.items():
        if vid in visits:
            visits[vid][_V["voided"]] = 1
            visits[vid][_V["void_reason"]] = why
    live = [v for v in visits.values() if not v[_V["voided"]]]  # already in event order
    now = [v for v in live if v[_V["year"]] == year]
    before = [v for v in live if v[_V["year"]] == year - 1]
    marks = refmarks.fold_marks(refs, now[-1][_V["outcome"]] if now else "") if refs else {}
    if marks:  # other departments' lists add the categories they attest (refmarks.py)
        fields = {**fields, "categories": refmarks.merged_categories(fields.get("categories") or "", marks)}
    cols, keys = field_columns(fields)
    paid = official[year][:2] if year in official else None
    prev = previous_columns(before[-1] if before else None, year - 1 in official)
    claimed = claim[1] if claim and (not now or claim[0] > order[now[-1][_V["visit_id"]]]) else ""
    row = _person_row(pid, cols, keys, paid, _last_columns(now[-1]) if now else _NO_VISIT, len(now),
                      sum(1 for v in live if v[_V["photos"]] != _NO_PHOTOS), created_at, last_hlc, prev,
                      since or first, claimed)
    return row, list(visits.values()), official, created, resolution, refmarks.mark_rows(pid, marks)


def previous_columns(last_visit: list | None, paid: bool) -> tuple:
    """_PREV_COLS: last year's final outcome (its official payment, else its last live visit), and
    the date of a promise that was still unpaid."""
    if last_visit is None:
        return (_OFFICIAL, "", "", "") if paid else _NO_PREVIOUS
    outcome = _OFFICIAL if paid else last_visit[_V["outcome"]]
    return (outcome, last_visit[_V["reason"]], last_visit[_V["via"]],
            last_visit[_V[_DATE]] if outcome in _DATED else "")


_NO_PREVIOUS = ("", "", "", "")


_FIELD_KINDS = frozenset({"person.created", "person.updated", "conflict.resolved"})
_NO_VISIT = ("",) * 8
_NO_PHOTOS = "[]"
_MISSING = object()


def _take_fields(fields: dict, kind: str, p: dict) -> None:
    """Apply one field-writing event to `fields` (last writer wins, except that a list's value
    never overwrites a ground field a person set: ownership.py; the caller goes in event order)."""
    if kind == "conflict.resolved":
        # the chosen village's version wins whole (household, relation, group ...); an older
        # resolution names only the village
        for k, v in (p.get("fields") or {}).items():
            if k in PERSON_FIELDS:
                fields[k] = v
        if p.get("village"):
            fields["village"] = p["village"]
        if p.get("township"):
            fields["township"] = p["township"]
        return
    take_fields(fields, p, PERSON_FIELDS)


def version_fields(events: list[Event], origins: set[str]) -> dict:
    """A person's fields as written by some origins only (one village's version of a duplicate),
    folded in event order."""
    fields: dict = {}
    for ev in sorted(events, key=_event_key):
        if ev.origin in origins and ev.kind in ("person.created", "person.updated"):
            _take_fields(fields, ev.kind, ev.payload)
    return {k: v for k, v in fields.items() if k in PERSON_FIELDS}  # not the fold's ownership marks


def visit_row(pid: str, ev: Event, first: int) -> list:
    """The visits row of a visit.recorded event (not voided); `first` is the year of a visit
    that does not name its own."""
    get = ev.payload.get
    photos = get("photos", _MISSING)
    if photos is _MISSING or (type(photos) is list and not photos):
        photos = _NO_PHOTOS  # the common case, without json.dumps
    else:
        photos = json.dumps(photos, ensure_ascii=False)
    return [ev.event_id, pid, get("at") or ev.recorded_at, ev.hlc, ev.author, get("via", ""), get("outcome", ""),
            get("reason", ""), get(_DATE, ""), get("followup", ""), get("place", ""), get("note", ""), photos,
            0, "", int(get("year") or first)]


_LAST_FROM = itemgetter(_V["outcome"], _V["reason"], _V["via"], _V["at"], _V["author"], _V["note"], _V[_DATE])


def _last_columns(v: list) -> tuple:
    """The _LAST_COLS of a person whose last live visit is `v` (no follow-up date: the promised one)."""
    return (*_LAST_FROM(v), v[_V["followup"]] or v[_V[_DATE]])


# the fields that are not plain text defaulting to '' (lists, flags, a fallback), as (name, kind, fallback)
_SPECIAL = tuple((f.name, f.kind, f.fallback) for f in person_fields.FIELDS if f.kind != "text" or f.fallback)


def field_columns(fields: dict) -> tuple[tuple, tuple]:
    """The persons columns a person's fields decide: (PERSON_FIELDS in order), (py_initials, py_full, rname).

    Built from the field table (core/person_fields.py): a new field needs its record there and its
    column (a migration), nothing here."""
    get = fields.get
    special = {}
    for name, kind, fallback in _SPECIAL:
        if kind == "flag":
            special[name] = int(get(name, 1) or 0)
            continue
        value = get(name) or (get(fallback) if fallback else "") or ""
        special[name] = ",".join(value) if isinstance(value, list) else value
    name = get("name") or ""
    pyi, pyf = pinyin.keys(name)
    cols = tuple(special[k] if k in special else (get(k) or "") for k in PERSON_FIELDS)
    return cols, (pyi, pyf, name[::-1])


_ACTIVE, _LEFT_REASON = PERSON_FIELDS.index("active"), PERSON_FIELDS.index("left_reason")


def _person_row(pid: str, cols: tuple, keys: tuple, paid: tuple | None, last: tuple, live: int, evidence: int,
                created_at: str, last_hlc: str, prev: tuple = _NO_PREVIOUS, since: int = 0, claimed: str = "") -> tuple:
    """A persons row in _PERSON_COLS order (the one place it is built); `paid` is (amount, paid_at) of
    this year's official payment or None, `cols` the field_columns() and `keys` (py_initials, py_full,
    rname), `prev` the _PREV_COLS, `claimed` the outcome of a paid list's claim later than the last
    visit. The status: that payment, else off this year's list, else the claim, else the last visit."""
    status = _OFFICIAL if paid else _GONE if is_gone(cols[_ACTIVE], cols[_LEFT_REASON]) else claimed or last[0]
    return (pid, pid[::-1], *cols, status, 1 if paid else 0,
            paid[0] if paid else None, paid[1] if paid else None, *last, live, evidence, keys[0], keys[1],
            created_at, last_hlc, keys[2], *prev, since)


def _created_only(pid: str, ev: Event, first: int):
    """The fold of a lone person.created event (most people after a list import), without the loop."""
    f = ev.payload
    return (created_row(pid, f, ev.hlc, ev.recorded_at, first), [], {},
            [(ev.origin, f.get("village") or "", f.get("township") or "")], None, [])


def created_row(pid: str, f: dict, hlc: str, recorded_at: str, first: int) -> tuple:
    """The whole persons row of someone whose only event is person.created with payload `f`
    (`insert_listed_people` writes the same rows for a list's new people from its columns)."""
    cols, keys = field_columns(f)
    return _person_row(pid, cols, keys, None, _NO_VISIT, 0, 0, recorded_at, hlc, _NO_PREVIOUS,
                       int(f.get("year") or first))


_VISIT_TAIL = ["", "", "", "", "", _NO_PHOTOS, 0, ""]  # reason .. void_reason as SQLite fills them in itself
_YEAR = _V["year"]  # a visit row's year: always bound


def insert_visits(conn: sqlite3.Connection, visits: list[list]) -> None:
    """Write visit rows (`visit_row`'s shape), binding only the columns that differ from their
    defaults: a township's merge writes a quarter of a million visits, most with no reason, note
    or photo, and binding a value costs more than SQLite filling in a default (a quarter less time)."""
    groups: dict[tuple[int, ...], list[list]] = defaultdict(list)
    for v in visits:
        tail = v[7:_YEAR]
        groups[() if tail == _VISIT_TAIL else
               tuple(i for i, (x, d) in enumerate(zip(tail, _VISIT_TAIL), 7) if x != d)].append(v)
    for extra, rows in groups.items():
        cols = (*range(7), *extra, _YEAR)
        take = itemgetter(*cols)
        conn.executemany(f"INSERT OR REPLACE INTO visits ({', '.join(_VISIT_COLS[i] for i in cols)}) "
                         f"VALUES ({', '.join('?' * len(cols))})", map(take, rows))


_LISTED_COLS = ("pid", "rpid", *person_fields.LISTED, "py_initials", "py_full", "updated_hlc", "rname")


def insert_listed_people(conn: sqlite3.Connection, cols: dict[str, list], hlcs: list[str], recorded_at: str,
                         year: int) -> None:
    """The persons rows of people a list import creates (each with one person.created event, at
    `hlcs`), from the list's columns; equal to what `created_row` gives for those events.

    A township's list binds these columns for a million people: source and time are the same on
    every row and go into the statement; note, place, status and visits keep their defaults."""
    names = cols["name"]
    if "py_full" in cols:  # worked out by the list's reader
        initials, full = cols["py_initials"], cols["py_full"]
    else:
        pinyins = list(map(pinyin.keys, names))
        initials, full = [k[0] for k in pinyins], [k[1] for k in pinyins]
    listed = [[v or w for v, w in zip(cols[f.name], cols[f.fallback])] if f.fallback else cols[f.name]
              for f in map(person_fields.BY_NAME.get, person_fields.LISTED)]  # (all phones: the phone if none)
    sql = (f"INSERT OR REPLACE INTO persons ({', '.join(_LISTED_COLS)}, source, created_at, since_year) "
           f"VALUES ({', '.join('?' * len(_LISTED_COLS))}, 'bureau', {sql_literal(recorded_at)}, {int(year)})")
    conn.executemany(sql, zip(cols["pid"], [pid[::-1] for pid in cols["pid"]], *listed, initials, full, hlcs,
                              [n[::-1] for n in names]))


class _RefEvent:
    """The parts of an event the marks' fold reads (refmarks.fold_marks)."""

    __slots__ = ("kind", "payload", "hlc")

    def __init__(self, kind: str, payload: dict, hlc: str):
        self.kind, self.payload, self.hlc = kind, payload, hlc


def project_first_marks(conn: sqlite3.Connection, kind: str, pids: list[str], payloads: list[dict],
                        hlcs: list[str], known: dict[str, tuple[str, str, int]] | None = None) -> None:
    """Project one new ref event per person (at `hlcs`, later than all the person's events) for people
    with no earlier ref event: their persons row changes only in its categories and updated_hlc, and
    they get one ref_marks row; equal to what `fold_person` gives (`canvasser check` replays it).
    A department's list of a hundred thousand people is written this way, not refolded one by one.
    `known`: (categories, last_outcome, rowid) of some of them, already read in this transaction.
    Rows are written in rowid order: a township's people are spread over a big file, and visiting
    its pages in order reads each once."""
    known = known or {}
    held_rows: dict[str, tuple[str, str, int]] = {pid: known[pid] for pid in pids if pid in known}
    for chunk, marks in _chunks([pid for pid in pids if pid not in held_rows]):
        held_rows.update((r[0], (r[1], r[2], r[3])) for r in conn.execute(
            f"SELECT pid, categories, last_outcome, rowid FROM persons WHERE pid IN ({marks})", chunk))
    changed, same, rows = [], [], []
    for pid, payload, hlc in zip(pids, payloads, hlcs):
        base, last_outcome, rowid = held_rows[pid]
        marks = refmarks.fold_marks([_RefEvent(kind, payload, hlc)], last_outcome)
        cats = refmarks.merged_categories(base, marks)
        if cats != base:
            changed.append((cats, hlc, rowid))
        else:
            same.append((hlc, rowid))
        rows += refmarks.mark_rows(pid, marks)
    conn.executemany("UPDATE persons SET categories=?, updated_hlc=? WHERE rowid=?", sorted(changed, key=itemgetter(2)))
    conn.executemany("UPDATE persons SET updated_hlc=? WHERE rowid=?", sorted(same, key=itemgetter(1)))
    conn.executemany(_MARK_SQL, sorted(rows))


def project_new_people(conn: sqlite3.Connection, folded: list, year: int) -> set[str]:
    """Fast path for people seen for the first time (a list import): plain inserts, no deletes."""
    rows = [f[0] for f in folded]
    conn.executemany(_PERSON_SQL, rows)
    visits = [v for f in folded for v in f[1]]
    if visits:
        insert_visits(conn, visits)
    _write_payments_and_conflicts(conn, folded, year)
    return {r[_P["household"]] for r in rows}


def _write_payments_and_conflicts(conn: sqlite3.Connection, folded: list, year: int) -> None:
    """The official payments (every year's: last year's figures are read from them) and the
    review-queue entry of each folded person (`fold_person`'s result)."""
    for f in folded:
        for paid_year, payment in sorted(f[2].items()):
            conn.execute("INSERT OR REPLACE INTO official_payments "
                         "(pid, year, amount, paid_at, channel, source, event_id, recorded_at) VALUES (?,?,?,?,?,?,?,?)",
                         (f[0][_P["pid"]], paid_year, *payment))
        if len(conflict_units(f[3])) > 1:
            _project_conflict(conn, f[0][_P["pid"]], f[3], f[4])
        if f[5]:
            conn.executemany(_MARK_SQL, f[5])


# ---- bringing many people up to date at once (a received package) -----------------------------

_QUICK_KINDS = frozenset({"visit.recorded", "person.updated"})
_SIDE_KINDS = ("person.created", "person.updated", "conflict.resolved", "visit.voided", CLAIM_KIND,
               *sorted(refmarks.REF_KINDS))
_MARK_SQL = (f"INSERT OR REPLACE INTO ref_marks ({', '.join(refmarks.MARK_COLUMNS)}) "
             f"VALUES ({', '.join('?' * len(refmarks.MARK_COLUMNS))})")
# the persons columns a households row is made from: a change to one re-projects the household
_HOUSEHOLD_COLS = frozenset(_P[c] for c in ("name", "village", "grp", "household", "relation", "address", "active"))
_HOUSEHOLD, _UPDATED_HLC = _P["household"], _P["updated_hlc"]


def _chunks(items: list[str], size: int = 500):
    for i in range(0, len(items), size):
        chunk = items[i:i + size]
        yield chunk, ",".join("?" * len(chunk))


def _person_rows(conn: sqlite3.Connection, pids: list[str]) -> dict[str, tuple]:
    out: dict[str, tuple] = {}
    for chunk, marks in _chunks(pids):
        for r in conn.execute(f"SELECT {', '.join(_PERSON_COLS)} FROM persons WHERE pid IN ({marks})", chunk):
            out[r[0]] = r
    return out


def _all_events(conn: sqlite3.Connection, entities: list[str]) -> dict[str, list[Event]]:
    """Every event of each entity, in (hlc, origin, seq) order."""
    out: dict[str, list[Event]] = defaultdict(list)
    for chunk, marks in _chunks(entities):
        # no ORDER BY: SQLite would walk the whole entity index to honour it; sorting here is cheaper
        for r in conn.execute(f"SELECT {EVENT_COLUMNS} FROM events WHERE entity IN ({marks})", chunk):
            out[r[5]].append(Event.from_row(r))
    for evs in out.values():
        evs.sort(key=_event_key)
    return out


def _side_events(conn: sqlite3.Connection, entities: list[str]) -> dict[str, list[tuple]]:
    """(hlc, origin, seq, kind, payload JSON) of each entity's field-writing events and voids."""
    out: dict[str, list[tuple]] = defaultdict(list)
    kinds = ",".join(f"'{k}'" for k in _SIDE_KINDS)
    for chunk, marks in _chunks(entities):
        for r in conn.execute(f"SELECT entity, hlc, origin, seq, kind, payload FROM events "
                              f"WHERE entity IN ({marks}) AND kind IN ({kinds})", chunk):
            out[r[0]].append(r[1:])
    return out


@dataclass
class Held:
    """What the persons table and the log held for some people: the base the fold continues from."""

    rows: dict[str, tuple]  # pid → persons row, in _PERSON_COLS order
    side: dict[str, list[tuple]]  # entity → its field-writing events and voids (see _side_events)


def held(conn: sqlite3.Connection, entities: list[str]) -> Held:
    """The base for `project_people`. A merge reads it before inserting its events, so that only
    the events already held are walked (a township's merge would otherwise read them all again)."""
    entities = sorted(entities)
    return Held(_person_rows(conn, [e[2:] for e in entities]), _side_events(conn, entities))


def project_people(conn: sqlite3.Connection, received: dict[str, list[Event]], base: Held | None = None) -> None:
    """Bring every person in `received` ("p:" entity → its new events, already in the log) up to date.

    The common case of a merge is new visits and edits, all later than everything already folded
    into the person's row (`updated_hlc`): the fold then continues from the stored row, and only
    the new visits are written. Anything else (an event older than the stored state, a void, an
    official payment, a creation, someone without a row) is refolded over the whole history. Both
    give the same bytes as `fold_person` over everything (checked by `canvasser check`).
    `base` is `held()` of these people, read before their events were inserted (or now)."""
    if not received:
        return
    base = base or held(conn, list(received))
    old = base.rows
    year, first = years(conn)
    quick, full = {}, []
    for entity, evs in received.items():
        before = old.get(entity[2:])
        evs = sorted(evs, key=_event_key)
        if before is not None and evs[0].hlc > before[_UPDATED_HLC] and _QUICK_KINDS.issuperset(map(_kind, evs)) \
                and all(int(ev.payload.get("year") or first) == year for ev in evs if ev.kind == "visit.recorded"):
            quick[entity] = evs  # (a visit of another year, arriving late, changes last year's columns: refold)
        else:
            full.append(entity)
    rows, visits = [], []
    for entity, evs in quick.items():
        step = _bring_forward(entity[2:], old[entity[2:]], evs, base.side.get(entity, ()), first)
        if step is None:  # a stored void names a new visit: only the full fold knows what to hide
            full.append(entity)
        else:
            rows.append(step[0])
            visits.extend(step[1])
    folded, gone = _refold(conn, sorted(full), year, first)
    rows.extend(f[0] for f in folded)
    visits.extend(v for f in folded for v in f[1])
    households = _write_persons(conn, old, rows, gone)
    if visits:
        # in id order: ids are time-ordered, so the primary key and the `at` indexes grow at their ends
        visits.sort(key=itemgetter(0))
        insert_visits(conn, visits)
    _write_payments_and_conflicts(conn, folded, year)
    project_households(conn, households)


def _bring_forward(pid: str, before: tuple, evs: list[Event], side: Iterable[tuple],
                   first: int) -> tuple[tuple, list[list]] | None:
    """The fold continued from a stored row over later visits and edits: (row, new visit rows), or
    None when a stored void names one of the new visits (a void never arrives before its visit
    from an honest replica, but the full fold is the rule)."""
    upto = before[_UPDATED_HLC]
    side = [s for s in side if s[0] <= upto]  # what the row holds (`held` may have run after the insert)
    if any(s[3] in refmarks.REF_KINDS or s[3] == CLAIM_KIND for s in side):
        return None  # other departments' lists take part in the categories, a paid list's claim in the
        # status: only the full fold knows how
    visits = [visit_row(pid, ev, first) for ev in evs if ev.kind == "visit.recorded"]
    if visits and any(s[3] == "visit.voided" for s in side):
        new_ids = {v[0] for v in visits}
        if any(s[3] == "visit.voided" and orjson.loads(s[4]).get("visit") in new_ids for s in side):
            return None
    if any(ev.kind == "person.updated" for ev in evs):
        fields: dict = {}
        for s in sorted(s for s in side if s[3] != "visit.voided"):  # stored, in event order
            _take_fields(fields, s[3], orjson.loads(s[4]))
        for ev in evs:  # then the new ones, all later
            if ev.kind == "person.updated":
                _take_fields(fields, ev.kind, ev.payload)
        cols, keys = field_columns(fields)
    else:
        cols, keys = before[_FIELDS_AT], (before[_P["py_initials"]], before[_P["py_full"]], before[_P["rname"]])
    paid = (before[_P["paid_amount"]], before[_P["paid_at"]]) if before[_P["official"]] else None
    last = _last_columns(visits[-1]) if visits else before[_LAST_AT]
    evidence = before[_P["evidence"]] + sum(1 for v in visits if v[_V["photos"]] != _NO_PHOTOS)
    row = _person_row(pid, cols, keys, paid, last, before[_P["visit_count"]] + len(visits), evidence,
                      before[_P["created_at"]], evs[-1].hlc, before[_PREV_AT], before[_P["since_year"]])
    return row, visits


def _refold(conn: sqlite3.Connection, entities: list[str], year: int, first: int) -> tuple[list, list[str]]:
    """Fold each person over its whole history; clears the rows the fold rewrites in full.
    Returns (folded results, pids that no longer have a row)."""
    if not entities:
        return [], []
    history = _all_events(conn, entities)
    folded, gone = [], []
    for entity in entities:
        result = fold_person(entity[2:], history.get(entity, []), year, first)
        if result is None:
            gone.append(entity[2:])
        else:
            folded.append(result)
    for chunk, marks in _chunks([e[2:] for e in entities]):
        conn.execute(f"DELETE FROM visits WHERE pid IN ({marks})", chunk)
        conn.execute(f"DELETE FROM official_payments WHERE pid IN ({marks})", chunk)
        conn.execute(f"DELETE FROM conflicts WHERE pid IN ({marks})", chunk)
        conn.execute(f"DELETE FROM ref_marks WHERE pid IN ({marks})", chunk)
    return folded, gone


def _write_persons(conn: sqlite3.Connection, old: dict[str, tuple], rows: list[tuple], gone: list[str]) -> set[str]:
    """Write persons rows: new ones inserted, changed ones updated in only the changed columns (so
    SQLite leaves alone the indexes on columns that did not change), vanished ones deleted.
    Returns the households whose row may change."""
    inserts: list[tuple] = []
    updates: dict[tuple[int, ...], list[tuple]] = defaultdict(list)
    households: set[str] = set()
    columns = range(_P["rpid"] + 1, len(_PERSON_COLS))  # pid and rpid (first) never change
    for row in rows:
        before = old.get(row[0])
        if before is None:
            inserts.append(row)
            households.add(row[_HOUSEHOLD])
            continue
        changed = tuple([i for i in columns if row[i] != before[i]])
        if changed:
            updates[changed].append((*(row[i] for i in changed), row[0]))
            if not _HOUSEHOLD_COLS.isdisjoint(changed):
                households.update((before[_HOUSEHOLD], row[_HOUSEHOLD]))
    for changed, params in updates.items():
        sets = ", ".join(f"{_PERSON_COLS[i]}=?" for i in changed)
        conn.executemany(f"UPDATE persons SET {sets} WHERE pid=?", params)
    if inserts:
        conn.executemany(_PERSON_SQL, inserts)
    gone = [pid for pid in gone if pid in old]
    for chunk, marks in _chunks(gone):
        conn.execute(f"DELETE FROM persons WHERE pid IN ({marks})", chunk)
    households.update(old[pid][_HOUSEHOLD] for pid in gone)
    return households


def conflict_units(created: list[tuple[str, str, str]]) -> list[str]:
    """The places the creations of one person name ((origin, village, township) each): village
    names when they lie in one township (or name none), else "township/village" labels; more
    than one is a duplicate for the review queue (DESIGN §3, rule 4)."""
    named = {(t, v) for _, v, t in created if v}
    if len({t for t, _ in named if t}) <= 1:
        return sorted({v for _, v in named})
    return sorted({unit_label(t, v) if t else v for t, v in named})


def _project_conflict(conn: sqlite3.Connection, pid: str, created: list[tuple[str, str, str]], resolution) -> None:
    villages = conflict_units(created)
    if len(villages) < 2:
        conn.execute("DELETE FROM conflicts WHERE pid=?", (pid,))
        return
    origins = sorted({c[0] for c in created})
    conn.execute("INSERT OR REPLACE INTO conflicts VALUES (?,?,?,?,?)",
                 (pid, ",".join(villages), ",".join(origins), 1 if resolution else 0,
                  json.dumps(resolution, ensure_ascii=False, sort_keys=True) if resolution else ""))


def project_households(conn: sqlite3.Connection, hids: set[str]) -> None:
    hids = {h for h in hids if h}
    todo = sorted(hids)
    for i in range(0, len(todo), 500):
        chunk = todo[i:i + 500]
        marks = ",".join("?" * len(chunk))
        conn.execute(f"DELETE FROM households WHERE hid IN ({marks})", chunk)
        conn.execute(f"""
            INSERT INTO households (hid, village, grp, head, head_pid, address, members)
            SELECT household, village, grp, name, pid, address, n FROM (
                SELECT household, village, grp, name, pid, address,
                       count(*) OVER (PARTITION BY household) AS n,
                       row_number() OVER (PARTITION BY household
                                          ORDER BY (relation = '户主') DESC, active DESC, pid) AS rk
                FROM persons WHERE household IN ({marks})
            ) WHERE rk = 1""", chunk)


def project_campaign(conn: sqlite3.Connection, events: list[Event]) -> None:
    """Last writer wins per key within each layer (the event's scope; see `campaign_rows`)."""
    values: dict[tuple[str, str], tuple[str, str]] = {}
    for ev in events:
        for k, v in ev.payload.items():
            values[(ev.scope, k)] = (json.dumps(v, ensure_ascii=False, sort_keys=True), ev.hlc)
    conn.execute("DELETE FROM campaign")
    conn.executemany("INSERT INTO campaign (key, value, hlc, scope) VALUES (?,?,?,?)",
                     [(k, v, h, scope) for (scope, k), (v, h) in sorted(values.items())])


def project_canvasser(conn: sqlite3.Connection, entity: str, events: list[Event]) -> None:
    name = entity[2:]
    state = {"phone": "", "role": "", "active": 1}
    for ev in events:
        state.update({k: v for k, v in ev.payload.items() if k in state})
    conn.execute("INSERT OR REPLACE INTO canvassers VALUES (?,?,?,?)",
                 (name, state["phone"] or "", state["role"] or "", int(state["active"])))


def rebuild(conn: sqlite3.Connection) -> None:
    """Recompute every projection from the whole log (used by check and after a schema change)."""
    from .schema import PROJECTION_TABLES
    for t in PROJECTION_TABLES:
        conn.execute(f"DELETE FROM {t}")
    camp = _fetch_events(conn, ["campaign"]).get("campaign", [])
    if camp:
        project_campaign(conn, camp)
    project_all_persons(conn)
    for (entity,) in conn.execute("SELECT DISTINCT entity FROM events WHERE entity LIKE 'c:%'").fetchall():
        project_canvasser(conn, entity, _fetch_events(conn, [entity])[entity])
