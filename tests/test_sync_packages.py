"""Packages on disk: nothing readable inside, any altered byte refused, foreign or revoked refused, nothing changed."""

from __future__ import annotations

import json
import re
import time

import pytest

from canvasser.cli import main
from canvasser.core.rules.visits import record_visit
from canvasser.core.storage.opening import open_workspace
from canvasser.core.sync import (
    PackageError,
    container,
    export_package,
    init_township,
    init_village,
    make_setup_package,
    receive_package,
    rekey_village,
    sync_status,
)
from tests.test_sync_support import VILLAGES, digests, ids_of, make_township, make_village

CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture
def world(tmp_path):
    town, people = make_township(tmp_path, households=4)
    a = make_village(town, tmp_path, VILLAGES[0])
    b = make_village(town, tmp_path, VILLAGES[1])
    pid = ids_of(people, VILLAGES[0])[0]
    photo = tmp_path / "证明.jpg"
    photo.write_bytes(b"\xff\xd8\xff\xe0 scanned: " + pid.encode() + " 死亡证明".encode() + b"\xff\xd9")
    record_visit(a, pid, "dead", by="村文书", photos=[photo])
    record_visit(a, ids_of(people, VILLAGES[0])[1], "not_home", by="村文书")
    up = tmp_path / "up.ccpkg"
    export_package(a, up)
    yield {"town": town, "a": a, "b": b, "people": people, "up": up, "tmp": tmp_path, "photo": photo}
    for ws in (town, a, b):
        ws.close()


def sensitive(people: list[dict]) -> list[bytes]:
    out = []
    for p in people:
        for s in (p["公民身份号码"], p["姓名"], p["联系电话"], p["户籍地址"]):
            if s and len(s) > 1:
                out += [s.encode("utf-8"), s.encode("gbk", errors="ignore"), s.encode("utf-16-le")]
    return [s for s in out if len(s) > 1]


def leaks(blob: bytes, needles: list[bytes]) -> list[bytes]:
    return [n for n in needles if n in blob]


def test_no_personal_data_in_any_package_or_part(world):
    tmp, town, people = world["tmp"], world["town"], world["people"]
    needles = sensitive(people)
    assert leaks(world["photo"].read_bytes(), needles)  # the photo itself names the person ...
    setup_code = tmp / "setup-code.ccpkg"
    make_setup_package(town, VILLAGES[2], setup_code, code="QS7K-2M9P-XT4D-8RWA")
    receive_package(town, world["up"])
    down = tmp / "down.ccpkg"
    export_package(town, down, village=VILLAGES[0])
    files = [world["up"], down, setup_code, *(tmp / f"setup-{v}.ccpkg" for v in VILLAGES[:2])]
    for f in files:
        blob = f.read_bytes()
        assert not leaks(blob, needles), f.name
        c = container.read(f)
        assert c.header and set(c.parts) >= {"events"}
        assert not CJK.search(repr(c.header))
        for name, part in c.parts.items():
            assert not leaks(part, needles), (f.name, name)
    # ... and it travelled: the township has the same photo bytes
    from canvasser.core.rules.visits import evidence_dir
    stored = list(evidence_dir(town).iterdir())
    from canvasser.core.storage import evidence
    assert [evidence.unseal(town.key, p.read_bytes()) for p in stored] == [world["photo"].read_bytes()]
    assert all(world["photo"].read_bytes() not in p.read_bytes() for p in stored)  # sealed at rest
    assert "photo.0000" in container.read(world["up"]).parts


