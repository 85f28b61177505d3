"""The workspace schema, as numbered migrations applied by `PRAGMA user_version`.

Tables fall into three groups:
- the event log (`events`): the only source of truth, never deleted from;
- projections (`persons`, `households`, `visits`, `campaign`, `canvassers`, `conflicts`): rebuilt
  deterministically from the events, compared by `canvasser check`;
- local state (`meta`, `origins`, `peers`, `peer_acks`, `receipts`, `keys`, `held_events`,
  `returned_held`, `trend_days`, ...): this file's identity and what it knows of the other side;
  not replicated.
"""

from __future__ import annotations

_VISIT_COLUMNS = """
        visit_id TEXT PRIMARY KEY,
        pid TEXT NOT NULL,
        at TEXT NOT NULL,
        hlc TEXT NOT NULL,
        author TEXT NOT NULL DEFAULT '',
        via TEXT NOT NULL DEFAULT '',
        outcome TEXT NOT NULL,
        reason TEXT NOT NULL DEFAULT '',
        promised TEXT NOT NULL DEFAULT '',
        followup TEXT NOT NULL DEFAULT '',
        place TEXT NOT NULL DEFAULT '',
        note TEXT NOT NULL DEFAULT '',
        photos TEXT NOT NULL DEFAULT '[]',
        voided INTEGER NOT NULL DEFAULT 0,
        void_reason TEXT NOT NULL DEFAULT ''
"""  # migration 1 made the table with these columns; 5 rebuilt it WITHOUT ROWID, 6 with a rowid again
_VISIT_INDEXES = """
    CREATE INDEX visits_pid ON visits (pid, hlc);
    CREATE INDEX visits_at ON visits (at);
    CREATE INDEX visits_author ON visits (author, at);
"""

PROJECTION_TABLES = ("persons", "households", "visits", "campaign", "canvassers", "conflicts", "official_payments",
                     "ref_marks")

