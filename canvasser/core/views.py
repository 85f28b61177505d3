"""What the window shows: its one door into the core for reading (DESIGN §2, §10).

Every read of the window is here, as a named function returning plain data (dicts, lists, arrays of
row ids), with the names and words the window shows (status labels, filters, sorts, outcomes).
The window holds no SQL: it calls these on its own read-only connection (`open_reader`), or hands
them to the worker as a job when they are heavy (the dashboard, a list's preview), and sends every
write to the one database worker through `ui/operations.py`. Besides this module the window imports
only the concepts every wing shares (errors, tiers, outcomes, person_fields, clock) and `core.text`
(pure functions: masking an ID, a name's warning); `tests/test_layers.py` holds it to that.

Reads that load heavy libraries (PyNaCl for sync, the list readers, reportlab) import them when
called, not when the window starts.

The people table's reads (`ordered_ids`, `first_ids`, `sort_ids`, `rows_for`) stay raw SQL on
purpose: they run on every keystroke and every scroll over up to a million rows, and a dict per row
(sqlite-utils) costs several times a tuple. The other reads return dicts through sqlite-utils.
"""

from __future__ import annotations

import datetime as dt
from array import array
from pathlib import Path

from . import clock
from .rules import campaign as _campaign
from .rules import dashboard, groups, history, visits
from .rules import figures as _figures
from .rules.dashboard import PeopleQuery, household_members
from .rules.groups import group_key as group_key  # (the window orders its tree's groups by it)
from .storage.files import safe_name as safe_name  # (names from data, as Windows takes them)
from .storage.opening import open_workspace
from .storage.store import Workspace as Workspace  # (the window's type hints)
from .storage.store import WorkspaceError as WorkspaceError

# ---- the words and choices the window shows -------------------------------------------------------
Campaign = _campaign.Campaign
OUTCOMES, STATUS_LABELS, LABELS = _campaign.OUTCOMES, _campaign.STATUS_LABELS, _campaign.LABELS
CHANNELS, REFUSAL_REASONS = _campaign.CHANNELS, _campaign.REFUSAL_REASONS
SETTING_KEYS = tuple(_campaign.DEFAULTS)  # every campaign setting (the settings dialog asks `authority` who decides each)
TAKES_DATE, TAKES_REASON = _campaign.TAKES_DATE, _campaign.TAKES_REASON
STATUS_FILTERS, PREVIOUS_FILTERS = dashboard.STATUS_FILTERS, dashboard.PREVIOUS_FILTERS
PHOTO_SUFFIXES = visits.PHOTO_SUFFIXES
previous_label, previous_line, history_lines = history.previous_label, history.previous_line, history.history_lines
year_on_year_lines = dashboard.year_on_year_lines

# the people table's filter, sorts and query: rules the people export and the prints share (rules/dashboard.py)
PeopleFilter, SORTS, DEFAULT_ORDER, order_by = dashboard.PeopleFilter, dashboard.SORTS, dashboard.DEFAULT_ORDER, \
    dashboard.order_by

# Page caches of the window's two connections, within its 500 MB (DESIGN §9: the window itself takes
# about 220 MB at a million people). An encrypted page read from disk is decrypted and its HMAC
# checked (about 20 µs for 16 KB) where a plain one is copied; kept in the reader's cache, the people
# a cadre searched for and scrolled past cost that once (a million-person township's searches by
# name, initials, ID tail and phone touched some 170 MB).
READER_CACHE_MB = 192
WORKER_CACHE_MB = 64  # the worker's whole lists and figures read covering indexes; a big list import sets its own


def open_reader(path: str | Path) -> Workspace:
    """The window's connection: reads only (`PRAGMA query_only`), so a write there fails loudly."""
    ws = open_workspace(path, create=False)
    ws.conn.execute("PRAGMA query_only=ON")
    ws.set_cache(READER_CACHE_MB)
    return ws


def open_worker(path: str | Path) -> Workspace:
    """The database worker's connection (every write of the window goes through it; the key:
    unlocked earlier in this process)."""
    ws = open_workspace(path)
    ws.set_cache(WORKER_CACHE_MB)
    return ws


