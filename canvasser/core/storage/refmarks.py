"""What other departments' lists say about one person, as a pure fold of the person's `ref.*` events.

A department's list (低保, 特困, 学生, 死亡, ...) leaves events on each person it names, each with its
source (the list's id, kind, name and date):

- `ref.matched`   the person is on the list (by ID, or a proposed match a person confirmed); carries
                  the list's effect (a category, an outcome, a school and class);
- `ref.proposed`  a row without a usable ID looks like this person (name + birth date + village):
                  never an effect until confirmed;
- `ref.rejected`  a reviewer said the proposal is not this person;
- `ref.absent`    a later list of the same kind does not hold the person (its effect ends);
- `ref.withdrawn` the list was withdrawn: its marks stop counting (a later re-import counts again).

Among a kind's matched and absent marks the latest list (by its date, then when it was recorded)
decides: that is how a later list supersedes an earlier one, and how withdrawing the later one
brings the earlier one back. The fold is the same for a live write, a received package and `check`.
"""

from __future__ import annotations

from collections.abc import Iterable

import orjson

REF_KINDS = frozenset({"ref.matched", "ref.proposed", "ref.rejected", "ref.absent", "ref.withdrawn"})

# states of a mark (the ref_marks projection)
MATCHED, PROPOSED, REJECTED, ABSENT, SUPERSEDED, WITHDRAWN = (
    "matched", "proposed", "rejected", "absent", "superseded", "withdrawn")

MARK_COLUMNS = ("pid", "list", "kind", "date", "name", "state", "how", "effect", "note", "row", "hlc")


def fold_marks(events: Iterable, last_outcome: str) -> dict[str, dict]:
    """The person's marks by list id, from their ref events in (hlc, origin, seq) order.
    `last_outcome` is the person's last live visit outcome (an outcome list confirms it or not)."""
    marks: dict[str, dict] = {}
    for ev in events:
        p = ev.payload
        lid = str(p.get("list") or "")
        if not lid:
            continue
        cur = marks.get(lid)
        kind = ev.kind
        if kind == "ref.withdrawn":
            if cur is not None:
                cur["state"] = WITHDRAWN
                cur["hlc"] = ev.hlc
            continue
        if kind == "ref.rejected":
            if cur is not None and cur["state"] == PROPOSED:
                cur["state"] = REJECTED
                cur["hlc"] = ev.hlc
            continue
        if kind == "ref.proposed" and cur is not None and cur["state"] != WITHDRAWN:
            continue  # a proposal never undoes a match or a rejection
        state = {"ref.matched": MATCHED, "ref.proposed": PROPOSED, "ref.absent": ABSENT}[kind]
        marks[lid] = {"list": lid, "kind": str(p.get("kind") or ""), "date": str(p.get("date") or ""),
                      "name": str(p.get("name") or ""), "state": state, "how": str(p.get("how") or ""),
                      "effect": p.get("effect") if isinstance(p.get("effect"), dict) else {},
                      "row": int(p.get("row") or 0), "hlc": ev.hlc, "note": ""}
    latest: dict[str, tuple] = {}
    for m in marks.values():
        if m["state"] in (MATCHED, ABSENT):
            key = (m["date"], m["hlc"], m["list"])
            if m["kind"] not in latest or key > latest[m["kind"]]:
                latest[m["kind"]] = key
    for m in marks.values():
        if m["state"] in (MATCHED, ABSENT) and (m["date"], m["hlc"], m["list"]) != latest[m["kind"]]:
            m["state"] = SUPERSEDED
        outcome = m["effect"].get("outcome")
        if outcome and m["state"] == MATCHED:
            m["note"] = "走访结果一致，名单确认" if last_outcome == outcome else "走访未记录此结果，需跟进核实"
    return marks


def active_effects(marks: dict[str, dict]) -> list[dict]:
    """The effects that count now (matched marks no later list or withdrawal has ended), in list order."""
    return [m["effect"] for _, m in sorted(marks.items()) if m["state"] == MATCHED]


def merged_categories(base: str | list, marks: dict[str, dict]) -> str:
    """The person's categories: the bureau's, plus each category an active list adds that none of
    the bureau's already holds (so the subsidy and the special groups follow the evidence)."""
    if isinstance(base, list):
        base = ",".join(base)
    parts = [c for c in (base or "").split(",") if c]
    for effect in active_effects(marks):
        cat = str(effect.get("category") or "")
        key = str(effect.get("keyword") or cat)
        if cat and not any(key in c for c in parts):
            parts.append(cat)
    return ",".join(parts)


def mark_rows(pid: str, marks: dict[str, dict]) -> list[tuple]:
    """The ref_marks rows of one person (MARK_COLUMNS order)."""
    return [(pid, m["list"], m["kind"], m["date"], m["name"], m["state"], m["how"],
             orjson.dumps(m["effect"], option=orjson.OPT_SORT_KEYS).decode(), m["note"], m["row"], m["hlc"])
            for _, m in sorted(marks.items())]
