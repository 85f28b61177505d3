"""Importing the bureau's list of people (未参保人员名单) into the workspace.

Every bad row is rejected with its sheet row number and a reason; the same person twice is a
duplicate, counted once; importing the same file again changes nothing; an updated list adds new
people and updates changed fields, and people missing from it are only reported (a missing row is
not proof of anything). The whole import is one transaction.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from sys import intern

import openpyxl
import orjson
from openpyxl.styles import Font, PatternFill

from . import ids
from .errors import Cancelled
from .gcpause import no_cycle_collection
from .people import household_key
from .projection import insert_new_people, new_person_row, project_households
from .store import Workspace, now_iso
from .tables import TOTAL_WORDS, Table, cell_text, norm_header, open_table

ALIASES: dict[str, tuple[str, ...]] = {
    "name": ("姓名", "参保人姓名", "人员姓名", "参保人", "名字"),
    "pid": ("公民身份号码", "身份证号", "身份证号码", "证件号码", "身份证", "身份证件号码", "证件号", "社会保障号码",
            "社会保障号", "公民身份证号码"),
    "birth": ("出生日期", "出生年月", "出生年月日"),
    "sex": ("性别",),
    "categories": ("人员类别", "身份类别", "人员属性", "医疗救助身份", "资助参保身份", "特殊人员身份", "救助身份",
                   "参保身份", "人员身份", "资助类别"),
    "township": ("乡镇（街道）", "乡镇", "所属乡镇", "镇（街）", "乡镇街道", "街道", "乡（镇）", "乡镇(街道)名称"),
    "village": ("村（社区）", "村", "所在村", "村（居）", "社区", "村居", "村社区", "行政村", "村（社区）名称"),
    "grp": ("村民小组", "组", "组别", "网格", "小组", "村组", "所在组"),
    "household": ("户编号", "户号", "家庭编号", "户籍编号"),
    "head": ("户主姓名", "户主"),
    "relation": ("与户主关系", "关系", "与户主的关系"),
    "address": ("户籍地址", "家庭住址", "地址", "住址", "居住地址", "户籍所在地", "家庭地址"),
    "phone": ("联系电话", "手机号", "手机号码", "电话", "联系方式", "电话号码"),
    "last_year": ("上年参保状态", "上年度参保状态", "上年参保情况", "参保状态"),
    "serial": ("序号", "编号"),
}
FIELDS = tuple(ALIASES)
ROSTER_FIELDS = ("name", "sex", "birth", "township", "village", "grp", "household", "relation", "address", "phone",
                 "categories", "last_year")
CHUNK = 5000
HUGE_FILE = 64 << 20  # a list file this big holds about 400,000 people or more
BULK_CACHE_MB = 64  # page cache while such a list loads first: a million people stay under 500 MB
_PID_HEADERS = frozenset(norm_header(a) for a in ALIASES["pid"])


@dataclass
class ImportResult:
    imported: int = 0
    updated: int = 0
    unchanged: int = 0
    households: int = 0
    villages: list[str] = field(default_factory=list)
    rejected: list[dict] = field(default_factory=list)
    duplicates: list[dict] = field(default_factory=list)
    missing: int = 0
    rejects_file: str = ""
    sheet: str = ""
    header_row: int = 0
    columns: list[dict] = field(default_factory=list)
    rows: int = 0

    def as_json(self) -> dict:
        return {"imported": self.imported, "updated": self.updated, "unchanged": self.unchanged,
                "households": self.households, "villages": self.villages, "rejected": self.rejected,
                "duplicates": self.duplicates, "missing_from_list": self.missing, "rejects_file": self.rejects_file,
                "sheet": self.sheet, "header_row": self.header_row, "rows": self.rows, "columns": self.columns}


def _phone(raw: str) -> str:
    digits = "".join(ch for ch in raw if ch.isdigit() or ch in "-,/，、 ")
    parts = [p.strip("- ") for p in digits.replace("，", ",").replace("、", ",").replace("/", ",").split(",")]
    return ",".join(p for p in parts if p)


@lru_cache(maxsize=4096)
def _categories(raw: str) -> str:
    parts = [p.strip() for p in raw.replace("、", ",").replace("，", ",").replace(";", ",").replace("；", ",").split(",")]
    return ",".join(p for p in parts if p and p not in ("无", "/", "-", "普通居民"))


def read_roster(path: str | Path, overrides: dict[str, str] | None = None) -> Table:
    return open_table(path, ALIASES, required=("name", "pid"), overrides=overrides)


def parse_row(cells: list, texts: list[str], mapping: dict[str, int], today: dt.date) -> tuple[dict | None, str]:
    """A row's person fields, or (None, reason). `texts` are the cells as text."""
    n = len(texts)

    def get(f: str) -> str:
        i = mapping.get(f)
        return texts[i] if i is not None and i < n else ""

    raw_id = cells[mapping["pid"]] if mapping["pid"] < len(cells) else ""
    name = get("name").replace(" ", "").replace("\u3000", "")
    try:
        info = ids.info(raw_id, today=today)
    except ids.IdError as exc:
        if not name:
            return None, f"缺少姓名；{exc}"
        return None, str(exc)
    if not name:
        return None, "缺少姓名"
    p = {"name": name, "sex": info.sex, "birth": info.birth.isoformat(), "pid": info.number}
    for f in ("township", "village", "grp", "household", "relation", "address", "last_year"):
        p[f] = get(f)
    phones = _phone(get("phone")) if get("phone") else ""
    p["phone"] = phones.split(",")[0]
    p["phones"] = phones
    cats = get("categories")
    p["categories"] = _categories(cats) if cats else ""
    p["head"] = get("head")
    return p, ""


