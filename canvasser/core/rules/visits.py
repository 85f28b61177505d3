"""Visits and outcomes: what a cadre learned at a door, on the phone or in a chat.

Visits are append-only events. A wrong one is voided by a later event, never deleted. Everything is
validated before anything is written, so bad input leaves the workspace as it was.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path

from .. import clock, outcomes
from ..errors import InputError
from ..storage import bounds, evidence
from ..storage.ownership import set_aside
from ..storage.projection import coverage_year
from ..storage.store import Workspace, now_iso
from ..text import ids
from ..text.cells import clean
from . import groups
from .campaign import CHANNELS, REFUSAL_REASONS, TAKES_DATE, TAKES_REASON, outcome_code

PHOTO_SUFFIXES = (".jpg", ".jpeg", ".png", ".heic", ".webp", ".pdf")


def is_photo_name(name: object) -> bool:
    """Whether `name` is an evidence file's name as store_photo makes it (64 hex digits of its SHA-256
    and a known suffix, lower case), and so safe to join to the evidence folder: a name from a package
    or an event could otherwise climb out of it ("../"), name an NTFS stream ("x.jpg:s") or a device."""
    if not isinstance(name, str) or len(name) < 66 or name[64] != ".":
        return False
    digest, suffix = name[:64], name[64:]
    return all(c in "0123456789abcdef" for c in digest) and suffix in PHOTO_SUFFIXES


def parse_date(text: str | None, what: str) -> str:
    """A strict YYYY-MM-DD date; the message says which field was wrong."""
    if text in (None, ""):
        return ""
    try:
        return dt.date.fromisoformat(str(text).strip()).isoformat()
    except ValueError as exc:
        raise InputError(f"{what}“{text}”格式不对，应为 YYYY-MM-DD，例如 2026-12-20") from exc


def parse_when(text: str) -> str:
    """A visit time: YYYY-MM-DD (paper sheets entered later) or a full ISO date-time."""
    text = str(text).strip()
    if len(text) == 10:
        return parse_date(text, "走访日期")
    try:
        return dt.datetime.fromisoformat(text).isoformat()
    except ValueError as exc:
        raise InputError(f"走访日期“{text}”格式不对，应为 YYYY-MM-DD") from exc


def resolve_person(ws: Workspace, raw_id: str) -> str:
    """The canonical ID of a person in this workspace, or an InputError saying why not."""
    try:
        pid = ids.normalise(raw_id)
    except ids.IdError as exc:
        raise InputError(f"身份证号有误：{exc}") from exc
    if not ws.scalar("SELECT 1 FROM persons WHERE pid=?", (pid,)):
        raise InputError(f"本工作区没有身份证号为 {ids.mask(pid)} 的人员，请先导入名单或新增人员")
    return pid


def ensure_canvasser(ws: Workspace, name: str, phone: str = "") -> None:
    """A new name makes a profile; a phone given for a known name updates it; a stopped profile
    that is added again (or records a visit) is working again."""
    name = (name or "").strip()
    if not name:
        return
    row = ws.one("SELECT phone, active FROM canvassers WHERE name=?", (name,))
    if row is None or (phone and row["phone"] != phone) or not row["active"]:
        ws.emit("canvasser.set", f"c:{name}", {"phone": phone or (row or {}).get("phone", ""), "active": 1}, name)


def stop_canvasser(ws: Workspace, name: str, *, by: str = "") -> None:
    """Take a profile off the start-up list (someone left the work team). Their visits stay theirs."""
    name = (name or "").strip()
    if ws.one("SELECT 1 FROM canvassers WHERE name=?", (name,)) is None:
        raise InputError(f"没有名为“{name}”的走访人")
    ws.emit("canvasser.set", f"c:{name}", {"active": 0}, by or name)


def store_photo(ws: Workspace, src: str | Path) -> str:
    """Copy an evidence photo into the workspace's evidence folder, named by its SHA-256."""
    src = Path(src)
    if not src.is_file():
        raise InputError(f"找不到证明材料文件：{src}")
    suffix = src.suffix.lower()
    if suffix not in PHOTO_SUFFIXES:
        raise InputError(f"证明材料应为图片或PDF（{'、'.join(PHOTO_SUFFIXES)}）：{src.name}")
    bounds.check_photo(src.stat().st_size, src.name)
    data = src.read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    target = evidence_dir(ws) / f"{digest}{suffix}"
    if not target.exists():
        evidence.write(ws.key, target, data)  # sealed under the workspace's key
    ws.conn.execute("INSERT OR IGNORE INTO evidence VALUES (?,?,?,?)", (digest, suffix, len(data), now_iso()))
    return f"{digest}{suffix}"


def evidence_dir(ws: Workspace) -> Path:
    return evidence.folder(ws.path)


evidence_dir_for = evidence.folder  # (db_path) -> the folder of its photos


