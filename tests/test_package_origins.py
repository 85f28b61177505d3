"""Nobody speaks for another (issue 33, C1/C2): a village with its own real key tries to write under
another village's origin, to acknowledge for another village's replica, to reuse or skip sequence
numbers, to smuggle a photo or a zlib bomb — and changes nothing; the other village's next package
still lands and it still gets the paid list."""

from __future__ import annotations

import pytest

from canvasser.core.rules.visits import record_visit
from canvasser.core.storage import bounds, integrity
from canvasser.core.storage.opening import open_workspace
from canvasser.core.sync import PackageError, export_package, pending_rows, receive_package
from tests.insider import bomb, forge, next_seq, own_rows, visit_row
from tests.test_sync_support import VILLAGES, digests, ids_of, make_township, make_village, send

A, B = VILLAGES[0], VILLAGES[1]


@pytest.fixture
def world(tmp_path):
    town, people = make_township(tmp_path, households=3)
    a = make_village(town, tmp_path, A)
    b = make_village(town, tmp_path, B)
    record_visit(b, ids_of(people, B)[0], "not_home", by="杨柳村文书")
    send(b, town, tmp_path / "b0.ccpkg")  # the township now knows B's origin from B's own signed package
    send(a, town, tmp_path / "a0.ccpkg")
    yield {"town": town, "a": a, "b": b, "people": people, "tmp": tmp_path}
    for ws in (town, a, b):
        ws.close()


def b_lands_and_gets_the_paid_list(w) -> None:
    """B's next real package is applied; the township's paid list reaches B; nothing left unsent."""
    town, b, tmp, people = w["town"], w["b"], w["tmp"], w["people"]
    pid = ids_of(people, B)[1]
    record_visit(b, pid, "paid_self", by="杨柳村文书")
    res = send(b, town, tmp / "b-next.ccpkg")
    assert res["applied"] >= 1 and not res["gaps"]
    assert town.scalar("SELECT status FROM persons WHERE pid=?", (pid,)) == "paid_self"
    paid = ids_of(people, B)[2]
    town.emit("status.official", f"p:{paid}", {"year": 2027, "paid": True, "amount": 400, "paid_at": "2026-11-20",
                                                "channel": "微信", "source": "已缴费名单.xlsx"})
    send(town, b, tmp / "b-down.ccpkg", village=B)
    assert b.scalar("SELECT status FROM persons WHERE pid=?", (paid,)) == "paid_official"
    send(b, town, tmp / "b-ack.ccpkg")  # B's next package tells the township what it now holds
    assert pending_rows(b) == [] and pending_rows(town, B) == []
    assert integrity.check(town)["ok"] and integrity.check(b)["ok"]


def test_events_under_another_villages_origin_are_refused_whole(world):
    """C1: A forges B's next visits under B's origin and next numbers, beside an honest visit of its own."""
    town, a, b, tmp, people = world["town"], world["a"], world["b"], world["tmp"], world["people"]
    record_visit(a, ids_of(people, A)[0], "not_home", by="青石社区文书")
    honest = own_rows(a)[-1:]
    n = next_seq(b, b.origin)
    forged = [visit_row(b.origin, n + i, ids_of(people, B)[i], village=B) for i in range(3)]
    before = digests(town)
    with pytest.raises(PackageError, match="杨柳村") as info:
        receive_package(town, forge(a, tmp / "forged.ccpkg", honest + forged))
    assert "青石社区" in str(info.value) and "整个数据包未导入" in str(info.value)
    assert digests(town) == before  # not even A's own honest visit went in
    b_lands_and_gets_the_paid_list(world)
    # and A's honest package still lands too
    assert send(a, town, tmp / "a-honest.ccpkg")["applied"] >= 1


def test_reused_numbers_of_another_origin_and_the_townships_own_are_refused(world):
    town, a, b, tmp, people = world["town"], world["a"], world["b"], world["tmp"], world["people"]
    before = digests(town)
    taken = [visit_row(b.origin, 1, ids_of(people, B)[0], village=B)]  # B's seq 1, other content
    with pytest.raises(PackageError, match="杨柳村"):
        receive_package(town, forge(a, tmp / "reuse.ccpkg", taken))
    township = [visit_row(town.origin, next_seq(town, town.origin), ids_of(people, A)[0], village=A)]
    with pytest.raises(PackageError, match="本乡镇"):
        receive_package(town, forge(a, tmp / "as-town.ccpkg", township))
    assert digests(town) == before
    b_lands_and_gets_the_paid_list(world)


def test_acknowledging_for_another_replica_is_refused(world):
    """C2: A names B's replica and claims [1, 10^9] of the township's origin for it."""
    town, a, b, tmp = world["town"], world["a"], world["b"], world["tmp"]
    before = digests(town)
    lie = {town.origin: [[1, 10**9]], b.origin: [[1, 10**9]]}
    with pytest.raises(PackageError, match="杨柳村"):
        receive_package(town, forge(a, tmp / "acks.ccpkg", [], replica=b.origin, acks=lie))
    with pytest.raises(PackageError, match="本乡镇"):
        receive_package(town, forge(a, tmp / "acks2.ccpkg", [], replica=town.origin, acks=lie))
    assert digests(town) == before
    b_lands_and_gets_the_paid_list(world)


