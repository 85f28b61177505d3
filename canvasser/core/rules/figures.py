"""One definition of every progress figure: what counts as done, visited, confirmed, claimed, not
needed, remaining, a village's task number and the rates, for the header, the dashboard, the report,
the ledgers and the feedback sheet alike.

- done = confirmed (the bureau's payment) + claimed (a canvasser's paid outcome, to be confirmed)
  + not needed (every other outcome the campaign counts as done: employee insurance, death ...);
  the three parts always add up to done, and done + remaining = the list;
- visited = distinct people with at least one visit that stands (a bureau payment is no visit);
- a village's task number (任务数) is the one typed in the campaign settings, else its list size;
  the township's is the sum of its villages' (a typed target for one village never stands for all);
- villages rank by done against their task number (then by name);
- every rate says what it is against, with one label each: 完成率（占任务数） (done ÷ task number)
  and 完成率（占名单） (done ÷ the list); it is printed by rounding once, from the counts
  (`percent`: 3 of 2,000 is 0.2%, never 0.15% rounded to 0.1%), and a spreadsheet cell holds the
  exact fraction (`Rate`) for the spreadsheet to round once;
- 自报待核实 is every claimed payment (当场协助缴费, 已自行缴费, 学校代缴): the bureau has not confirmed
  any of them; where the parts are shown they are "其中" lines of it, never a second 自报待核实;
- every "A + B = C" a report prints is built by `equation` from parts that add up.

A village workspace counts only its own people: someone the township assigned to another village
(a resolved duplicate, a move) stays in its log and history but leaves its list and its counts.

A person two villages created and the township has not assigned yet (待核对) is counted in no village
(`counted`): at the township they are counted once, under 待核对 (`PENDING`), in the total; a village
that knows of the dispute leaves them out of its figures until the assignment arrives. So nobody is
counted twice and nobody is counted nowhere.
"""

from __future__ import annotations

from .. import outcomes
from ..storage.store import Workspace
from ..tiers import Tier
from .campaign import Campaign

# the parts of done; the bureau's confirmed payment is also the report's key for it (`paid_official`,
# DESIGN §8: the status's own code)
CONFIRMED, CLAIMED, NOT_NEEDED = outcomes.OFFICIAL.code, "claimed", "not_needed"

# one label per figure, wherever it is printed (window, xlsx, PDF, CLI)
LABELS = {
    "total": "名单人数", "target": "任务数", "done": "已完成", "remaining": "尚未完成",
    CONFIRMED: "医保局确认已缴", "paid_claimed": "自报待核实", "accepted": "不需参保", "visited": "已走访",
    "gap": "差额（距任务数）", "rate": "完成率（占名单）", "target_rate": "完成率（占任务数）",
}
RATE_LIST, RATE_TARGET = LABELS["rate"], LABELS["target_rate"]
TARGET_NOTE = "任务数：乡镇填写的各村任务数，未填的村以名单人数计"


def percent(num: int, den: int) -> str:
    """A rate as printed: rounded once, half up, from the counts to 0.1% ("—" against nothing)."""
    num, den = int(num), int(den)
    if den <= 0:
        return "—"
    tenths = (num * 2000 + den) // (2 * den)
    return f"{tenths // 10}.{tenths % 10}%"


class Rate(float):
    """A rate with its counts: a percentage cell holding the exact fraction in xlsx (the spreadsheet
    rounds it once), `percent` of the counts in PDF and on screen."""

    num: int
    den: int

    def __new__(cls, num: int, den: int) -> Rate:
        value = super().__new__(cls, num / den if den > 0 else 0.0)
        value.num, value.den = int(num), int(den)
        return value

    def __str__(self) -> str:
        return percent(self.num, self.den)


def list_rate(acc: dict) -> Rate:
    """完成率（占名单） of a tally."""
    return Rate(acc["done"], acc["total"])


def target_rate(acc: dict) -> Rate:
    """完成率（占任务数） of a tally with a target (its list when it has none)."""
    return Rate(acc["done"], acc.get("target", acc["total"]))