def record_visit(ws: Workspace, raw_id: str, outcome: str, *, by: str = "", via: str = "入户", reason: str = "",
                 promised: str | None = None, followup: str | None = None, note: str = "", place: str = "",
                 at: str | None = None, photos: list[str | Path] = (), phone: str = "",
                 today: dt.date | None = None) -> str:
    """Record one visit; returns its id. Validates everything first (a date given with `at` may not
    be later than `today`: paper sheets are entered after the visit, never before)."""
    by, reason, place = clean(by or "").strip(), clean(reason or ""), clean(place or "")  # no control characters
    note = clean(note or "", keep_lines=True)
    code = outcome_code(outcome)
    pid = resolve_person(ws, raw_id)
    via = (via or "入户").strip()
    if via not in CHANNELS:
        raise InputError(f"未知的联系方式“{via}”。可用的有：{'、'.join(CHANNELS)}")
    promised_d = parse_date(promised, "承诺缴费日期")
    followup_d = parse_date(followup, "下次跟进日期")
    if code in TAKES_DATE and not promised_d:
        raise InputError(f"“{outcomes.label(code)}”需要承诺日期：--promised YYYY-MM-DD")
    if code in TAKES_REASON:
        reason = (reason or "其他").strip()
        if reason not in REFUSAL_REASONS and not reason.startswith("其他"):
            reason = f"其他：{reason}"
    when = parse_when(at) if at else now_iso()
    if at and when[:10] > (today or clock.today()).isoformat():
        raise InputError(f"走访日期 {when[:10]} 晚于今天：只能补录已经发生的走访")
    for p in photos:
        if not Path(p).is_file():
            raise InputError(f"找不到证明材料文件：{p}")
        bounds.check_photo(Path(p).stat().st_size, Path(p).name)
    with ws.writing(by) as batch:
        stored = [store_photo(ws, p) for p in photos]
        if by:
            ensure_canvasser(ws, by, phone)
        ev = batch.emit("visit.recorded", f"p:{pid}", {
            "outcome": code, "via": via, "reason": reason or "", outcomes.DATE_FIELD: promised_d, "followup": followup_d,
            "note": note or "", "place": place or "", "photos": stored, "at": when, "year": coverage_year(ws.conn)})
    return ev.event_id


def void_visit(ws: Workspace, visit_id: str, *, by: str = "", reason: str = "录入错误") -> None:
    row = ws.one("SELECT pid, voided FROM visits WHERE visit_id=?", (visit_id,))
    if row is None:
        raise InputError(f"找不到这条走访记录：{visit_id}")
    if row["voided"]:
        raise InputError("这条走访记录已经作废")
    ws.emit("visit.voided", f"p:{row['pid']}", {"visit": visit_id, "reason": reason}, by)


def undo_last(ws: Workspace, *, by: str = "") -> dict | None:
    """Void the latest live visit recorded by `by` (a visit recorded with no name, when `by` is
    empty): never a colleague's. The void is credited to `by`."""
    by = clean(by or "").strip()
    row = ws.one("SELECT visit_id, pid FROM visits WHERE voided=0 AND author=? ORDER BY hlc DESC LIMIT 1", (by,))
    if row is None:
        return None
    void_visit(ws, row["visit_id"], by=by, reason="撤销")
    return row


def last_visit_by(ws: Workspace) -> str | None:
    """Who recorded the latest live visit (None when there is none): to ask whose visit to undo."""
    row = ws.one("SELECT author FROM visits WHERE voided=0 ORDER BY hlc DESC LIMIT 1")
    return None if row is None else row["author"]


def history(ws: Workspace, pid: str) -> list[dict]:
    """Every event about a person, oldest first, with who and when; `set_aside`: a list's values
    not taken because a person set that field (ownership.py)."""
    out = [{"time": e.recorded_at, "author": e.author, "kind": e.kind, "payload": e.payload, "origin": e.origin,
            "event_id": e.event_id} for e in ws.events_for(f"p:{pid}")]
    for e, aside in zip(out, set_aside(out)):
        e["set_aside"] = aside
    return out


FOLLOWUP_WHY = outcomes.follow_up()  # the statuses that want another contact, and why (core/outcomes.py)
FOLLOWUP_STATUSES = tuple(FOLLOWUP_WHY)


def followup_due(today: dt.date | None = None) -> tuple[str, list]:
    """The condition on `persons` for "follow-up due" (the window's filter and `followups` alike):
    a status that wants another contact, with no date set or the date reached."""
    marks = ",".join("?" * len(FOLLOWUP_STATUSES))
    return (f"status IN ({marks}) AND (followup = '' OR followup <= ?)",
            [*FOLLOWUP_STATUSES, (today or clock.today()).isoformat()])


def followups(ws: Workspace, today: dt.date | None = None, *, canvasser: str | None = None,
              group: str | None = None, village: str | None = None) -> list[dict]:
    """What is due: promises past their date, not-home to retry, migrants to call."""
    cond, params = followup_due(today)
    sql = f"""SELECT pid, name, village, grp, household, phone, status, last_outcome, last_visit_at, last_visit_by,
                     promised, followup
              FROM persons WHERE {cond}"""
    if canvasser:
        sql += " AND last_visit_by=?"
        params.append(canvasser)
    if group:
        sql += " AND grp=?"
        params.append(group)
    if village:
        sql += " AND village=?"
        params.append(village)
    sql += f" ORDER BY (followup='') , followup, village, {groups.rank_sql(ws.conn)}, household"
    return [{**r, "why": FOLLOWUP_WHY[r["status"]]} for r in ws.query(sql, tuple(params))]


def away_place(ws: Workspace, pid: str) -> str:
    """Where the person is away (外出地点 / 参保地): the place the latest visit naming one recorded,
    else the person's own field (the person panel and the 未参保 ledger show the same)."""
    place = ws.scalar("SELECT place FROM visits WHERE pid = ? AND voided = 0 AND place <> '' "
                      "ORDER BY hlc DESC LIMIT 1", (pid,))
    return place or ws.scalar("SELECT away_place FROM persons WHERE pid = ?", (pid,)) or ""
