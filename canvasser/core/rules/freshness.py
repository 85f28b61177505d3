"""Which units report: per village (at a township) or township (at a county), when its last package
arrived and what it held.

Read from the township's local receipts and peers (never events: who received what is this file's
own knowledge). Two different things stand out on the dashboard and in the daily report, each
under its own name: a village set up (given its setup package) that never reported or has been
silent for more than `silent_days` is 未上报 (`silent`); a village on the list that was never given
a setup package is 尚未配置 (`not_set_up`) — nobody there can report yet. At 0% either would
otherwise look exactly like a village that reports and has done nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from .. import clock
from ..storage.store import Workspace
from .campaign import Campaign

DEFAULT_SILENT_DAYS = 3


def silent_days(camp: Campaign) -> int:
    try:
        return max(1, int(camp.values.get("silent_days", DEFAULT_SILENT_DAYS)))
    except (TypeError, ValueError):
        return DEFAULT_SILENT_DAYS


def _days_since(stamp: str, day: dt.date) -> int | None:
    try:
        return (day - dt.datetime.fromisoformat(stamp).date()).days
    except (TypeError, ValueError):
        return None


def by_village(ws: Workspace, villages: Iterable[str], day: dt.date | None = None,
               camp: Campaign | None = None) -> dict[str, dict]:
    """For a coordinator: each unit below (a township's villages, a county's townships; those named
    and those set up) → set_up, last_package (ISO time of the newest package received, '' if none),
    applied/already_known of that package, packages received, days_silent (None if never), silent
    (set up, and never reported or silent too long).
    Empty for any other workspace."""
    if not ws.tier.coordinates:
        return {}
    from .campaign import load

    camp = camp or load(ws)
    day = day or clock.today()
    limit = silent_days(camp)
    peers = {r["name"]: r["peer"] for r in ws.query("SELECT peer, name FROM peers WHERE kind=?",
                                                      (ws.tier.below.value,))}
    last: dict[str, dict] = {}
    for r in ws.query("SELECT peer, received_at, applied, already_known FROM receipts "
                      "WHERE peer IS NOT NULL ORDER BY received_at"):
        acc = last.setdefault(r["peer"], {"packages": 0})
        acc.update(received_at=r["received_at"], applied=r["applied"] or 0, known=r["already_known"] or 0)
        acc["packages"] += 1
    out = {}
    for name in sorted({*villages, *peers}):
        peer = peers.get(name)
        got = last.get(peer or "", {})
        stamp = got.get("received_at") or ""
        days = _days_since(stamp, day) if stamp else None
        out[name] = {"set_up": peer is not None, "last_package": stamp, "applied": got.get("applied", 0),
                     "already_known": got.get("known", 0), "packages": got.get("packages", 0),
                     "days_silent": days, "silent": peer is not None and (days is None or days > limit)}
    return out


by_unit = by_village  # the same, named for what a county asks it


def describe(f: dict) -> str:
    """One line for a unit's freshness, in Chinese (dashboard, report)."""
    if not f["set_up"]:
        return "未配置（未生成配置包）"
    if not f["last_package"]:
        return "已配置，从未上报"
    when = f["last_package"].replace("T", " ")[:16]
    return f"{when}（{f['days_silent']} 天前，新增 {f['applied']} 条）"


def alert_lines(figs: dict) -> list[tuple[str, list[str]]]:
    """The report's two lists of villages that cannot be judged by their figures, each under its own
    name (dashboard, xlsx, PDF, CLI): set up but silent (未按时上报), and never set up (尚未配置)."""
    days = figs.get("silent_days", DEFAULT_SILENT_DAYS)
    unit = figs.get("unit_label", "村")  # a county's are townships
    out = []
    if figs.get("silent"):
        out.append((f"未按时上报的{unit}（已配置，从未上报或超过{days}天）", list(figs["silent"])))
    if figs.get("not_set_up"):
        out.append((f"尚未配置的{unit}（未生成配置包，无法上报）", list(figs["not_set_up"])))
    return out