def _first(ws: Workspace, sql: str, params: tuple = ()) -> dict | None:
    return next(iter(ws.db.query(sql, params)), None)


# ---- one person, one household --------------------------------------------------------------------
def person(ws: Workspace, pid: str) -> dict | None:
    """Every column of a person's row, by name (None: no such person)."""
    return _first(ws, "SELECT * FROM persons WHERE pid=?", (pid,)) if pid else None


def person_name(ws: Workspace, pid: str) -> str:
    row = _first(ws, "SELECT name FROM persons WHERE pid=?", (pid,))
    return row["name"] if row else ""


def household_of(ws: Workspace, pid: str) -> str:
    """The household id a person belongs to ('' if none or no such person)."""
    row = _first(ws, "SELECT household FROM persons WHERE pid=?", (pid,)) if pid else None
    return row["household"] if row else ""


def household(ws: Workspace, hid: str) -> dict | None:
    """A household (hid, grp, address, head, ...) with its members, head first."""
    row = _first(ws, "SELECT * FROM households WHERE hid=?", (hid,)) if hid else None
    if row is not None:
        row["members"] = household_members(ws, hid)
    return row


def unit_name(ws: Workspace) -> str:
    """Whose workspace this is (某某镇光明村): the window names files and documents after it."""
    from .rules.reports import unit

    return unit(ws)


# ---- lists for the dialogs ------------------------------------------------------------------------
def villages(ws: Workspace) -> list[str]:
    """The villages people live in, in order (the township's target table lists them)."""
    return [r["village"] for r in ws.db.query("SELECT DISTINCT village FROM persons WHERE village != '' ORDER BY 1")]


def canvassers(ws: Workspace) -> list[dict]:
    """The active canvasser profiles (name, phone), by name."""
    return list(ws.db.query("SELECT name, phone FROM canvassers WHERE active=1 ORDER BY name"))


def showcase_person(ws: Workspace) -> str:
    """A person worth showing in a screenshot: visited, in a household of three or more, with a phone
    and a category; else the most visited one ('' in an empty workspace)."""
    row = _first(ws, "SELECT p.pid FROM persons p JOIN households h ON h.hid = p.household "
                     "WHERE p.visit_count >= 1 AND h.members >= 3 AND p.phone != '' AND p.categories != '' "
                     "ORDER BY p.visit_count DESC, p.village, p.grp, p.household LIMIT 1") or \
        _first(ws, "SELECT pid FROM persons ORDER BY visit_count DESC LIMIT 1")
    return row["pid"] if row else ""


# ---- the people table: ordered row ids, rows a block at a time ------------------------------------
ROW_FIELDS = ("rowid", "pid", "name", "sex", "birth", "grp", "relation", "phone", "categories", "status",
              "last_visit_at", "last_visit_by", "household", "village", "prev_outcome")


def _fetch_ids(ws: Workspace, sql: str, params) -> array:
    ids = array("q")  # 8 bytes a person: 8 MB for a million
    cur = ws.conn.execute(sql, params)
    while True:
        chunk = cur.fetchmany(50000)
        if not chunk:
            return ids
        ids.extend(r[0] for r in chunk)


def ordered_ids(ws: Workspace, q: PeopleQuery) -> array:
    """Every matching person's rowid, in the query's order."""
    groups.rank_sql(ws.conn)  # (the orders sort groups as people count them)
    return _fetch_ids(ws, f"SELECT rowid FROM persons WHERE {q.where} ORDER BY {q.order}", q.params)


def first_ids(ws: Workspace, q: PeopleQuery, limit: int) -> list[int]:
    """Up to `limit` matching rowids in file order: no sort, so a broad search shows at once."""
    return [r[0] for r in ws.conn.execute(
        f"SELECT rowid FROM persons WHERE {q.where} ORDER BY rowid LIMIT {int(limit)}", q.params)]


def sort_ids(ws: Workspace, q: PeopleQuery, ids: list[int]) -> array:
    """`ids` (a small result) in the query's order."""
    if not ids:
        return array("q")
    groups.rank_sql(ws.conn)
    return _fetch_ids(ws, f"SELECT rowid FROM persons WHERE rowid IN ({','.join('?' * len(ids))}) ORDER BY {q.order}",
                      ids)