def fast_parser(mapping: dict[str, int], today: dt.date) -> Callable[[list], dict | None]:
    """A parser for the common row (a clean 18-digit ID and a name), giving exactly what
    `parse_row` gives; None sends the row to the full path, which explains every problem.

    A township's list has a million rows, nearly all clean: this path skips the text of unused
    columns, the ID cleaning and the exceptions."""
    name_i, pid_i = mapping["name"], mapping["pid"]
    plain = [(f, mapping[f]) for f in ("household", "address", "head") if f in mapping]
    shared = [(f, mapping[f]) for f in ("township", "village", "grp", "relation", "last_year") if f in mapping]
    absent = [f for f in ("township", "village", "grp", "household", "relation", "address", "last_year", "head")
              if f not in mapping]
    phone_i, cats_i = mapping.get("phone"), mapping.get("categories")
    quick = ids.quick

    def text(cells: list, i: int) -> str:
        if i >= len(cells):
            return ""
        v = cells[i]
        return v.strip() if type(v) is str else cell_text(v)

    def parse(cells: list) -> dict | None:
        if pid_i >= len(cells) or name_i >= len(cells):
            return None
        number, name = cells[pid_i], cells[name_i]
        if type(number) is not str or type(name) is not str:
            return None
        born = quick(number, today)
        name = name.replace(" ", "").replace("\u3000", "").strip()
        if born is None or not name:
            return None
        p = {"name": name, "sex": born[1], "birth": born[0], "pid": number}
        for f, i in plain:
            p[f] = text(cells, i)
        for f, i in shared:  # a few values repeated on every row: one string each, not a million
            p[f] = intern(text(cells, i))
        for f in absent:
            p[f] = ""
        phone = text(cells, phone_i) if phone_i is not None else ""
        phones = phone if phone.isdigit() else _phone(phone) if phone else ""
        p["phone"] = phones.split(",")[0]
        p["phones"] = phones
        cats = text(cells, cats_i) if cats_i is not None else ""
        p["categories"] = _categories(cats) if cats else ""
        return p

    return parse


def _household_of(p: dict) -> str:
    if p["household"]:
        return p["household"]
    head = p.get("head") or (p["name"] if p.get("relation") in ("户主", "本人") else "")
    return household_key(p["village"], head or p["name"], p["address"])


def import_roster(ws: Workspace, path: str | Path, *, overrides: dict[str, str] | None = None,
                  rejects_path: str | Path | None = None, author: str = "",
                  progress: Callable[[int, str], bool] | None = None, today: dt.date | None = None) -> ImportResult:
    """Import (or re-import) a list. `progress(rows_done, message)` may return False to cancel."""
    with no_cycle_collection():
        return _import(ws, Path(path), overrides, rejects_path, author, progress, today)


