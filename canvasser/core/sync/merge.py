"""Validating received events and merging them into the log (insert-or-ignore by event id).

Runs inside the receiving transaction: any problem raises PackageError and nothing is kept.
"""

from __future__ import annotations

import re
from collections import defaultdict

import orjson

from ..storage.projection import CLAIM_KIND, held, project, project_people, years
from ..storage.refmarks import REF_KINDS
from ..storage.sqlcipher import sqlite3
from ..storage.store import EVENT_COLUMNS, INSERT_EVENT, Event, Workspace
from .container import PackageError

KINDS = frozenset({"person.created", "person.updated", "visit.recorded", "visit.voided", "status.official",
                   "conflict.resolved", "campaign.set", "campaign.year_started", "canvasser.set",
                   CLAIM_KIND}) | REF_KINDS
_HLC = re.compile(r"\d{13}\.\d{5}")
_TOKEN = re.compile(r"[0-9A-Za-z_.-]{1,64}")
_TOKEN_CHARS = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz_.-"
_PID = re.compile(r"\d{17}[\dX]")
_PHOTO = re.compile(r"[0-9a-f]{64}\.[a-z0-9]{1,8}")
WIRE_FIELDS = 10  # the columns of EVENT_COLUMNS, in that order
_WIRE_TYPES = [str, str, int, str, str, str, str, str, str, str]  # exactly: a bool is no seq


def event_rows(ws: Workspace, where: str = "", params: tuple = ()) -> list[tuple]:
    """Events as wire rows (payload kept as the stored JSON text), in (origin, seq) order."""
    return ws.conn.execute(f"SELECT {EVENT_COLUMNS} FROM events {where} ORDER BY origin, seq", params).fetchall()


def is_token(s: str) -> bool:
    """`_TOKEN.fullmatch(s)` without the regex engine (it runs for every event of a merge)."""
    return 0 < len(s) <= 64 and not s.strip(_TOKEN_CHARS)


def is_hlc(s: str) -> bool:
    """`_HLC.fullmatch(s)` without the regex engine (`isdecimal` is `\\d`: Unicode category Nd)."""
    return len(s) == 19 and s[13] == "." and s[:13].isdecimal() and s[14:].isdecimal()


class SeqConflict(PackageError):
    """An event reuses an (origin, seq) the receiver holds with other content."""


def _bad(n: int, why: str) -> PackageError:
    return PackageError(f"数据包第 {n} 条记录不合格（{why}），整个数据包未导入")


def validate(rows: list) -> list[Event]:
    """Check every field of every event before anything is written; returns them parsed."""
    if not isinstance(rows, list):
        raise PackageError("数据包内容格式不对，未导入任何内容")
    out = []
    append = out.append
    kinds, loads = KINDS, orjson.loads
    origins: set[str] = set()  # a package has a few origins and each person's events: check each once
    entities: set[str] = set()
    for n, r in enumerate(rows, 1):
        if type(r) is not list or list(map(type, r)) != _WIRE_TYPES:
            raise _bad(n, "字段数不对" if type(r) is not list or len(r) != WIRE_FIELDS else "字段类型不对")
        event_id, origin, seq, hlc, kind, entity, payload, author, recorded_at, scope = r
        if seq < 1 or not is_token(event_id):
            raise _bad(n, "编号不对")
        if origin not in origins:
            if not is_token(origin):
                raise _bad(n, "编号不对")
            origins.add(origin)
        if not is_hlc(hlc):
            raise _bad(n, "时间戳不对")
        if kind not in kinds:
            raise _bad(n, f"本版本不认识的记录类型 {kind[:40]}，请升级程序")
        if entity not in entities:
            if entity[:2] == "p:":
                if not _PID.fullmatch(entity, 2):
                    raise _bad(n, "人员编号不对")
            elif not (entity == "campaign" or (entity[:2] == "c:" and len(entity) > 2)):
                raise _bad(n, "对象不对")
            entities.add(entity)
        try:
            data = loads(payload)
        except ValueError as exc:
            raise _bad(n, "内容无法读取") from exc
        if type(data) is not dict:
            raise _bad(n, "内容格式不对")
        if kind == "visit.recorded":
            photos = data.get("photos")
            if photos and (type(photos) is not list
                           or not all(type(p) is str and _PHOTO.fullmatch(p) for p in photos)):
                raise _bad(n, "照片引用不对")
        append(Event(event_id, origin, seq, hlc, kind, entity, data, author, recorded_at, scope, payload))
    return out


def _existing(conn: sqlite3.Connection, values: list[str]) -> set[str]:
    found: set[str] = set()
    for i in range(0, len(values), 500):
        chunk = values[i:i + 500]
        found.update(r[0] for r in conn.execute(
            f"SELECT event_id FROM events WHERE event_id IN ({','.join('?' * len(chunk))})", chunk))
    return found


def merge(ws: Workspace, rows: list[list], events: list[Event]) -> tuple[list[Event], int]:
    """Insert the events not yet held and re-project what they touch; returns (new events, known count)."""
    ids = [r[0] for r in rows]
    known = _existing(ws.conn, ids)
    if known or len(set(ids)) < len(ids):
        new_rows, new_events = [], []
        for r, ev in zip(rows, events):
            if r[0] not in known:
                known.add(r[0])  # the same event twice in one batch: keep the first
                new_rows.append(r)
                new_events.append(ev)
    else:  # the usual first receipt: everything is new
        new_rows, new_events = rows, events
    if ws.origin in {ev.origin for ev in new_events}:
        raise PackageError("数据包中有以本工作区名义写的、本工作区却没有的记录（伪造或文件错乱），整个数据包未导入")
    people: dict[str, list[Event]] = defaultdict(list)
    others = []
    for ev in new_events:
        if ev.entity[:2] == "p:":
            people[ev.entity].append(ev)
        else:
            others.append(ev)
    if not new_events:
        return [], len(rows)
    base = held(ws.conn, list(people))  # before the insert: only the events already held are walked
    try:
        ws.conn.executemany(INSERT_EVENT, new_rows)
    except sqlite3.IntegrityError as exc:
        raise SeqConflict("数据包中的记录与本工作区已有记录编号冲突（同一来源、同一序号却内容不同），"
                           "整个数据包未导入") from exc
    year = years(ws.conn)
    if others:
        project(ws.conn, others)  # the campaign first: its coverage year decides every status
    if people:
        # a new year has just shifted (or refolded) everyone: the base read before is stale
        project_people(ws.conn, people, base if years(ws.conn) == year else None)
    ws.clock.observe(max(ev.hlc for ev in new_events))
    return new_events, len(rows) - len(new_events)
