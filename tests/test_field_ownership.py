"""A value from the bureau's list never overwrites a ground field a person set, in any event order,
wherever the list was imported; the list's value is shown aside in the person's history."""

from __future__ import annotations

import itertools

from canvasser.core.lists.roster import import_roster
from canvasser.core.rules.people import update_person
from canvasser.core.rules.visits import history
from canvasser.core.storage.projection import fold_person
from canvasser.core.storage.store import Event
from tests.fixtures import TODAY, write_csv
from tests.test_sync_support import VILLAGES, ids_of, make_township, make_village, send, township_rows

PID = "510321199001010011"


def _ev(n: int, payload: dict, kind: str = "person.updated") -> Event:
    return Event(f"e{n}", f"o{n}", 1, f"{1700000000000 + n:013d}.00000", kind, f"p:{PID}", payload, "", "")


def test_fold_keeps_ground_fields_whatever_the_order():
    created = _ev(0, {"name": "王小红", "phone": "13000000000", "address": "一组", "categories": "",
                      "village": "青石社区", "source": "bureau", "active": 1}, "person.created")
    door = _ev(1, {"phone": "13999999999", "phones": "13999999999"})
    lists = [_ev(2, {"phone": "13011111111", "categories": "低保对象", "source": "bureau"}),
             _ev(3, {"name": "王晓红", "phone": "13022222222", "address": "二组", "source": "bureau"})]
    for order in itertools.permutations([door, *lists]):
        # the hlc decides the order a fold sees; give each permutation its own clock
        evs = [created] + [Event(e.event_id, e.origin, 1, f"{1700000000001 + i:013d}.00000", e.kind, e.entity,
                                 e.payload, "", "") for i, e in enumerate(order)]
        row = fold_person(PID, evs, 2027)[0]
        cols = {"name": row[2], "phone": row[11], "categories": row[13]}
        assert cols["phone"] == "13999999999", order
        assert cols["name"] == "王晓红" and row[10] == "二组"  # list-owned, and a ground field nobody edited
        assert cols["categories"] == "低保对象"


def test_a_list_imported_elsewhere_never_reverts_a_phone_corrected_at_the_door(tmp_path):
    town, people = make_township(tmp_path)
    b = VILLAGES[1]
    vb = make_village(town, tmp_path, b)
    pid = ids_of(people, b)[0]
    update_person(vb, pid, {"phone": "13999999999"}, by="杨柳村文书")
    # the bureau's next list, imported at the township after the correction: new phone and category
    newer = [dict(p, 联系电话="13500000000", 人员类别="低保对象") if p["公民身份号码"] == pid else p
             for p in township_rows()]
    res = import_roster(town, write_csv(tmp_path / "next.csv", newer), today=TODAY)
    assert res.updated == 1
    send(vb, town, tmp_path / "up.ccpkg")
    send(town, vb, tmp_path / "down.ccpkg", village=b)
    for ws in (town, vb):
        row = ws.one("SELECT phone, categories FROM persons WHERE pid=?", (pid,))
        assert row == {"phone": "13999999999", "categories": "低保对象"}
    aside = [e["set_aside"] for e in history(town, pid) if e["set_aside"]]
    assert aside[-1] == {"phone": "13500000000", "phones": "13500000000"}