def test_acknowledgements_count_only_up_to_what_exists(world):
    """A claims for its own replica more than exists: only what the township holds is taken."""
    town, a, tmp = world["town"], world["a"], world["tmp"]
    receive_package(town, forge(a, tmp / "big-acks.ccpkg", [], acks={town.origin: [[1, 10**9]],
                                                                      "0123456789abcdef": [[1, 5]]}))
    top = town.scalar("SELECT max(seq) FROM events WHERE origin=?", (town.origin,))
    stored = town.query("SELECT origin, ranges FROM peer_acks WHERE peer=?", (f"r:{a.origin}",))
    assert {r["origin"]: r["ranges"] for r in stored}[town.origin] == f"[[1,{top}]]"
    assert "0123456789abcdef" not in {r["origin"] for r in stored}


def test_an_honest_resend_of_what_the_township_holds_passes(world):
    """A village that restored an old backup sends again what the township already has (its own and
    the township's events): nothing new, nothing refused."""
    town, a, tmp = world["town"], world["a"], world["tmp"]
    before = digests(town)[:2]
    res = receive_package(town, forge(a, tmp / "again.ccpkg", own_rows(a)))
    assert res["applied"] == 0 and res["already_known"] == len(own_rows(a))
    assert digests(town)[:2] == before


def test_a_gap_is_reported_and_a_reused_number_names_the_sender(world):
    town, a, tmp, people = world["town"], world["a"], world["tmp"], world["people"]
    n = next_seq(a, a.origin)
    res = receive_package(town, forge(a, tmp / "gap.ccpkg", [visit_row(a.origin, n + 5, ids_of(people, A)[1],
                                                                       village=A)]))
    assert res["gaps"] == [{"sender": A, "origin": a.origin, "missing": [[n, n + 4]]}]
    from canvasser.core.sync.origins import gap_words

    assert f"“{A}”" in gap_words(res["gaps"][0]) and f"第 {n}–{n + 4} 条" in gap_words(res["gaps"][0])
    before = digests(town)
    clash = [visit_row(a.origin, n + 5, ids_of(people, A)[2], village=A)]  # the same number, other content
    with pytest.raises(PackageError, match="青石社区.*记录编号冲突"):
        receive_package(town, forge(a, tmp / "clash.ccpkg", clash))
    assert digests(town) == before


def test_a_photo_without_its_visit_or_too_big_is_refused(world, monkeypatch):
    town, a, tmp = world["town"], world["a"], world["tmp"]
    before = digests(town)
    import hashlib
    loose = b"\xff\xd8 not anybody's evidence \xff\xd9"
    name = hashlib.sha256(loose).hexdigest() + ".jpg"
    with pytest.raises(PackageError, match="照片"):
        receive_package(town, forge(a, tmp / "loose.ccpkg", [], photos={name: loose}))
    monkeypatch.setattr(bounds, "PHOTO_MAX", 16)
    with pytest.raises(PackageError, match="上限"):
        receive_package(town, forge(a, tmp / "huge.ccpkg", [], photos={name: loose}))
    assert digests(town) == before


def test_a_zlib_bomb_is_refused_within_its_bound(world, monkeypatch):
    town, a, tmp = world["town"], world["a"], world["tmp"]
    blob = bomb()
    seen = []
    real = bounds.zlib.decompressobj

    class Watch:  # what the bounded inflate handed out at most
        def __init__(self):
            self.d = real()

        def decompress(self, data, limit):
            out = self.d.decompress(data, limit)
            seen.append(len(out))
            return out

        def __getattr__(self, name):
            return getattr(self.d, name)
    monkeypatch.setattr(bounds.zlib, "decompressobj", Watch)
    before = digests(town)
    with pytest.raises(PackageError, match="解压后超过"):
        receive_package(town, forge(a, tmp / "bomb.ccpkg", [], blob=blob))
    assert max(seen) <= max(bounds.INFLATE_FLOOR, bounds.INFLATE_RATIO * len(blob))  # never the 512 MB
    assert digests(town) == before


def test_a_copy_of_a_village_still_speaks_for_it(world):
    """A village file copied to a second laptop writes under a new origin of the same village: its
    packages carry the first copy's events and its own, and are taken."""
    town, a, tmp, people = world["town"], world["a"], world["tmp"], world["people"]
    a.close()
    copy = tmp / "copy.db"
    copy.write_bytes((tmp / f"{A}.db").read_bytes())
    (tmp / "copy.db.keys").write_bytes((tmp / f"{A}.db.keys").read_bytes())
    with open_workspace(copy) as c:
        record_visit(c, ids_of(people, A)[2], "military", by="二号电脑")
        assert send(c, town, tmp / "copy.ccpkg")["applied"] >= 1
    world["a"] = open_workspace(tmp / f"{A}.db")
    record_visit(world["a"], ids_of(people, A)[3], "dead", by="一号电脑")
    assert send(world["a"], town, tmp / "orig.ccpkg")["applied"] >= 1
    export_package(town, tmp / "down.ccpkg", village=A)
    assert integrity.check(town)["ok"]