def equation(total: tuple[str, int], parts: list[tuple[str, int]]) -> str:
    """"已完成 12 = 医保局确认已缴 3 + 自报待核实 7 + 不需参保 2": refuses parts that do not add up (a bug)."""
    if sum(n for _, n in parts) != total[1]:
        raise ValueError(f"{total[0]} {total[1]} ≠ " + " + ".join(f"{k} {n}" for k, n in parts))
    return f"{total[0]} {total[1]} = " + " + ".join(f"{k} {n}" for k, n in parts)


def headline(figs: dict) -> str:
    """The report's first line, the same in the CLI and the window: both rates, each with its
    denominator."""
    target = figs.get("target", figs["total"])
    return (f"{figs['date']} 进度：名单 {figs['total']} 人，任务数 {target} 人，已完成 {figs['done']} 人，"
            f"尚未完成 {figs['remaining']} 人；{RATE_TARGET} {percent(figs['done'], target)}，"
            f"{RATE_LIST} {percent(figs['done'], figs['total'])}。")


def feedback_line(res: dict) -> str:
    """What the feedback sheet holds, in parts that add up (the CLI and the window say the same)."""
    rows = equation(("共", res["rows"]), [("尚未完成", res["remaining"]), (LABELS["accepted"], res["not_needed"]),
                                         (LABELS["paid_claimed"], res["claimed"])])
    filled = [("填“否”", res["not_paid"]), ("填“待核实”", res.get("filled_claim", 0)), ("填“是”", res["filled_yes"])]
    paid = equation(("“是否参保”", res["rows"]), [(k, n) for k, n in filled if n or k == "填“否”"])
    return f"{rows} 人；{paid} 人"


def pending_line(figs: dict) -> str:
    """The people waiting for the township's assignment, in words ('' when nobody waits)."""
    p = figs.get("pending_review") or {}
    if not p.get("total"):
        return ""
    where = "已计入合计，不计入任何村" if p.get("counted") else "乡镇确定归属前不计入本村"
    return f"{PENDING} {p['total']} 人（两个村都报了此人，{where}）"


def done_equation(acc: dict) -> str:
    """已完成 = 医保局确认已缴 + 自报待核实 + 不需参保 (a tally's)."""
    return equation((LABELS["done"], acc["done"]), [(LABELS[k], acc[k]) for k in (CONFIRMED, "paid_claimed", "accepted")])


def list_equation(acc: dict) -> str:
    """名单人数 = 已完成 + 尚未完成 (a tally's)."""
    return equation((LABELS["total"], acc["total"]), [(LABELS["done"], acc["done"]),
                                                      (LABELS["remaining"], acc["remaining"])])


def part_of(status: str, done_set: set[str]) -> str:
    """Which part of `done` a status falls in ('' when it is not done)."""
    if status not in done_set:
        return ""
    o = outcomes.of(status)
    if o is outcomes.OFFICIAL:
        return CONFIRMED
    if o is not None and o.claims_paid:
        return CLAIMED
    return NOT_NEEDED


def blank() -> dict:
    """An empty tally (the report's key names: paid_official, paid_claimed, accepted = not needed)."""
    return {"total": 0, "done": 0, CONFIRMED: 0, "paid_claimed": 0, "accepted": 0, "visited": 0}


_PART_KEYS = {CONFIRMED: CONFIRMED, CLAIMED: "paid_claimed", NOT_NEEDED: "accepted"}


def part_key(status: str, done_set: set[str]) -> str:
    """The tally key a status adds to besides total ('' when it is not done)."""
    return _PART_KEYS.get(part_of(status, done_set), "")


def add_many(accs: tuple, n: int, key: str, visited: int) -> None:
    """Count `n` people of one status (its `part_key`), `visited` of them with a visit that stands,
    into several tallies at once (the report's hot loop)."""
    for acc in accs:
        acc["total"] += n
        acc["visited"] += visited
        if key:
            acc["done"] += n
            acc[key] += n


