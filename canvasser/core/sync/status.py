"""What people need to know about sync: unsent changes, when the other side was last heard from."""

from __future__ import annotations

from ..storage.store import Workspace
from ..tiers import Tier
from . import peers, scope
from . import ranges as rg
from .package import pending_rows

VISIT_KINDS = ("visit.recorded",)  # what a cadre calls 走访 among the changes a village sends


def village_progress(ws: Workspace, town: dict, rows: list[tuple]) -> dict:
    """The changes the township has not acknowledged, split as a cadre needs them: visits and other
    changes, each either not exported yet or exported and waiting for the township's confirmation."""
    sent = {o: rg.Membership(r) for o, r in peers.acks_of(ws, peers.sent_holder(town["peer"])).items()}
    out = {"visits_unsent": 0, "visits_waiting": 0, "other_unsent": 0, "other_waiting": 0}
    for r in rows:
        kind = "visits" if r[4] in VISIT_KINDS else "other"
        got = sent.get(r[1])
        out[f"{kind}_{'waiting' if got is not None and r[2] in got else 'unsent'}"] += 1
    return out


def sync_status(ws: Workspace) -> dict:
    """For a village: changes not yet received by the township and when it last heard from it.
    For a coordinator (a township, a county): per unit below, when its last package came and how many
    people (at a township: and events) it holds; a township under a county also what the county lacks."""
    mode = ws.mode
    if not ws.tier.syncs:
        return {"mode": mode, "enabled": False}
    keys = peers.own_keys(ws)
    out = {"mode": mode, "enabled": True, "name": peers.display_name(ws), "fingerprint": keys.public.key_id,
           "events": ws.event_count()}
    above = peers.above_peer(ws)
    rows: list = []
    if above is not None:
        rows = pending_rows(ws)
        up = {"name": above["name"], "unsent": len(rows), "last_received_at": above["last_received_at"],
              "last_sent_at": above["last_sent_at"],
              "packages_received": ws.scalar("SELECT count(*) FROM receipts WHERE peer=?", (above["peer"],))}
        out["above"] = up
    if ws.tier is Tier.VILLAGE:
        out.update(village_progress(ws, above, rows))
        out.update({"village": ws.meta("village"), "township": up["name"], **{k: v for k, v in up.items() if k != "name"},
                    **{f"returned_{k}": n for k, n in scope.returned_counts(ws).items()}})
        return out
    col = ws.tier.below.unit_column
    held = {r["scope"]: r["n"] for r in ws.query("SELECT scope, count(*) AS n FROM events GROUP BY scope")} \
        if col == "village" else {}
    people = {r["unit"]: r["n"] for r in ws.query(f"SELECT {col} AS unit, count(*) AS n FROM persons GROUP BY {col}")}
    units = []
    for p in peers.member_peers(ws):
        units.append({
            col: p["name"], "events": held.get(p["name"]), "people": people.get(p["name"], 0),
            "last_received_at": p["last_received_at"], "last_sent_at": p["last_sent_at"],
            "packages_received": ws.scalar("SELECT count(*) FROM receipts WHERE peer=?", (p["peer"],)),
            "copies": len(peers.live_replicas(ws, p["peer"])), "fingerprint": p["keys"].key_id,
            "revoked_keys": len(p["revoked_keys"])})
    out.update({ws.tier.unit_key: ws.meta(ws.tier.unit_key), f"{col}s": units,
                "conflicts": ws.scalar("SELECT count(*) FROM conflicts WHERE resolved=0"),
                "held": ws.scalar("SELECT count(*) FROM held_events WHERE decision = ''")})
    if ws.tier is Tier.TOWNSHIP and ws.meta("county"):
        out["county"] = ws.meta("county")
    return out


def keys_info(ws: Workspace) -> dict:
    """This workspace's key fingerprint and those of the peers it trusts (and how many it revoked)."""
    peers.require_sync(ws)
    own = peers.own_keys(ws).public
    return {"mode": ws.mode, "name": peers.display_name(ws), "fingerprint": own.key_id,
            "peers": [{"name": p["name"], "kind": p["kind"], "fingerprint": p["keys"].key_id,
                       "revoked": p["revoked_keys"]}
                      for p in [*([peers.above_peer(ws)] if peers.above_peer(ws) else []), *peers.member_peers(ws)]]}