def rows_for(ws: Workspace, rowids: list[int]) -> list[tuple]:
    """The table's cells for a block of rowids, as tuples in `ROW_FIELDS` order (any order of rows)."""
    sql = f"SELECT {', '.join(ROW_FIELDS)} FROM persons WHERE rowid IN ({','.join('?' * len(rowids))})"
    return ws.conn.execute(sql, rowids).fetchall()


def rowid_of(ws: Workspace, pid: str) -> int | None:
    row = ws.conn.execute("SELECT rowid FROM persons WHERE pid=?", (pid,)).fetchone()
    return row[0] if row else None


def position(ws: Workspace, ids: array, pid: str) -> int:
    """Where a person stands in a result of rowids (-1: not in it)."""
    rid = rowid_of(ws, pid)
    if rid is None:
        return -1
    try:
        return ids.index(rid)
    except ValueError:
        return -1


# ---- the campaign, the figures, a person's story --------------------------------------------------
def campaign(ws: Workspace) -> Campaign:
    """This year's settings (campaign.load)."""
    return _campaign.load(ws)


def left_reasons() -> tuple[str, ...]:
    """The outcomes that take someone off the list (the person dialog offers them)."""
    from .rules.people import LEFT_REASONS

    return LEFT_REASONS


def progress(ws: Workspace) -> dict:
    """The strip at the top: done against the target, the rate, days left."""
    return dashboard.progress(ws)


def tree_counts(ws: Workspace) -> list[dict]:
    return dashboard.tree_counts(ws)


def household_counts(ws: Workspace, village: str, grp: str) -> list[dict]:
    return dashboard.household_counts(ws, village, grp)


def away_place(ws: Workspace, pid: str) -> str:
    return visits.away_place(ws, pid)


TREND_DAYS = 14  # the dashboard's daily trend


def dashboard_figures(ws: Workspace, today: dt.date | None = None, *, freeze: bool = False) -> dict:
    """Everything the dashboard draws, in one read (a job on the worker: it is the heaviest). With
    `freeze` (the worker's writable connection) the trend's past days keep the figures first shown."""
    from .rules import reports

    today = today or clock.today()
    return {"figures": reports.figures(ws, today), "trend": reports.trend(ws, TREND_DAYS, today, freeze=freeze),
            "canvassers": reports.workload(ws, today),
            "year_on_year": dashboard.year_on_year_lines(reports.year_on_year(ws, today))}


def workload_days() -> int:
    from .rules.reports import WORKLOAD_DAYS

    return WORKLOAD_DAYS


# ---- the figures' words: one label and one rounding everywhere (rules/figures.py) ------------------
FIGURE_LABELS = _figures.LABELS
RATE_TARGET, RATE_LIST, TARGET_NOTE, CONFIRMED = _figures.RATE_TARGET, _figures.RATE_LIST, _figures.TARGET_NOTE, \
    _figures.CONFIRMED
percent, target_rate, list_rate = _figures.percent, _figures.target_rate, _figures.list_rate
headline, feedback_line, pending_line = _figures.headline, _figures.feedback_line, _figures.pending_line
done_equation, list_equation, blank_tally = _figures.done_equation, _figures.list_equation, _figures.blank


def late_text(day: dict) -> str:
    """What reached a past day of the trend after it was reported (the report's 迟报 words)."""
    from .outputs.ledgers import late_text as _late

    return _late(day)


def alert_lines(figs: dict) -> list[tuple[str, list[str]]]:
    """The report's 未按时上报 / 尚未配置 lines (rules/freshness.py)."""
    from .rules import freshness

    return freshness.alert_lines(figs)


def meeting_summary(figs: dict) -> dict:
    """What the county's 约谈会 hears (rules/meeting.py), from a county's figures."""
    from .rules import meeting

    return meeting.summary(figs)


