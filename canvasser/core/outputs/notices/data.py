"""What goes on paper, read from the workspace: households with someone not done, their members and
what each owes. Categories are read only to compute amounts; they never leave this module."""

from __future__ import annotations

from dataclasses import dataclass, field

from ...errors import InputError
from ...rules.campaign import STATUS_LABELS, TAKES_DATE, Campaign
from ...rules.groups import group_key
from ...storage.store import Workspace
from ...text import ids


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
    promised: str = ""  # the date promised, when the status is a promise (the visit sheet shows it)

    @property
    def masked_id(self) -> str:
        return ids.mask(self.pid)


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
    aid: bool = False  # a member (done or not) qualifies for 医疗救助: a notice may name the third guarantee

    @property
    def total(self) -> int:
        return sum(m.amount for m in self.members)


_SQL = """
SELECT p.pid, p.name, p.relation, p.categories, p.status, p.phone, p.birth, p.household, p.promised AS promised_on,
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


STUDENT_WORD = "学生"  # in a category (在校学生, 学生): listed as a student by the bureau's list


def listed_student(categories: str) -> bool:
    """A student by the list's own category; the education bureau's list and a school recorded
    are the other two ways (`students.listed`). Age alone never makes anyone a student."""
    return STUDENT_WORD in (categories or "")


def age_on(birth: str, on: str) -> int | None:
    """Whole years of age on the date `on` (both ISO dates); None when either is unreadable."""
    try:
        by, bm, bd = (int(x) for x in (birth or "")[:10].split("-"))
        y, m, d = (int(x) for x in (on or "")[:10].split("-"))
    except ValueError:
        return None
    return y - by - ((m, d) < (bm, bd))


def medical_aid(camp: Campaign, categories: str) -> bool:
    """Whether someone's categories open 医疗救助 to them: the groups the government subsidises
    (特困, 低保, 监测 ...: `Campaign.subsidy_for`). Only ever used to choose a notice's wording."""
    return camp.subsidy_for(categories) > 0


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
    by_hid: dict[str, Household] = {}
    for r in ws.query(sql, tuple(params)):
        hh = by_hid.get(r["household"])
        if hh is None:
            hh = by_hid[r["household"]] = Household(r["household"], r["village"], r["grp"], r["head"],
                                                    r["head_pid"], r["address"])
        if not hh.aid and medical_aid(camp, r["categories"]):
            hh.aid = True
        if r["status"] in done:
            hh.done += 1
            continue
        amount = camp.amount_due(r["categories"])
        hh.members.append(Member(
            pid=r["pid"], name=r["name"], relation=r["relation"], amount=amount,
            fully_subsidised=amount == 0, phone=r["phone"] or "",
            last=STATUS_LABELS.get(r["status"], r["status"]) if r["status"] else "",
            birth=r["birth"] or "", student=listed_student(r["categories"]),
            promised=(r["promised_on"] or "") if r["status"] in TAKES_DATE else ""))
    out = [h for h in by_hid.values() if h.members]
    for h in out:
        h.members.sort(key=lambda m: (m.pid != h.head_pid, m.relation != "户主", m.birth or "9999", m.pid))
    out.sort(key=lambda h: (h.village, group_key(h.grp), h.hid))
    return out


def canvasser_contact(ws: Workspace, name: str | None) -> tuple[str, str, bool]:
    """(name, phone, known) of a canvasser's profile; ('', '', True) when no name is given."""
    name = (name or "").strip()
    if not name:
        return "", "", True
    row = ws.one("SELECT phone FROM canvassers WHERE name=?", (name,))
    return name, (row or {}).get("phone", "") or "", row is not None


VILLAGE_PHONE = "contact_phone:"  # meta + village: the village committee's phone, printed when no canvasser's is


@dataclass(frozen=True)
class Contact:
    """Whom a household calls, as printed: the canvasser's name and phone, else the village
    committee's phone. `source` is "canvasser", "village" or "" (no phone known: printing asks)."""

    name: str
    phone: str
    source: str
    known: bool = True  # False: --by named someone with no profile

    @property
    def phone_label(self) -> str:
        return "村（社区）电话：" if self.source == "village" else "电话："


def village_phone(ws: Workspace, village: str) -> str:
    return ws.meta(VILLAGE_PHONE + (village or ""), "") or ""


def set_village_phone(ws: Workspace, village: str, phone: str) -> str:
    """Remember the village committee's phone for this workspace's printing (checked like the
    hotline: digits, dashes, brackets, 转)."""
    from ...rules import settings

    phone = settings.check("bureau_phone", phone, "村（社区）联系电话")
    if not phone:
        raise InputError("村（社区）联系电话不能为空")
    ws.set_meta(VILLAGE_PHONE + (village or ""), phone)
    return phone


def contact(ws: Workspace, by: str | None, village: str) -> Contact:
    """The contact line of a print: the canvasser `by` with their profile's phone, else the
    village committee's phone remembered for `village`; no phone at all is `source == ""`."""
    name, phone, known = canvasser_contact(ws, by)
    if phone:
        return Contact(name, phone, "canvasser", known)
    phone = village_phone(ws, village)
    return Contact(name, phone, "village" if phone else "", known)
