"""Progress figures for the daily report and the dashboard: pure SQL aggregates turned into dicts.

Everything is computed from one GROUP BY pass over `persons` (by village, group, category string
and status), so every section (groups, villages, categories) is cut from the same counts and they
always add up to the total. Which statuses count as done comes from the campaign settings. Nothing
here writes a file; `make_report` only stores the day's snapshot in the local `snapshots` table so
that tomorrow's report can say what changed.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict

from .. import clock, outcomes
from ..storage.projection import GONE_PREFIX
from ..storage.store import Workspace
from . import campaign as campaign_mod
from . import figures as fig
from . import freshness, groups
from .campaign import Campaign

NO_VILLAGE = "未注明村"
NO_GROUP = "未分组"
ORDINARY = "普通居民"
STUDENT = "在校学生"
WARN_RATE = 0.8
ALERT_RATE = 0.7


def group_key(name: str) -> tuple:
    """The groups' order (`groups.group_key`); a "村/组" name keys by village first."""
    village, _, grp = name.rpartition("/")
    return (village, *groups.group_key(grp))


_day = clock.day_or_today  # a report's day: given, else today (core/clock.py)


def _day_range(day: dt.date) -> tuple[str, str]:
    """String bounds for ISO timestamps falling on `day` (local date as written, no UTC shift)."""
    return day.isoformat(), (day + dt.timedelta(days=1)).isoformat()


def category_bucket(camp: Campaign, categories: str) -> str:
    """The one bucket a person is counted in: first special-group keyword, then students, else ordinary."""
    special = camp.special_group_of(categories)
    if special:
        return special
    if STUDENT in (categories or ""):
        return STUDENT
    return ORDINARY


PROGRESS_INDEX = ("CREATE INDEX IF NOT EXISTS persons_progress "
                  "ON persons (village, grp, status, categories, visit_count)")
REPORT_INDEXES = {
    "persons_progress": PROGRESS_INDEX,
    "official_paid_at": "CREATE INDEX IF NOT EXISTS official_paid_at ON official_payments (year, paid_at)",
}


def ensure_index(ws: Workspace) -> None:
    """The indexes the report reads instead of the tables (0.3 s instead of 3 s at 1M people).

    The covering index on persons turns the aggregate pass into an ordered index scan with no sort.
    Created on first use (a few seconds once on a million people); an index is no projection data,
    so replay checks and sync are unaffected.
    """
    have = {r[0] for r in ws.conn.execute("SELECT name FROM sqlite_master WHERE type='index'")}
    for name, sql in REPORT_INDEXES.items():
        if name not in have:
            ws.conn.execute(sql)


def scan(ws: Workspace) -> list[tuple[str, str, str, str, int, int]]:
    """The single aggregate pass: (village, group, categories, status, count, visited), read from a
    covering index in its order (visit_count, its last column, says who has a visit that stands).
    A village workspace reads only its own list (`figures.scope`)."""
    ensure_index(ws)
    cond, params = fig.scope(ws)
    return ws.conn.execute(
        f"SELECT village, grp, categories, status, count(*), sum(visit_count > 0) FROM persons "
        f"WHERE {cond} AND {outcomes.ON_LIST_SQL} GROUP BY village, grp, status, categories", params).fetchall()


