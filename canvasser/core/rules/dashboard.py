"""What the main window counts and filters by: tree counts, the progress strip, the people filters.

Kept in core (no Qt) so the window holds no rules: "done" is the campaign's done set, "follow-up
due" is the same condition as `visits.followups`, categories match by keyword as `campaign` does.
Every query is an indexed scan or a single GROUP BY, so it stays usable at 1,000,000 people.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from ..storage.store import Workspace
from . import figures
from .campaign import OUTCOMES, Campaign
from .campaign import load as load_campaign
from .search import where_clause
from .visits import followup_due

# status filter keys -> Chinese label (outcome codes are filters too)
STATUS_FILTERS: dict[str, str] = {
    "": "全部状态", "todo": "未完成", "done": "已完成", "none": "未走访", "paid_official": "医保局确认已缴",
    **{code: label for code, (label, _) in OUTCOMES.items()},
}


def _marks(values) -> str:
    return ",".join("?" * len(values))


# last year's outcome filters (a new year's memory, issue 21)
PREVIOUS_FILTERS: dict[str, str] = {
    "": "去年结果", "refused": "去年拒绝", "promised": "去年承诺未缴", "migrant_informed": "去年外出已告知",
    "not_home": "去年无人在家", "unreachable": "去年联系不上", "any": "去年有结果",
}


def status_condition(key: str, camp: Campaign) -> tuple[str, list]:
    """The SQL condition on persons.status for one status filter key (STATUS_FILTERS)."""
    done = sorted(camp.done_set)
    if key == "done":
        return f"status IN ({_marks(done)})", list(done)
    if key == "todo":  # (those off this year's list are nobody's task)
        return f"status NOT IN ({_marks([*done, 'not_listed'])})", [*done, "not_listed"]
    if key == "none":
        return "status = ''", []
    return "status = ?", [key]


@dataclass
class PeopleFilter:
    """The people table's current search: one text box plus the filter controls."""

    text: str = ""
    status: str = ""  # '' | todo | done | none | paid_official | an outcome code
    statuses: tuple[str, ...] = ()  # several of those keys at once (any of them), besides `status`
    category: str = ""  # '' | '*' (any special group) | a category keyword
    village: str | None = None
    grp: str | None = None
    household: str | None = None
    followup_due: bool = False
    active_only: bool = False
    previous: str = ""  # '' | 'any' | last year's outcome code (PREVIOUS_FILTERS)

    def where(self, camp: Campaign, today: dt.date | None = None) -> tuple[str, list]:
        """The SQL condition on `persons` this filter stands for."""
        cond, params = where_clause(self.text)
        parts, args = [cond], list(params)
        if self.status:
            cond, more = status_condition(self.status, camp)
            parts.append(cond)
            args += more
        if self.statuses:
            conds = [status_condition(k, camp) for k in self.statuses if k]
            if conds:
                parts.append("(" + " OR ".join(c for c, _ in conds) + ")")
                args += [a for _, more in conds for a in more]
        if self.category == "*":
            groups = list(camp.values.get("special_groups") or [])
            if groups:
                parts.append("(" + " OR ".join("instr(categories, ?) > 0" for _ in groups) + ")")
                args += groups
            else:
                parts.append("0")
        elif self.category:
            parts.append("instr(categories, ?) > 0")
            args.append(self.category)
        for col in ("village", "grp", "household"):
            value = getattr(self, col)
            if value is not None:
                parts.append(f"{col} = ?")
                args.append(value)
        if self.followup_due:
            cond, more = followup_due(today)
            parts.append(cond)
            args += more
        if self.active_only:
            parts.append("active = 1")
        if self.previous == "any":
            parts.append("prev_outcome != ''")
        elif self.previous:
            parts.append("prev_outcome = ?")
            args.append(self.previous)
        return " AND ".join(p for p in parts if p != "1") or "1", args


def list_where(ws: Workspace, flt: PeopleFilter, camp: Campaign, today: dt.date | None = None) -> tuple[str, list]:
    """The filter's condition on the workspace's own list: a village's table leaves out someone the
    township assigned to another village (`figures.scope`), as its counts do."""
    cond, params = flt.where(camp, today)
    own, more = figures.scope(ws)
    return (cond, params) if own == "1" else (f"({cond}) AND {own}", [*params, *more])


def _done_sum(camp: Campaign) -> tuple[str, list]:
    done = sorted(camp.done_set)
    return f"sum(status IN ({_marks(done)}))", done


def tree_counts(ws: Workspace, camp: Campaign | None = None) -> list[dict]:
    """(village, group) -> total and done, for the village → group tree.

    Reads the reports' covering index (village, grp, status, categories), made once on first use:
    without it a million people cost a sort of the whole table (~130 MB and seconds)."""
    from .reports import ensure_index

    ensure_index(ws)
    camp = camp or load_campaign(ws)
    done_sql, args = _done_sum(camp)
    cond, params = figures.scope(ws)
    return ws.query(f"SELECT village, grp, count(*) AS total, {done_sql} AS done "
                    f"FROM persons WHERE {cond} AND status != 'not_listed' GROUP BY village, grp ORDER BY village, grp",
                    (*args, *params))


def household_counts(ws: Workspace, village: str, grp: str, camp: Campaign | None = None) -> list[dict]:
    """The households of one group with their head, total and done (the tree's third level)."""
    camp = camp or load_campaign(ws)
    done_sql, args = _done_sum(camp)
    return ws.query(
        f"SELECT p.household AS hid, coalesce(h.head, '') AS head, count(*) AS total, {done_sql} AS done "
        f"FROM persons p LEFT JOIN households h ON h.hid = p.household "
        f"WHERE p.village = ? AND p.grp = ? GROUP BY p.household ORDER BY p.household",
        (*args, village, grp))


def progress(ws: Workspace, camp: Campaign | None = None, today: dt.date | None = None) -> dict:
    """The strip at the top: done against the target, rate, days left in the collection period."""
    camp = camp or load_campaign(ws)
    p = figures.progress_counts(ws, camp)
    return {"total": p["total"], "done": p["done"], "target": p["target"], "rate": p["target_rate"],
            "days_left": camp.days_left(today), "deadline": camp.deadline.isoformat()}


def household_members(ws: Workspace, hid: str) -> list[dict]:
    """A household's members, head first: the detail panel lists them."""
    return ws.query("SELECT pid, name, relation, sex, birth, status, phone, categories FROM persons "
                    "WHERE household = ? ORDER BY (relation = '户主') DESC, birth", (hid,))


def year_on_year_lines(yoy: dict | None) -> list[str]:
    """The dashboard's year-on-year strip, in words (`reports.year_on_year`'s result; none in a
    workspace's first year): the whole list, each group, last year's refusals."""
    if not yoy:
        return []

    def pair(this: dict, last: dict) -> str:
        diff = (this["rate"] - last["rate"]) * 100
        return f"今年 {this['rate'] * 100:.1f}%，去年同期 {last['rate'] * 100:.1f}%（{diff:+.1f}）"

    ref = yoy["refusals"]
    lines = [f"与去年同期（{yoy['last_year_date']}）比：完成率{pair(yoy['this_year_total'], yoy['last_year_total'])}",
             f"去年拒绝的 {ref['refused_last_year']} 人，今年已完成 {ref['done_this_year']} 人"
             f"（其中缴费 {ref['paid_this_year']} 人），不在今年名单上 {ref['off_list']} 人"]
    lines += [f"{g}：{pair(v['this_year'], v['last_year'])}" for g, v in yoy["by_group"].items()]
    return lines