def _import(ws: Workspace, path: Path, overrides: dict[str, str] | None, rejects_path: str | Path | None,
            author: str, progress: Callable[[int, str], bool] | None, today: dt.date | None) -> ImportResult:
    table = read_roster(path, overrides)
    res = ImportResult(sheet="、".join(table.sheets) or table.sheet, header_row=table.header_row,
                       columns=table.column_report(ALIASES))
    today = today or dt.date.today()
    seen: dict[int, int] = {}  # _seen_key(pid) -> first row
    households: set[str] = set()
    villages: set[str] = set()
    rejected_rows: list[tuple[int, list, str]] = []
    default_village = ws.meta("village", "") or ""
    default_township = ws.meta("township", "") or ""

    fast = fast_parser(table.mapping, today)
    few = _few_people(ws)
    huge = few and path.stat().st_size > HUGE_FILE
    with ws.rollback_journal(when=few), ws.page_cache(BULK_CACHE_MB if huge else None), \
            ws.writing(author) as batch:
        fresh = ws.scalar("SELECT 1 FROM persons LIMIT 1") is None
        new_households: set[str] = set()
        with ws.deferring_indexes("persons", "events", when=few):
            pending: list[dict] = []
            for rownum, cells in table.rows:
                p = fast(cells)
                if p is None:
                    texts = [cell_text(c) for c in cells]
                    if not any(texts) or _is_total(texts):
                        continue
                    head = cells[table.mapping["pid"]] if table.mapping["pid"] < len(cells) else ""
                    if isinstance(head, str) and head and not head[0].isdigit() and norm_header(head) in _PID_HEADERS:
                        continue  # a header repeated on a later page
                    p, why = parse_row(cells, texts, table.mapping, today)
                    if p is None:
                        res.rows += 1
                        res.rejected.append({"row": rownum, "reason": why, **_serial(cells, table.mapping),
                                             **_sheet(table)})
                        rejected_rows.append((rownum, cells, why))
                        continue
                res.rows += 1
                key = _seen_key(p["pid"])
                if key in seen:
                    res.duplicates.append({"row": rownum, "reason": f"与第{seen[key]}行是同一人（身份证号相同），只计一次",
                                           "first_row": seen[key], **_serial(cells, table.mapping), **_sheet(table)})
                    continue
                seen[key] = rownum
                p["village"] = p["village"] or default_village
                p["township"] = p["township"] or default_township
                p["household"] = _household_of(p)
                households.add(p["household"])
                villages.add(p["village"])
                pending.append(p)
                if len(pending) >= CHUNK:
                    new_households |= _apply(ws, batch, pending, res, fresh)
                    pending = []
                    if progress and progress(res.rows, f"已读取 {res.rows} 行") is False:
                        raise Cancelled("导入已取消，工作区未改变")
            new_households |= _apply(ws, batch, pending, res, fresh)
            batch.flush()
            if progress:
                progress(res.rows, "正在建立索引…")
        if not fresh:
            project_households(ws.conn, new_households)
        villages.discard("")
        res.households = len(households)
        res.villages = sorted(villages)
        res.missing = _count_missing(ws, seen, villages)
        if ws.mode == "standalone" and len(villages) == 1 and not ws.meta("village"):
            ws.set_meta("village", next(iter(villages)))
        ws.conn.execute("INSERT OR REPLACE INTO imports VALUES (?,?,?,?,?,?)", (
            hashlib.sha1(f"{path}{now_iso()}".encode()).hexdigest(), "roster", path.name, _sha256(path), now_iso(),
            json.dumps({k: v for k, v in res.as_json().items() if k in ("imported", "updated", "unchanged")})))
        if progress:
            progress(res.rows, "正在写入…")
    if rejected_rows:
        res.rejects_file = str(write_rejects(table, rejected_rows, rejects_path, ws))
    return res


def _seen_key(pid: str) -> int:
    """An ID as a small int (its first 17 digits decide the check character): a million of them
    take half the memory of the strings."""
    return int(pid[:17])