def figures(ws: Workspace, day: dt.date | str | None = None, camp: Campaign | None = None) -> dict:
    """Every progress figure of the workspace as one dict (the `report --json` body without history).

    `day` only decides which visits count as "today"; the counts are the current state.
    """
    day = _day(day)
    camp = camp or campaign_mod.load(ws)
    done_set = camp.done_set
    default_village = ws.meta("village", "") or NO_VILLAGE
    rows = scan(ws)
    villages_seen = {r[0] or default_village for r in rows}
    multi = len(villages_seen) > 1

    total = fig.blank()
    by_village: dict[str, dict] = defaultdict(fig.blank)
    by_group: dict[str, dict] = defaultdict(fig.blank)
    by_category: dict[str, dict] = defaultdict(fig.blank)
    special: dict[str, dict] = defaultdict(fig.blank)
    special_by_village: dict[str, dict[str, dict]] = defaultdict(lambda: defaultdict(fig.blank))
    by_status: dict[str, int] = defaultdict(int)
    bucket_cache: dict[str, tuple[str, list[str]]] = {}
    keys_of: dict[str, str] = {}
    for village, grp, cats, status, n, seen in rows:
        village = village or default_village
        grp = grp or NO_GROUP
        if cats not in bucket_cache:
            keys = [k for k in camp.values["special_groups"] if k in (cats or "")]
            bucket_cache[cats] = (category_bucket(camp, cats), keys)
        bucket, keys = bucket_cache[cats]
        key = keys_of.get(status)
        if key is None:
            key = keys_of[status] = fig.part_key(status, done_set)
        fig.add_many((total, by_village[village], by_group[f"{village}/{grp}" if multi else grp], by_category[bucket]),
                     n, key, seen)
        if keys:
            fig.add_many((*(special[k] for k in keys), *(special_by_village[village][k] for k in keys)), n, key, seen)
        by_status[status] += n

    village_out = {}
    for name in sorted(by_village):
        acc = fig.finish(by_village[name], fig.village_target(camp, name, by_village[name]["total"]))
        acc["special_groups"] = {k: fig.finish(special_by_village[name][k])
                                 for k in camp.values["special_groups"] if k in special_by_village[name]}
        village_out[name] = acc
    ranking = fig.ranking(village_out)
    for rank, name in enumerate(ranking, 1):
        village_out[name]["rank"] = rank
    fresh = freshness.by_village(ws, [v for v in village_out if v != NO_VILLAGE], day, camp)
    for name, f in fresh.items():
        if name in village_out:
            village_out[name]["last_package"] = f["last_package"]
            village_out[name]["silent"] = f["silent"]

    order = [*camp.values["special_groups"], STUDENT, ORDINARY]
    cat_out = {}
    for name in sorted(by_category, key=lambda c: (order.index(c) if c in order else len(order), c)):
        acc = fig.finish(by_category[name])
        acc["must_complete"] = name in camp.values["special_groups"]
        acc["below_100"] = acc["must_complete"] and acc["done"] < acc["total"]
        cat_out[name] = acc
    special_out = {}
    for name in camp.values["special_groups"]:
        if name in special:
            acc = fig.finish(special[name])
            acc["below_100"] = acc["done"] < acc["total"]
            special_out[name] = acc

    out = fig.finish(total, sum(v["target"] for v in village_out.values()) if village_out else total["total"])
    out.update({
        "date": day.isoformat(),
        "mode": ws.mode,
        "coverage_year": camp.values["coverage_year"],
        "deadline": camp.values["collection_end"],
        "days_left": camp.days_left(day),
        "by_village": village_out,
        "by_group": {k: fig.finish(by_group[k]) for k in sorted(by_group, key=group_key)},
        "by_category": cat_out,
        "special_groups": special_out,
        "special_below_100": [k for k, v in special_out.items() if v["below_100"]],
        "by_status": {outcomes.label(k): v for k, v in sorted(by_status.items())},
        "ranking": ranking,
        "below_80": [v for v in ranking if ALERT_RATE <= village_out[v]["target_rate"] < WARN_RATE],
        "below_70": [v for v in ranking if village_out[v]["target_rate"] < ALERT_RATE],
        # silent: villages set up (a setup package made) that sent nothing lately; a village never
        # set up cannot report yet, and is named apart
        "silent": [v for v in sorted(fresh) if fresh[v]["silent"] and fresh[v]["set_up"]],
        "not_set_up": [v for v in sorted(fresh) if not fresh[v]["set_up"]],
        "silent_days": freshness.silent_days(camp),
    })
    return out


def by_canvasser(ws: Workspace, day: dt.date | str | None = None, camp: Campaign | None = None) -> dict[str, dict]:
    """Visits and contacts (distinct persons) per canvasser on `day`, from non-voided visits."""
    day = _day(day)
    camp = camp or campaign_mod.load(ws)
    lo, hi = _day_range(day)
    done = sorted(camp.done_set)
    rows = ws.conn.execute(
        f"SELECT author, count(*), count(DISTINCT pid), sum(outcome IN ({','.join('?' * len(done))})) "
        "FROM visits WHERE at >= ? AND at < ? AND voided = 0 GROUP BY author ORDER BY count(*) DESC, author",
        (*done, lo, hi)).fetchall()
    return {(a or "（未署名）"): {"visits": v, "contacts": c, "done_outcomes": d or 0} for a, v, c, d in rows}


WORKLOAD_DAYS = 7  # the dashboard's "visits per canvasser": the last week, today included