TALLY_KEYS = ("total", "visited", "done", CONFIRMED, "paid_claimed", "accepted")
_SLOT = {k: i for i, k in enumerate(TALLY_KEYS)}


def add_to_sums(sums: list, n: int, key: str, visited: int) -> None:
    """`add_many` into one list in TALLY_KEYS order (the report sums each place's rows first, then
    adds each place once to every tally it belongs to: `add_sums`)."""
    sums[0] += n
    sums[1] += visited
    if key:
        sums[2] += n
        sums[_SLOT[key]] += n


def add_sums(accs: tuple, sums: list) -> None:
    """Add a TALLY_KEYS list (`add_to_sums`) into several tallies."""
    for acc in accs:
        for k, v in zip(TALLY_KEYS, sums):
            if v:
                acc[k] += v


def finish(acc: dict, target: int | None = None) -> dict:
    """Derived figures: remaining (on the list, not done), rate against the list; with a target,
    the target, the gap to it and the rate against it."""
    acc["remaining"] = acc["total"] - acc["done"]
    acc["rate"] = round(acc["done"] / acc["total"], 4) if acc["total"] else 0.0
    if target is not None:
        acc["target"] = target
        acc["gap"] = max(0, target - acc["done"])
        acc["target_rate"] = round(acc["done"] / target, 4) if target else 1.0
    return acc


def unit_target(camp: Campaign, unit: str, total: int, key: str = "targets") -> int:
    """A unit's task number: typed in the settings under `key` (a township's villages' `targets`, a
    county's townships' `township_targets`), else its list size."""
    typed = (camp.values.get(key) or {}).get(unit)
    try:
        return int(typed) if typed not in (None, "") and int(typed) > 0 else total
    except (TypeError, ValueError):
        return total


def village_target(camp: Campaign, village: str, total: int) -> int:
    """A village's task number: typed in the settings, else its list size."""
    return unit_target(camp, village, total)


def task_total(camp: Campaign, totals: dict[str, int], key: str = "targets") -> int:
    """The task number of several units (unit → list size): the sum of each one's."""
    return sum(unit_target(camp, v, n, key) for v, n in totals.items())


def assigned_target(ws: Workspace, camp: Campaign) -> int | None:
    """The task number the tier above gave this township (its county's `township_targets`), or None:
    then a township's task number is the sum of its villages'."""
    if ws.tier is not Tier.TOWNSHIP:
        return None
    typed = unit_target(camp, ws.meta("township") or "", 0, Tier.COUNTY.target_key)
    return typed or None


def rank_key(name: str, done: int, target: int) -> tuple:
    """Sort key of a unit in the ranking: done against its task number, higher first, then name."""
    return (-done / max(target, 1), name)


def ranking(by_village: dict[str, dict]) -> list[str]:
    """Unit names in rank order (each dict holds `done` and `target`)."""
    return sorted(by_village, key=lambda v: rank_key(v, by_village[v]["done"], by_village[v]["target"]))


def own_village(ws: Workspace) -> str | None:
    """The village a village workspace is for (None for a township or a standalone workspace)."""
    return (ws.meta("village") or None) if ws.tier is Tier.VILLAGE else None


def own_unit(ws: Workspace) -> tuple[str, str] | None:
    """(persons column, name) of the one unit a workspace counts and lists: a village its village, a
    township under a county its township (someone the county assigned to another township stays in
    its log and leaves its list); None for a workspace that counts all it holds."""
    if ws.tier is Tier.VILLAGE and ws.meta("village"):
        return "village", ws.meta("village") or ""
    if ws.tier is Tier.TOWNSHIP and ws.meta("county") and ws.meta("township"):
        return "township", ws.meta("township") or ""
    return None


def scope(ws: Workspace, alias: str = "") -> tuple[str, tuple]:
    """The SQL condition on persons for the workspace's own list ('1' when it holds only its own)."""
    own = own_unit(ws)
    if not own:
        return "1", ()
    col = f"{alias}.{own[0]}" if alias else own[0]
    return f"{col} IN (?, '')", (own[1],)


