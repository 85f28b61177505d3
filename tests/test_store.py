"""The workspace store: events, projections, origins, clocks, migrations."""

from __future__ import annotations

import shutil
import sqlite3

import pytest

from canvasser.core.lists.roster import import_roster
from canvasser.core.rules.visits import record_visit
from canvasser.core.storage import hlc, integrity
from canvasser.core.storage.opening import open_workspace
from canvasser.core.storage.store import WorkspaceError
from tests.fixtures import TODAY, rows, write_xlsx


@pytest.fixture
def ws(tmp_path):
    w = open_workspace(tmp_path / "v.db")
    import_roster(w, write_xlsx(tmp_path / "a.xlsx", rows(households=6)), today=TODAY)
    yield w
    w.close()


def test_wal_foreign_keys_and_version(ws):
    assert ws.scalar("PRAGMA journal_mode") == "wal"
    assert ws.scalar("PRAGMA foreign_keys") == 1
    assert ws.scalar("PRAGMA user_version") >= 1


def test_new_file_has_16k_pages_and_an_old_one_keeps_its_own(tmp_path):
    """Big pages make a township's merge lighter; a plain file made with 4 KB pages still opens as it is."""
    assert int(open_workspace(tmp_path / "new.db").scalar("PRAGMA page_size")) == 16384
    conn = sqlite3.connect(tmp_path / "old.db")
    conn.execute("PRAGMA page_size = 4096")
    conn.execute("CREATE TABLE t (x)")
    conn.close()
    old = open_workspace(tmp_path / "old.db", plain=True)
    assert old.scalar("PRAGMA page_size") == 4096 and old.scalar("SELECT count(*) FROM persons") == 0


def test_a_big_write_does_not_leave_a_big_wal_behind(tmp_path, monkeypatch):
    """After a write much larger than the limit and a checkpoint, the WAL file shrinks to the limit."""
    from canvasser.core.storage import store
    monkeypatch.setattr(store, "WAL_KEEP", 256 << 10)
    w = open_workspace(tmp_path / "w.db")
    reader = open_workspace(tmp_path / "w.db")  # another connection keeps the file in WAL mode, as in the app
    with w.writing("t") as batch:
        for i in range(3000):
            batch.emit("campaign.set", "campaign", {"key": f"k{i}", "value": "x" * 400})
    wal = tmp_path / "w.db-wal"
    big = wal.stat().st_size
    w.conn.execute("PRAGMA wal_checkpoint(PASSIVE)")
    w.set_meta("touch", "1")  # the next write starts the WAL over and truncates it
    assert big > 1 << 20 and wal.stat().st_size <= 256 << 10
    reader.close()
    w.close()


def test_newer_file_is_refused(tmp_path):
    p = tmp_path / "n.db"
    conn = sqlite3.connect(p)
    conn.execute("PRAGMA user_version = 999")
    conn.close()
    with pytest.raises(WorkspaceError, match="更新版本"):
        open_workspace(p)


def test_events_have_uuid_origin_seq_hlc_author(ws):
    pid = ws.scalar("SELECT pid FROM persons LIMIT 1")
    record_visit(ws, pid, "not_home", by="王主任")
    ev = ws.one("SELECT * FROM events WHERE kind='visit.recorded'")
    assert len(ev["event_id"]) == 32 and ev["origin"] == ws.origin and ev["author"] == "王主任"
    seqs = [r[0] for r in ws.conn.execute("SELECT seq FROM events WHERE origin=? ORDER BY seq", (ws.origin,))]
    assert seqs == list(range(1, len(seqs) + 1))
    hlcs = [r[0] for r in ws.conn.execute("SELECT hlc FROM events ORDER BY seq")]
    assert hlcs == sorted(hlcs) and len(set(hlcs)) == len(hlcs)


def test_copied_file_gets_a_new_origin_and_keeps_counting(ws, tmp_path):
    pid = ws.scalar("SELECT pid FROM persons LIMIT 1")
    record_visit(ws, pid, "not_home", by="a")
    first = ws.origin
    ws.close()
    shutil.copy(tmp_path / "v.db", tmp_path / "copy.db")
    shutil.copy(tmp_path / "v.db.keys", tmp_path / "copy.db.keys")  # a copy of a workspace is both files
    a, b = open_workspace(tmp_path / "v.db"), open_workspace(tmp_path / "copy.db")
    record_visit(a, pid, "promised", promised="2026-12-20", by="a")
    record_visit(b, pid, "refused", reason="经济困难", by="b")
    assert a.origin == first and b.origin != first
    assert b.scalar("SELECT min(seq) FROM events WHERE origin=?", (b.origin,)) == 1
    keys_a = {r[0] for r in a.conn.execute("SELECT origin || ':' || seq FROM events")}
    keys_b = {r[0] for r in b.conn.execute("SELECT origin || ':' || seq FROM events")}
    new_a, new_b = keys_a - keys_b, keys_b - keys_a
    assert new_a and new_b and not (new_a & new_b)
    a.close()
    b.close()


def test_clock_survives_a_wrong_wall_clock():
    wall = [1000]
    c = hlc.Clock(wall=lambda: wall[0])
    t1 = c.tick()
    wall[0] = 10  # the laptop's clock jumps back
    t2 = c.tick()
    c.observe(hlc.encode(5000, 3))
    t3 = c.tick()
    assert t1 < t2 < t3 and t3 > hlc.encode(5000, 3)


def test_check_detects_a_tampered_projection(ws):
    assert integrity.check(ws)["ok"]
    ws.conn.execute("UPDATE persons SET status='paid_official' WHERE rowid=1")
    res = integrity.check(ws)
    assert not res["ok"] and "persons" in res["differs"]