def workload(ws: Workspace, today: dt.date | None = None, days: int = WORKLOAD_DAYS) -> dict[str, list[int]]:
    """Per canvasser over the last `days` days (today included): [visits, visits with a done outcome]."""
    today = _day(today)
    camp = campaign_mod.load(ws)
    out: dict[str, list[int]] = {}
    for i in range(days):
        for name, v in by_canvasser(ws, today - dt.timedelta(days=i), camp).items():
            acc = out.setdefault(name, [0, 0])
            acc[0] += v["visits"]
            acc[1] += v["done_outcomes"]
    return out


def newly_done(ws: Workspace, day: dt.date | str | None = None, camp: Campaign | None = None) -> dict:
    """People whose current done status dates from `day`: the visit that set it, or the bureau's payment date.

    `official_payments` holds only the coverage year's confirmed payments, which always set the status.
    """
    day = _day(day)
    camp = camp or campaign_mod.load(ws)
    lo, hi = _day_range(day)
    done = sorted(s for s in camp.done_set if s != fig.CONFIRMED)
    marks = ",".join("?" * len(done)) or "''"
    by_visit = ws.scalar(
        f"SELECT count(DISTINCT p.pid) FROM visits v CROSS JOIN persons p ON p.pid = v.pid "
        f"WHERE v.at >= ? AND v.at < ? AND v.voided = 0 AND p.last_visit_at = v.at AND p.status IN ({marks})",
        (lo, hi, *done)) or 0
    official = ws.scalar("SELECT count(*) FROM official_payments WHERE year = ? AND paid_at >= ? AND paid_at < ?",
                         (int(camp.values["coverage_year"]), lo, hi)) or 0
    return {"by_visit": by_visit, fig.CONFIRMED: official, "total": by_visit + official}


def trend(ws: Workspace, days: int = 14, end: dt.date | str | None = None, camp: Campaign | None = None) -> list[dict]:
    """Daily counts over the last `days` days: visits, people newly done by visit date, official payments."""
    end = _day(end)
    camp = camp or campaign_mod.load(ws)
    start = end - dt.timedelta(days=days - 1)
    lo, hi = start.isoformat(), (end + dt.timedelta(days=1)).isoformat()
    done = sorted(s for s in camp.done_set if s != fig.CONFIRMED)
    marks = ",".join("?" * len(done)) or "''"
    visits = dict(ws.conn.execute(
        "SELECT substr(at, 1, 10), count(*) FROM visits WHERE at >= ? AND at < ? AND voided = 0 GROUP BY 1",
        (lo, hi)).fetchall())
    by_visit = dict(ws.conn.execute(
        f"SELECT substr(v.at, 1, 10), count(DISTINCT p.pid) FROM visits v CROSS JOIN persons p ON p.pid = v.pid "
        f"WHERE v.at >= ? AND v.at < ? AND v.voided = 0 AND p.last_visit_at = v.at AND p.status IN ({marks}) "
        f"GROUP BY 1", (lo, hi, *done)).fetchall())
    official = dict(ws.conn.execute(
        "SELECT substr(paid_at, 1, 10), count(*) FROM official_payments WHERE year = ? AND paid_at >= ? AND paid_at < ? "
        "GROUP BY 1", (int(camp.values["coverage_year"]), lo, hi)).fetchall())
    out = []
    for i in range(days):
        d = (start + dt.timedelta(days=i)).isoformat()
        v, o = by_visit.get(d, 0), official.get(d, 0)
        out.append({"day": d, "visits": visits.get(d, 0), "done_by_visit": v, fig.CONFIRMED: o, "done": v + o})
    return out


# ---- snapshots: "change since yesterday" ----------------------------------------------------------
SNAPSHOT_KEYS = ("total", "done", "remaining", fig.CONFIRMED, "paid_claimed", "accepted", "visited")


def _compact(figs: dict) -> dict:
    return {**{k: figs[k] for k in SNAPSHOT_KEYS},
            "by_village": {k: {"total": v["total"], "done": v["done"]} for k, v in figs["by_village"].items()},
            "by_group": {k: {"total": v["total"], "done": v["done"]} for k, v in figs["by_group"].items()}}


def save_snapshot(ws: Workspace, day: dt.date | str, figs: dict) -> None:
    ws.conn.execute("INSERT INTO snapshots(day, figures) VALUES (?, ?) "
                    "ON CONFLICT(day) DO UPDATE SET figures = excluded.figures",
                    (_day(day).isoformat(), json.dumps(_compact(figs), ensure_ascii=False, sort_keys=True)))


