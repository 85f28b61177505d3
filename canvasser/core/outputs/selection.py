"""What a user selected to print: a village, groups, households or people, as household ids.

The window's tree (village → group → household) and the table's filtered people, and the CLI's
`--village`, `--group`, `--household`, `--id`, all come down to one ordered list of households, so a
group's notices are that group's households and the dialog can say the scope before printing
("七组：28 户"). One rule for every printed output (notices, letters to parents, visit sheets).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..errors import InputError
from ..rules import groups as group_order
from ..storage.store import Workspace
from ..text import ids


@dataclass
class Scope:
    """A selection, as the user named it. Empty = the whole workspace."""

    village: str | None = None
    groups: list[str] = field(default_factory=list)
    households: list[str] = field(default_factory=list)
    people: list[str] = field(default_factory=list)

    @property
    def whole(self) -> bool:
        return not (self.village or self.groups or self.households or self.people)

    def label(self) -> str:
        """How the scope reads in a dialog or a summary line: 青石村 七组、八组, 3 户, 5 人."""
        parts = []
        if self.village:
            parts.append(self.village)
        if self.groups:
            parts.append("、".join(self.groups))
        if self.households:
            parts.append(f"{len(self.households)} 户")
        if self.people:
            parts.append(f"{len(self.people)} 人所在的户")
        return " ".join(parts) or "全部"


def _known(ws: Workspace, column: str, table: str, values: list[str], what: str, where: str = "",
           params: tuple = ()) -> None:
    have = {r[column] for r in ws.query(f"SELECT DISTINCT {column} FROM {table} {where}", params)}
    unknown = [v for v in values if v not in have]
    if unknown:
        shown = "、".join(sorted(h for h in have if h)[:20]) or "（无）"
        raise InputError(f"没有{what}“{'、'.join(unknown)}”。现有的{what}：{shown}")


def households(ws: Workspace, scope: Scope) -> list[str] | None:
    """The households a scope names, in village, group, household order; None = everyone.

    Unknown villages or groups are bad input (InputError naming what exists), never an empty print."""
    if scope.whole:
        return None
    where, params = [], []
    if scope.village:
        _known(ws, "village", "households", [scope.village], "村（社区）")
        where.append("village=?")
        params.append(scope.village)
    if scope.groups:
        groups = [g.strip() for g in scope.groups if g.strip()]
        cond = "WHERE village=?" if scope.village else ""
        _known(ws, "grp", "households", groups, "组", cond, tuple(params))
        where.append(f"grp IN ({','.join('?' * len(groups))})")
        params += groups
    picked: list[str] = []
    if where:
        picked = [r["hid"] for r in ws.query(
            f"SELECT hid FROM households WHERE {' AND '.join(where)} ORDER BY village, {group_order.rank_sql(ws.conn)}, hid",
            tuple(params))]
    wanted = [h.strip() for h in scope.households if h and h.strip()]
    for raw in scope.people:
        try:
            pid = ids.normalise(raw)
        except ids.IdError as exc:
            raise InputError(f"身份证号不对：{ids.mask(raw) if len(raw or '') > 8 else raw}") from exc
        hid = ws.scalar("SELECT household FROM persons WHERE pid=?", (pid,))
        if not hid:
            raise InputError(f"找不到身份证号为 {ids.mask(pid)} 的人")
        wanted.append(hid)
    if wanted:
        from .notices.data import resolve_households  # a household id or a member's ID, one rule

        extra = resolve_households(ws, wanted)
        picked = [h for h in picked if h in set(extra)] if where else extra
    return list(dict.fromkeys(picked))


def count(ws: Workspace, hids: list[str] | None) -> dict:
    """Households and people in a selection (for "七组：28 户，97 人" before printing)."""
    if hids is None:
        row = ws.one("SELECT count(*) AS households, coalesce(sum(members), 0) AS people FROM households") or {}
        return {"households": row.get("households", 0), "people": row.get("people", 0)}
    people = 0
    for i in range(0, len(hids), 500):
        chunk = hids[i:i + 500]
        people += ws.scalar(f"SELECT count(*) FROM persons WHERE household IN ({','.join('?' * len(chunk))})",
                            tuple(chunk)) or 0
    return {"households": len(hids), "people": people}


def filtered(flt) -> bool:
    """Does the table show a narrower list than the tree's scope (a search, a status, a category)?"""
    return bool(flt.text.strip() or flt.status or flt.statuses or flt.category or flt.followup_due
                or getattr(flt, "previous", ""))  # last year's status (issue 21), where the filter has it


def table_households(ws: Workspace, flt) -> tuple[list[str], int]:
    """The households of the people the table shows for `flt` (a `dashboard.PeopleFilter`), in village,
    group, household order, and how many people that is: printing "what is in the table"."""
    from ..rules import campaign
    from ..rules.dashboard import PeopleQuery

    q = PeopleQuery.of(flt, campaign.load(ws), ws=ws)
    people = ws.scalar(f"SELECT count(*) FROM persons WHERE {q.where}", q.params) or 0
    hids = [r["hid"] for r in ws.query(
        f"SELECT hid FROM households WHERE hid IN (SELECT household FROM persons WHERE {q.where})"
        f" ORDER BY village, {group_order.rank_sql(ws.conn)}, hid", q.params)]
    return hids, people


def describe(ws: Workspace, scope: Scope, flt=None) -> dict:
    """What a print would cover, said before printing: households (None = all), counts and a label
    such as "七组：28 户，97 人". With a filtered table (`flt`), the people it shows decide. `file`
    names the scope in a default file name (光明村七组, 王䶮户, 光明村筛选12人)."""
    if flt is not None and filtered(flt):
        hids, people = table_households(ws, flt)
        label = f"表格中筛选出的 {people} 人"
        return {"households": hids, "label": label, "count": {"households": len(hids), "people": people},
                "file": file_label(ws, Scope(village=getattr(flt, "village", None)), people=people)}
    hids = households(ws, scope)
    label = scope.label()
    if len(scope.households) == 1:
        label = "本户"
    return {"households": hids, "label": label, "count": count(ws, hids), "file": file_label(ws, scope)}


def file_label(ws: Workspace, scope: Scope, *, people: int | None = None) -> str:
    """The scope in a file name: the unit, then the groups, the one household (户主名户) or the
    filtered people; no character a file name cannot hold."""
    from ..rules.reports import unit

    parts = [scope.village or unit(ws)]
    if scope.groups:
        parts.append("、".join(g.strip() for g in scope.groups if g.strip()))
    if len(scope.households) == 1 and not scope.people:
        head = ws.scalar("SELECT head FROM households WHERE hid=?", (scope.households[0],)) or scope.households[0]
        parts.append(f"{head}户")
    elif scope.households or scope.people:
        parts.append(f"{len(scope.households) + len(scope.people)}户")
    if people is not None:
        parts.append(f"筛选{people}人")
    return safe_name("".join(p for p in parts if p)) or "全部"


def safe_name(text: str) -> str:
    """Text fit for a file name on Windows: no \\ / : * ? " < > | or control characters."""
    return "".join(ch for ch in text if ch not in '\\/:*?"<>|' and ord(ch) >= 32).strip(" .")