def _is_total(texts: list[str]) -> bool:
    return any(t.replace(" ", "").startswith(TOTAL_WORDS) for t in texts[:4] if t)


def _sheet(table: Table) -> dict:
    return {"sheet": table.current_sheet} if len(table.sheets) > 1 else {}


def _serial(cells: list, mapping: dict[str, int]) -> dict:
    i = mapping.get("serial")
    if i is None or i >= len(cells):
        return {}
    return {"serial": cell_text(cells[i])}


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _few_people(ws: Workspace) -> bool:
    """Whether rebuilding the indexes after the import beats keeping them up to date row by row:
    true for a first list (a township's million people), false for a workspace already full."""
    return ws.scalar("SELECT count(*) FROM (SELECT 1 FROM persons LIMIT 20000)") < 20000


def _apply(ws: Workspace, batch, people: list[dict], res: ImportResult, fresh: bool = False) -> set[str]:
    """Emit created/updated events for one chunk, comparing with what the last import said.

    New people go in bulk (events and persons rows straight from their fields); returns their
    households, which the caller projects once at the end. In a workspace that had nobody before
    (`fresh`) everyone is new, and their households are written with them instead."""
    if not people:
        return set()
    if fresh:
        last, present = {}, {}
    else:
        pids = [p["pid"] for p in people]
        marks = ",".join("?" * len(pids))
        present = {r[0]: r for r in ws.conn.execute(
            f"SELECT pid, {', '.join(ROSTER_FIELDS)} FROM persons WHERE pid IN ({marks})", pids)}
        last = _bureau_said(ws, [pid for pid in pids if pid in present])
    state_rows = []
    created: list[tuple[str, dict]] = []
    for p in people:
        pid = p["pid"]
        if pid not in present:
            created.append((pid, _created_payload(p)))
            continue
        fields = {f: p[f] for f in ROSTER_FIELDS}
        fields["phones"] = p["phones"]
        before = last.get(pid)
        if before is None:
            row = present[pid]
            before = dict(zip(ROSTER_FIELDS, row[1:]))
            before["phones"] = p["phones"]  # the projection keeps all phones; compare the main one
        changed = {f: v for f, v in fields.items() if v and str(before.get(f) or "") != str(v)}
        if changed:
            batch.emit("person.updated", f"p:{pid}", changed, scope=fields["village"])
            res.updated += 1
        else:
            res.unchanged += 1
        if {f: (last.get(pid) or {}).get(f) for f in fields} != fields:
            state_rows.append((pid, json.dumps(fields, ensure_ascii=False, sort_keys=True)))
    households = set()
    if created:
        payloads = [orjson.dumps(f).decode() for _, f in created]  # keys already in sorted order
        rows = batch.append_many("person.created", [(f"p:{pid}", pj, f["village"])
                                                   for (pid, f), pj in zip(created, payloads)])
        insert_new_people(ws.conn, [new_person_row(pid, f, r[3], r[8]) for (pid, f), r in zip(created, rows)])
        if fresh:
            _add_households(ws.conn, created)
        else:
            households = {f["household"] for _, f in created}
        res.imported += len(created)
    if state_rows:
        ws.conn.executemany("INSERT OR REPLACE INTO roster_state VALUES (?,?)", state_rows)
    return households


def _add_households(conn: sqlite3.Connection, created: list[tuple[str, dict]]) -> None:
    """Write the households of a first list's chunk of new people, as `project_households` would
    (the 户主 heads it, else the smallest ID; members counted), from the rows in hand: a second
    pass over a million persons rows, one lookup per household, took longer than the people did.

    Lists come sorted by household, so one rarely spans two chunks; when it does, the row the
    earlier chunk wrote is merged in."""
    rows: dict[str, list] = {}
    for pid, f in created:
        hid = f["household"]
        if not hid:
            continue
        rank = (f["relation"] != "户主", pid)
        cur = rows.get(hid)
        if cur is None:
            rows[hid] = [hid, f["village"], f["grp"], f["name"], pid, f["address"], 1, rank]
        else:
            cur[6] += 1
            if rank < cur[7]:
                cur[1:6], cur[7] = (f["village"], f["grp"], f["name"], pid, f["address"]), rank
    hids = list(rows)
    for i in range(0, len(hids), 500):
        chunk = hids[i:i + 500]
        for r in conn.execute(
                "SELECT h.hid, h.village, h.grp, h.head, h.head_pid, h.address, h.members, p.relation "
                f"FROM households h JOIN persons p ON p.pid = h.head_pid WHERE h.hid IN ({','.join('?' * len(chunk))})",
                chunk):
            cur = rows[r[0]]
            cur[6] += r[6]
            if (r[7] != "户主", r[4]) < cur[7]:
                cur[1:6] = r[1:6]
    conn.executemany("INSERT OR REPLACE INTO households (hid, village, grp, head, head_pid, address, members) "
                     "VALUES (?,?,?,?,?,?,?)", [r[:7] for r in rows.values()])