def message(ws: Workspace, pid: str, *, household: bool = False, by: str | None = None) -> dict:
    """The reminder to send someone away, ready to copy (messages.compose)."""
    from .rules import messages

    return messages.compose(ws, pid, household=household, by=by)


def channel_prompt_due(ws: Workspace) -> bool:
    """Notices are about to print with no payment channel set, and nobody was asked yet."""
    return _campaign.channel_prompt_due(ws)


# ---- what a print covers --------------------------------------------------------------------------
def filtered(flt) -> bool:
    """Does the table show a narrower list than the tree's scope?"""
    from .outputs.selection import filtered as _filtered

    return _filtered(flt)


def scope(**kw):
    """A print's scope (village, groups, households) as the tree chose it (outputs.selection.Scope)."""
    from .outputs.selection import Scope

    return Scope(**kw)


def selection(ws: Workspace, scope, flt=None) -> dict:
    """What a print would cover, said before printing (outputs.selection.describe)."""
    from .outputs import selection as _selection

    return _selection.describe(ws, scope, flt)


def count_households(ws: Workspace, hids: list[str] | None) -> dict:
    from .outputs import selection as _selection

    return _selection.count(ws, hids)


def before_print(ws: Workspace, canvasser: str = "") -> dict:
    """What a print needs settled first: the contact phone it would carry and where from, and this
    year's amounts if they await confirmation (`notices.firstprint.facts`)."""
    from .outputs.notices import firstprint

    return firstprint.facts(ws, canvasser)


def unlisted_students(ws: Workspace, households: list[str] | None = None) -> list[dict]:
    """School-age people in these households (None: all) no list names as students, someone of the
    household not yet done: offered to the cadre before letters to parents are printed."""
    from .outputs.notices import students

    return students.unlisted_in(ws, households)


def glyph_summary(missing) -> str:
    """The rare characters a print lacked, in words."""
    from .outputs.notices.preflight import summary

    return summary(missing)


def min_password() -> int:
    """The shortest open password an export holding full IDs takes."""
    from .outputs.xlsxlock import MIN_PASSWORD

    return MIN_PASSWORD


# ---- texts the township may edit ------------------------------------------------------------------
def templates(ws: Workspace) -> list[str]:
    """The printed texts' names: the built-in ones and those edited here."""
    from .outputs.notices import templates as t

    return list(dict.fromkeys([*t.builtin_names(), *t.edited_names(ws)]))


def template_fields() -> dict[str, str]:
    from .outputs.notices import templates as t

    return dict(t.FIELDS)


def template(ws: Workspace, name: str) -> tuple[str, str]:
    """A printed text and where it comes from."""
    from .outputs.notices import templates as t

    return t.load(ws, name)


# ---- lists that come in: a preview before anything is written -------------------------------------
def read_list(path, kind: str, overrides: dict[str, str] | None = None, required: tuple[str, ...] = ()):
    """A list's table (its sheet, header row, columns) as the import will read it: kind "roster"
    (the bureau's list), "paid" (the paid list) or "match" (another department's list)."""
    from .lists import matching, paid, roster
    from .lists.tables import open_table

    if kind == "roster":
        return roster.read_roster(path, overrides)
    aliases = paid.ALIASES if kind == "paid" else matching.ALIASES
    return open_table(path, aliases, required=required, overrides=overrides)


def list_aliases(kind: str) -> dict[str, tuple[str, ...]]:
    from .lists import matching, paid, roster

    return {"roster": roster.ALIASES, "paid": paid.ALIASES, "match": matching.ALIASES}[kind]


def cell_text(value) -> str:
    from .lists.tables import cell_text as _cell_text

    return _cell_text(value)


def list_kinds(ws: Workspace) -> list:
    """Other departments' kinds of list (the campaign's `reference_kinds`)."""
    from .lists import matching

    return list(matching.kinds(ws))


def match_proposals(ws: Workspace, list_id: str) -> list[dict]:
    from .lists import matching

    return matching.proposals(ws, list_id)


def likely_words() -> dict[str, str]:
    from .outputs.matchreport import LIKELY

    return dict(LIKELY)


