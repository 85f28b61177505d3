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
from ..storage.store import Workspace, now_iso
from ..tiers import Tier, unit_label
from . import campaign as campaign_mod
from . import figures as fig
from . import freshness, groups
from .campaign import Campaign

NO_VILLAGE = "未注明村"
NO_TOWNSHIP = "未注明乡镇"
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
# a county's pass groups by township first (a village is (township, village)); only a county has it
COUNTY_INDEX = {"persons_county": "CREATE INDEX IF NOT EXISTS persons_county "
                                  "ON persons (township, village, grp, status, categories, visit_count)"}


def ensure_index(ws: Workspace) -> None:
    """The indexes the report reads instead of the tables (0.3 s instead of 3 s at 1M people).

    The covering index on persons turns the aggregate pass into an ordered index scan with no sort.
    Created on first use (a few seconds once on a million people); an index is no projection data,
    so replay checks and sync are unaffected.
    """
    have = {r[0] for r in ws.conn.execute("SELECT name FROM sqlite_master WHERE type='index'")}
    wanted = {**REPORT_INDEXES, **(COUNTY_INDEX if ws.tier is Tier.COUNTY else {})}
    for name, sql in wanted.items():
        if name not in have:
            ws.conn.execute(sql)


def scan(ws: Workspace) -> list[tuple[str, str, str, str, int, int]]:
    """The single aggregate pass: (village, group, categories, status, count, visited), read from a
    covering index in its order (visit_count, its last column, says who has a visit that stands).
    A village workspace reads only its own list; people waiting for the assignment are in no
    village (`figures.counted`): a coordinator counts them under 待核对 (`figures.PENDING`)."""
    return [r[1:] for r in scan_units(ws)]


def scan_units(ws: Workspace) -> list[tuple[str, str, str, str, str, int, int]]:
    """`scan` with each row's township first: a county's pass (by township, village, group ...),
    anyone else's with '' for the township (theirs is one); those waiting for the assignment under
    待核对 (a county's in its township 待核对 too)."""
    ensure_index(ws)
    cond, params = fig.counted(ws)
    if ws.tier is Tier.COUNTY:
        rows = ws.conn.execute(
            f"SELECT township, village, grp, categories, status, count(*), sum(visit_count > 0) FROM persons "
            f"WHERE {cond} AND {outcomes.ON_LIST_SQL} GROUP BY township, village, grp, status, categories",
            params).fetchall()
    else:
        rows = ws.conn.execute(
            f"SELECT '', village, grp, categories, status, count(*), sum(visit_count > 0) FROM persons "
            f"WHERE {cond} AND {outcomes.ON_LIST_SQL} GROUP BY village, grp, status, categories", params).fetchall()
    if fig.pending_counted(ws):
        town = fig.PENDING if ws.tier is Tier.COUNTY else ""
        rows += [(town, fig.PENDING, grp, cats, status, n, seen) for grp, cats, status, n, seen in fig.pending_rows(ws)]
    return rows


def departments_of(camp: Campaign) -> dict[str, list[str]]:
    """Each responsible department and the category keywords of the people it answers for (a campaign
    setting: 教育 students; 民政 特困, 低保, 孤儿; 残联 重度残疾; 乡村振兴 脱贫, 监测; 退役军人 优抚)."""
    return {k: list(v) for k, v in (camp.values.get("departments") or {}).items()}


def _units_out(accs: dict[str, dict], camp: Campaign, key: str, fresh: dict[str, dict]) -> tuple[dict, list[str]]:
    """Units (villages or townships) finished against their task numbers, ranked, with freshness."""
    out = {}
    for name in sorted(accs):
        out[name] = fig.finish(accs[name], fig.unit_target(camp, name, accs[name]["total"], key))
    ranking = fig.ranking(out)
    for rank, name in enumerate(ranking, 1):
        out[name]["rank"] = rank
    for name, f in fresh.items():
        if name in out:
            out[name]["last_package"] = f["last_package"]
            out[name]["silent"] = f["silent"]
            out[name]["set_up"] = f["set_up"]
    return out, ranking