def _created_payload(p: dict) -> dict:
    """A new person's person.created payload, its keys in sorted order (the stored JSON form)."""
    return {"active": 1, "address": p["address"], "birth": p["birth"], "categories": p["categories"],
            "grp": p["grp"], "household": p["household"], "last_year": p["last_year"], "name": p["name"],
            "phone": p["phone"], "phones": p["phones"], "relation": p["relation"], "sex": p["sex"],
            "source": "bureau", "township": p["township"], "village": p["village"]}


def _bureau_said(ws: Workspace, pids: list[str]) -> dict[str, dict]:
    """What the bureau's lists said last about each person: the roster state kept by re-imports,
    else the person.created event of the list that brought them in (a first import writes no
    roster state: its event already holds exactly that)."""
    if not pids:
        return {}
    marks = ",".join("?" * len(pids))
    said = {r[0]: json.loads(r[1]) for r in ws.conn.execute(
        f"SELECT pid, fields FROM roster_state WHERE pid IN ({marks})", pids)}
    rest = [f"p:{pid}" for pid in pids if pid not in said]
    for i in range(0, len(rest), 500):
        chunk = rest[i:i + 500]
        for entity, payload in ws.conn.execute(
                f"SELECT entity, payload FROM events WHERE entity IN ({','.join('?' * len(chunk))}) "
                f"AND kind='person.created' ORDER BY hlc, origin, seq", chunk):
            fields = orjson.loads(payload)
            if fields.get("source") == "bureau":
                said[entity[2:]] = fields  # the latest list wins
    return said


def _count_missing(ws: Workspace, seen: dict[int, int], villages: set[str]) -> int:
    """People of these villages who came from an earlier list but are not in this one."""
    if not villages:
        return 0
    marks = ",".join("?" * len(villages))
    total = 0
    for (pid,) in ws.conn.execute(f"SELECT pid FROM persons WHERE village IN ({marks}) AND source='bureau'",
                                  sorted(villages)):
        if _seen_key(pid) not in seen:
            total += 1
    return total


def write_rejects(table: Table, rejected: list[tuple[int, list, str]], target: str | Path | None,
                  ws: Workspace) -> Path:
    """The rejected rows, as typed, with the reason in an extra column, ready to fix and re-import."""
    wb = openpyxl.Workbook()
    sheet = wb.active
    sheet.title = "未导入的行"
    sheet.append(["原行号", "错误原因", *table.headers])
    for c in sheet[1]:
        c.font = Font(bold=True)
        c.fill = PatternFill("solid", fgColor="FFF2CC")
    for rownum, cells, why in rejected:
        sheet.append([rownum, why, *[cell_text(c) for c in cells]])
    for row in sheet.iter_rows(min_row=2):
        for c in row[2:]:
            c.number_format = "@"
    sheet.column_dimensions["B"].width = 46
    for i in range(len(table.headers)):
        sheet.column_dimensions[openpyxl.utils.get_column_letter(i + 3)].width = 20
    sheet.auto_filter.ref = sheet.dimensions
    sheet.freeze_panes = "C2"
    default = table.path.with_name(f"{table.path.stem}_未导入行.xlsx")
    for candidate in ([Path(target)] if target else [default, ws.path.with_name(default.name)]):
        try:
            candidate.parent.mkdir(parents=True, exist_ok=True)
            wb.save(candidate)
            return candidate
        except OSError:
            continue
    raise OSError("无法写入错误行文件")
