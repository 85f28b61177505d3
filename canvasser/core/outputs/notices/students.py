"""Who a letter to parents is written for: students the lists name, and school-age people to ask about.

A student is someone *listed* as one: a category with 学生 on the bureau's list, a row on the
education bureau's list (`canvasser match --kind 学生`), or a school recorded from it. Nobody becomes
a student by age alone: a 22-year-old working away is not "某某同学". People of school age who are
not listed are offered to the cadre instead (`school_age_unlisted`): confirmed, their category gains
在校学生 (a person edit, which travels to the township like any other); declined, this workspace
remembers it and does not ask again.
"""

from __future__ import annotations

import json

from ...errors import InputError
from ...rules.campaign import Campaign
from ...rules.people import update_person
from ...storage.store import Workspace
from .data import Household, age_on, households_due, listed_student

SCHOOL_AGE = (6, 22)  # years on the collection's last day: primary school to university
CATEGORY = "在校学生"
DECLINED = "letter.not_students"  # meta: pids a cadre said are not students (local, never printed)


def mark_listed(ws: Workspace, hhs: list[Household]) -> None:
    """Set each member's `student` (category or the education bureau's list) and `school`."""
    from ...lists.matching import schools

    known = schools(ws, [m.pid for h in hhs for m in h.members], listed=True)
    for m in (m for h in hhs for m in h.members):
        if m.pid in known:
            m.student = True
            m.school = " ".join(filter(None, known[m.pid]))


def declined(ws: Workspace) -> set[str]:
    try:
        return set(json.loads(ws.meta(DECLINED) or "[]"))
    except ValueError:
        return set()


def school_age_unlisted(ws: Workspace, camp: Campaign, hhs: list[Household] | None = None) -> list[dict]:
    """People not yet done, of school age, listed nowhere as students and not declined: the ones a
    cadre is asked about before letters go out. `hhs` (already marked) narrows it to a print's scope."""
    if hhs is None:
        hhs = households_due(ws, camp)
        mark_listed(ws, hhs)
    on = str(camp.values.get("collection_end") or "")
    lo, hi = SCHOOL_AGE
    skip = declined(ws)
    out = []
    for h in hhs:
        for m in h.members:
            age = age_on(m.birth, on)
            if m.student or m.pid in skip or age is None or not lo <= age <= hi:
                continue
            out.append({"id": m.pid, "name": m.name, "age": age, "household": h.hid, "head": h.head,
                        "village": h.village, "group": h.grp})
    return out


def unlisted_in(ws: Workspace, households: list[str] | None = None) -> list[dict]:
    """`school_age_unlisted` among these households (None: all) with someone not yet done."""
    from ...rules.campaign import load

    camp = load(ws)
    hhs = households_due(ws, camp, only=households)
    mark_listed(ws, hhs)
    return school_age_unlisted(ws, camp, hhs)


def _pids(ws: Workspace, raw: list[str]) -> list[str]:
    from ...rules.visits import resolve_person

    return list(dict.fromkeys(resolve_person(ws, r) for r in raw if (r or "").strip()))


def confirm(ws: Workspace, raw_ids: list[str], *, by: str = "") -> int:
    """The cadre says these are students: their category gains 在校学生 (one edit each, undoable
    like any edit). Returns how many changed."""
    pids = _pids(ws, raw_ids)
    changed = 0
    with ws.transaction():
        for pid in pids:
            cats = ws.scalar("SELECT categories FROM persons WHERE pid=?", (pid,)) or ""
            if listed_student(cats):
                continue
            update_person(ws, pid, {"categories": "、".join(filter(None, (cats, CATEGORY)))}, by=by)
            changed += 1
        if pids:
            ws.set_meta(DECLINED, json.dumps(sorted(declined(ws) - set(pids))))
    return changed


def decline(ws: Workspace, raw_ids: list[str]) -> int:
    """The cadre says these are not students: not asked again in this workspace."""
    pids = _pids(ws, raw_ids)
    if not pids:
        raise InputError("请给出身份证号")
    with ws.transaction():
        ws.set_meta(DECLINED, json.dumps(sorted(declined(ws) | set(pids))))
    return len(pids)