def previous_snapshot(ws: Workspace, day: dt.date | str) -> tuple[str, dict] | None:
    row = ws.conn.execute("SELECT day, figures FROM snapshots WHERE day < ? ORDER BY day DESC LIMIT 1",
                          (_day(day).isoformat(),)).fetchone()
    return (row[0], json.loads(row[1])) if row else None


def change(figs: dict, prev: tuple[str, dict] | None) -> dict:
    """Differences against the latest earlier snapshot (empty `since` if there is none)."""
    if prev is None:
        return {"since": "", **{k: None for k in SNAPSHOT_KEYS}, "by_village": {}}
    since, old = prev
    out: dict = {"since": since, **{k: figs[k] - old.get(k, 0) for k in SNAPSHOT_KEYS}}
    out["by_village"] = {k: v["done"] - old.get("by_village", {}).get(k, {}).get("done", 0)
                         for k, v in figs["by_village"].items()}
    return out


def unit(ws: Workspace) -> str:
    """Whose figures these are: 某某镇光明村 in a village, 某某镇 at a township, the county at the
    county, the village of a standalone workspace (every report, ledger and sheet names it)."""
    own = ws.meta(ws.tier.unit_key, "") or ""
    if ws.tier.coordinates:
        return own or ws.meta("township", "") or ""
    township = ws.meta("township", "") or ""
    if own and township and not own.startswith(township):
        return township + own
    return own or township


def issuer(ws: Workspace, camp: Campaign) -> str:
    """Who issues a report: at a township or county the campaign's issuer, else the unit itself;
    in a village its committee (or the campaign's issuer), as its notices are signed."""
    if ws.tier.coordinates:
        return str(camp.values.get("issuer") or "").strip() or ws.meta(ws.tier.unit_key, "") or ""
    return campaign_mod.issuer_for(camp, ws.meta("village", "") or "")


def make_report(ws: Workspace, day: dt.date | str | None = None, *, save: bool = True, trend_days: int = 7) -> dict:
    """The daily report: figures, today's work, change since the last report before `day`; stores a snapshot."""
    day = _day(day)
    camp = campaign_mod.load(ws)
    figs = figures(ws, day, camp)
    figs["by_canvasser"] = by_canvasser(ws, day, camp)
    figs["trend"] = trend(ws, max(1, trend_days), day, camp)
    last = figs["trend"][-1]  # the report day itself: same figures as newly_done(ws, day)
    figs["today"] = {"by_visit": last["done_by_visit"], fig.CONFIRMED: last[fig.CONFIRMED], "total": last["done"],
                     "visits": last["visits"]}
    figs["today"]["contacts"] = ws.scalar(
        "SELECT count(DISTINCT pid) FROM visits WHERE at >= ? AND at < ? AND voided = 0", _day_range(day)) or 0
    figs["change"] = change(figs, previous_snapshot(ws, day))
    figs["year_on_year"] = year_on_year(ws, day, camp)
    figs["unit"], figs["issuer"] = unit(ws), issuer(ws, camp)
    if save and not getattr(ws, "look_only", False):  # a read-only place: the report, without keeping it
        save_snapshot(ws, day, figs)
    return figs


def pct(rate: float) -> str:
    """A rate as printed, rounded half up to 0.1% (0.0015 is 0.2%, never 0.1%: a float's binary
    form would round it down)."""
    from decimal import ROUND_HALF_UP, Decimal

    return f"{(Decimal(repr(float(rate))) * 100).quantize(Decimal('0.1'), rounding=ROUND_HALF_UP)}%"


# ---- this year against last year at the same date (issue 21) ------------------------------------

def same_day_last_year(day: dt.date) -> dt.date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year - 1, day=28)


def _rates(counts: dict[str, list[int]]) -> dict[str, dict]:
    return {k: {"total": t, "done": d, "rate": round(d / t, 4) if t else 0.0}
            for k, (t, d) in sorted(counts.items(), key=lambda kv: group_key(kv[0]))}


