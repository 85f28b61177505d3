"""One definition of every progress figure: what counts as done, visited, confirmed, claimed, not
needed, remaining, a village's task number and the rates, for the header, the dashboard, the report,
the ledgers and the feedback sheet alike.

- done = confirmed (the bureau's payment) + claimed (a canvasser's paid outcome, to be confirmed)
  + not needed (every other outcome the campaign counts as done: employee insurance, death ...);
  the three parts always add up to done, and done + remaining = the list;
- visited = distinct people with at least one visit that stands (a bureau payment is no visit);
- a village's task number (任务数) is the one typed in the campaign settings, else its list size;
  the township's is the sum of its villages' (a typed target for one village never stands for all);
- villages rank by done against their task number (then by name).

A village workspace counts only its own people: someone the township assigned to another village
(a resolved duplicate, a move) stays in its log and history but leaves its list and its counts.
"""

from __future__ import annotations

from .. import outcomes
from ..storage.store import Workspace
from ..tiers import Tier
from .campaign import Campaign

# the parts of done; the bureau's confirmed payment is also the report's key for it (`paid_official`,
# DESIGN §8: the status's own code)
CONFIRMED, CLAIMED, NOT_NEEDED = outcomes.OFFICIAL.code, "claimed", "not_needed"


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


def village_target(camp: Campaign, village: str, total: int) -> int:
    """A village's task number: typed in the settings, else its list size."""
    typed = (camp.values.get("targets") or {}).get(village)
    try:
        return int(typed) if typed not in (None, "") and int(typed) > 0 else total
    except (TypeError, ValueError):
        return total


def task_total(camp: Campaign, totals: dict[str, int]) -> int:
    """The task number of several villages (village → list size): the sum of each one's."""
    return sum(village_target(camp, v, n) for v, n in totals.items())


def rank_key(name: str, done: int, target: int) -> tuple:
    """Sort key of a village in the ranking: done against its task number, higher first, then name."""
    return (-done / max(target, 1), name)


def ranking(by_village: dict[str, dict]) -> list[str]:
    """Village names in rank order (each dict holds `done` and `target`)."""
    return sorted(by_village, key=lambda v: rank_key(v, by_village[v]["done"], by_village[v]["target"]))


def own_village(ws: Workspace) -> str | None:
    """The village a village workspace is for (None for a township or a standalone workspace)."""
    return (ws.meta("village") or None) if ws.tier is Tier.VILLAGE else None


def scope(ws: Workspace, alias: str = "") -> tuple[str, tuple]:
    """The SQL condition on persons for the workspace's own list ('1' when it holds only its own)."""
    village = own_village(ws)
    if not village:
        return "1", ()
    col = f"{alias}.village" if alias else "village"
    return f"{col} IN (?, '')", (village,)


def known_villages(ws: Workspace) -> list[str]:
    """The villages on the workspace's list (named ones, in order)."""
    return [r[0] for r in ws.conn.execute("SELECT DISTINCT village FROM persons WHERE village <> '' ORDER BY 1")]


def progress_counts(ws: Workspace, camp: Campaign) -> dict:
    """The header's figures: list size, done, task number, rates; one GROUP BY village on the index."""
    done = sorted(camp.done_set)
    cond, params = scope(ws)
    rows = ws.conn.execute(
        f"SELECT village, count(*), coalesce(sum(status IN ({','.join('?' * len(done))})), 0) FROM persons "
        f"WHERE {cond} AND {outcomes.ON_LIST_SQL} GROUP BY village", (*done, *params)).fetchall()
    default = ws.meta("village", "") or ""
    totals: dict[str, int] = {}
    done_n = 0
    for village, n, d in rows:
        village = village or default
        totals[village] = totals.get(village, 0) + n
        done_n += d
    total = sum(totals.values())
    target = task_total(camp, totals) if totals else 0
    out = finish({"total": total, "done": done_n}, target)
    return out


def check_parts(acc: dict) -> bool:
    """The card's parts add up: confirmed + claimed + not needed = done, done + remaining = total."""
    return (acc[CONFIRMED] + acc["paid_claimed"] + acc["accepted"] == acc["done"]
            and acc["done"] + acc["remaining"] == acc["total"])
