"""What the main window counts and filters by: tree counts, the progress strip, the people filters.

Kept in core (no Qt) so the window holds no rules: "done" is the campaign's done set, "follow-up
due" is the same condition as `visits.followups`, categories match by keyword as `campaign` does.
Every query is an indexed scan or a single GROUP BY, so it stays usable at 1,000,000 people.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from .campaign import OUTCOMES, Campaign
from .campaign import load as load_campaign
from .search import where_clause
from .store import Workspace

FOLLOWUP_STATUSES = ("promised", "not_home", "unreachable", "migrant_informed", "refused", "missing")

# status filter keys -> Chinese label (outcome codes are filters too)
STATUS_FILTERS: dict[str, str] = {
    "": "全部状态", "todo": "未完成", "done": "已完成", "none": "未走访", "paid_official": "医保局确认已缴",
    **{code: label for code, (label, _) in OUTCOMES.items()},
}


# last year's outcome filters (a new year's memory, issue 21)
PREVIOUS_FILTERS: dict[str, str] = {
    "": "去年结果", "refused": "去年拒绝", "promised": "去年承诺未缴", "migrant_informed": "去年外出已告知",
    "not_home": "去年无人在家", "unreachable": "去年联系不上", "any": "去年有结果",
}


def _marks(values) -> str:
    return ",".join("?" * len(values))


@dataclass
class PeopleFilter:
    """The people table's current search: one text box plus the filter controls."""

    text: str = ""
    status: str = ""  # '' | todo | done | none | paid_official | an outcome code
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
        done = sorted(camp.done_set)
        if self.status == "done":
            parts.append(f"status IN ({_marks(done)})")
            args += done
        elif self.status == "todo":  # (those off this year's list are nobody's task)
            parts.append(f"status NOT IN ({_marks([*done, 'not_listed'])})")
            args += [*done, "not_listed"]
        elif self.status == "none":
            parts.append("status = ''")
        elif self.status:
            parts.append("status = ?")
            args.append(self.status)
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
            parts.append(f"status IN ({_marks(FOLLOWUP_STATUSES)}) AND (followup = '' OR followup <= ?)")
            args += [*FOLLOWUP_STATUSES, (today or dt.date.today()).isoformat()]
        if self.active_only:
            parts.append("active = 1")
        if self.previous == "any":
            parts.append("prev_outcome != ''")
        elif self.previous:
            parts.append("prev_outcome = ?")
            args.append(self.previous)
        return " AND ".join(p for p in parts if p != "1") or "1", args


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
    return ws.query(f"SELECT village, grp, count(*) AS total, {done_sql} AS done "
                    f"FROM persons WHERE status != 'not_listed' GROUP BY village, grp ORDER BY village, grp",
                    tuple(args))


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
    done_sql, args = _done_sum(camp)
    row = ws.one(f"SELECT count(*) AS total, coalesce({done_sql}, 0) AS done FROM persons "
                 f"WHERE status != 'not_listed'", tuple(args))
    total, done = int(row["total"]), int(row["done"])
    village = ws.meta("village") if ws.mode != "township" else None
    target = camp.target_for(village or None, total) if village else camp.target_for(None, total)
    target = target or total
    return {"total": total, "done": done, "target": target,
            "rate": round(done / target, 4) if target else 0.0,
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
