"""What goes on paper, read from the workspace: households with someone not done, their members and
what each owes. Categories are read only to compute amounts; they never leave this module."""

from __future__ import annotations

from dataclasses import dataclass, field

from ...errors import InputError
from ...rules.campaign import STATUS_LABELS, Campaign
from ...rules.groups import group_key
from ...storage.store import Workspace
from ...text import ids
from .layout import mask_phone


@dataclass
class Member:
    pid: str
    name: str
    relation: str
    amount: int  # yuan owed after subsidy
    fully_subsidised: bool
    phone: str = ""
    last: str = ""  # label of the last outcome ('' = never visited)
    birth: str = ""
    student: bool = False
    school: str = ""  # school and class from the education department's list (matching.schools)

    @property
    def masked_id(self) -> str:
        return ids.mask(self.pid)

    @property
    def masked_phone(self) -> str:
        return mask_phone(self.phone)


@dataclass
class Household:
    hid: str
    village: str
    grp: str
    head: str
    head_pid: str
    address: str
    members: list[Member] = field(default_factory=list)  # the ones not done
    done: int = 0  # members already done (not printed on a notice)

    @property
    def total(self) -> int:
        return sum(m.amount for m in self.members)


_SQL = """
SELECT p.pid, p.name, p.relation, p.categories, p.status, p.phone, p.birth, p.household,
       h.village, h.grp, h.head, h.head_pid, h.address
FROM persons p JOIN households h ON h.hid = p.household
WHERE p.active = 1 {where}
"""


def resolve_households(ws: Workspace, wanted: list[str]) -> list[str]:
    """Household ids from what a user typed: a household id (户编号) or any member's ID number."""
    out: list[str] = []
    for raw in wanted:
        h = (raw or "").strip()
        if not h:
            continue
        if ws.scalar("SELECT 1 FROM households WHERE hid=?", (h,)):
            out.append(h)
            continue
        try:
            pid = ids.normalise(h)
        except ids.IdError:
            pid = ""
        hid = ws.scalar("SELECT household FROM persons WHERE pid=?", (pid,)) if pid else None
        if not hid:
            raise InputError(f"找不到户“{h if not pid else ids.mask(pid)}”：请填写户编号或户内成员的身份证号")
        out.append(hid)
    return list(dict.fromkeys(out))


def is_student(categories: str, birth: str, on: str) -> bool:
    """在校学生 by category, or aged 6–22 on the collection's end date."""
    if "在校学生" in (categories or "") or "学生" in (categories or ""):
        return True
    if not birth or len(birth) < 10:
        return False
    try:
        by, bm, bd = (int(x) for x in birth[:10].split("-"))
        y, m, d = (int(x) for x in on[:10].split("-"))
    except ValueError:
        return False
    age = y - by - ((m, d) < (bm, bd))
    return 6 <= age <= 22


def households_due(ws: Workspace, camp: Campaign, *, only: list[str] | None = None,
                   groups: list[str] | None = None, village: str | None = None) -> list[Household]:
    """Households with at least one active member not done, in village/group/household order,
    each with its not-done members (head first)."""
    where, params = [], []
    if only is not None:
        if not only:
            return []
        where.append(f"p.household IN ({','.join('?' * len(only))})")
        params += only
    if groups:
        where.append(f"h.grp IN ({','.join('?' * len(groups))})")
        params += groups
    if village:
        where.append("h.village = ?")
        params.append(village)
    sql = _SQL.format(where=("AND " + " AND ".join(where)) if where else "")
    done = camp.done_set
    on = str(camp.values.get("collection_end") or "")
    by_hid: dict[str, Household] = {}
    for r in ws.query(sql, tuple(params)):
        hh = by_hid.get(r["household"])
        if hh is None:
            hh = by_hid[r["household"]] = Household(r["household"], r["village"], r["grp"], r["head"],
                                                    r["head_pid"], r["address"])
        if r["status"] in done:
            hh.done += 1
            continue
        amount = camp.amount_due(r["categories"])
        hh.members.append(Member(
            pid=r["pid"], name=r["name"], relation=r["relation"], amount=amount,
            fully_subsidised=amount == 0, phone=r["phone"] or "",
            last=STATUS_LABELS.get(r["status"], r["status"]) if r["status"] else "",
            birth=r["birth"] or "", student=is_student(r["categories"], r["birth"] or "", on)))
    out = [h for h in by_hid.values() if h.members]
    for h in out:
        h.members.sort(key=lambda m: (m.pid != h.head_pid, m.relation != "户主", m.birth or "9999", m.pid))
    out.sort(key=lambda h: (h.village, group_key(h.grp), h.hid))
    return out


def canvasser_contact(ws: Workspace, name: str | None) -> tuple[str, str, bool]:
    """(name, phone, known) for the notice's contact line; ('', '', True) prints blank lines."""
    name = (name or "").strip()
    if not name:
        return "", "", True
    row = ws.one("SELECT phone FROM canvassers WHERE name=?", (name,))
    return name, (row or {}).get("phone", "") or "", row is not None
