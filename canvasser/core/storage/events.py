"""The event: the one record of a change, as stored in the `events` table (DESIGN §3).

Kept apart from `store` so that `projection` (which folds events) and `store` (which appends them
and projects in the same transaction) import it without importing each other."""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field

import orjson

ORDER = "hlc, origin, seq"


@dataclass
class Event:
    event_id: str
    origin: str
    seq: int
    hlc: str
    kind: str
    entity: str
    payload: dict
    author: str
    recorded_at: str
    scope: str = ""
    _json: str | None = field(default=None, repr=False, compare=False)

    @property
    def key(self) -> tuple[str, str, int]:
        return (self.hlc, self.origin, self.seq)

    def payload_json(self) -> str:
        if self._json is None:
            self._json = dump_payload(self.payload)
        return self._json

    def row(self) -> tuple:
        return (self.event_id, self.origin, self.seq, self.hlc, self.kind, self.entity, self.payload_json(),
                self.author, self.recorded_at, self.scope)

    def as_dict(self) -> dict:
        return {"event_id": self.event_id, "origin": self.origin, "seq": self.seq, "hlc": self.hlc,
                "kind": self.kind, "entity": self.entity, "payload": self.payload, "author": self.author,
                "recorded_at": self.recorded_at, "scope": self.scope}

    @classmethod
    def from_row(cls, row) -> Event:
        return cls(row[0], row[1], row[2], row[3], row[4], row[5], orjson.loads(row[6]), row[7] or "", row[8],
                   row[9] if len(row) > 9 else "", row[6])

    @classmethod
    def from_dict(cls, d: dict) -> Event:
        return cls(str(d["event_id"]), str(d["origin"]), int(d["seq"]), str(d["hlc"]), str(d["kind"]),
                   str(d["entity"]), dict(d["payload"]), str(d.get("author") or ""), str(d["recorded_at"]),
                   str(d.get("scope") or ""))


EVENT_COLUMNS = "event_id, origin, seq, hlc, kind, entity, payload, author, recorded_at, scope"
INSERT_EVENT = f"INSERT INTO events ({EVENT_COLUMNS}) VALUES (?,?,?,?,?,?,?,?,?,?)"


def dump_payload(payload: dict) -> str:
    """Compact JSON with sorted keys: the stored form of an event's payload (same bytes as the
    standard library's `json.dumps(sort_keys=True, separators=(",", ":"), ensure_ascii=False)`)."""
    return orjson.dumps(payload, option=orjson.OPT_SORT_KEYS).decode()


def new_event_ids(n: int) -> list[str]:
    """n unique 32-hex-digit event ids: milliseconds first, then 80 random bits (like UUIDv7).

    Time-ordered ids land at the end of the events primary-key index instead of at random pages,
    which keeps big imports and merges fast; the random part keeps them unique across laptops."""
    prefix = f"{int(time.time() * 1000):012x}"
    rnd = os.urandom(10 * n).hex()
    return [prefix + rnd[i:i + 20] for i in range(0, 20 * n, 20)]


def sql_literal(text: str) -> str:
    """`text` as an SQL string literal (quotes doubled): for values repeated on every row of a bulk insert."""
    return "'" + text.replace("'", "''") + "'"
