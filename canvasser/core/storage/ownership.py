"""Who owns a person's field: the bureau's list, or what was learned at the door.

The list is the authority for who someone is (name, ID, sex, birth, category, list status); the
ground is the authority for how to reach them (phones, address, place working away, notes). A value
that came from a list (an event whose payload says source "bureau") never overwrites a ground field
that a person set: whatever the order events arrive in, and wherever the list was imported, the
fold below keeps the last ground value of such a field and keeps the list's value aside (shown in
the person's history). A field nobody edited follows the lists (last writer wins, as every other
field). The rule is a pure function of the events in (hlc, origin, seq) order, so every replica
converges.
"""

from __future__ import annotations

from .. import person_fields

LIST_SOURCE = "bureau"
GROUND_FIELDS = person_fields.GROUND_OWNED  # phones, address, place away, notes (core/person_fields.py)
_GROUND = "_ground"  # the key, in a fold's field dict, of the ground fields a person has set


def from_list(payload: dict) -> bool:
    """Whether an event's values came from the bureau's list (an import, not a person)."""
    return payload.get("source") == LIST_SOURCE


def take_fields(fields: dict, payload: dict, known: tuple | frozenset) -> None:
    """Apply one person.created/person.updated payload to a fold's `fields` (events in order).
    `known`: the person fields a payload may set."""
    if from_list(payload):
        ground = fields.get(_GROUND, ())
        for k, v in payload.items():
            if k in known and k not in ground:
                fields[k] = v
        return
    ground = fields.get(_GROUND)
    for k, v in payload.items():
        if k in known:
            fields[k] = v
            if k in GROUND_FIELDS:
                if ground is None:
                    ground = fields[_GROUND] = set()
                ground.add(k)


def set_aside(events: list[dict]) -> list[dict]:
    """For a person's history (dicts with "kind" and "payload"): each list event's values for
    ground fields a person set, which the fold did not take; one dict per event (often empty)."""
    ground = {k for e in events if e["kind"] in ("person.created", "person.updated") and not from_list(e["payload"])
              for k in e["payload"] if k in GROUND_FIELDS}
    return [{k: v for k, v in e["payload"].items() if k in ground and v}
            if e["kind"] in ("person.created", "person.updated") and from_list(e["payload"]) else {}
            for e in events]
