"""A township matches a county-wide list once; each village receives its part in the ordinary packages,
reviews the proposals about its own people, and its word comes back to the township."""

from __future__ import annotations

from canvasser.core.lists import matching
from canvasser.core.storage.integrity import check
from tests.deptlists import DeptList
from tests.test_sync_support import VILLAGES, make_township, make_village, send


def cats(ws, pid: str) -> str:
    return ws.scalar("SELECT categories FROM persons WHERE pid=?", (pid,)) or ""


def test_county_list_matched_once_reaches_each_village_and_a_village_confirms(tmp_path):
    town, people = make_township(tmp_path)
    a, b, c = VILLAGES
    plain = {v: [p for p in people if p["村（社区）"] == v and not p["人员类别"]] for v in (a, b)}
    villages = {v: make_village(town, tmp_path, v) for v in (a, b)}
    d = DeptList()
    for p in plain[a][:2] + plain[b][:1]:
        d.add(p["姓名"], p["公民身份号码"], p["村（社区）"])
    unsure = plain[a][2]
    d.add(unsure["姓名"], "", a, unsure["出生日期"])  # no ID: a proposal for the village to review
    res = matching.match_list(town, d.write(tmp_path / "county.xlsx"), "特困", date="2026-11-01")
    assert (len(res.matched), len(res.proposed)) == (3, 1)
    for v, ws in villages.items():
        send(town, ws, tmp_path / f"down-{v}.ccpkg", village=v)
    va, vb = villages[a], villages[b]
    assert [cats(va, p["公民身份号码"]) for p in plain[a][:2]] == ["特困人员", "特困人员"]
    assert cats(vb, plain[b][0]["公民身份号码"]) == "特困人员"
    assert not vb.scalar("SELECT count(*) FROM ref_marks WHERE pid IN (SELECT pid FROM persons WHERE village<>?)",
                         (b,))
    assert [r["pid"] for r in matching.proposals(va)] == [unsure["公民身份号码"]] and matching.proposals(vb) == []
    assert matching.confirm(va, res.info.id, [unsure["公民身份号码"]], author="村文书") == 1
    send(va, town, tmp_path / f"up-{a}.ccpkg")
    assert cats(town, unsure["公民身份号码"]) == "特困人员" and matching.proposals(town) == []
    assert all(check(ws)["ok"] for ws in (town, va, vb))
    for ws in (town, va, vb):
        ws.close()
