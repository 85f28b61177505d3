"""Daily report figures: visits move them exactly and every section adds up to the total."""

from __future__ import annotations

import datetime as dt
import shutil
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from canvasser.core import clock
from canvasser.core.demo import make_demo
from canvasser.core.rules import campaign, figures, reports, visits
from canvasser.core.storage.opening import open_workspace
from canvasser.core.storage.store import Workspace

CODES = sorted(campaign.OUTCOMES)
BY = ["李书记", "王主任", "张网格员", "赵会计"]


@pytest.fixture(scope="module")
def template(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("tpl") / "demo.db"
    make_demo(path, seed=5, households=14)
    return path


def assert_adds_up(figs: dict) -> None:
    assert figs["done"] + figs["remaining"] == figs["total"]
    for section in ("by_group", "by_village", "by_category"):
        part = figs[section]
        assert sum(v["total"] for v in part.values()) == figs["total"], section
        assert sum(v["done"] for v in part.values()) == figs["done"], section
        assert sum(v["paid_official"] for v in part.values()) == figs["paid_official"], section
        assert sum(v["paid_claimed"] for v in part.values()) == figs["paid_claimed"], section
        for v in part.values():
            assert v["done"] + v["remaining"] == v["total"]


def expected_from_model(ws: Workspace, status: dict[str, str]) -> dict:
    camp = campaign.load(ws)
    return {"total": len(status), "done": sum(camp.is_done(s) for s in status.values()),
            "paid_official": sum(s == "paid_official" for s in status.values()),
            "paid_claimed": sum(s in campaign.CLAIMED_PAID for s in status.values())}


step = st.one_of(
    st.tuples(st.just("visit"), st.integers(0, 10**6), st.sampled_from(CODES), st.sampled_from(BY)),
    st.tuples(st.just("official"), st.integers(0, 10**6), st.just(""), st.just("")),
    st.tuples(st.just("undo"), st.just(0), st.just(""), st.sampled_from(BY)),
)


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=st.lists(step, min_size=1, max_size=14))
def test_random_visits_move_the_report_exactly(template, steps):
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "w.db"
        shutil.copy(template, path)
        ws = open_workspace(path)
        try:
            today = clock.today()  # the visits below are recorded now: today's figures count them
            pids = [r[0] for r in ws.conn.execute("SELECT pid FROM persons ORDER BY pid")]
            status = dict(ws.conn.execute("SELECT pid, status FROM persons").fetchall())
            before = reports.figures(ws, today)
            assert_adds_up(before)
            assert {k: before[k] for k in ("total", "done", "paid_official", "paid_claimed")} == \
                expected_from_model(ws, status)
            base_visits = {k: v["visits"] for k, v in reports.by_canvasser(ws, today).items()}
            mine: list[tuple[str, str, str]] = []  # (author, pid, code) of live visits this test recorded
            for kind, n, code, by in steps:
                pid = pids[n % len(pids)]
                if kind == "visit":
                    extra = {"promised": (today + dt.timedelta(days=5)).isoformat()} if code == "promised" else {}
                    visits.record_visit(ws, pid, code, by=by, **extra)
                    mine.append((by, pid, code))
                    if status[pid] != "paid_official":
                        status[pid] = code
                elif kind == "official":
                    ws.emit("status.official", f"p:{pid}", {"year": 2027, "paid": True, "amount": 400,
                                                            "paid_at": today.isoformat(), "channel": "测试",
                                                            "source": "test"})
                    status[pid] = "paid_official"
                else:
                    undone = visits.undo_last(ws, by=by)
                    if undone is None:
                        continue
                    # the undone visit may be one of the demo's: recompute that person from the table
                    for i in range(len(mine) - 1, -1, -1):
                        if mine[i][0] == by and mine[i][1] == undone["pid"]:
                            del mine[i]
                            break
                    status[undone["pid"]] = ws.scalar("SELECT status FROM persons WHERE pid=?", (undone["pid"],))
                figs = reports.figures(ws, today)
                assert_adds_up(figs)
                assert {k: figs[k] for k in ("total", "done", "paid_official", "paid_claimed")} == \
                    expected_from_model(ws, status)
            per = reports.by_canvasser(ws, today)
            for name in BY:
                recorded = sum(1 for a, _, _ in mine if a == name)
                if recorded and not any(s[0] == "undo" for s in steps):
                    assert per[name]["visits"] == base_visits.get(name, 0) + recorded
        finally:
            ws.close()