def figures(ws: Workspace, day: dt.date | str | None = None, camp: Campaign | None = None) -> dict:
    """Every progress figure of the workspace as one dict (the `report --json` body without history).

    `day` only decides which visits count as "today"; the counts are the current state. A county's
    units are its townships (`by_township`, each with its villages: the drill-down) and its villages
    are (township, village), named "township/village" in `by_village`."""
    day = _day(day)
    camp = camp or campaign_mod.load(ws)
    done_set = camp.done_set
    county = ws.tier is Tier.COUNTY
    default_village = ws.meta("village", "") or NO_VILLAGE
    rows = scan_units(ws)
    depts = departments_of(camp)

    total = fig.blank()
    by_village: dict[str, dict] = defaultdict(fig.blank)
    by_township: dict[str, dict] = defaultdict(fig.blank)
    village_of: dict[str, tuple[str, str]] = {}
    by_group: dict[str, dict] = defaultdict(fig.blank)
    by_category: dict[str, dict] = defaultdict(fig.blank)
    special: dict[str, dict] = defaultdict(fig.blank)
    special_by_village: dict[str, dict[str, dict]] = defaultdict(lambda: defaultdict(fig.blank))
    by_dept: dict[str, dict] = defaultdict(fig.blank)
    dept_any = fig.blank()  # everyone some department answers for, once
    dept_parts: dict[str, dict[str, dict]] = defaultdict(lambda: defaultdict(fig.blank))
    dept_towns: dict[str, dict[str, dict]] = defaultdict(lambda: defaultdict(fig.blank))
    by_status: dict[str, int] = defaultdict(int)
    bucket_cache: dict[str, tuple] = {}
    keys_of: dict[str, str] = {}
    # a county's pass is a quarter of a million rows, six statuses to a place: each place's rows are
    # summed first, then the place is added once to every tally it belongs to
    sums: dict[tuple, list] = {}
    for township, village, grp, cats, status, n, seen in rows:
        place = (township, village, grp, cats)
        acc = sums.get(place)
        if acc is None:
            acc = sums[place] = [0] * len(fig.TALLY_KEYS)
        key = keys_of.get(status)
        if key is None:
            key = keys_of[status] = fig.part_key(status, done_set)
        fig.add_to_sums(acc, n, key, seen)
        by_status[status] += n
    multi = len({(t, v or default_village) for t, v, _, _ in sums}) > 1
    for (township, village, grp, cats), acc in sums.items():
        village = village or default_village
        township = township or (NO_TOWNSHIP if county else "")
        name = unit_label(township, village) if county else village
        village_of[name] = (township, village)
        grp = grp or NO_GROUP
        if cats not in bucket_cache:
            keys = camp.special_groups_in(cats)
            answered = [(d, next(w for w in words if w in (cats or ""))) for d, words in depts.items()
                        if any(w in (cats or "") for w in words)]
            bucket_cache[cats] = (category_bucket(camp, cats), keys, answered)
        bucket, keys, answered = bucket_cache[cats]
        fig.add_sums((total, by_village[name], by_group[f"{name}/{grp}" if multi else grp], by_category[bucket],
                      *((by_township[township],) if county else ()),
                      *(special[k] for k in keys), *(special_by_village[name][k] for k in keys),
                      *((dept_any,) if answered else ()), *(by_dept[d] for d, _ in answered),
                      *(dept_parts[d][w] for d, w in answered),
                      *((dept_towns[d][township] for d, _ in answered) if county else ())), acc)

    # those waiting for the assignment: counted in the total, in no village (township) and no ranking
    pending = by_village.pop(unit_label(fig.PENDING, fig.PENDING) if county else fig.PENDING, None)
    by_township.pop(fig.PENDING, None)
    if county:  # each village's task number is its township's own setting (its layer of the campaign)
        views = {t: campaign_mod.load(ws, township=t) for t in by_township}
        village_out = {}
        for name in sorted(by_village):
            t, v = village_of[name]
            village_out[name] = fig.finish(by_village[name], fig.village_target(views.get(t, camp), v,
                                                                                   by_village[name]["total"]))
        for rank, name in enumerate(fig.ranking(village_out), 1):
            village_out[name]["rank"] = rank
    else:
        village_out, _ = _units_out(by_village, camp, Tier.TOWNSHIP.target_key, {})
    for name, acc in village_out.items():
        acc["special_groups"] = {k: fig.finish(special_by_village[name][k])
                                 for k in camp.values["special_groups"] if k in special_by_village[name]}
    fresh = freshness.by_unit(ws, [u for u in (by_township if county else village_out)
                                   if u not in (NO_VILLAGE, NO_TOWNSHIP)], day, camp)
    if county:
        township_out, ranking = _units_out(by_township, camp, Tier.COUNTY.target_key, fresh)
        for t, acc in township_out.items():
            mine = {village_of[n][1]: village_out[n] for n in village_out if village_of[n][0] == t}
            acc["by_village"] = mine
            acc["village_ranking"] = fig.ranking(mine)
        units = township_out
    else:
        for name, f in fresh.items():
            if name in village_out:
                village_out[name]["last_package"] = f["last_package"]
                village_out[name]["silent"] = f["silent"]
                village_out[name]["set_up"] = f["set_up"]
        ranking = fig.ranking(village_out)
        units = village_out

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
    dept_out = {}
    for d in depts:
        acc = fig.finish(by_dept[d])
        acc["categories"] = {w: fig.finish(dept_parts[d][w]) for w in depts[d] if w in dept_parts[d]}
        if county:
            acc["by_township"] = {t: fig.finish(dept_towns[d][t]) for t in sorted(dept_towns[d]) if t != fig.PENDING}
        dept_out[d] = acc
    dept_ranking = sorted(dept_out, key=lambda d: (-dept_out[d]["rate"], d))
    for rank, d in enumerate(dept_ranking, 1):
        dept_out[d]["rank"] = rank

    task = fig.assigned_target(ws, camp) or (sum(u["target"] for u in units.values()) if units else total["total"])
    out = fig.finish(total, task)
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
        "departments": dept_out,
        "department_ranking": dept_ranking,
        "departments_all": fig.finish(dept_any),
        "by_status": {outcomes.label(k): v for k, v in sorted(by_status.items())},
        "ranking": ranking,
        "below_80": [v for v in ranking if ALERT_RATE <= units[v]["target_rate"] < WARN_RATE],
        "below_70": [v for v in ranking if units[v]["target_rate"] < ALERT_RATE],
        # silent: units set up (a setup package made) that sent nothing lately; one never set up
        # cannot report yet, and is named apart
        "silent": [v for v in sorted(fresh) if fresh[v]["silent"] and fresh[v]["set_up"]],
        "not_set_up": [v for v in sorted(fresh) if not fresh[v]["set_up"]],
        "silent_days": freshness.silent_days(camp),
        "pending_review": _pending(ws, pending, camp),
    })
    out["unit_label"] = Tier.TOWNSHIP.label if county else Tier.VILLAGE.label  # what `ranking` ranks
    if county:
        out["by_township"] = township_out
        out["county"] = ws.meta("county") or ""
    return out


