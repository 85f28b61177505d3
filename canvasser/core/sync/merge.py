"""Validating received events and merging them into the log (insert-or-ignore by event id).

Runs inside the receiving transaction: any problem raises PackageError and nothing is kept.
"""

from __future__ import annotations

import json
import re
import sqlite3
from collections import defaultdict

from ..projection import coverage_year, fold_person, project, project_households, project_new_people
from ..store import EVENT_COLUMNS, Event, Workspace
from .container import PackageError

KINDS = frozenset({"person.created", "person.updated", "visit.recorded", "visit.voided", "status.official",
                   "conflict.resolved", "campaign.set", "canvasser.set"})
_HLC = re.compile(r"\d{13}\.\d{5}")
_TOKEN = re.compile(r"[0-9A-Za-z_.-]{1,64}")
_PID = re.compile(r"\d{17}[\dX]")
_PHOTO = re.compile(r"[0-9a-f]{64}\.[a-z0-9]{1,8}")
WIRE_FIELDS = 10  # the columns of EVENT_COLUMNS, in that order


def event_rows(ws: Workspace, where: str = "", params: tuple = ()) -> list[tuple]:
    """Events as wire rows (payload kept as the stored JSON text), in (origin, seq) order."""
    return ws.conn.execute(f"SELECT {EVENT_COLUMNS} FROM events {where} ORDER BY origin, seq", params).fetchall()


def _bad(n: int, why: str) -> PackageError:
    return PackageError(f"数据包第 {n} 条记录不合格（{why}），整个数据包未导入")


def validate(rows: list) -> list[Event]:
    """Check every field of every event before anything is written; returns them parsed."""
    if not isinstance(rows, list):
        raise PackageError("数据包内容格式不对，未导入任何内容")
    out = []
    token, hlc_re, pid_re, kinds, loads = _TOKEN.fullmatch, _HLC.fullmatch, _PID.fullmatch, KINDS, json.loads
    for n, r in enumerate(rows, 1):
        if type(r) is not list or len(r) != WIRE_FIELDS:
            raise _bad(n, "字段数不对")
        event_id, origin, seq, hlc, kind, entity, payload, author, recorded_at, scope = r
        if not (type(event_id) is str and type(origin) is str and type(hlc) is str and type(kind) is str
                and type(entity) is str and type(payload) is str and type(author) is str
                and type(recorded_at) is str and type(scope) is str and type(seq) is int):
            raise _bad(n, "字段类型不对")
        if seq < 1 or not token(event_id) or not token(origin):
            raise _bad(n, "编号不对")
        if not hlc_re(hlc):
            raise _bad(n, "时间戳不对")
        if kind not in kinds:
            raise _bad(n, f"本版本不认识的记录类型 {kind[:40]}，请升级程序")
        if entity[:2] == "p:":
            if not pid_re(entity, 2):
                raise _bad(n, "人员编号不对")
        elif not (entity == "campaign" or (entity[:2] == "c:" and len(entity) > 2)):
            raise _bad(n, "对象不对")
        try:
            data = loads(payload)
        except ValueError as exc:
            raise _bad(n, "内容无法读取") from exc
        if type(data) is not dict:
            raise _bad(n, "内容格式不对")
        if kind == "visit.recorded":
            photos = data.get("photos", [])
            if photos and (type(photos) is not list
                           or not all(type(p) is str and _PHOTO.fullmatch(p) for p in photos)):
                raise _bad(n, "照片引用不对")
        out.append(Event(event_id, origin, seq, hlc, kind, entity, data, author, recorded_at, scope, payload))
    return out


def _existing(conn: sqlite3.Connection, values: list[str]) -> set[str]:
    found: set[str] = set()
    for i in range(0, len(values), 500):
        chunk = values[i:i + 500]
        found.update(r[0] for r in conn.execute(
            f"SELECT event_id FROM events WHERE event_id IN ({','.join('?' * len(chunk))})", chunk))
    return found


