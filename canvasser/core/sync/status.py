"""What people need to know about sync: unsent changes, when the other side was last heard from."""

from __future__ import annotations

from ..storage.store import Workspace
from ..tiers import Tier
from . import peers, scope
from .package import pending_rows


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
        out.update({"village": ws.meta("village"), "township": town["name"], "unsent": len(pending_rows(ws)),
                    "last_received_at": town["last_received_at"], "last_sent_at": town["last_sent_at"],
                    "packages_received": ws.scalar("SELECT count(*) FROM receipts WHERE peer=?", (town["peer"],)),
                    **{f"returned_{k}": n for k, n in scope.returned_counts(ws).items()}})
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
                "conflicts": ws.scalar("SELECT count(*) FROM conflicts WHERE resolved=0"),
                "held": ws.scalar("SELECT count(*) FROM held_events WHERE decision = ''")})
    return out


def keys_info(ws: Workspace) -> dict:
    """This workspace's key fingerprint and those of the peers it trusts (and how many it revoked)."""
    peers.require_sync(ws)
    own = peers.own_keys(ws).public
    return {"mode": ws.mode, "name": peers.display_name(ws), "fingerprint": own.key_id,
            "peers": [{"name": p["name"], "kind": p["kind"], "fingerprint": p["keys"].key_id,
                       "revoked": p["revoked_keys"]}
                      for p in (peers.village_peers(ws) if ws.tier.coordinates else [peers.township_peer(ws)])]}