def _pending(ws: Workspace, acc: dict | None, camp: Campaign) -> dict:
    """People waiting for the township's assignment (待核对): counted in this total (`counted`: a
    township) or only named (a village: its figures leave them out until the assignment arrives)."""
    if acc is None:
        acc = fig.blank()
        if not fig.pending_counted(ws):
            for _grp, _cats, status, n, seen in fig.pending_rows(ws):
                fig.add_many((acc,), n, fig.part_key(status, camp.done_set), seen or 0)
    return {**fig.finish(acc), "counted": fig.pending_counted(ws)}


def by_canvasser(ws: Workspace, day: dt.date | str | None = None, camp: Campaign | None = None) -> dict[str, dict]:
    """Visits and contacts (distinct persons) per canvasser on `day`, from live visits on the people
    this workspace counts, less its own records the tier above did not take: the same figure at the
    village and at the township. A tier with several villages names each canvasser with the village
    ("光明村·村文书"): two villages' 村文书 are two people."""
    day = _day(day)
    camp = camp or campaign_mod.load(ws)
    lo, hi = _day_range(day)
    done = sorted(camp.done_set)
    cond, params = fig.counted(ws, "p")
    rows = ws.conn.execute(
        f"SELECT v.author, p.village, count(*), count(DISTINCT v.pid), sum(v.outcome IN ({','.join('?' * len(done))})) "
        f"FROM visits v JOIN persons p ON p.pid = v.pid WHERE v.at >= ? AND v.at < ? AND v.voided = 0 AND {cond} "
        f"AND v.visit_id NOT IN (SELECT event_id FROM returned_held) GROUP BY v.author, p.village",
        (*done, lo, hi, *params)).fetchall()
    out: dict[str, dict] = {}
    for author, village, v, c, d in rows:
        name = author or "（未署名）"
        if ws.tier.coordinates:
            name = f"{village or NO_VILLAGE}·{name}"
        acc = out.setdefault(name, {"visits": 0, "contacts": 0, "done_outcomes": 0})
        acc["visits"] += v
        acc["contacts"] += c
        acc["done_outcomes"] += d or 0
    return dict(sorted(out.items(), key=lambda kv: (-kv[1]["visits"], kv[0])))