MIGRATIONS: list[str] = [
    # 1: the event log, projections and local state
    """
    CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT);
    CREATE TABLE origins (
        origin TEXT PRIMARY KEY, started_at TEXT, machine TEXT, path TEXT, inode INTEGER, reason TEXT
    );
    CREATE TABLE events (
        event_id TEXT PRIMARY KEY,
        origin TEXT NOT NULL,
        seq INTEGER NOT NULL,
        hlc TEXT NOT NULL,
        kind TEXT NOT NULL,
        entity TEXT NOT NULL,
        payload TEXT NOT NULL,
        author TEXT,
        recorded_at TEXT NOT NULL,
        scope TEXT NOT NULL DEFAULT '',
        UNIQUE (origin, seq)
    );
    CREATE INDEX events_entity ON events (entity, hlc, origin, seq);
    CREATE INDEX events_scope ON events (scope);

    CREATE TABLE persons (
        pid TEXT PRIMARY KEY,
        rpid TEXT NOT NULL,
        name TEXT NOT NULL DEFAULT '',
        sex TEXT, birth TEXT,
        township TEXT NOT NULL DEFAULT '',
        village TEXT NOT NULL DEFAULT '',
        grp TEXT NOT NULL DEFAULT '',
        household TEXT NOT NULL DEFAULT '',
        relation TEXT NOT NULL DEFAULT '',
        address TEXT NOT NULL DEFAULT '',
        phone TEXT NOT NULL DEFAULT '',
        phones TEXT NOT NULL DEFAULT '',
        categories TEXT NOT NULL DEFAULT '',
        last_year TEXT NOT NULL DEFAULT '',
        note TEXT NOT NULL DEFAULT '',
        away_place TEXT NOT NULL DEFAULT '',
        active INTEGER NOT NULL DEFAULT 1,
        left_reason TEXT NOT NULL DEFAULT '',
        source TEXT NOT NULL DEFAULT '',
        status TEXT NOT NULL DEFAULT '',
        official INTEGER NOT NULL DEFAULT 0,
        paid_amount REAL,
        paid_at TEXT,
        last_outcome TEXT NOT NULL DEFAULT '',
        last_reason TEXT NOT NULL DEFAULT '',
        last_via TEXT NOT NULL DEFAULT '',
        last_visit_at TEXT NOT NULL DEFAULT '',
        last_visit_by TEXT NOT NULL DEFAULT '',
        last_note TEXT NOT NULL DEFAULT '',
        promised TEXT NOT NULL DEFAULT '',
        followup TEXT NOT NULL DEFAULT '',
        visit_count INTEGER NOT NULL DEFAULT 0,
        evidence INTEGER NOT NULL DEFAULT 0,
        py_initials TEXT NOT NULL DEFAULT '',
        py_full TEXT NOT NULL DEFAULT '',
        created_at TEXT NOT NULL DEFAULT '',
        updated_hlc TEXT NOT NULL DEFAULT ''
    );
    CREATE INDEX persons_village ON persons (village, grp, household);
    CREATE INDEX persons_household ON persons (household);
    CREATE INDEX persons_status ON persons (status);
    CREATE INDEX persons_name ON persons (name);
    CREATE INDEX persons_rpid ON persons (rpid);
    CREATE INDEX persons_phone ON persons (phone);
    CREATE INDEX persons_pyi ON persons (py_initials);
    CREATE INDEX persons_pyf ON persons (py_full);
    CREATE INDEX persons_followup ON persons (followup);

    CREATE TABLE households (
        hid TEXT PRIMARY KEY,
        village TEXT NOT NULL DEFAULT '',
        grp TEXT NOT NULL DEFAULT '',
        head TEXT NOT NULL DEFAULT '',
        head_pid TEXT NOT NULL DEFAULT '',
        address TEXT NOT NULL DEFAULT '',
        members INTEGER NOT NULL DEFAULT 0
    );
    CREATE INDEX households_village ON households (village, grp);

    CREATE TABLE visits (""" + _VISIT_COLUMNS + """);
""" + _VISIT_INDEXES + """

    CREATE TABLE official_payments (
        pid TEXT NOT NULL, year INTEGER NOT NULL, amount REAL, paid_at TEXT, channel TEXT, source TEXT,
        event_id TEXT NOT NULL,
        PRIMARY KEY (pid, year)
    );

    CREATE TABLE campaign (key TEXT PRIMARY KEY, value TEXT NOT NULL, hlc TEXT NOT NULL);
    CREATE TABLE canvassers (name TEXT PRIMARY KEY, phone TEXT NOT NULL DEFAULT '', role TEXT NOT NULL DEFAULT '',
                             active INTEGER NOT NULL DEFAULT 1);
    CREATE TABLE conflicts (
        pid TEXT PRIMARY KEY, villages TEXT NOT NULL, origins TEXT NOT NULL, resolved INTEGER NOT NULL DEFAULT 0,
        resolution TEXT NOT NULL DEFAULT ''
    );

    CREATE TABLE evidence (sha256 TEXT PRIMARY KEY, suffix TEXT NOT NULL, size INTEGER NOT NULL, added_at TEXT);
    CREATE TABLE peers (
        peer TEXT PRIMARY KEY, kind TEXT NOT NULL, name TEXT NOT NULL DEFAULT '',
        sign_key TEXT, box_key TEXT, revoked_keys TEXT NOT NULL DEFAULT '[]',
        last_received_at TEXT, last_sent_at TEXT, info TEXT NOT NULL DEFAULT '{}'
    );
    CREATE TABLE peer_acks (peer TEXT NOT NULL, origin TEXT NOT NULL, ranges TEXT NOT NULL,
                            PRIMARY KEY (peer, origin));
    CREATE TABLE receipts (package_id TEXT PRIMARY KEY, peer TEXT, received_at TEXT, applied INTEGER,
                           already_known INTEGER);
    CREATE TABLE snapshots (day TEXT PRIMARY KEY, figures TEXT NOT NULL);
    CREATE TABLE roster_state (pid TEXT PRIMARY KEY, fields TEXT NOT NULL);
    CREATE TABLE imports (import_id TEXT PRIMARY KEY, kind TEXT, file TEXT, sha256 TEXT, at TEXT, summary TEXT);
    """,
    # 2: sync — each copy (file) of a village workspace the township has heard from, so a return
    # package carries what any live copy still lacks
    """
    CREATE TABLE sync_replicas (
        replica TEXT PRIMARY KEY, peer TEXT NOT NULL, first_at TEXT NOT NULL, last_at TEXT NOT NULL,
        packages INTEGER NOT NULL DEFAULT 0, retired INTEGER NOT NULL DEFAULT 0
    );
    CREATE INDEX sync_replicas_peer ON sync_replicas (peer);
    """,
    # 3: names reversed, so a given name (the end of a name) is an indexed prefix search too
    """
    ALTER TABLE persons ADD COLUMN rname TEXT NOT NULL DEFAULT '';
    UPDATE persons SET rname = reverse(name);
    CREATE INDEX persons_rname ON persons (rname);
    """,
    # 4: covering indexes for the daily report's grouped counts
    """
    CREATE INDEX IF NOT EXISTS persons_progress ON persons (village, grp, status, categories);
    CREATE INDEX IF NOT EXISTS official_paid_at ON official_payments (year, paid_at);
    """,
    # 5: lighter writes for a township's merge: the entity index keys only the entity (a person's
    # few events are sorted when read), and visits are stored in their primary key (no rowid tree)
    """
    DROP INDEX events_entity;
    CREATE INDEX events_entity ON events (entity);
    CREATE TABLE visits_by_id (""" + _VISIT_COLUMNS + """) WITHOUT ROWID;
    INSERT INTO visits_by_id SELECT visit_id, pid, at, hlc, author, via, outcome, reason, promised, followup, place,
                                    note, photos, voided, void_reason FROM visits;
    DROP TABLE visits;
    ALTER TABLE visits_by_id RENAME TO visits;
""" + _VISIT_INDEXES + """
    """,
    # 6: lighter visit writes for a township's merge: visits back in a rowid table (its secondary
    # index entries carry a rowid, not the 32-character visit id; measured faster with 16 KB pages),
    # and no author index (only undo read it, and a cadre's undo looks at the latest visits)
    """
    CREATE TABLE visits_rowid (""" + _VISIT_COLUMNS + """);
    INSERT INTO visits_rowid SELECT visit_id, pid, at, hlc, author, via, outcome, reason, promised, followup, place,
                                    note, photos, voided, void_reason FROM visits ORDER BY visit_id;
    DROP TABLE visits;
    ALTER TABLE visits_rowid RENAME TO visits;
    CREATE INDEX visits_pid ON visits (pid, hlc);
    CREATE INDEX visits_at ON visits (at);
    """,
    # 7: no index on the follow-up date: every query of it also asks for the follow-up statuses
    # (and for an empty date), so SQLite reads persons_status instead; the unused index cost each
    # visit a write and a first list of a million people half a second
    """
    DROP INDEX IF EXISTS persons_followup;
    """,
    # 8: the progress index also holds visit_count, so "visited" (people with a visit that stands,
    # not people with any status: a bureau payment is no visit) is read from the same ordered scan
    """
    DROP INDEX IF EXISTS persons_progress;
    CREATE INDEX persons_progress ON persons (village, grp, status, categories, visit_count);
    """,
    # 9 (issue 17): the order of each bureau list and its 序号 as typed, one row per chunk of the
    # list (its IDs and 序号 joined by newlines: a row per person cost a million-person import 5 to
    # 15 s), so the feedback sheet goes back in the bureau's numbering and order. Local state
    # written by list imports, not a projection of events.
    """
    CREATE TABLE list_chunks (list_no INTEGER NOT NULL, chunk_no INTEGER NOT NULL, pids TEXT NOT NULL,
                              serials TEXT NOT NULL, PRIMARY KEY (list_no, chunk_no)) WITHOUT ROWID;
    """,
    # 10: other departments' lists (issue 20): what each list says about each person (a projection of the
    # ref.* events, see refmarks.py), and the lists this file imported (local: sync carries the events)
    """
    CREATE TABLE ref_marks (
        pid TEXT NOT NULL, list TEXT NOT NULL, kind TEXT NOT NULL, date TEXT NOT NULL DEFAULT '',
        name TEXT NOT NULL DEFAULT '', state TEXT NOT NULL, how TEXT NOT NULL DEFAULT '',
        effect TEXT NOT NULL DEFAULT '{}', note TEXT NOT NULL DEFAULT '', row INTEGER NOT NULL DEFAULT 0,
        hlc TEXT NOT NULL DEFAULT '',
        PRIMARY KEY (pid, list)
    );
    CREATE INDEX ref_marks_list ON ref_marks (list, state);
    CREATE INDEX ref_marks_kind ON ref_marks (kind, state);
    CREATE TABLE ref_lists (
        list TEXT PRIMARY KEY, kind TEXT NOT NULL, date TEXT NOT NULL, name TEXT NOT NULL, sha256 TEXT NOT NULL,
        imported_at TEXT NOT NULL, summary TEXT NOT NULL DEFAULT '{}'
    );
    """,
    # 11: campaign years (issue 21): a visit belongs to the coverage year it was recorded in; each
    # person keeps last year's outcome beside this year's status, and the year they came onto a list
    """
    ALTER TABLE visits ADD COLUMN year INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE persons ADD COLUMN prev_outcome TEXT NOT NULL DEFAULT '';
    ALTER TABLE persons ADD COLUMN prev_reason TEXT NOT NULL DEFAULT '';
    ALTER TABLE persons ADD COLUMN prev_via TEXT NOT NULL DEFAULT '';
    ALTER TABLE persons ADD COLUMN prev_promised TEXT NOT NULL DEFAULT '';
    ALTER TABLE persons ADD COLUMN since_year INTEGER NOT NULL DEFAULT 0;
    CREATE INDEX persons_prev ON persons (prev_outcome);
    UPDATE visits SET year = coalesce((SELECT CAST(value AS INTEGER) FROM campaign WHERE key = 'coverage_year'), 2027);
    UPDATE persons SET since_year = coalesce((SELECT CAST(value AS INTEGER) FROM campaign WHERE key = 'coverage_year'),
                                             2027);
    """,
    # 12 (issue 16): events a village sent for people outside its village, held for the township to
    # accept or reject (local state, never replicated; never applied unless accepted); every
    # workspace has its id from the start (its backups are kept under it)
    """
    CREATE TABLE held_events (
        event_id TEXT PRIMARY KEY, peer TEXT NOT NULL, package_id TEXT NOT NULL, reason TEXT NOT NULL,
        row TEXT NOT NULL, held_at TEXT NOT NULL, decision TEXT NOT NULL DEFAULT ''
    );
    CREATE INDEX held_events_package ON held_events (package_id);
    INSERT OR IGNORE INTO meta (key, value) VALUES ('workspace_id', lower(hex(randomblob(16))));
    """,
    # 13 (issue 33): which peer each origin belongs to, learned from the first signed package that
    # carries it (sync/origins.py: nobody speaks for another; the replicas heard from so far are
    # their villages'); the rows a list import rejected, kept here (encrypted with the workspace)
    # instead of as a plain spreadsheet in the data folder, exported on demand (`canvasser rejects`).
    # Both local state, never replicated.
    """
    CREATE TABLE origin_owners (origin TEXT PRIMARY KEY, peer TEXT NOT NULL, key_id TEXT NOT NULL DEFAULT '',
                                bound_at TEXT NOT NULL) WITHOUT ROWID;
    INSERT OR IGNORE INTO origin_owners (origin, peer, bound_at) SELECT replica, peer, first_at FROM sync_replicas;
    CREATE TABLE list_rejects (list_no INTEGER PRIMARY KEY, file TEXT NOT NULL, at TEXT NOT NULL,
                               headers TEXT NOT NULL, rows TEXT NOT NULL);
    """,
    # 14 (issue 28): held records say whom they are about and when they were decided (an assignment
    # adopts a village's records about the person); a village keeps what its tier above did not
    # adopt (from the return package); a trend's past days keep the figures first reported; an
    # official payment counts on the day it was recorded (the paid list's import), not a day past
    """
    ALTER TABLE held_events ADD COLUMN entity TEXT NOT NULL DEFAULT '';
    ALTER TABLE held_events ADD COLUMN decided_at TEXT NOT NULL DEFAULT '';
    UPDATE held_events SET entity = coalesce(json_extract(row, '$[5]'), '');
    CREATE INDEX held_events_entity ON held_events (entity);
    CREATE TABLE returned_held (
        event_id TEXT PRIMARY KEY, kind TEXT NOT NULL, entity TEXT NOT NULL, reason TEXT NOT NULL,
        decision TEXT NOT NULL, held_at TEXT NOT NULL, decided_at TEXT NOT NULL, received_at TEXT NOT NULL
    );
    CREATE TABLE trend_days (
        day TEXT PRIMARY KEY, visits INTEGER NOT NULL, done_by_visit INTEGER NOT NULL,
        paid_official INTEGER NOT NULL, frozen_at TEXT NOT NULL
    );
    ALTER TABLE official_payments ADD COLUMN recorded_at TEXT NOT NULL DEFAULT '';
    UPDATE official_payments SET recorded_at = coalesce(
        (SELECT e.recorded_at FROM events e WHERE e.event_id = official_payments.event_id), '');
    CREATE INDEX official_recorded ON official_payments (year, recorded_at);
    """,
    # 15 (issue 31): the campaign in layers: each setting per (layer, key), the layer being its event's
    # scope ('' = the drive's, a township's name = that township's own and its villages'), so that
    # two townships' settings for their villages (targets, texts) never overwrite each other at the
    # county that receives both
    """
    CREATE TABLE campaign_layers (key TEXT NOT NULL, value TEXT NOT NULL, hlc TEXT NOT NULL,
                                  scope TEXT NOT NULL DEFAULT '', PRIMARY KEY (scope, key));
    INSERT INTO campaign_layers (key, value, hlc, scope) SELECT key, value, hlc, '' FROM campaign;
    DROP TABLE campaign;
    ALTER TABLE campaign_layers RENAME TO campaign;
    """,
]
