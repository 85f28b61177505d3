"""What people need to know about sync: unsent changes, when the other side was last heard from."""

from __future__ import annotations

from ..storage.store import Workspace
from ..tiers import Tier
from . import peers
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
    For the township: per village, when its last package came and how many events the township holds."""
    mode = ws.mode
    if not ws.tier.syncs:
        return {"mode": mode, "enabled": False}
    keys = peers.own_keys(ws)
    out = {"mode": mode, "enabled": True, "name": peers.display_name(ws), "fingerprint": keys.public.key_id,
           "events": ws.event_count()}
    if ws.tier is Tier.VILLAGE:
        town = peers.township_peer(ws)
        rows = pending_rows(ws)
        out.update(village_progress(ws, town, rows))
        out.update({"village": ws.meta("village"), "township": town["name"], "unsent": len(rows),
                    "last_received_at": town["last_received_at"], "last_sent_at": town["last_sent_at"],
                    "packages_received": ws.scalar("SELECT count(*) FROM receipts WHERE peer=?", (town["peer"],))})
        return out
    held = {r["scope"]: r["n"] for r in ws.query("SELECT scope, count(*) AS n FROM events GROUP BY scope")}
    people = {r["village"]: r["n"] for r in ws.query("SELECT village, count(*) AS n FROM persons GROUP BY village")}
    villages = []
    for p in peers.village_peers(ws):
        villages.append({
            "village": p["name"], "events": held.get(p["name"], 0), "people": people.get(p["name"], 0),
            "last_received_at": p["last_received_at"], "last_sent_at": p["last_sent_at"],
            "packages_received": ws.scalar("SELECT count(*) FROM receipts WHERE peer=?", (p["peer"],)),
            "copies": len(peers.live_replicas(ws, p["peer"])), "fingerprint": p["keys"].key_id,
            "revoked_keys": len(p["revoked_keys"])})
    out.update({"township": ws.meta("township"), "villages": villages,
                "conflicts": ws.scalar("SELECT count(*) FROM conflicts WHERE resolved=0")})
    return out


def keys_info(ws: Workspace) -> dict:
    """This workspace's key fingerprint and those of the peers it trusts (and how many it revoked)."""
    peers.require_sync(ws)
    own = peers.own_keys(ws).public
    return {"mode": ws.mode, "name": peers.display_name(ws), "fingerprint": own.key_id,
            "peers": [{"name": p["name"], "kind": p["kind"], "fingerprint": p["keys"].key_id,
                       "revoked": p["revoked_keys"]}
                      for p in (peers.village_peers(ws) if ws.tier.coordinates else [peers.township_peer(ws)])]}