WORKLOAD_DAYS = 7  # the dashboard's "visits per canvasser": the last week, today included


def workload(ws: Workspace, today: dt.date | None = None, days: int = WORKLOAD_DAYS) -> dict[str, list[int]]:
    """Per canvasser over the last `days` days (today included): [visits, visits with a done outcome]
    (`by_canvasser`'s rule, so every tier shows a canvasser the same week)."""
    today = _day(today)
    camp = campaign_mod.load(ws)
    out: dict[str, list[int]] = {}
    for i in range(days):
        for name, v in by_canvasser(ws, today - dt.timedelta(days=i), camp).items():
            acc = out.setdefault(name, [0, 0])
            acc[0] += v["visits"]
            acc[1] += v["done_outcomes"]
    return out


def _done_visit_marks(camp: Campaign) -> tuple[str, list[str]]:
    done = sorted(s for s in camp.done_set if s != fig.CONFIRMED)
    return ",".join("?" * len(done)) or "''", done


def _computed_days(ws: Workspace, lo: str, hi: str, camp: Campaign) -> dict[str, list[int]]:
    """day -> [visits, done by visit, official payments], as the log says now, for days in [lo, hi).

    - visits: live visits dated that day;
    - done by visit: people whose first live visit of the year with a done outcome is that day
      (a later official payment or visit does not move them);
    - official payments: the bureau's payments of the year recorded that day (the day the paid list
      was imported: today's list adds to today, whatever dates it names)."""
    year = int(camp.values["coverage_year"])
    marks, done = _done_visit_marks(camp)
    out: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    for d, n in ws.conn.execute(
            "SELECT substr(at, 1, 10), count(*) FROM visits WHERE at >= ? AND at < ? AND voided = 0 GROUP BY 1", (lo, hi)):
        out[d][0] = n
    for d, n in ws.conn.execute(
            f"SELECT substr(v.at, 1, 10), count(DISTINCT v.pid) FROM visits v WHERE v.at >= ? AND v.at < ? "
            f"AND v.voided = 0 AND v.year = ? AND v.outcome IN ({marks}) AND NOT EXISTS ("
            f"SELECT 1 FROM visits w WHERE w.pid = v.pid AND w.voided = 0 AND w.year = v.year "
            f"AND w.outcome IN ({marks}) AND w.at < v.at) GROUP BY 1", (lo, hi, year, *done, *done)):
        out[d][1] = n
    for d, n in ws.conn.execute(
            "SELECT substr(recorded_at, 1, 10), count(*) FROM official_payments WHERE year = ? AND recorded_at >= ? "
            "AND recorded_at < ? GROUP BY 1", (year, lo, hi)):
        out[d][2] = n
    return out