def test_projection_is_order_independent(ws, tmp_path):
    pid = ws.scalar("SELECT pid FROM persons LIMIT 1")
    record_visit(ws, pid, "promised", promised="2026-12-01", by="a")
    record_visit(ws, pid, "refused", reason="经济困难", by="b")
    from canvasser.core.storage.projection import rebuild
    before = integrity.state_digest(ws)
    with ws.transaction():
        rebuild(ws.conn)
    assert integrity.state_digest(ws) == before
    assert ws.scalar("SELECT status FROM persons WHERE pid=?", (pid,)) == "refused"


def test_two_connections_on_one_file_share_the_sequence(ws, tmp_path):
    other = open_workspace(tmp_path / "v.db")
    pids = [r[0] for r in ws.conn.execute("SELECT pid FROM persons LIMIT 3")]
    record_visit(ws, pids[0], "not_home", by="甲")
    record_visit(other, pids[1], "not_home", by="甲")  # the GUI's worker and a CLI run, say
    record_visit(ws, pids[2], "not_home", by="甲")
    assert ws.origin == other.origin
    assert ws.scalar("SELECT count(*) FROM visits") == 3
    other.close()


def test_clock_ticks_stay_ordered_past_the_counter_width():
    from canvasser.core.storage import hlc
    clock = hlc.Clock(wall=lambda: 1_700_000_000_000)
    values = clock.ticks(250_000)
    assert values == sorted(values) and len(set(values)) == 250_000
    assert all(len(v) == 19 for v in values)  # fixed width: text order is time order
    assert clock.tick() > values[-1]


def test_event_ids_are_unique_and_time_ordered():
    from canvasser.core.storage.store import new_event_ids
    ids = new_event_ids(10_000)
    assert len(set(ids)) == 10_000 and all(len(i) == 32 for i in ids)
    later = new_event_ids(1)[0]
    assert later[:12] >= ids[0][:12]


def test_a_workspace_from_before_migration_5_keeps_its_visits(tmp_path):
    """Migrations 5 and 6 rebuild the visits table; an older file's visits must survive them."""
    from canvasser.core.storage import schema
    from canvasser.core.storage.store import connect

    path = tmp_path / "old.db"
    conn = connect(path)
    conn.create_function("reverse", 1, lambda s: s[::-1] if isinstance(s, str) else s)
    for number, sql in enumerate(schema.MIGRATIONS[:4], start=1):
        conn.executescript(sql)
        conn.execute(f"PRAGMA user_version = {number}")
    conn.execute("INSERT INTO visits (visit_id, pid, at, hlc, outcome) VALUES ('v1', 'p', '2026-11-01', 'h', 'paid')")
    conn.commit()
    conn.close()
    ws = open_workspace(path)
    assert ws.scalar("PRAGMA user_version") == len(schema.MIGRATIONS)
    assert ws.query("SELECT visit_id, outcome FROM visits") == [{"visit_id": "v1", "outcome": "paid"}]
    indexes = {r[0] for r in ws.conn.execute("SELECT name FROM sqlite_master WHERE tbl_name='visits'")}
    assert indexes == {"visits", "sqlite_autoindex_visits_1", "visits_pid", "visits_at"}
    assert not ws.scalar("SELECT sql FROM sqlite_master WHERE name='visits'").rstrip().endswith("WITHOUT ROWID")
    ws.close()


def test_follow_up_lists_read_the_status_index_not_a_dropped_one(tmp_path):
    """Migration 7 drops persons_followup; the follow-up list and filter still use an index."""
    from canvasser.core.rules.visits import followups

    ws = open_workspace(tmp_path / "f.db")
    names = {r[0] for r in ws.conn.execute("SELECT name FROM sqlite_master WHERE type='index'")}
    assert "persons_followup" not in names and "persons_status" in names
    plan = " ".join(r[3] for r in ws.conn.execute(
        "EXPLAIN QUERY PLAN SELECT pid FROM persons WHERE status IN ('promised','not_home') "
        "AND (followup = '' OR followup <= '2026-11-26')"))
    assert "persons_status" in plan
    assert followups(ws) == []
    ws.close()


def test_page_cache_is_set_for_a_while_and_restored(tmp_path):
    ws = open_workspace(tmp_path / "c.db")
    before = ws.scalar("PRAGMA cache_size")
    with ws.page_cache(64):
        assert ws.scalar("PRAGMA cache_size") == -64 * 1024
    assert ws.scalar("PRAGMA cache_size") == before
    ws.close()


def test_the_scripts_names_open_and_record_as_the_commands_do(ws):
    """`canvasser.core.store.Workspace(path)` and `canvasser.core.visits.record_visit` (the flat core's
    names, kept for scripts) open the encrypted file with the passphrase and write the same events."""
    from canvasser.core import store as script_store
    from canvasser.core import visits as script_visits

    pid = ws.scalar("SELECT pid FROM persons ORDER BY pid LIMIT 1")
    path = ws.path
    ws.close()
    with script_store.Workspace(path) as again:
        assert again.key is not None  # opened encrypted, not as a new plain file
        script_visits.record_visit(again, pid, "refused", by="村文书", reason="已在外地参保", today=TODAY)
    with open_workspace(path, create=False) as check:
        assert check.scalar("SELECT status FROM persons WHERE pid=?", (pid,)) == "refused"
    with pytest.raises(WorkspaceError):
        script_store.Workspace(path.with_name("nowhere.db"))  # a script never makes a file by accident
