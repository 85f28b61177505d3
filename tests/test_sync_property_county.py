"""Convergence under any schedule, three tiers: county, townships, villages (the sync property test
one level up).

A county of two townships (each with two villages, one 杨柳村 in both) made from setup packages;
visits, edits, voids, the county's official payments, the county's and the townships' settings
(standard and township targets at the county, village targets at a township), a village adding a
person the county's list places in the other township (held at the county), the same newcomer added
in a village of each township (a duplicate across townships, resolved at the county), all in a
random order interleaved with exports, deliveries, losses and redeliveries up and down both levels.
After everyone exchanges packages twice, every village's state equals its township's view of it and
the county's view of (township, village); nothing is unsent at any level; every replica passes the
integrity check; every tier sees the same campaign for a township; nothing out of a unit's scope was
applied where it belongs.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from canvasser.core.rules import campaign
from canvasser.core.rules.people import add_person, update_person
from canvasser.core.rules.visits import record_visit, undo_last
from canvasser.core.storage import integrity
from canvasser.core.sync import (
    export_package,
    list_conflicts,
    pending_rows,
    receive_package,
    resolve_conflict,
)
from tests.county_support import TOWNSHIPS, ids_in, make_county, make_township, make_village

OUTCOMES = ("not_home", "refused", "paid_self", "dead", "migrant_informed", "employee_insurance")
ACTIONS = ("visit_v", "visit_t", "edit_v", "edit_t", "void_v", "paid_c", "campaign_c", "campaign_t",
           "export_v", "export_t_up", "export_t_down", "export_c", "deliver_v_up", "deliver_t_up",
           "deliver_t_down", "deliver_c_down", "lose", "stray_v", "newcomer_v")
NAMES = list(TOWNSHIPS)
UNITS = [(t, v) for t in NAMES for v in TOWNSHIPS[t]]  # a village is (township, village)
NEWCOMER = "510321201001010016"

op = st.tuples(st.sampled_from(ACTIONS), st.integers(0, len(UNITS) - 1), st.integers(0, 50))


class World:
    def __init__(self, tmp: Path):
        self.tmp = tmp
        self.county, self.people = make_county(tmp, households=2)
        self.towns = {t: make_township(self.county, tmp, t) for t in NAMES}
        self.villages = {(t, v): make_village(self.towns[t], tmp, v) for t, v in UNITS}
        self.v_up: dict[tuple, list[Path]] = {u: [] for u in UNITS}  # village → its township
        self.t_down: dict[tuple, list[Path]] = {u: [] for u in UNITS}  # township → a village
        self.t_up: dict[str, list[Path]] = {t: [] for t in NAMES}  # township → the county
        self.c_down: dict[str, list[Path]] = {t: [] for t in NAMES}  # county → a township
        self.n = 0
        self.stray: dict[str, tuple[str, set[str]]] = {}  # pid → (its township, authors elsewhere)
        self.newcomer: set[tuple] = set()

    def path(self, what: str) -> Path:
        self.n += 1
        return self.tmp / f"{what}-{self.n}.ccpkg"

    def person(self, unit: tuple, k: int) -> str:
        ids = ids_in(self.people, *unit)
        return ids[k % len(ids)]

    def do(self, action: str, u: int, k: int) -> None:
        unit = UNITS[u]
        t, v = unit
        vil, town = self.villages[unit], self.towns[t]
        if action == "visit_v":
            record_visit(vil, self.person(unit, k), OUTCOMES[k % len(OUTCOMES)], by=f"{t}{v}")
        elif action == "visit_t":
            record_visit(town, self.person(unit, k), OUTCOMES[(k + 1) % len(OUTCOMES)], by=f"{t}专干")
        elif action == "edit_v":
            update_person(vil, self.person(unit, k), {"phone": f"1390000{k:04d}", "address": f"村改{k}"})
        elif action == "edit_t":
            update_person(town, self.person(unit, k), {"phone": f"1380000{k:04d}", "grp": f"{k % 3}组"})
        elif action == "void_v":
            undo_last(vil)
        elif action == "paid_c":
            self.county.emit("status.official", f"p:{self.person(unit, k)}", {
                "year": 2027, "paid": True, "amount": 400, "paid_at": "2026-11-20", "channel": "微信",
                "source": "已缴费名单.xlsx"})
        elif action == "campaign_c":
            campaign.update(self.county, {"township_targets": {t: k + 1}} if k % 2 else {"standard": 380 + k})
        elif action == "campaign_t":
            campaign.update(town, {"targets": {v: k + 1}})
        elif action == "stray_v":  # a person the county's list places in the other township, added here
            other = NAMES[1 - NAMES.index(t)]
            pid = ids_in(self.people, other)[k % len(ids_in(self.people, other))]
            if pid not in self.stray and not vil.scalar("SELECT 1 FROM persons WHERE pid=?", (pid,)):
                add_person(vil, pid, "外来人", by=f"{t}{v}")
                record_visit(vil, pid, "dead", by=f"{t}{v}")
                self.stray[pid] = (other, {f"{t}{v}"})
        elif action == "newcomer_v":  # the same newborn, added in a village of each township
            if unit not in self.newcomer and not any(x[0] == t for x in self.newcomer):
                add_person(vil, NEWCOMER, "范小宝", by=f"{t}{v}")
                self.newcomer.add(unit)
        elif action == "export_v":
            self.v_up[unit].append(self.path("v-up"))
            export_package(vil, self.v_up[unit][-1])
        elif action == "export_t_down":
            self.t_down[unit].append(self.path("t-down"))
            export_package(town, self.t_down[unit][-1], village=v)
        elif action == "export_t_up":
            self.t_up[t].append(self.path("t-up"))
            export_package(town, self.t_up[t][-1])
        elif action == "export_c":
            self.c_down[t].append(self.path("c-down"))
            export_package(self.county, self.c_down[t][-1], township=t)
        elif action == "deliver_v_up" and self.v_up[unit]:
            receive_package(town, self.v_up[unit][k % len(self.v_up[unit])])  # stays in flight: may come again
        elif action == "deliver_t_down" and self.t_down[unit]:
            receive_package(vil, self.t_down[unit][k % len(self.t_down[unit])])
        elif action == "deliver_t_up" and self.t_up[t]:
            receive_package(self.county, self.t_up[t][k % len(self.t_up[t])])
        elif action == "deliver_c_down" and self.c_down[t]:
            receive_package(town, self.c_down[t][k % len(self.c_down[t])])
        elif action == "lose":
            for queue in (self.v_up[unit], self.t_down[unit], self.t_up[t], self.c_down[t]):
                if queue:
                    queue.pop(k % len(queue))
                    break

    def exchange(self) -> None:
        for unit in UNITS:
            self.do("export_v", UNITS.index(unit), 0)
            receive_package(self.towns[unit[0]], self.v_up[unit][-1])
        for t in NAMES:
            self.do("export_t_up", UNITS.index((t, TOWNSHIPS[t][0])), 0)
            receive_package(self.county, self.t_up[t][-1])
        for c in list_conflicts(self.county):  # the county decides a duplicate across townships
            resolve_conflict(self.county, c["id"], township=c["townships"][0], village="", by="县医保局")
        for t in NAMES:
            self.do("export_c", UNITS.index((t, TOWNSHIPS[t][0])), 0)
            receive_package(self.towns[t], self.c_down[t][-1])
        for unit in UNITS:
            self.do("export_t_down", UNITS.index(unit), 0)
            receive_package(self.villages[unit], self.t_down[unit][-1])

    def settle(self) -> None:
        """Everyone exchanges packages twice, then every old package arrives again, newest first."""
        self.exchange()
        self.exchange()
        for t in NAMES:
            for p in reversed(self.t_up[t]):
                receive_package(self.county, p)
            for p in reversed(self.c_down[t]):
                receive_package(self.towns[t], p)
        for unit in UNITS:
            for p in reversed(self.v_up[unit]):
                receive_package(self.towns[unit[0]], p)
            for p in reversed(self.t_down[unit]):
                receive_package(self.villages[unit], p)

    def close(self) -> None:
        for ws in (self.county, *self.towns.values(), *self.villages.values()):
            ws.close()


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ops=st.lists(op, min_size=4, max_size=30))
def test_any_schedule_converges_across_three_tiers(ops):
    with tempfile.TemporaryDirectory(prefix="canvasser-county-") as tmp:
        w = World(Path(tmp))
        try:
            for action, u, k in ops:
                w.do(action, u, k)
            w.settle()
            # a stray stays with the township that added it (held at the county): compared apart
            strays = tuple(sorted(w.stray))
            for (t, v), vil in w.villages.items():
                mine = integrity.state_digest(vil, v, t, strays)
                assert mine == integrity.state_digest(w.towns[t], v, t, strays), (t, v)
                assert mine == integrity.state_digest(w.county, v, t, strays), (t, v)
                assert pending_rows(vil) == [] and pending_rows(w.towns[t], v) == []
                assert integrity.check(vil)["ok"]
            for t, town in w.towns.items():
                assert pending_rows(town) == [] and pending_rows(w.county, t) == [], t
                assert integrity.check(town)["ok"]
                # every tier sees the same campaign for this township
                views = {str(campaign.load(ws).values) for ws in (town, *(w.villages[(t, v)] for v in TOWNSHIPS[t]))}
                assert views == {str(campaign.load(w.county, township=t).values)}, t
            assert integrity.check(w.county)["ok"]
            # nothing out of scope was applied: no stray's visit reached the county or its own township
            for pid, (home, authors) in w.stray.items():
                for ws in (w.county, w.towns[home]):
                    marks = ",".join("?" * len(authors))
                    assert ws.scalar(f"SELECT count(*) FROM visits WHERE pid=? AND author IN ({marks})",
                                     (pid, *sorted(authors))) == 0
                    assert ws.scalar("SELECT township FROM persons WHERE pid=?", (pid,)) == home
            # a duplicate across townships is decided once, the same everywhere it is held
            if len(w.newcomer) == 2:
                where = {ws.scalar("SELECT township || '/' || village FROM persons WHERE pid=?", (NEWCOMER,))
                         for ws in (w.county, *w.towns.values(), *w.villages.values())
                         if ws.scalar("SELECT 1 FROM persons WHERE pid=?", (NEWCOMER,))}
                assert len(where) == 1, where
        finally:
            w.close()
