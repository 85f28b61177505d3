"""Who decides what, by tier: the tier above owns the year's rules; each workspace keeps its own house.

The rule is phrased relative to a workspace — *the tier above* or *this tier* — never as "township"
or "village", so the same table serves a village under its township and a township under its
county (`tiers.Tier.above`):

- `ABOVE` — the year's rules (the coverage year, standard, subsidies, deadlines, payment channel,
  what counts as done, the special groups ...). Set at the top of the chain: by the tier above
  when this workspace has joined one, by this workspace only when nothing is above it. They flow
  down with the packages and never up.
- `UNITS` — the targets of the units below (任务数): set by the tier that coordinates those units,
  so a workspace may set the targets of the tier below it, never its own.
- `OWN` — this workspace's own house (its lock time, how many silent days it tolerates). Kept in
  the workspace itself (`meta`), never sent, never taken from anyone.

Besides settings, two acts belong to the top: starting a new coverage year (it flows down) and
confirming payments (医保局确认: only the bureau's paid list imported at the top confirms; lower down a
paid list is kept as a claim, 自报待核实).

A lower tier cannot do any of this by sync: a package from the tier below that carries such a change
is held where it arrives (`held_reason`), never applied and never forwarded, and the receiver's own
values are written again so that the sender's copy converges (`sync/scope.py`). The window shows
what the tier above decides as "由乡镇设置" (`set_above`), read-only; the CLI refuses a change with
exit 2 (`refuse`).
"""

from __future__ import annotations

from enum import Enum
from typing import Any, Protocol

from .errors import InputError
from .tiers import Tier


class Workspace(Protocol):
    """What the rule reads of a workspace (`storage.store.Workspace`; not imported: the store is
    below every rule)."""

    tier: Tier
    conn: Any


class Decides(str, Enum):
    ABOVE = "above"  # the tier above (this tier only when none is above it)
    UNITS = "units"  # the tier that coordinates the units the setting names (this tier, for its units)
    OWN = "own"  # this workspace, for itself: never sent, never taken


SETTINGS: dict[str, Decides] = {
    # the year's rules
    "coverage_year": Decides.ABOVE, "first_year": Decides.ABOVE,
    "collection_start": Decides.ABOVE, "collection_end": Decides.ABOVE, "supplementary_end": Decides.ABOVE,
    "standard": Decides.ABOVE, "fiscal_subsidy": Decides.ABOVE, "subsidies": Decides.ABOVE,
    "special_groups": Decides.ABOVE, "done_outcomes": Decides.ABOVE,
    "payment_channels": Decides.ABOVE, "payment_link": Decides.ABOVE, "payment_image": Decides.ABOVE,
    "payment_caption": Decides.ABOVE, "bureau_phone": Decides.ABOVE, "issuer": Decides.ABOVE,
    "waiting_fixed_months": Decides.ABOVE, "waiting_per_year_months": Decides.ABOVE,
    "reference_kinds": Decides.ABOVE, "village_collects": Decides.ABOVE,
    "departments": Decides.ABOVE,  # which department answers for which categories (the county's 约谈会)
    # the targets of the tier below
    Tier.TOWNSHIP.target_key: Decides.UNITS, Tier.COUNTY.target_key: Decides.UNITS,
    # this workspace's own
    "silent_days": Decides.OWN, "lock_minutes": Decides.OWN,
}
"""Every campaign setting and who decides it. A key not named here (a printed text the tier above
edited, `template:<name>`, or a key a newer version added) is the tier above's."""

NEW_YEAR = "coverage_year"  # starting the next year moves the coverage year: the tier above's
CONFIRM_PAYMENTS = "confirm_payments"  # marking people 医保局确认 from the bureau's paid list
ACTS: dict[str, Decides] = {CONFIRM_PAYMENTS: Decides.ABOVE}


def decider(key: str) -> Decides:
    """Who decides setting (or act) `key`."""
    return SETTINGS.get(key) or ACTS.get(key) or Decides.ABOVE


