"""Each person's place on the bureau's list: its 序号 and row order, for the feedback sheet.

The bureau reads the sheet a township or a village sends back against its own list, row by row, so
every sheet keeps the list's 序号 and order. A list import stores them as local state
(`list_chunks`: per chunk of 5,000 rows, the IDs and the 序号 as typed, newline-joined); a setup
package carries its village's part (`for_village`), which the village stores as one list of its
own (`remember`), so a village's sheet numbers its people as the bureau did, not from 1.
"""

from __future__ import annotations

from .store import Workspace

CHUNK = 5000


def latest(ws: Workspace) -> dict[str, tuple[str, int, int]]:
    """pid → (序号 as typed, place among all lists' rows, row number in its list), from the
    latest list that had the person (lists in import order)."""
    out: dict[str, tuple[str, int, int]] = {}
    ord_no = row_no = 0
    last_list = None
    for list_no, pids, serials in ws.conn.execute(
            "SELECT list_no, pids, serials FROM list_chunks ORDER BY list_no, chunk_no"):
        if list_no != last_list:
            last_list, row_no = list_no, 0
        for pid, serial in zip(pids.split("\n"), serials.split("\n")):
            ord_no += 1
            row_no += 1
            out[pid] = (serial, ord_no, row_no)
    return out


def for_village(ws: Workspace, village: str, col: str = "village") -> dict[str, list[str]]:
    """The village's people (a county's township's, `col` 'township') in the bureau's order with
    their 序号 (the row number where none was typed): what a setup package carries."""
    places = latest(ws)
    assert col in ("village", "township")
    mine = {r[0] for r in ws.conn.execute(f"SELECT pid FROM persons WHERE {col} = ?", (village,))}
    rows = sorted((v[1], pid, v[0] or str(v[2])) for pid, v in places.items() if pid in mine)
    return {"pids": [r[1] for r in rows], "serials": [r[2] for r in rows]}


def remember(ws: Workspace, order: object) -> int:
    """Store a list order received in a setup package as this workspace's next list; a malformed
    one (a package is hostile input) is ignored, never half stored. Returns the rows stored."""
    if not isinstance(order, dict):
        return 0
    pids, serials = order.get("pids"), order.get("serials")
    if not (isinstance(pids, list) and isinstance(serials, list) and len(pids) == len(serials)) or not pids:
        return 0
    if not all(isinstance(x, str) and "\n" not in x and len(x) <= 40 for x in (*pids, *serials)):
        return 0
    list_no = (ws.scalar("SELECT max(list_no) FROM list_chunks") or 0) + 1
    for chunk_no, i in enumerate(range(0, len(pids), CHUNK)):
        ws.conn.execute("INSERT OR REPLACE INTO list_chunks VALUES (?, ?, ?, ?)",
                        (list_no, chunk_no, "\n".join(pids[i:i + CHUNK]), "\n".join(serials[i:i + CHUNK])))
    return len(pids)