def test_every_altered_byte_is_refused_and_changes_nothing(world):
    town, tmp = world["town"], world["tmp"]
    good = world["up"].read_bytes()
    before = digests(town)
    bad = tmp / "bad.ccpkg"
    # every byte of the envelope and the key/manifest parts, then a stride through the rest
    positions = sorted(set(range(0, min(len(good), 1200))) | set(range(1200, len(good), 7)) | {len(good) - 1})
    for i in positions:
        data = bytearray(good)
        data[i] ^= 0x01
        bad.write_bytes(bytes(data))
        with pytest.raises(PackageError) as exc:
            receive_package(town, bad)
        assert CJK.search(str(exc.value)), i
    for cut in (0, 5, 8, 20, len(good) // 3, len(good) // 2, len(good) - 64, len(good) - 1):
        bad.write_bytes(good[:cut])
        with pytest.raises(PackageError):
            receive_package(town, bad)
    bad.write_bytes(good + b"\x00")
    with pytest.raises(PackageError):
        receive_package(town, bad)
    assert digests(town) == before
    assert receive_package(town, world["up"])["applied"] == 3  # the intact file still goes in


def test_foreign_packages_are_refused(world, tmp_path):
    town, a, b = world["town"], world["a"], world["b"]
    before_b, before_t = digests(b), digests(town)
    with pytest.raises(PackageError, match="不是发给本工作区"):
        receive_package(b, world["up"])  # village A's package at village B
    receive_package(town, world["up"])
    for_a = tmp_path / "for-a.ccpkg"
    export_package(town, for_a, village=VILLAGES[0])
    with pytest.raises(PackageError, match="不是发给本工作区"):
        receive_package(b, for_a)  # the township's package for A, at B
    with pytest.raises(PackageError, match="不是发给本工作区"):
        receive_package(town, for_a)  # the township's own outgoing package
    assert digests(b) == before_b
    # another township with the same list cannot read or accept A's packages
    other = open_workspace(tmp_path / "other.db")
    init_township(other, "另一个镇")
    before_o = digests(other)
    with pytest.raises(PackageError):
        receive_package(other, world["up"])
    assert digests(other) == before_o
    other.close()
    # a setup package is not an update package, and vice versa
    with pytest.raises(PackageError, match="配置包"):
        receive_package(a, tmp_path / f"setup-{VILLAGES[0]}.ccpkg")
    with pytest.raises(PackageError):
        init_village(tmp_path / "x.db", world["up"])
    assert not (tmp_path / "x.db").exists()
    assert digests(town) != before_t  # (it did take the right package)


def test_revoked_key_is_refused(world, tmp_path):
    town, a = world["town"], world["a"]
    rekey_village(town, VILLAGES[0], tmp_path / "new.ccpkg", no_code=True)
    before = digests(town)
    assert receive_package(town, world["up"])["held"]  # exported before the re-key: held, not applied
    assert digests(town)[:2] == before[:2]
    before = digests(town)
    time.sleep(1.1)  # (a package's time is to the second)
    export_package(a, tmp_path / "after.ccpkg")  # signed with the retired key after the re-key
    with pytest.raises(PackageError, match="作废"):
        receive_package(town, tmp_path / "after.ccpkg")
    assert digests(town) == before
    # the old laptop cannot read what the township sends from now on
    export_package(town, tmp_path / "down.ccpkg", village=VILLAGES[0])
    before_a = digests(a)
    with pytest.raises(PackageError):
        receive_package(a, tmp_path / "down.ccpkg")
    assert digests(a) == before_a
    fresh = init_village(tmp_path / "fresh.db", tmp_path / "new.ccpkg")
    assert fresh["village"] == VILLAGES[0]
    with open_workspace(tmp_path / "fresh.db") as f:
        assert receive_package(f, tmp_path / "down.ccpkg")["already_known"] >= 0


def test_cli_exit_codes_and_chinese_messages(world, capsys):
    tmp = world["tmp"]
    data = bytearray(world["up"].read_bytes())
    data[len(data) // 2] ^= 0x40
    (tmp / "flip.ccpkg").write_bytes(bytes(data))
    (tmp / "cut.ccpkg").write_bytes(bytes(data[:100]))
    (tmp / "text.ccpkg").write_text("这不是数据包", encoding="utf-8")
    for f, db in (("flip", "t.db"), ("cut", "t.db"), ("text", "t.db"), ("up", f"{VILLAGES[1]}.db")):
        capsys.readouterr()
        assert main(["receive", "--db", str(tmp / db), str(tmp / f"{f}.ccpkg")]) == 2
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and CJK.search(err), err
    assert main(["receive", "--db", str(tmp / "t.db"), str(tmp / "missing.ccpkg")]) == 2


def test_several_packages_in_one_transaction(world, capsys):
    town, tmp, people = world["town"], world["tmp"], world["people"]
    b = world["b"]
    record_visit(b, ids_of(people, VILLAGES[1])[0], "military")
    export_package(b, tmp / "b.ccpkg")
    data = bytearray((tmp / "b.ccpkg").read_bytes())
    data[-10] ^= 0x01
    (tmp / "b-bad.ccpkg").write_bytes(bytes(data))
    before = digests(town)
    capsys.readouterr()
    assert main(["receive", "--db", str(tmp / "t.db"), str(world["up"]), str(tmp / "b-bad.ccpkg")]) == 2
    assert "b-bad.ccpkg" in capsys.readouterr().err
    assert digests(town) == before  # one bad file: nothing at all
    assert main(["receive", "--db", str(tmp / "t.db"), str(world["up"]), str(tmp / "b.ccpkg"),
                 str(world["up"]), "--json"]) == 0
    res = json.loads(capsys.readouterr().out)
    assert res["applied"] == 3 + 1 and [p["duplicate"] for p in res["packages"]] == [False, False, True]
    status = sync_status(town)
    assert {s["village"]: s["packages_received"] for s in status["villages"]} == {VILLAGES[0]: 1, VILLAGES[1]: 1}