def newly_done(ws: Workspace, day: dt.date | str | None = None, camp: Campaign | None = None) -> dict:
    """People newly done on `day`: by a visit (their first done visit of the year) and by the
    bureau's payments recorded that day."""
    day = _day(day)
    camp = camp or campaign_mod.load(ws)
    _, by_visit, official = _computed_days(ws, *_day_range(day), camp).get(day.isoformat(), [0, 0, 0])
    return {"by_visit": by_visit, fig.CONFIRMED: official, "total": by_visit + official}


TREND_KEYS = ("visits", "done_by_visit", fig.CONFIRMED)


def trend(ws: Workspace, days: int = 14, end: dt.date | str | None = None, camp: Campaign | None = None,
          *, freeze: bool = False) -> list[dict]:
    """Daily counts over the last `days` days up to `end`: visits, people newly done by visit,
    official payments recorded, done (the two added).

    A past day keeps the figures it was first reported with (`trend_days`, local): what arrives for it
    later — a late village package, a void — is shown beside them as late (`late_*`), never folded
    into them. `freeze` (a writable connection: the report, the dashboard's worker) records the
    days before `end` not yet recorded."""
    end = _day(end)
    camp = camp or campaign_mod.load(ws)
    start = end - dt.timedelta(days=days - 1)
    lo, hi = start.isoformat(), (end + dt.timedelta(days=1)).isoformat()
    now = _computed_days(ws, lo, hi, camp)
    kept = {r[0]: list(r[1:]) for r in ws.conn.execute(
        "SELECT day, visits, done_by_visit, paid_official FROM trend_days WHERE day >= ? AND day < ?", (lo, hi))}
    if freeze and not getattr(ws, "look_only", False):  # (a read-only place shows, keeps nothing)
        fresh = [(d, *now.get(d, [0, 0, 0]), now_iso()) for d in _days(start, end) if d < end.isoformat() and d not in kept]
        ws.conn.executemany("INSERT OR IGNORE INTO trend_days (day, visits, done_by_visit, paid_official, frozen_at) "
                            "VALUES (?,?,?,?,?)", fresh)
        kept.update({r[0]: list(r[1:4]) for r in fresh})
    out = []
    for d in _days(start, end):
        current = now.get(d, [0, 0, 0])
        shown = kept.get(d, current)
        row = {"day": d, **dict(zip(TREND_KEYS, shown)), "done": shown[1] + shown[2], "kept": d in kept}
        row.update({f"late_{k}": c - s for k, c, s in zip(TREND_KEYS, current, shown)})
        out.append(row)
    return out


def _days(start: dt.date, end: dt.date) -> list[str]:
    return [(start + dt.timedelta(days=i)).isoformat() for i in range((end - start).days + 1)]


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
    keep = save and not getattr(ws, "look_only", False)  # a read-only place: the report, without keeping it
    figs["trend"] = trend(ws, max(1, trend_days), day, camp, freeze=keep)
    last = figs["trend"][-1]  # the report day itself: same figures as newly_done(ws, day)
    figs["today"] = {"by_visit": last["done_by_visit"], fig.CONFIRMED: last[fig.CONFIRMED], "total": last["done"],
                     "visits": last["visits"]}
    figs["today"]["contacts"] = ws.scalar(
        "SELECT count(DISTINCT pid) FROM visits WHERE at >= ? AND at < ? AND voided = 0", _day_range(day)) or 0
    figs["change"] = change(figs, previous_snapshot(ws, day))
    figs["year_on_year"] = year_on_year(ws, day, camp)
    figs["unit"], figs["issuer"] = unit(ws), issuer(ws, camp)
    if keep:
        save_snapshot(ws, day, figs)
    return figs


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
    own, own_params = fig.counted(ws, "p")
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
    own, own_params = fig.counted(ws)
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
