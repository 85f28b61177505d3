"""People and households: edits by cadres, people the list lacks, people who left."""

from __future__ import annotations

import hashlib

from .. import outcomes, person_fields
from ..errors import InputError
from ..storage.projection import coverage_year
from ..storage.store import Workspace
from ..text import ids
from ..text.cells import clean
from ..text.names import fold
from .visits import record_visit, resolve_person

LEFT_REASONS = outcomes.leaving()  # outcomes that take someone off the list (core/outcomes.py)
EDITABLE = person_fields.EDITABLE  # what a cadre may change (core/person_fields.py)


def household_key(village: str, head: str, address: str) -> str:
    """A stable household id for lists without 户编号: head and address within the village."""
    digest = hashlib.sha1(f"{village}|{head}|{address}".encode()).hexdigest()[:12]
    return f"H{digest}"


def update_person(ws: Workspace, raw_id: str, changes: dict, *, by: str = "") -> dict:
    pid = resolve_person(ws, raw_id)
    by = clean(by).strip()
    changes = {k: clean(v, keep_lines=k == "note") if isinstance(v, str) else v for k, v in changes.items()}
    bad = [k for k in changes if k not in EDITABLE]
    if bad:
        raise InputError(f"不能修改的字段：{'、'.join(bad)}；可修改：{'、'.join(EDITABLE)}")
    if "name" in changes:
        changes = {**changes, "name": fold(str(changes["name"] or "").strip())}
    current = ws.one("SELECT * FROM persons WHERE pid=?", (pid,))
    changed = {k: v for k, v in changes.items() if str(current.get(k) or "") != str(v or "")}
    if "phone" in changed and "phones" not in changed:
        others = [p for p in (current.get("phones") or "").split(",") if p and p != changed["phone"]]
        changed["phones"] = ",".join([changed["phone"], *others]) if changed["phone"] else ",".join(others)
    if changed:
        ws.emit("person.updated", f"p:{pid}", changed, by)
    return changed


def add_person(ws: Workspace, raw_id: str, name: str, *, village: str = "", grp: str = "", household: str = "",
               relation: str = "", address: str = "", phone: str = "", categories: str = "", by: str = "",
               reason: str = "新增") -> str:
    """Someone the bureau's list lacks (a newborn, someone who moved in)."""
    name, address, grp, relation, by = (clean(t) for t in (name, address, grp, relation, by))
    try:
        info = ids.info(raw_id)
    except ids.IdError as exc:
        raise InputError(f"身份证号有误：{exc}") from exc
    name = fold(name.strip())
    if not name:
        raise InputError("姓名不能为空")
    if ws.scalar("SELECT 1 FROM persons WHERE pid=?", (info.number,)):
        raise InputError(f"身份证号 {ids.mask(info.number)} 的人员已在名单中")
    village = village or ws.meta("village") or ""
    household = household or household_key(village, name, address)
    ws.emit("person.created", f"p:{info.number}", {
        "name": name.strip(), "sex": info.sex, "birth": info.birth.isoformat(), "village": village, "grp": grp,
        "household": household, "relation": relation or ("户主" if not household else ""), "address": address,
        "phone": phone, "phones": phone, "categories": categories, "source": reason, "active": 1,
        "township": ws.meta("township", "") or "", "year": coverage_year(ws.conn)}, by)
    return info.number


def move_person(ws: Workspace, raw_id: str, household: str, *, relation: str = "", by: str = "") -> dict:
    target = ws.one("SELECT village, grp, address FROM households WHERE hid=?", (household,))
    if target is None:
        raise InputError(f"找不到户：{household}")
    changes = {"household": household, "village": target["village"], "grp": target["grp"],
               "address": target["address"]}
    if relation:
        changes["relation"] = relation
    return update_person(ws, raw_id, changes, by=by)


def mark_left(ws: Workspace, raw_id: str, why: str, *, by: str = "", note: str = "") -> None:
    """Someone left the list (moved out, died ...): recorded as an outcome plus a flag, never deleted."""
    pid = resolve_person(ws, raw_id)
    if why not in LEFT_REASONS:
        raise InputError(f"离开原因应为 {'/'.join(LEFT_REASONS)} 之一")
    with ws.transaction():
        record_visit(ws, pid, why, by=by, via="亲属转告", note=note)
        ws.emit("person.updated", f"p:{pid}", {"active": 0, "left_reason": why}, by)
