"""Convergence under any schedule: packages late, twice, out of order, lost and re-exported.

Visits, edits, voids, official statuses and campaign changes happen on three villages and the
township in a random order interleaved with exports and deliveries (a village's campaign change, as
an older version would send it, is held at the township and written over, so all converge on the
township's); the bureau's list comes again
(with other phones and addresses) at the township or in a village; a village takes the whole
township's list by mistake and works on another village's people (events outside its scope).
An insider takes part too: a village with its own real key forges packages that speak for its
neighbour (visits under the neighbour's origin and next numbers, the neighbour's numbers reused, the
neighbour's replica named with acknowledgements of everything, events under the township's origin):
each is refused whole and changes nothing at the township.
After everyone exchanges packages twice, each village's state equals the township's view of it,
nothing is unsent, every replica passes the integrity check, no out-of-scope event was applied, and
no phone or address a person set was replaced by a list's.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from canvasser.core.errors import InputError
from canvasser.core.lists.roster import import_roster
from canvasser.core.rules import campaign
from canvasser.core.rules.people import update_person
from canvasser.core.rules.visits import record_visit, undo_last
from canvasser.core.storage import integrity
from canvasser.core.sync import PackageError, export_package, pending_rows, receive_package
from tests.fixtures import TODAY, write_csv
from tests.insider import forge, next_seq, visit_row
from tests.test_sync_support import VILLAGES, digests, ids_of, make_township, make_village

OUTCOMES = ("not_home", "refused", "paid_self", "dead", "migrant_informed", "employee_insurance")
ACTIONS = ("visit_v", "visit_t", "edit_v", "edit_t", "void_v", "paid_t", "campaign_t", "campaign_v",
           "export_v", "export_t", "deliver_up", "deliver_down", "lose_up", "lose_down",
           "relist_t", "relist_v", "stray_v", "forge_v")

op = st.tuples(st.sampled_from(ACTIONS), st.integers(0, 2), st.integers(0, 50))
# schedules per run: CI keeps a few (each builds a township and three villages, about 4 s); a long
# run sets SYNC_EXAMPLES=1000 (with pytest's --hypothesis-seed=N to fix the schedules)
EXAMPLES = int(os.environ.get("SYNC_EXAMPLES", "12"))


class World:
    def __init__(self, tmp: Path):
        self.tmp = tmp
        self.town, self.people = make_township(tmp, households=2)
        self.villages = [make_village(self.town, tmp, v) for v in VILLAGES]
        self.up: list[Path] = []
        self.down: list[list[Path]] = [[] for _ in VILLAGES]
        self.n = 0
        self.ground: dict[str, tuple[int, set[tuple]]] = {}  # pid -> (its village, phones/addresses people set)
        self.stray: dict[str, tuple[int, set[str]]] = {}  # pid -> (its village, other villages that visited)

    def path(self, what: str) -> Path:
        self.n += 1
        return self.tmp / f"{what}-{self.n}.ccpkg"

    def person(self, v: int, k: int) -> str:
        ids = ids_of(self.people, VILLAGES[v])
        return ids[k % len(ids)]

    def do(self, action: str, v: int, k: int) -> None:
        vil = self.villages[v]
        if action == "visit_v":
            record_visit(vil, self.person(v, k), OUTCOMES[k % len(OUTCOMES)], by=f"村{v}")
        elif action == "visit_t":
            record_visit(self.town, self.person(v, k), OUTCOMES[(k + 1) % len(OUTCOMES)], by="专干")
        elif action == "edit_v":
            update_person(vil, self.person(v, k), {"phone": f"1390000{k:04d}", "address": f"村改{k}"})
            self.ground.setdefault(self.person(v, k), (v, set()))[1].update({("phone", f"1390000{k:04d}"),
                                                                            ("address", f"村改{k}")})
        elif action == "edit_t":
            update_person(self.town, self.person(v, k), {"phone": f"1380000{k:04d}", "grp": f"{k % 3}组"})
            self.ground.setdefault(self.person(v, k), (v, set()))[1].add(("phone", f"1380000{k:04d}"))
        elif action in ("relist_t", "relist_v"):  # the bureau's next list: other phones and addresses
            listed = self.tmp / f"list-{self.n}.csv"
            self.n += 1
            write_csv(listed, [dict(p, 联系电话=f"1350{k:03d}{i:04d}", 户籍地址=f"名单地址{k}-{i}")
                               for i, p in enumerate(self.people)])
            import_roster(self.town if action == "relist_t" else vil, listed, today=TODAY)
        elif action == "stray_v":  # the whole township's list, forced in, and a visit to a neighbour
            import_roster(vil, self.tmp / "township.csv", today=TODAY, all_villages=True)
            home = (v + 1) % len(VILLAGES)
            other = self.person(home, k)
            record_visit(vil, other, "dead", by=f"村{v}")
            self.stray.setdefault(other, (home, set()))[1].add(f"村{v}")
        elif action == "forge_v":
            self.forge(v, k)
        elif action == "void_v":
            undo_last(vil, by=f"村{v}")  # a cadre undoes their own last visit
        elif action == "paid_t":
            self.town.emit("status.official", f"p:{self.person(v, k)}", {
                "year": 2027, "paid": True, "amount": 400, "paid_at": "2026-11-20", "channel": "微信",
                "source": "已缴费名单.xlsx"})
        elif action == "campaign_t":
            campaign.update(self.town, {"targets": {VILLAGES[v]: k}})
        elif action == "campaign_v":  # the township decides it: refused here; an older version's change
            phone = f"0816-{k:04d}"  # is sent anyway, held at the township and written over
            if campaign.load(vil).values["bureau_phone"] != phone:  # (no change is no refusal)
                with pytest.raises(InputError):
                    campaign.update(vil, {"bureau_phone": phone})
            vil.emit("campaign.set", "campaign", {"bureau_phone": phone})
        elif action == "export_v":
            p = self.path(f"up{v}")
            export_package(vil, p)
            self.up.append(p)
        elif action == "export_t":
            p = self.path(f"down{v}")
            export_package(self.town, p, village=VILLAGES[v])
            self.down[v].append(p)
        elif action == "deliver_up" and self.up:
            receive_package(self.town, self.up[k % len(self.up)])  # stays in flight: may come again
        elif action == "deliver_down" and self.down[v]:
            receive_package(vil, self.down[v][k % len(self.down[v])])
        elif action == "lose_up" and self.up:
            self.up.pop(k % len(self.up))
        elif action == "lose_down" and self.down[v]:
            self.down[v].pop(k % len(self.down[v]))

    def forge(self, v: int, k: int) -> None:
        """Village v, with its own real key, speaks for its neighbour w: refused whole, nothing changes."""
        w = (v + 1) % len(VILLAGES)
        vil, other = self.villages[v], self.villages[w]
        known = self.town.scalar("SELECT 1 FROM origin_owners WHERE origin=?", (other.origin,))
        how = k % 4
        if how in (0, 1, 2) and not known:
            return  # nobody can know an origin the township has not yet heard of from its own village
        pid = self.person(w, k)
        if how == 0:  # the neighbour's next visits, under its origin and next numbers
            rows = [visit_row(other.origin, next_seq(other, other.origin) + i, pid, village=VILLAGES[w]) for i in range(2)]
            path = forge(vil, self.path(f"forge{v}"), rows)
        elif how == 1:  # the neighbour's first number again, with other content
            path = forge(vil, self.path(f"forge{v}"), [visit_row(other.origin, 1, pid, village=VILLAGES[w])])
        elif how == 2:  # acknowledging everything for the neighbour's replica
            path = forge(vil, self.path(f"forge{v}"), [], replica=other.origin,
                         acks={self.town.origin: [[1, 10**9]]})
        else:  # writing as the township
            path = forge(vil, self.path(f"forge{v}"), [visit_row(self.town.origin, next_seq(self.town, self.town.origin),
                                                                  pid, village=VILLAGES[w])])
        before = digests(self.town)
        with pytest.raises(PackageError):
            receive_package(self.town, path)
        assert digests(self.town) == before

    def settle(self) -> None:
        """Everyone exchanges packages twice, then every old package arrives again, newest first."""
        for _ in range(2):
            for v in range(len(VILLAGES)):
                self.do("export_v", v, 0)
                receive_package(self.town, self.up[-1])
            for v in range(len(VILLAGES)):
                self.do("export_t", v, 0)
                receive_package(self.villages[v], self.down[v][-1])
        for p in reversed(self.up):
            receive_package(self.town, p)
        for v in range(len(VILLAGES)):
            for p in reversed(self.down[v]):
                receive_package(self.villages[v], p)

    def close(self) -> None:
        for ws in (self.town, *self.villages):
            ws.close()


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ops=st.lists(op, min_size=4, max_size=30))
@example(ops=[("visit_v", 1, 3), ("export_v", 1, 0), ("deliver_up", 0, 0), ("forge_v", 0, 0), ("forge_v", 0, 1),
              ("forge_v", 0, 2), ("forge_v", 0, 3), ("visit_v", 1, 4), ("export_v", 1, 0), ("deliver_up", 0, 1)])
def test_any_schedule_converges(ops):
    with tempfile.TemporaryDirectory(prefix="canvasser-sync-") as tmp:
        w = World(Path(tmp))
        try:
            for action, v, k in ops:
                w.do(action, v, k)
            w.settle()
            for v, name in enumerate(VILLAGES):
                vil = w.villages[v]
                assert integrity.state_digest(vil, name) == integrity.state_digest(w.town, name), name
                assert pending_rows(vil) == []
                assert pending_rows(w.town, name) == []
                assert integrity.check(vil)["ok"]
            assert integrity.check(w.town)["ok"]
            # the campaign is everyone's: all replicas agree on it too
            assert len({str(campaign.load(ws).values) for ws in (w.town, *w.villages)}) == 1
            # nothing from outside a village's scope was applied: no stray visit reached the township
            # or the person's own village
            for pid, (home, authors) in w.stray.items():
                for ws in (w.town, w.villages[home]):
                    marks = ",".join("?" * len(authors))
                    assert ws.scalar(f"SELECT count(*) FROM visits WHERE pid=? AND author IN ({marks})",
                                     (pid, *sorted(authors))) == 0
            # no phone or address a person set was replaced by a list's (at the township and at home)
            for pid, (home, values) in w.ground.items():
                for ws in (w.town, w.villages[home]):
                    row = ws.one("SELECT phone, address FROM persons WHERE pid=?", (pid,))
                    for f in {f for f, _ in values}:
                        assert (f, row[f]) in values, (f, row[f], values)
        finally:
            w.close()