def test_figures_on_demo_match_plain_counts(template):
    ws = open_workspace(template)
    try:
        figs = reports.figures(ws)
        camp = campaign.load(ws)
        rows = ws.query("SELECT status, grp, categories FROM persons")
        assert figs["total"] == len(rows)
        assert figs["done"] == sum(camp.is_done(r["status"]) for r in rows)
        assert list(figs["by_village"]) == ["青石村"]
        assert all("/" not in k for k in figs["by_group"])  # one village: keyed by group name
        special = [r for r in rows if camp.is_special(r["categories"])]
        assert sum(v["total"] for k, v in figs["by_category"].items() if v["must_complete"]) == len(special)
        assert figs["by_village"]["青石村"]["target"] == figures.village_target(camp, "青石村", len(rows))
        assert figs["gap"] == max(0, figs["target"] - figs["done"])
        # the special groups are flagged while any of their people is not done
        for v in figs["by_category"].values():
            assert v["below_100"] == (v["must_complete"] and v["done"] < v["total"])
    finally:
        ws.close()


def test_groups_sort_naturally():
    assert sorted(["十一组", "二组", "十组", "一组"], key=reports.group_key) == ["一组", "二组", "十组", "十一组"]
    assert sorted(["10组", "2组", "1组"], key=reports.group_key) == ["1组", "2组", "10组"]
    assert sorted(["杨柳村/一组", "青石村/二组", "青石村/十二组"], key=reports.group_key) == \
        ["杨柳村/一组", "青石村/二组", "青石村/十二组"]


def test_township_keys_villages_apart_and_ranks(tmp_path):
    path = tmp_path / "t.db"
    make_demo(path, seed=3, households=12)
    make_demo(path, seed=4, households=10, village="杨柳村")
    ws = open_workspace(path)
    try:
        ws.set_meta("mode", "township")
        # 杨柳村 everyone done: it must rank first; 青石村 stays below 70%
        for (pid,) in ws.conn.execute("SELECT pid FROM persons WHERE village='杨柳村'").fetchall():
            visits.record_visit(ws, pid, "paid_self", by="镇干部")
        figs = reports.figures(ws)
        assert_adds_up(figs)
        assert set(figs["by_village"]) == {"青石村", "杨柳村"}
        assert all("/" in k for k in figs["by_group"])
        assert any(k.startswith("杨柳村/") for k in figs["by_group"])
        assert figs["ranking"][0] == "杨柳村" and figs["by_village"]["杨柳村"]["rate"] == 1.0
        assert figs["by_village"]["杨柳村"]["rank"] == 1
        assert "青石村" in figs["below_70"]
        assert figs["mode"] == "township"
    finally:
        ws.close()


def test_change_since_previous_snapshot(tmp_path):
    path = tmp_path / "v.db"
    make_demo(path, seed=6, households=10, visits=False)
    ws = open_workspace(path)
    try:
        d1, d2 = dt.date(2026, 11, 20), dt.date(2026, 11, 21)
        first = reports.make_report(ws, d1)
        assert first["change"]["since"] == ""
        pids = [r[0] for r in ws.conn.execute("SELECT pid FROM persons ORDER BY pid LIMIT 3")]
        visits.record_visit(ws, pids[0], "dead", by="李书记", at="2026-11-21T10:00:00+08:00", today=d2)
        visits.record_visit(ws, pids[1], "paid_on_site", by="李书记", at="2026-11-21T10:30:00+08:00", today=d2)
        visits.record_visit(ws, pids[2], "not_home", by="王主任", at="2026-11-21T11:00:00+08:00", today=d2)
        second = reports.make_report(ws, d2)
        assert second["change"]["since"] == "2026-11-20"
        assert second["change"]["done"] == 2 == second["done"] - first["done"]
        assert second["change"]["paid_claimed"] == 1
        # today's work from visit dates
        assert second["by_canvasser"] == {"李书记": {"visits": 2, "contacts": 2, "done_outcomes": 2},
                                          "王主任": {"visits": 1, "contacts": 1, "done_outcomes": 0}}
        assert second["today"]["by_visit"] == 2 and second["today"]["contacts"] == 3
        assert reports.newly_done(ws, d2) == {"by_visit": 2, "paid_official": 0, "total": 2}
        assert [t["done"] for t in second["trend"] if t["day"] == "2026-11-21"] == [2]
        # the snapshot of d2 is stored; a report for d2 again compares with d1, not with itself
        assert ws.scalar("SELECT count(*) FROM snapshots") == 2
        again = reports.make_report(ws, d2)
        assert again["change"]["since"] == "2026-11-20"
    finally:
        ws.close()


def test_inactive_and_dead_people_are_counted(tmp_path):
    from canvasser.core.rules.people import mark_left

    path = tmp_path / "v.db"
    make_demo(path, seed=7, households=8, visits=False)
    ws = open_workspace(path)
    try:
        before = reports.figures(ws)
        pid = ws.scalar("SELECT pid FROM persons ORDER BY pid LIMIT 1")
        mark_left(ws, pid, "dead", by="李书记")
        assert ws.scalar("SELECT active FROM persons WHERE pid=?", (pid,)) == 0
        after = reports.figures(ws)
        assert after["total"] == before["total"]
        assert after["done"] == before["done"] + 1
        assert_adds_up(after)
    finally:
        ws.close()