def _chunks(items: list[str], size: int = 500):
    for i in range(0, len(items), size):
        chunk = items[i:i + size]
        yield chunk, ",".join("?" * len(chunk))


def _stored_events(conn: sqlite3.Connection, entities: list[str]) -> dict[str, list[Event]]:
    out: dict[str, list[Event]] = defaultdict(list)
    for chunk, marks in _chunks(entities):
        # no ORDER BY: SQLite would walk the whole entity index to honour it; the caller sorts
        for r in conn.execute(f"SELECT {EVENT_COLUMNS} FROM events WHERE entity IN ({marks})", chunk):
            out[r[5]].append(Event.from_row(r))
    return out


def _reproject_people(conn: sqlite3.Connection, stored: dict[str, list[Event]], new: dict[str, list[Event]],
                      old_households: set[str]) -> None:
    """Fold every touched person once over its whole history (held + received), in bulk.

    The same fold as every other write (`projection.fold_person`); only the deletes and inserts are
    batched, which is what makes merging a township's worth of packages fast."""
    year = coverage_year(conn)
    folded, gone = [], []
    for entity, received in new.items():
        events = sorted([*stored.get(entity, []), *received], key=lambda e: e.key)
        result = fold_person(entity[2:], events, year)
        if result is None:
            gone.append(entity[2:])
        else:
            folded.append(result)
    pids = sorted(e[2:] for e in new)
    for chunk, marks in _chunks(pids):
        conn.execute(f"DELETE FROM visits WHERE pid IN ({marks})", chunk)
        conn.execute(f"DELETE FROM official_payments WHERE pid IN ({marks})", chunk)
        conn.execute(f"DELETE FROM conflicts WHERE pid IN ({marks})", chunk)
    for chunk, marks in _chunks(gone):
        conn.execute(f"DELETE FROM persons WHERE pid IN ({marks})", chunk)
    households = project_new_people(conn, folded, year) if folded else set()
    project_households(conn, households | old_households)


def merge(ws: Workspace, rows: list[list], events: list[Event]) -> tuple[list[Event], int]:
    """Insert the events not yet held and re-project what they touch; returns (new events, known count)."""
    known = _existing(ws.conn, [r[0] for r in rows])
    seen: set[str] = set()
    new_rows, new_events = [], []
    for r, ev in zip(rows, events):
        if r[0] in known or r[0] in seen:
            continue
        seen.add(r[0])
        new_rows.append(tuple(r))
        new_events.append(ev)
    mine = ws.origin
    if any(ev.origin == mine for ev in new_events):
        raise PackageError("数据包中有以本工作区名义写的、本工作区却没有的记录（伪造或文件错乱），整个数据包未导入")
    if not new_events:
        return [], len(rows)
    people: dict[str, list[Event]] = defaultdict(list)
    others = []
    for ev in new_events:
        if ev.entity.startswith("p:"):
            people[ev.entity].append(ev)
        else:
            others.append(ev)
    entities = sorted(people)
    stored = _stored_events(ws.conn, entities)
    old_households: set[str] = set()
    for chunk, marks in _chunks([e[2:] for e in entities]):
        old_households.update(r[0] for r in ws.conn.execute(
            f"SELECT household FROM persons WHERE pid IN ({marks})", chunk))
    try:
        ws.conn.executemany(f"INSERT INTO events ({EVENT_COLUMNS}) VALUES (?,?,?,?,?,?,?,?,?,?)", new_rows)
    except sqlite3.IntegrityError as exc:
        raise PackageError("数据包中的记录与本工作区已有记录编号冲突（同一来源、同一序号却内容不同），"
                           "整个数据包未导入") from exc
    if others:
        project(ws.conn, others)  # the campaign first: its coverage year decides every status
    if people:
        _reproject_people(ws.conn, stored, people, old_households)
    ws.clock.observe(max(ev.hlc for ev in new_events))
    return new_events, len(rows) - len(new_events)
