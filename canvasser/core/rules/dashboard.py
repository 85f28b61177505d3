"""What the main window counts and filters by: tree counts, the progress strip, the people filters.

Kept in core (no Qt) so the window holds no rules: "done" is the campaign's done set, "follow-up
due" is the same condition as `visits.followups`, categories match by keyword as `campaign` does.
Every query is an indexed scan or a single GROUP BY, so it stays usable at 1,000,000 people.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from .. import outcomes
from ..storage.store import Workspace
from ..tiers import Tier, split_label, unit_label
from . import figures, groups
from .campaign import Campaign
from .campaign import load as load_campaign
from .search import where_clause
from .visits import followup_due

# status filter keys -> Chinese label (outcome codes are filters too)
STATUS_FILTERS: dict[str, str] = {
    "": "全部状态", "todo": "未完成", "done": "已完成", "none": outcomes.NOT_VISITED.label,
    outcomes.OFFICIAL.code: outcomes.OFFICIAL.short, **{o.code: o.label for o in outcomes.RECORDED},
}


def _marks(values) -> str:
    return ",".join("?" * len(values))


# last year's outcome filters (a new year's memory, issue 21): the outcomes that wanted another contact
PREVIOUS_FILTERS: dict[str, str] = {
    "": "去年结果", **{code: "去年" + outcomes.BY_CODE[code].previous for code in outcomes.follow_up()},
    "any": "去年有结果",
}


def status_condition(key: str, camp: Campaign) -> tuple[str, list]:
    """The SQL condition on persons.status for one status filter key (STATUS_FILTERS)."""
    done = sorted(camp.done_set)
    if key == "done":
        return f"status IN ({_marks(done)})", list(done)
    if key == "todo":  # (those off this year's list are nobody's task)
        return f"status NOT IN ({_marks([*done, outcomes.NOT_LISTED.code])})", [*done, outcomes.NOT_LISTED.code]
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
            special = list(camp.values.get("special_groups") or [])
            if special:
                parts.append("(" + " OR ".join("instr(categories, ?) > 0" for _ in special) + ")")
                args += special
            else:
                parts.append("0")
        elif self.category:
            parts.append("instr(categories, ?) > 0")
            args.append(self.category)
        if self.village is not None:
            cond, more = place_condition(self.village)
            parts.append(cond)
            args += more
        for col in ("grp", "household"):
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


def place_condition(place: str, alias: str = "") -> tuple[str, list]:
    """The SQL condition for a place the tree names: a village ("杨柳村"), or at a county a township's
    village ("东岳镇/杨柳村", `tiers.unit_label`) or a whole township ("东岳镇/")."""
    a = f"{alias}." if alias else ""
    if "/" not in place:
        return f"{a}village = ?", [place]
    township, village = split_label(place)
    if not village:
        return f"{a}township = ?", [township]
    return f"{a}township = ? AND {a}village = ?", [township, village]


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
    """(village, group) -> total and done, for the village → group tree; at a township one more row
    (`pending`) for the people waiting for its assignment, counted in the whole and in no village.

    Reads the reports' covering index (village, grp, status, categories), made once on first use:
    without it a million people cost a sort of the whole table (~130 MB and seconds)."""
    from .reports import ensure_index

    ensure_index(ws)
    camp = camp or load_campaign(ws)
    done_sql, args = _done_sum(camp)
    cond, params = figures.counted(ws)
    if ws.tier is Tier.COUNTY:  # a county's tree: township → village → group; a village is named with its township
        rows = ws.query(f"SELECT township, village, grp, count(*) AS total, {done_sql} AS done FROM persons "
                        f"WHERE {cond} AND {outcomes.ON_LIST_SQL} GROUP BY township, village, grp "
                        f"ORDER BY township, village, {groups.rank_sql(ws.conn)}", (*args, *params))
        rows = [{**r, "village": unit_label(r["township"], r["village"])} for r in rows]
    else:
        rows = ws.query(f"SELECT village, grp, count(*) AS total, {done_sql} AS done "
                        f"FROM persons WHERE {cond} AND {outcomes.ON_LIST_SQL} GROUP BY village, grp "
                        f"ORDER BY village, {groups.rank_sql(ws.conn)}", (*args, *params))
    if figures.pending_counted(ws):  # 待核对: in the total, in no village (marked `pending`)
        waiting = figures.pending_rows(ws)
        if waiting:
            rows.append({"village": figures.PENDING, "grp": "", "pending": True, "total": sum(r[3] for r in waiting),
                         "done": sum(r[3] for r in waiting if r[2] in camp.done_set)})
    return rows


def household_counts(ws: Workspace, village: str, grp: str, camp: Campaign | None = None) -> list[dict]:
    """The households of one group with their head, total and done (the tree's third level)."""
    camp = camp or load_campaign(ws)
    done_sql, args = _done_sum(camp)
    place, more = place_condition(village, "p")
    return ws.query(
        f"SELECT p.household AS hid, coalesce(h.head, '') AS head, count(*) AS total, {done_sql} AS done "
        f"FROM persons p LEFT JOIN households h ON h.hid = p.household "
        f"WHERE {place} AND p.grp = ? GROUP BY p.household ORDER BY p.household",
        (*args, *more, grp))


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

    def pair(this: dict, last: dict) -> str:  # each rate rounded once from its counts
        diff = (this["done"] / max(this["total"], 1) - last["done"] / max(last["total"], 1)) * 100
        return (f"今年 {figures.percent(this['done'], this['total'])}，去年同期 "
                f"{figures.percent(last['done'], last['total'])}（{diff:+.1f}）")

    ref = yoy["refusals"]
    lines = [f"与去年同期（{yoy['last_year_date']}）比：{figures.RATE_LIST}"
             f"{pair(yoy['this_year_total'], yoy['last_year_total'])}",
             f"去年拒绝的 {ref['refused_last_year']} 人，今年已完成 {ref['done_this_year']} 人"
             f"（其中缴费 {ref['paid_this_year']} 人），不在今年名单上 {ref['off_list']} 人"]
    lines += [f"{g}：{pair(v['this_year'], v['last_year'])}" for g, v in yoy["by_group"].items()]
    return lines


# ---- the people table's sorts and query (the window, the people export and prints share them) ----------
# column key -> ORDER BY expression (ascending); group_rank: the groups' own order (groups.rank_sql
# registers it on the connection that sorts)
SORTS: dict[str, str] = {
    "name": "py_full", "village": "village", "sex": "sex", "age": "birth DESC", "pid": "rpid", "grp": "group_rank(grp)",
    "relation": "relation",
    "phone": "phone", "categories": "categories", "status": "status", "last_visit_at": "last_visit_at",
    "last_visit_by": "last_visit_by", "prev_outcome": "prev_outcome",
}
DEFAULT_ORDER = "village, group_rank(grp), household, rowid"  # the roster's order: village, group (一组, 二组 …), household


def order_by(key: str | None = None, descending: bool = False) -> str:
    """The ORDER BY for sorting by a column (None or unknown: the roster's order); ties keep it."""
    expr = SORTS.get(key or "")
    if expr is None:
        return DEFAULT_ORDER
    if descending:
        expr = expr.replace(" DESC", "") if expr.endswith(" DESC") else f"{expr} DESC"
    return f"{expr}, {DEFAULT_ORDER}"


@dataclass(frozen=True)
class PeopleQuery:
    """A filter and a sort, as the SQL the table's reads run (built once per search)."""

    where: str
    params: tuple
    order: str = DEFAULT_ORDER

    @classmethod
    def of(cls, flt: PeopleFilter, camp: Campaign, order: str = DEFAULT_ORDER,
           ws: Workspace | None = None) -> PeopleQuery:
        """With `ws`, a village's table leaves out people the township assigned elsewhere (`list_where`)."""
        if order != DEFAULT_ORDER and order not in {order_by(k, d) for k in SORTS for d in (False, True)}:
            raise ValueError(f"unknown order: {order}")
        where, params = list_where(ws, flt, camp) if ws is not None else flt.where(camp)
        return cls(where, tuple(params), order)