def unit_column(ws: Workspace) -> str:
    """The persons column a workspace's task number is summed over: a county's townships, anyone
    else's villages."""
    return "township" if ws.tier is Tier.COUNTY else "village"


def known_villages(ws: Workspace) -> list[str]:
    """The villages on the workspace's list (named ones, in order)."""
    return [r[0] for r in ws.conn.execute("SELECT DISTINCT village FROM persons WHERE village <> '' ORDER BY 1")]


def known_units(ws: Workspace, col: str) -> list[str]:
    """The units named in a persons column (`village` or `township`), in order."""
    return [r[0] for r in ws.conn.execute(f"SELECT DISTINCT {col} FROM persons WHERE {col} <> '' ORDER BY 1")]


PENDING = "待核对"  # the township's bucket for people waiting for its assignment (no village's)
_DISPUTED = "(SELECT d.rowid FROM persons d JOIN conflicts c ON c.pid = d.pid WHERE c.resolved = 0)"


def has_disputes(ws: Workspace) -> bool:
    return ws.conn.execute("SELECT 1 FROM conflicts WHERE resolved = 0 LIMIT 1").fetchone() is not None


def counted(ws: Workspace, alias: str = "") -> tuple[str, tuple]:
    """The SQL condition on persons for the people the workspace counts in its villages: its own
    list less anyone waiting for the township's assignment (by rowid: a covering index still serves)."""
    cond, params = scope(ws, alias)
    if not has_disputes(ws):
        return cond, params
    col = f"{alias}.rowid" if alias else "rowid"
    return f"{cond} AND {col} NOT IN {_DISPUTED}", params


def pending_counted(ws: Workspace) -> bool:
    """Whether the people waiting for an assignment count in this workspace's total (under 待核对):
    at a tier that assigns them, yes; a village leaves them out until it knows where they belong."""
    return ws.tier.coordinates


def pending_rows(ws: Workspace) -> list[tuple]:
    """(group, categories, status, count, visited) of the people waiting for an assignment."""
    if not has_disputes(ws):
        return []
    cond, params = scope(ws)
    return ws.conn.execute(
        f"SELECT grp, categories, status, count(*), sum(visit_count > 0) FROM persons WHERE {cond} "
        f"AND {outcomes.ON_LIST_SQL} AND rowid IN {_DISPUTED} GROUP BY grp, status, categories", params).fetchall()


def progress_counts(ws: Workspace, camp: Campaign) -> dict:
    """The header's figures: list size, done, task number, rates; one GROUP BY unit on the index.
    A township under a county counts against the task number the county gave it."""
    done = sorted(camp.done_set)
    cond, params = counted(ws)
    col = unit_column(ws)
    rows = ws.conn.execute(
        f"SELECT {col}, count(*), coalesce(sum(status IN ({','.join('?' * len(done))})), 0) FROM persons "
        f"WHERE {cond} AND {outcomes.ON_LIST_SQL} GROUP BY {col}", (*done, *params)).fetchall()
    if pending_counted(ws):
        waiting = pending_rows(ws)
        pending = (sum(r[3] for r in waiting), sum(r[3] for r in waiting if r[2] in camp.done_set))
    else:
        pending = (0, 0)
    default = (ws.meta("village", "") or "") if col == "village" else ""
    totals: dict[str, int] = {}
    done_n = 0
    for unit, n, d in rows:
        unit = unit or default
        totals[unit] = totals.get(unit, 0) + n
        done_n += d
    total = sum(totals.values()) + pending[0]
    key = Tier.COUNTY.target_key if ws.tier is Tier.COUNTY else Tier.TOWNSHIP.target_key
    target = assigned_target(ws, camp) or (task_total(camp, totals, key) if totals else 0)
    return finish({"total": total, "done": done_n + pending[1]}, target)


def check_parts(acc: dict) -> bool:
    """The card's parts add up: confirmed + claimed + not needed = done, done + remaining = total."""
    return (acc[CONFIRMED] + acc["paid_claimed"] + acc["accepted"] == acc["done"]
            and acc["done"] + acc["remaining"] == acc["total"])