def last_year_by_group(ws: Workspace, day: dt.date, camp: Campaign) -> dict[tuple[str, str], list[int]]:
    """(village, group) -> [on last year's list, done by the same date last year].

    Last year's list: people listed in that year or before, not gone from an earlier year's list.
    Done by that date: that year's official payment dated by then, else their last live visit of
    that year up to then has a done outcome (the campaign's done set)."""
    year = int(camp.values["coverage_year"]) - 1
    hi = (same_day_last_year(day) + dt.timedelta(days=1)).isoformat()
    done = sorted(s for s in camp.done_set if s != fig.CONFIRMED)
    own, own_params = fig.scope(ws, "p")
    rows = ws.conn.execute(f"""
        WITH last AS (
            SELECT pid, outcome FROM (
                SELECT pid, outcome, row_number() OVER (PARTITION BY pid ORDER BY hlc DESC) AS rk
                FROM visits WHERE year = ? AND voided = 0 AND at < ?) WHERE rk = 1),
        paid AS (SELECT pid FROM official_payments WHERE year = ? AND paid_at != '' AND paid_at < ?)
        SELECT p.village, p.grp, count(*),
               sum(paid.pid IS NOT NULL OR last.outcome IN ({','.join('?' * len(done)) or "''"}))
        FROM persons p LEFT JOIN last ON last.pid = p.pid LEFT JOIN paid ON paid.pid = p.pid
        WHERE p.since_year <= ? AND {own}
          AND NOT (p.left_reason LIKE '{GONE_PREFIX}%' AND CAST(substr(p.left_reason, {len(GONE_PREFIX) + 1}) AS INTEGER) <= ?)
        GROUP BY p.village, p.grp""", (year, hi, year, hi, *done, year, *own_params, year)).fetchall()
    return {(v, g): [n, d or 0] for v, g, n, d in rows}


def refusals_followed(ws: Workspace, camp: Campaign) -> dict:
    """Last year's refusals this year: how many are done (and how many of those paid), how many
    the new list no longer holds."""
    paid = (fig.CONFIRMED, *outcomes.claims_paid())
    done = sorted(camp.done_set)
    own, own_params = fig.scope(ws)
    row = ws.conn.execute(
        f"SELECT count(*), coalesce(sum(status IN ({','.join('?' * len(done))})), 0), "
        f"coalesce(sum(status IN ({','.join('?' * len(paid))})), 0), coalesce(sum(NOT {outcomes.ON_LIST_SQL}), 0) "
        f"FROM persons WHERE prev_outcome = ? AND {own}", (*done, *paid, outcomes.REFUSED.code, *own_params)).fetchone()
    return {"refused_last_year": row[0], "done_this_year": row[1], "paid_this_year": row[2], "off_list": row[3]}


def year_on_year(ws: Workspace, day: dt.date | str | None = None, camp: Campaign | None = None) -> dict | None:
    """This year's 完成率 by group against last year's at the same date, and last year's refusals;
    None in a workspace's first year."""
    day = _day(day)
    camp = camp or campaign_mod.load(ws)
    year = int(camp.values["coverage_year"])
    if int(camp.values.get("first_year") or year) >= year:
        return None
    default_village = ws.meta("village", "") or NO_VILLAGE
    now: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])
    for village, grp, _, status, n, _visited in scan(ws):
        acc = now[(village, grp)]
        acc[0] += n
        acc[1] += n if status in camp.done_set else 0
    before = last_year_by_group(ws, day, camp)
    multi = len({v for v, _ in (*now, *before)}) > 1

    def name(key: tuple[str, str]) -> str:
        village, grp = key[0] or default_village, key[1] or NO_GROUP
        return f"{village}/{grp}" if multi else grp

    this_g: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    last_g: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for src, dst in ((now, this_g), (before, last_g)):
        for key, (t, d) in src.items():
            dst[name(key)][0] += t
            dst[name(key)][1] += d
    this_r, last_r = _rates(this_g), _rates(last_g)
    blank = {"total": 0, "done": 0, "rate": 0.0}
    groups = sorted(set(this_r) | set(last_r), key=group_key)
    by_group = {g: {"this_year": this_r.get(g, blank), "last_year": last_r.get(g, blank),
                    "change": round(this_r.get(g, blank)["rate"] - last_r.get(g, blank)["rate"], 4)} for g in groups}
    totals = [_rates({"t": [sum(v[0] for v in src.values()), sum(v[1] for v in src.values())]})["t"]
              for src in (this_g, last_g)]
    return {"year": year, "last_year": year - 1, "date": day.isoformat(),
            "last_year_date": same_day_last_year(day).isoformat(), "this_year_total": totals[0],
            "last_year_total": totals[1], "change": round(totals[0]["rate"] - totals[1]["rate"], 4),
            "by_group": by_group, "refusals": refusals_followed(ws, camp)}