UNITS_OF = {Tier.TOWNSHIP.target_key: Tier.VILLAGE, Tier.COUNTY.target_key: Tier.TOWNSHIP}
"""The tier of the units a UNITS setting names: a township's villages' targets, a county's townships'."""


def coordinator_decides(tier: Tier, key: str) -> bool:
    """Whether a workspace of `tier` decides a UNITS setting as the coordinator of the units it names
    (a township its villages' targets, a county its townships'; neither the other's)."""
    return decider(key) is Decides.UNITS and tier.below is UNITS_OF.get(key, Tier.VILLAGE)


def above(ws: Workspace) -> Tier | None:
    """The tier this workspace answers to: the tier above it once it has joined one (a village always
    has; a township only under a county), else None — then this workspace is the top."""
    tier = ws.tier.above
    if tier is None:
        return None
    if ws.tier is Tier.VILLAGE:
        return tier
    joined = ws.conn.execute("SELECT 1 FROM peers WHERE kind=? LIMIT 1", (tier.value,)).fetchone()
    return tier if joined else None


def decides(ws: Workspace, key: str, *, top: bool | None = None) -> bool:
    """Whether this workspace may set `key` (or do act `key`). `top`: whether nothing is above it
    (looked up when not given)."""
    who = decider(key)
    if who is Decides.OWN:
        return True
    if top is None:
        top = above(ws) is None
    if who is Decides.UNITS:  # the top decides them all, but a county never its townships' villages'
        return coordinator_decides(ws.tier, key) or (top and ws.tier is not Tier.COUNTY)
    return top


def set_above(ws: Workspace) -> str:
    """How the window marks a setting it may not change: "由乡镇设置" (the tier above's label)."""
    tier = above(ws)
    return f"由{tier.label}设置" if tier else ""


def refuse(ws: Workspace, keys, labels: dict[str, str] | None = None) -> None:
    """InputError (CLI exit 2) when any of `keys` is not this workspace's to change; nothing else."""
    top = above(ws) is None
    barred = [k for k in keys if not decides(ws, k, top=top)]
    if not barred:
        return
    names = "、".join((labels or {}).get(k, k) for k in barred)
    tier = above(ws)
    if tier is None:  # the top decides everything but the targets of units it does not coordinate
        units = " ".join(sorted({UNITS_OF.get(k, Tier.VILLAGE).above.label for k in barred}))
        raise InputError(f"{names}由{units}设置，{ws.tier.label}工作区不能修改")
    raise InputError(f"{names}{set_above(ws)}，{ws.tier.label}工作区不能修改（{tier.label}修改后会随数据包送到）")


def own_keys() -> tuple[str, ...]:
    """The settings each workspace keeps for itself (stored in its `meta`, never in events)."""
    return tuple(k for k, who in SETTINGS.items() if who is Decides.OWN)


# ---- what a package from the tier below may not carry ----------------------------------------

CAMPAIGN_KINDS = ("campaign.set", "campaign.year_started")
OFFICIAL_KIND = "status.official"


def held_reason(ws: Workspace, kind: str, entity: str, payload: dict, labels: dict[str, str] | None = None) -> str:
    """Why an event arriving from the tier below is held and never applied ('' when it may be
    applied): a change of what this tier (or the one above it) decides, a new year, an official
    payment. The receiving workspace is the sender's tier above."""
    if kind != OFFICIAL_KIND and kind not in CAMPAIGN_KINDS and entity != "campaign":
        return ""  # (the common case, for every event of a merge: no lookup)
    here = ws.tier.label
    if kind == "campaign.year_started":
        return f"开始新年度只能由{here}（或其上级）决定"
    if kind == OFFICIAL_KIND:
        return f"医保局确认的缴费只能来自{here}（或其上级）导入的医保局缴费名单"
    keys = [k for k in payload if decider(k) is not Decides.OWN]
    if not keys:
        return "下级自己的设置，不上报"
    return f"修改了由{here}决定的设置：{'、'.join((labels or {}).get(k, k) for k in keys)[:120]}"