def year_started_above(ws: Workspace) -> int | None:
    """The year the tier above started (its list for this workspace is all that comes in), or None."""
    from .lists import newyear

    return newyear.started_above(ws)


def new_year_refusal(ws: Workspace) -> str:
    """Why this workspace may not start a new year ('' when it may, or when the tier above started one
    and only its list is to come in): a new year starts at the top and flows down."""
    from .errors import InputError
    from .lists import newyear

    if newyear.started_above(ws) is not None:
        return ""
    try:
        newyear.refuse_start(ws)
    except InputError as exc:
        return str(exc)
    return ""


def new_year_settings(ws: Workspace) -> tuple[dict, list[dict]]:
    """Next year's settings and what changes from this year's (for confirmation)."""
    from .lists import newyear

    proposed = newyear.proposed_settings(ws)
    return proposed, newyear.settings_diff(ws, proposed)


# ---- sync -----------------------------------------------------------------------------------------
def sync_status(ws: Workspace) -> dict:
    from .sync.status import sync_status as _status

    return _status(ws)


def pending_count(ws: Workspace, village: str | None = None) -> int:
    """Changes the other side has not received yet."""
    from . import sync

    return len(sync.pending_rows(ws, village))


def conflicts(ws: Workspace) -> list[dict]:
    from . import sync

    return sync.list_conflicts(ws)


def versions(ws: Workspace, pid: str) -> list[dict]:
    from . import sync

    return sync.versions(ws, pid)


def assignment_line(res: dict) -> str:
    """What an assignment did (a resolved duplicate), in words."""
    from .sync.conflicts import assignment_line as _line

    return _line(res)


def held_line(res: dict) -> str:
    """A receive's held records, in words: how many wait for review, how many were refused, and why."""
    from .sync import scope

    return scope.held_line(res)


def held_records(ws: Workspace, *, decided: bool = False) -> list[dict]:
    """The records held from packages below (待审核): the undecided ones, with `decided` every one."""
    from .sync import scope

    return scope.held_records(ws, decided=decided)


def returned(ws: Workspace) -> list[dict]:
    """A village's (a township's) records the tier above did not take, and why (its last return package)."""
    from .sync import scope

    return scope.returned(ws)


def returned_line(ws: Workspace) -> str:
    from .sync import scope

    return scope.returned_line(ws)


def display_name(ws: Workspace) -> str:
    """This workspace's name toward the others (a village's, a township's, a county's)."""
    from .sync import peers

    return peers.display_name(ws)


def units_in(ws: Workspace) -> dict[str, int]:
    """The units below a coordinator (a township's villages, a county's townships) → people."""
    from .sync.setup import units_in as _units_in

    return _units_in(ws)


def conflict_fields() -> tuple[tuple[str, ...], dict[str, str]]:
    from .sync.conflicts import SHOWN, SHOWN_LABELS

    return SHOWN, SHOWN_LABELS


def gap_words(gap: dict) -> str:
    """A sender's missing numbers in one sentence (sync/origins.py)."""
    from .sync.origins import gap_words as _gap_words

    return _gap_words(gap)


def freshness(ws: Workspace, villages: list[str]) -> dict:
    from .rules import freshness as _freshness

    return _freshness.by_village(ws, villages)


def describe_freshness(fresh: dict) -> str:
    from .rules import freshness as _freshness

    return _freshness.describe(fresh)


def villages_in(ws: Workspace) -> dict[str, int]:
    from .sync.setup import villages_in as _villages_in

    return _villages_in(ws)


def return_name(village: str) -> str:
    from . import sync

    return sync.return_name(village)


def report_name(unit: str) -> str:
    from . import sync

    return sync.report_name(unit)


def setup_name(village: str) -> str:
    from . import sync

    return sync.setup_name(village)


def package_files(items) -> list:
    from . import sync

    return sync.package_files(items)


# ---- backups --------------------------------------------------------------------------------------
def backups(ws: Workspace) -> list[dict]:
    from .storage import backup

    return backup.list_backups(ws)


def backup_folder(ws: Workspace):
    from .storage import backup

    return backup.backup_dir(ws)


def backups_kept() -> int:
    from .storage import backup

    return backup.KEEP
