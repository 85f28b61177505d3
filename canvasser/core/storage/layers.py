"""The campaign in layers: which setting a workspace sees when several tiers and townships set them.

Each campaign event belongs to a layer, its scope: '' is the drive's (written by the county, or by a
township or village from before layers existed), a township's name is that township's own layer
(written by the township and its villages). The projection keeps every (layer, key) apart, so two
townships that each set their villages' task numbers never overwrite each other at the county that
receives both; this module reads them back. Kept apart from `campaign` and `projection` (both read
it) so that reading a setting loads nothing heavy.
"""

from __future__ import annotations

import json
from collections.abc import Iterable

from ..authority import coordinator_decides
from ..tiers import Tier
from .sqlcipher import sqlite3

COUNTY_KEY = "county"  # the campaign key a county writes when it is made: a county leads this drive


def campaign_rows(conn: sqlite3.Connection, layers: Iterable[str] | None = None) -> dict[str, tuple[str, str]]:
    """The campaign as a workspace sees it: key → (value as JSON, hlc).

    Each campaign event belongs to a layer (its scope): '' is the drive's (the county's, or a
    township's from before townships had layers), a township's name is that township's own and its
    villages' settings. A workspace sees every layer it holds (`layers` None), a county only its own
    (['']), or one township's view (['', name]). Per key the latest value wins, except that where a
    county leads the drive (its `county` key is in layer '') a township's layer counts only for what
    a township decides (its villages' targets: `authority.coordinator_decides`); everything else is
    the county's (core/authority.py), from layer '' alone."""
    rows = conn.execute("SELECT scope, key, value, hlc FROM campaign ORDER BY scope, key").fetchall()
    out = {k: (v, h) for scope, k, v, h in rows if scope == ""}
    county = COUNTY_KEY in out
    for scope, k, v, h in rows:
        if scope == "" or (layers is not None and scope not in layers):
            continue
        if county and not coordinator_decides(Tier.TOWNSHIP, k):
            continue
        if k not in out or h > out[k][1]:
            out[k] = (v, h)
    return out


def campaign_value(conn: sqlite3.Connection, key: str, default=None, layers: Iterable[str] | None = None):
    """One campaign setting as `campaign_rows` sees it (decoded), or `default`."""
    row = campaign_rows(conn, layers).get(key)
    return json.loads(row[0]) if row else default
