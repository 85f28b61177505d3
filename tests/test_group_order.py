"""Groups in the order people count them (一组, 二组 … 十组, 十一组), not as text (十一组, 十组, 二组 …),
everywhere the app lists people by place: the people table, the search, the follow-ups, what a print
covers, the people export, the ledgers. One rule (rules/groups.py), as `group_rank(grp)` in SQL."""

from __future__ import annotations

import openpyxl

from canvasser.core import views
from canvasser.core.lists.roster import import_roster
from canvasser.core.outputs import ledgers
from canvasser.core.outputs.people_export import write_people
from canvasser.core.outputs.selection import Scope, households
from canvasser.core.rules import search, visits
from canvasser.core.rules.dashboard import PeopleFilter, PeopleQuery
from canvasser.core.rules.groups import group_key
from canvasser.core.storage.opening import open_workspace
from tests.fixtures import TODAY, rows, write_xlsx

GROUPS = ("十一组", "二组", "十组", "一组", "三组")  # as text: 一组 三组 二组 十一组 十组


def in_order(seen: list[str]) -> bool:
    firsts = list(dict.fromkeys(seen))
    return firsts == sorted(firsts, key=group_key) and len(firsts) > 1


def test_every_list_by_place_counts_groups_as_people_do(tmp_path):
    people = rows(households=15)
    hh = sorted({p["户编号"] for p in people})
    for p in people:
        p["村民小组"] = GROUPS[hh.index(p["户编号"]) % len(GROUPS)]
    ws = open_workspace(tmp_path / "v.db")
    import_roster(ws, write_xlsx(tmp_path / "a.xlsx", people), today=TODAY)
    grp = dict(ws.conn.execute("SELECT rowid, grp FROM persons").fetchall())
    by_pid = dict(ws.conn.execute("SELECT pid, grp FROM persons").fetchall())

    q = PeopleQuery.of(PeopleFilter(), views.campaign(ws))
    assert in_order([grp[r] for r in views.ordered_ids(ws, q)])  # the people table
    assert in_order([r["grp"] for r in search.search(ws, "", limit=500)["results"]])  # search, blank
    for pid in by_pid:
        visits.record_visit(ws, pid, "not_home", by="李书记", at="2026-11-10")
    assert in_order([r["grp"] for r in visits.followups(ws, TODAY)])  # follow-ups (no dates set: by place)
    hids = households(ws, Scope(village="青石村", groups=list(GROUPS)))
    hh_grp = {h: g for h, g in ws.conn.execute("SELECT hid, grp FROM households")}
    assert in_order([hh_grp[h] for h in hids])  # a print of several groups
    write_people(ws, PeopleFilter(), tmp_path / "p.xlsx")
    sheet = openpyxl.load_workbook(tmp_path / "p.xlsx").active
    assert in_order([r[2] for r in sheet.iter_rows(min_row=3, values_only=True) if r[2]])  # the export
    ledgers.write_ledger(ws, tmp_path / "l.xlsx")
    unpaid = openpyxl.load_workbook(tmp_path / "l.xlsx")[ledgers.SHEET_UNPAID]
    assert in_order([r[2] for r in unpaid.iter_rows(min_row=3, values_only=True) if r[2] in GROUPS])
    ws.close()
