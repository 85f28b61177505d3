"""Other departments' lists (信息比对): read one, match it against the workspace, apply its evidence.

A township gets reference lists from 民政 (低保, 特困), 残联, 乡村振兴, 教育, 卫健, 公安 and 武装部, each
with its own columns, a title row and IDs typed by hand. `match_list` reads one with the bureau's
reader (tables.py: header found, columns mapped; ids.py: IDs checked, 15-digit ones upgraded) and
splits it in three:

- matched: the row's ID is a person here. The list's effect (campaign setting `reference_kinds`: a
  category and so a subsidy, an outcome to confirm, a school and class) is written as a `ref.matched`
  event on the person, with the list's id, kind, name and date (refmarks.py folds them);
- proposed: no usable ID, but name + birth date (+ village) fit someone: a `ref.proposed` event that
  does nothing until a person confirms it (`confirm`) or rejects it (`reject`);
- only theirs (already enrolled, or missing from the bureau's list: the likelier is said) and only
  ours (our category the department does not confirm): reported, never acted on.

A later list of the same kind supersedes the earlier one: people it no longer holds get `ref.absent`
(the diff says who). `withdraw` ends a list's effects. Matching the same file again writes nothing.
Every event is on the person's entity with the person's village as scope, so a township that matches
a county-wide list sends each village its part in the usual packages.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from .. import clock
from ..errors import Cancelled, InputError
from ..rules import campaign as campaign_mod
from ..rules import groups
from ..storage import refmarks
from ..storage.gcpause import no_cycle_collection
from ..storage.projection import project_first_marks
from ..storage.store import Workspace, dump_payload, now_iso
from ..text import ids
from .roster import ALIASES as ROSTER_ALIASES
from .roster import file_sha256
from .tables import cell_text, is_blank, is_total, open_table

ALIASES: dict[str, tuple[str, ...]] = {
    "name": ("姓名", "成员姓名", "对象姓名", "救助对象姓名", "保障对象姓名", "学生姓名", "人员姓名", "参保人姓名",
             "家庭成员姓名", "死亡人员姓名", "残疾人姓名", "名字"),
    "pid": (*ROSTER_ALIASES["pid"], "成员身份证号", "成员身份证号码", "学生身份证号", "身份证号（学生）", "残疾人证号",
            "学籍号", "全国学籍号"),
    "birth": ("出生日期", "出生年月", "出生年月日", "出生时间"),
    "township": ROSTER_ALIASES["township"],
    "village": (*ROSTER_ALIASES["village"], "所属村居", "所在村居", "村居委会", "村（居）委会", "所属村", "所属社区"),
    "head": ("户主姓名", "户主"),
    "relation": ROSTER_ALIASES["relation"],
    "school": ("学校", "学校名称", "就读学校", "所在学校"),
    "class": ("班级", "年级班级", "所在班级", "班级名称"),
    "category": ("监测类型", "监测对象类型", "人员类别", "身份类别", "救助类别", "类别"),
    "date": ("死亡日期", "死亡时间", "注销日期", "注销时间", "迁出日期", "迁出时间", "入伍时间", "入伍日期"),
    "serial": ("序号",),
}
REQUIRED = ("name",)
_HEADER_NAMES = frozenset(ALIASES["name"])
_VILLAGE_TAIL = re.compile(r"(村民委员会|村委会)$")
_COMMUNITY_TAIL = re.compile(r"(居民委员会|居委会|委员会)$")
_DATE_IN_NAME = re.compile(r"(20\d\d)\s*[年.\-_]?\s*(\d{1,2})\s*月?")


@dataclass
class ListInfo:
    """A department's list: its id (kind + file content), kind, date and file name."""

    id: str
    kind: str
    date: str
    name: str

    def source(self) -> dict:
        return {"list": self.id, "kind": self.kind, "date": self.date, "name": self.name}


@dataclass
class MatchResult:
    info: ListInfo
    matched: list[dict] = field(default_factory=list)
    proposed: list[dict] = field(default_factory=list)
    only_theirs: list[dict] = field(default_factory=list)
    only_ours: list[dict] = field(default_factory=list)
    elsewhere: list[dict] = field(default_factory=list)
    rejected: list[dict] = field(default_factory=list)
    duplicates: list[dict] = field(default_factory=list)
    added: list[dict] = field(default_factory=list)  # the diff against the kind's earlier list
    removed: list[dict] = field(default_factory=list)
    previous: list[str] = field(default_factory=list)
    events: int = 0
    rows: int = 0
    sheet: str = ""
    header_row: int = 0
    columns: list[dict] = field(default_factory=list)

    def as_json(self) -> dict:
        """Counts and reasons (no ID numbers: those are in the report file)."""
        return {"list": self.info.source(), "matched": len(self.matched), "proposed": len(self.proposed),
                "only_theirs": len(self.only_theirs), "only_ours": len(self.only_ours),
                "elsewhere": len(self.elsewhere), "rejected": self.rejected, "duplicates": self.duplicates,
                "diff": {"added": len(self.added), "removed": len(self.removed), "previous": self.previous},
                "likely": _tally(self.only_theirs, "likely"), "events": self.events, "rows": self.rows,
                "sheet": self.sheet, "header_row": self.header_row, "columns": self.columns}


def _tally(rows: list[dict], key: str) -> dict[str, int]:
    out: dict[str, int] = {}
    for r in rows:
        out[r[key]] = out.get(r[key], 0) + 1
    return out


# ---- the kinds (campaign settings) -------------------------------------------------------------

def kinds(ws: Workspace) -> dict[str, dict]:
    return dict(campaign_mod.load(ws).values.get("reference_kinds") or {})


def resolve_kind(ws: Workspace, text: str) -> tuple[str, dict]:
    """A kind by its name or a part of it (监测 → 脱贫/监测); an InputError lists the kinds."""
    table = kinds(ws)
    t = (text or "").strip()
    if t in table:
        return t, table[t]
    hits = [k for k in table if t and t in k.split("/")]
    if len(hits) == 1:
        return hits[0], table[hits[0]]
    raise InputError(f"未知的名单种类“{t}”。可用的有：{'、'.join(table)}（可在设置中增改）")


def effect_of(setting: dict, row_category: str, school: str, klass: str, on: str) -> dict:
    """What matching one row does to its person, from the kind's setting and the row's own columns."""
    effect: dict = {}
    if setting.get("category"):
        typed = setting.get("typed_category")
        effect["category"] = typed.format(row_category) if typed and row_category else setting["category"]
        effect["keyword"] = setting.get("keyword") or effect["category"]
    if setting.get("outcome"):
        effect["outcome"] = setting["outcome"]
        if on:
            effect["on"] = on
    if setting.get("school"):
        effect["school"] = school
        effect["class"] = klass
    return effect


def has_kind(categories: str, keyword: str, longer: list[str]) -> bool:
    """Whether a category text holds the kind's keyword and not a longer, different category
    (低保 is not 低保边缘: the subsidy table's longer keywords tell them apart)."""
    for part in (categories or "").replace("、", ",").split(","):
        if keyword and keyword in part and not any(k in part for k in longer):
            return True
    return False


# ---- reading a row -----------------------------------------------------------------------------

def village_key(text: str) -> str:
    """A village's name as lists write it differently: 青石村委会, 青石村村委会 and 青石村 are one."""
    t = _COMMUNITY_TAIL.sub("", _VILLAGE_TAIL.sub("村", re.sub(r"\s+", "", text or "")))
    return t[:-1] if t.endswith("村村") else t


def parse_birth(value: object) -> str:
    """A birth date as 'YYYY-MM-DD' or 'YYYY-MM' (出生年月 often has no day), or ''."""
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    text = cell_text(value)
    m = re.fullmatch(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*(?:[-/.月]\s*(\d{1,2})\s*日?|月)?", text)
    if not m:
        m = re.fullmatch(r"(\d{4})(\d{2})(\d{2})?", text)
    if not m:
        return ""
    y, mo, d = int(m.group(1)), int(m.group(2)), m.group(3)
    try:
        return dt.date(y, mo, int(d)).isoformat() if d else dt.date(y, mo, 1).isoformat()[:7]
    except ValueError:
        return ""


def _birth_from_digits(raw: object) -> str:
    """The birth date still readable in an unusable ID (Excel kept its first 15 digits)."""
    digits = ids.compact(raw).split(".")[0]
    if len(digits) >= 14 and digits[:14].isdigit():
        try:
            return dt.date(int(digits[6:10]), int(digits[10:12]), int(digits[12:14])).isoformat()
        except ValueError:
            return ""
    return ""


def read_id(raw: object, check: Callable, today: dt.date) -> tuple[str, str]:
    """(canonical ID, '') or ('', reason). Also reads the ID inside a 学籍号 ('G' + ID) and a
    残疾人证号 (the ID followed by the category and grade digits)."""
    if type(raw) is str and len(raw) == 18 and check(raw):
        return raw, ""
    text = ids.compact(raw)
    if not text:
        return "", "没有身份证号"
    if len(text) == 18 and type(raw) is str and check(text):  # typed with spaces or a small x
        return text, ""
    source = raw
    if len(text) == 19 and text[0] in "GLJ":
        source = text[1:]
    elif len(text) == 20 and text[:17].isdigit() and text[18:].isdigit():
        source = text[:18]
    try:
        return ids.normalise(source, today=today), ""
    except ids.IdError as exc:
        return "", str(exc)


# ---- matching ----------------------------------------------------------------------------------

def list_id(kind: str, path: Path) -> str:
    h = hashlib.sha256(kind.encode("utf-8") + b"\0")
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()[:16]


def _default_date(ws: Workspace, lid: str, words: str, given: str | None, today: dt.date) -> str:
    """The list's date: the one it got when first matched (a list keeps its date: its marks all carry
    it), else the date given, else the year and month in the file's name or title row
    (某某县2026年11月低保花名册 → 2026-11-01), else today."""
    day = _iso_day(given) if given else ""  # a bad --date is refused even on a re-run
    known = ws.scalar("SELECT date FROM ref_lists WHERE list=?", (lid,)) or \
        ws.scalar("SELECT date FROM ref_marks WHERE list=? LIMIT 1", (lid,))
    if known or day:
        return known or day
    m = _DATE_IN_NAME.search(words)
    if m and 1 <= int(m.group(2)) <= 12:
        return f"{m.group(1)}-{int(m.group(2)):02d}-01"
    return today.isoformat()


def _iso_day(text: str) -> str:
    t = text.strip()
    for fmt in ("%Y-%m-%d", "%Y/%m/%d", "%Y%m%d", "%Y-%m", "%Y%m"):
        try:
            return dt.datetime.strptime(t, fmt).date().isoformat()
        except ValueError:
            continue
    raise InputError(f"名单日期格式应为 YYYY-MM-DD 或 YYYY-MM：{text}")


@dataclass
class _Row:
    row: int
    name: str
    pid: str
    id_problem: str
    birth: str
    village: str
    head: str
    effect: dict
    serial: str


def match_list(ws: Workspace, path: str | Path, kind: str, *, date: str | None = None,
               overrides: dict[str, str] | None = None, author: str = "", apply: bool = True,
               progress: Callable[[int, str], bool] | None = None, today: dt.date | None = None) -> MatchResult:
    """Read a department's list, match it and (unless `apply` is False) write its exact matches'
    effects and its proposals, in one transaction. Idempotent: the same file again writes nothing."""
    with no_cycle_collection():  # a big list makes many small objects and no cycles
        return _match(ws, Path(path), kind, date, overrides, author, apply, progress, today or clock.today())


def _match(ws: Workspace, path: Path, kind: str, date: str | None, overrides: dict[str, str] | None, author: str,
           apply: bool, progress: Callable[[int, str], bool] | None, today: dt.date) -> MatchResult:
    kind, setting = resolve_kind(ws, kind)
    table = open_table(path, ALIASES, required=REQUIRED, overrides=overrides)
    lid = list_id(kind, path)
    info = ListInfo(lid, kind, _default_date(ws, lid, f"{path.stem} {table.title}", date, today), path.name)
    res = MatchResult(info, sheet="、".join(table.sheets) or table.sheet, header_row=table.header_row,
                      columns=table.column_report(ALIASES))
    rows = _read_rows(table, setting, info, today, res, progress)
    camp = campaign_mod.load(ws)
    ours = _Villages(ws)
    with ws.writing(author) as batch:
        known = {r[0]: r[1] for r in ws.conn.execute("SELECT pid, state FROM ref_marks WHERE list=?", (lid,))}
        people = _people(ws, sorted(r.pid for r in rows if r.pid))  # in index order
        covered: set[str] = set()
        on_list: set[str] = set()
        proposed_pids: set[str] = set()
        pending: list[tuple[str, str, str, dict]] = []  # (event kind, pid, village, payload)
        unmatched: list[_Row] = []
        for r in rows:
            here = ours.find(r.village)
            if here:
                covered.add(here)
            person = people.get(r.pid) if r.pid else None
            if person is not None:
                on_list.add(r.pid)
                res.matched.append({"row": r.row, "pid": r.pid, "name": person[0], "village": person[1],
                                    "listed_name": r.name, "how": "id"})
                if known.get(r.pid) not in (refmarks.MATCHED, refmarks.SUPERSEDED) and apply:
                    pending.append(("ref.matched", r.pid, person[1], {**info.source(), "how": "id", "row": r.row,
                                                                      "effect": r.effect}))
                continue
            if r.village and ours and not here:
                res.elsewhere.append({"row": r.row, "name": r.name, "pid": r.pid, "village": r.village})
                continue
            unmatched.append(r)
        candidates = _by_name_birth(ws, [r for r in unmatched if not r.pid and r.birth])
        for r in unmatched:
            place = ours.find(r.village)
            found = [c for c in candidates.get((r.name, r.birth[:7]), ())
                     if (len(r.birth) < 10 or c[1] == r.birth) and (not place or c[2] == place)]
            if r.pid or not found:
                if not r.pid and not r.birth:
                    res.rejected.append({"row": r.row, "reason": f"{r.id_problem}，也没有出生日期，无法比对",
                                         **({"serial": r.serial} if r.serial else {})})
                    continue
                res.only_theirs.append({"row": r.row, "name": r.name, "pid": r.pid, "birth": r.birth,
                                        "village": r.village, "head": r.head, "id_problem": r.id_problem})
                continue
            states = [known.get(c[0]) for c in found]
            if refmarks.MATCHED in states or refmarks.SUPERSEDED in states:  # confirmed earlier
                pid, person = next((c[0], c) for c, s in zip(found, states) if s in (refmarks.MATCHED,
                                                                                     refmarks.SUPERSEDED))
                on_list.add(pid)
                res.matched.append({"row": r.row, "pid": pid, "name": person[3], "village": person[2],
                                    "listed_name": r.name, "how": "confirmed"})
                continue
            if all(s == refmarks.REJECTED for s in states):
                res.only_theirs.append({"row": r.row, "name": r.name, "pid": "", "birth": r.birth,
                                        "village": r.village, "head": r.head, "id_problem": "比对结果已被否定"})
                continue
            why = f"{r.id_problem}；姓名、出生日期{'、村' if r.village else ''}一致"
            for c, state in zip(found, states):
                proposed_pids.add(c[0])
                res.proposed.append({"row": r.row, "pid": c[0], "name": c[3], "birth": c[1], "village": c[2],
                                     "listed_name": r.name, "why": why, "state": state or refmarks.PROPOSED})
                if state in (None, refmarks.WITHDRAWN) and apply:
                    pending.append(("ref.proposed", c[0], c[2], {**info.source(), "row": r.row, "why": why,
                                                                 "effect": r.effect}))
        _likelier(ws, res.only_theirs, info.date)
        _diff(ws, pending, res, on_list | proposed_pids, covered if ours and covered else None, apply)
        res.only_ours = _only_ours(ws, camp, setting, on_list, {p["pid"] for p in res.removed},
                                   covered if ours and covered else None)  # before the writes: the bureau's word
        res.events = _write(ws, batch, pending, {pid: p[2:] for pid, p in people.items()})
        if apply:
            ws.conn.execute("INSERT OR IGNORE INTO ref_lists VALUES (?,?,?,?,?,?,?)",
                            (lid, kind, info.date, info.name, file_sha256(path), now_iso(), "{}"))
            ws.conn.execute("UPDATE ref_lists SET summary=? WHERE list=?", (json.dumps(
                {k: v for k, v in res.as_json().items() if k in ("matched", "proposed", "only_theirs", "only_ours",
                                                                 "elsewhere", "rows")}, ensure_ascii=False), lid))
    return res


def _read_rows(table, setting: dict, info: ListInfo, today: dt.date, res: MatchResult,
               progress: Callable[[int, str], bool] | None) -> list[_Row]:
    """Every usable row; blank, total and repeated header lines skipped; a reason for each unusable one.
    (A hundred thousand rows: what is the same on many rows, an effect or a village, is worked out once.)"""
    m = table.mapping
    check = ids.quick_checker(today)
    seen: dict[str, int] = {}
    out: list[_Row] = []
    effects: dict[tuple, dict] = {}
    none = 1 << 30  # the index of a column the list does not have: no row reaches it
    i_name, i_pid, i_birth, i_date = (m.get(f, none) for f in ("name", "pid", "birth", "date"))
    i_village, i_head, i_serial = (m.get(f, none) for f in ("village", "head", "serial"))
    i_cat, i_school, i_class = (m.get(f, none) for f in ("category", "school", "class"))

    def text(cells: list, i: int) -> str:
        if i >= len(cells):
            return ""
        v = cells[i]
        return v.strip() if type(v) is str else cell_text(v)

    varies = any(f in m for f in ("category", "school", "class", "date"))
    effect = effect_of(setting, "", "", "", "")

    for n, (rownum, cells) in enumerate(table.rows, 1):
        if progress and n % 5000 == 0 and progress(n, f"已读取 {n} 行") is False:
            raise Cancelled("比对已取消，工作区未改变")
        name = cells[i_name] if i_name < len(cells) else ""
        name = name.strip() if type(name) is str else cell_text(name)
        if " " in name or "\u3000" in name:
            name = name.replace(" ", "").replace("\u3000", "")
        if not name:
            if is_blank(cells) or is_total(cells):
                continue
            res.rows += 1
            res.rejected.append({"row": rownum, "reason": "缺少姓名"})
            continue
        if name in _HEADER_NAMES:
            continue  # the header repeated on a later page
        res.rows += 1
        raw = cells[i_pid] if i_pid < len(cells) else ""
        pid, problem = read_id(raw, check, today)
        if pid:
            if pid in seen:
                res.duplicates.append({"row": rownum, "reason": f"与第{seen[pid]}行是同一人（身份证号相同），只计一次"})
                continue
            seen[pid] = rownum
            birth = f"{pid[6:10]}-{pid[10:12]}-{pid[12:14]}"
        else:
            birth = parse_birth(cells[i_birth]) if i_birth < len(cells) else ""
            birth = birth or _birth_from_digits(raw)
        if varies:  # the row's own category, school and class, or date, take part in its effect
            key = (text(cells, i_cat), text(cells, i_school), text(cells, i_class),
                   cells[i_date] if i_date < len(cells) else "")
            effect = effects.get(key)
            if effect is None:
                effect = effects[key] = effect_of(setting, key[0], key[1], key[2],
                                                  parse_birth(key[3]) if key[3] else "")
        village = cells[i_village] if i_village < len(cells) else ""
        village = village.strip() if type(village) is str else cell_text(village)
        head = cells[i_head] if i_head < len(cells) else ""
        head = head.strip() if type(head) is str else cell_text(head)
        out.append(_Row(rownum, name, pid, problem, birth, village, head, effect,
                        text(cells, i_serial) if problem else ""))
    return out


def _write(ws: Workspace, batch, pending: list[tuple[str, str, str, dict]],
           held: dict[str, tuple[str, str, int]]) -> int:
    """Write the events. Someone no list has named before, named once here (nearly everyone on a
    first list), is written in bulk and projected by `project_first_marks`, which gives the rows the
    full fold gives (`check` replays it); anyone else goes the usual way."""
    if not pending:
        return 0
    pids = sorted({p[1] for p in pending})
    marked: set[str] = set()
    if ws.scalar("SELECT 1 FROM ref_marks LIMIT 1"):
        for i in range(0, len(pids), 500):
            chunk = pids[i:i + 500]
            marked.update(r[0] for r in ws.conn.execute(
                f"SELECT DISTINCT pid FROM ref_marks WHERE pid IN ({','.join('?' * len(chunk))})", chunk))
    once: dict[str, int] = {}
    for _, pid, _, _ in pending:
        once[pid] = once.get(pid, 0) + 1
    bulk: dict[str, list[tuple[str, str, dict]]] = {}
    rest = []
    for kind, pid, village, payload in pending:
        if pid in marked or once[pid] > 1:
            rest.append((kind, pid, village, payload))
        else:
            bulk.setdefault(kind, []).append((pid, village, payload))
    for kind, items in bulk.items():
        items.sort(key=lambda item: item[0])  # in ID order: the indexes on the person grow in order
        payloads = [p for _, _, p in items]
        hlcs, _ = batch.append_many(kind, [f"p:{pid}" for pid, _, _ in items], list(map(dump_payload, payloads)),
                                    [v for _, v, _ in items])
        project_first_marks(ws.conn, kind, [pid for pid, _, _ in items], payloads, hlcs, held)
    for kind, pid, village, payload in rest:
        batch.emit(kind, f"p:{pid}", payload, scope=village)
    return len(pending)


class _Villages:
    """Our villages, found from the way a list writes them ('XX村委会', '某某镇XX村' and 'XX村' are one);
    a list names a few villages a hundred thousand times, so each spelling is looked up once."""

    def __init__(self, ws: Workspace):
        names = [r[0] for r in ws.conn.execute("SELECT DISTINCT village FROM persons") if r[0]]
        self.by_key = {village_key(v): v for v in names}
        self.memo: dict[str, str] = {}

    def __bool__(self) -> bool:
        return bool(self.by_key)

    def find(self, text: str) -> str:
        """Our village `text` names, or ''."""
        if not text or not self.by_key:
            return ""
        found = self.memo.get(text)
        if found is None:
            k = village_key(text)
            if k in self.by_key:
                found = self.by_key[k]
            else:
                hits = [v for key, v in self.by_key.items() if key and (k.endswith(key) or key.endswith(k))]
                found = hits[0] if len(hits) == 1 else ""
            self.memo[text] = found
        return found


def _people(ws: Workspace, pids: list[str]) -> dict[str, tuple[str, str, str, str, int]]:
    """pid → (name, village, categories, last outcome, rowid) of those who are people here."""
    out = {}
    for i in range(0, len(pids), 500):
        chunk = pids[i:i + 500]
        out.update((r[0], r[1:]) for r in ws.conn.execute(
            f"SELECT pid, name, village, categories, last_outcome, rowid FROM persons "
            f"WHERE pid IN ({','.join('?' * len(chunk))})", chunk))
    return out


def _by_name_birth(ws: Workspace, rows: list[_Row]) -> dict[tuple[str, str], list[tuple]]:
    """(name, birth year-month) → [(pid, birth, village, name)] of people with that name."""
    names = sorted({r.name for r in rows})
    out: dict[tuple[str, str], list[tuple]] = {}
    for i in range(0, len(names), 500):
        chunk = names[i:i + 500]
        for pid, name, birth, village in ws.conn.execute(
                f"SELECT pid, name, birth, village FROM persons WHERE name IN ({','.join('?' * len(chunk))}) "
                f"AND active = 1 ORDER BY pid", chunk):
            out.setdefault((name, (birth or "")[:7]), []).append((pid, birth or "", village, name))
    return out


def _likelier(ws: Workspace, rows: list[dict], list_date: str) -> None:
    """Say for each row only the department has whether it is likelier already enrolled (the
    bureau's list is of the unenrolled) or missing from the bureau's list: a newborn, or someone
    whose household head is on our list, is likelier missing."""
    heads = sorted({r["head"] for r in rows if r["head"] and r["head"] != r["name"]})
    ours: set[tuple[str, str]] = set()
    for i in range(0, len(heads), 500):
        chunk = heads[i:i + 500]
        ours.update((n, village_key(v)) for n, v in ws.conn.execute(
            f"SELECT name, village FROM persons WHERE name IN ({','.join('?' * len(chunk))}) AND relation='户主'",
            chunk))
    try:
        day = dt.date.fromisoformat(list_date)
    except ValueError:
        day = clock.today()
    year_before = (day - dt.timedelta(days=366)).isoformat()
    for r in rows:
        if r["birth"] and r["birth"] >= year_before[:len(r["birth"])]:
            r["likely"], r["why"] = "missing", "新生儿常不在医保局名单上：可能漏报，请核实是否已参保"
        elif r["head"] and r["head"] != r["name"] and (r["head"], village_key(r["village"])) in ours:
            r["likely"], r["why"] = "missing", "户主在本方未参保名单上而本人不在：可能是医保局名单漏报，请核实"
        else:
            r["likely"], r["why"] = "enrolled", "不在未参保名单上：多半已参保（如需核实可查缴费名单）"


def _diff(ws: Workspace, pending: list[tuple[str, str, str, dict]], res: MatchResult, on_list: set[str], covered: set[str] | None, apply: bool) -> None:
    """Against the kind's earlier lists: who is new, and who the earlier list held but this one
    does not (their effect ends with `ref.absent`, only where this list covers their village)."""
    info = res.info
    earlier: dict[str, tuple[str, str, str]] = {}  # pid → (list, village, name) of a current match
    dates: dict[str, str] = {}
    for pid, lst, date, village, name in ws.conn.execute(
            "SELECT m.pid, m.list, m.date, p.village, p.name FROM ref_marks m JOIN persons p ON p.pid = m.pid "
            "WHERE m.kind=? AND m.state='matched' AND m.list<>?", (info.kind, info.id)):
        earlier[pid] = (lst, village, name)
        dates[lst] = date
    later = {lst for lst, d in dates.items() if d > info.date}
    res.previous = sorted(set(dates) - later)
    if not earlier:
        return
    for m in res.matched:
        if m["pid"] not in earlier:
            res.added.append(m)
    known = {r[0] for r in ws.conn.execute("SELECT pid FROM ref_marks WHERE list=?", (info.id,))}
    for pid, (lst, village, name) in sorted(earlier.items()):
        if pid in on_list or lst in later or (covered is not None and village not in covered):
            continue
        res.removed.append({"pid": pid, "name": name, "village": village, "list": lst})
        if apply and pid not in known:
            pending.append(("ref.absent", pid, village, {**info.source(), "supersedes": lst}))


def _only_ours(ws: Workspace, camp, setting: dict, on_list: set[str], removed: set[str],
               covered: set[str] | None) -> list[dict]:
    """People here whose own category is the kind's and whom the list does not hold."""
    keyword = setting.get("keyword") or setting.get("category") or ""
    if not keyword:
        return []
    longer = [k for k in (camp.values.get("subsidies") or {}) if keyword in k and k != keyword]
    out = []
    # the rowids from a covering index (categories is in persons_progress): no walk over a million rows
    rowids = [r[0] for r in ws.conn.execute("SELECT rowid FROM persons WHERE categories LIKE ?", (f"%{keyword}%",))]
    found = []
    for i in range(0, len(rowids), 500):
        chunk = rowids[i:i + 500]
        found += ws.conn.execute("SELECT pid, name, village, categories FROM persons "
                                 f"WHERE rowid IN ({','.join('?' * len(chunk))}) AND active = 1", chunk).fetchall()
    for pid, name, village, cats in sorted(found):
        if pid in on_list or pid in removed or not has_kind(cats, keyword, longer):
            continue
        if covered is not None and village not in covered:
            continue
        out.append({"pid": pid, "name": name, "village": village, "categories": cats})
    return out


# ---- review: confirm, reject, withdraw -----------------------------------------------------------

def find_list(ws: Workspace, spec: str) -> ListInfo:
    """A list by its id (or the id's first characters) or its file name."""
    s = (spec or "").strip()
    rows = ws.query("SELECT DISTINCT list, kind, date, name FROM ref_marks WHERE list LIKE ? OR name = ?",
                    (s + "%", s)) if s else []
    if not rows:
        rows = ws.query("SELECT list, kind, date, name FROM ref_lists WHERE list LIKE ? OR name = ?", (s + "%", s)) \
            if s else []
    lists = {r["list"]: r for r in rows}
    if len(lists) != 1:
        raise InputError(f"找不到名单“{s}”" if not lists else f"“{s}”对应多份名单，请用名单编号")
    r = next(iter(lists.values()))
    return ListInfo(r["list"], r["kind"], r["date"], r["name"])


def lists(ws: Workspace) -> list[dict]:
    """Every list known here (imported here, or whose effects arrived by sync), newest first."""
    return ws.query(
        "SELECT list, kind, date, name, count(*) AS people, sum(state='matched') AS active, "
        "sum(state='proposed') AS pending, sum(state='withdrawn') AS withdrawn, "
        "sum(note LIKE '%需跟进%') AS followup FROM ref_marks GROUP BY list, kind, date, name "
        "ORDER BY date DESC, name")


def proposals(ws: Workspace, list_id: str | None = None) -> list[dict]:
    """Proposed matches waiting for a person's word (name + birth date, no usable ID)."""
    where, params = ("AND m.list=?", (list_id,)) if list_id else ("", ())
    return ws.query(
        "SELECT m.list, m.kind, m.date AS list_date, m.name AS list_name, m.row, m.pid, p.name, p.birth, p.village, "
        "p.grp, p.relation FROM ref_marks m JOIN persons p ON p.pid = m.pid "
        f"WHERE m.state='proposed' {where} ORDER BY m.list, m.row, m.pid", params)


def followups(ws: Workspace) -> list[dict]:
    """People an official death/move/army list names whose visits do not say so yet."""
    return ws.query(
        "SELECT m.list, m.kind, m.name AS list_name, m.date AS list_date, m.pid, p.name, p.village, p.grp, "
        "p.status, m.note FROM ref_marks m JOIN persons p ON p.pid = m.pid "
        f"WHERE m.state='matched' AND m.note LIKE '%需跟进%' ORDER BY p.village, {groups.rank_sql(ws.conn, 'p.grp')}, "
        "p.household")


def marks_of(ws: Workspace, pid: str) -> list[dict]:
    """Everything the departments' lists say about one person (for the person's screen)."""
    rows = ws.query("SELECT * FROM ref_marks WHERE pid=? ORDER BY date, list", (pid,))
    for r in rows:
        r["effect"] = json.loads(r["effect"] or "{}")
    return rows


def schools(ws: Workspace, pids: list[str], *, listed: bool = False) -> dict[str, tuple[str, str]]:
    """pid → (school, class) from each one's current student list (the letter to parents prints it).
    With `listed`, everyone the education bureau's list has, a school written or not (("", "") then):
    being on that list is what makes someone a student to write to."""
    out: dict[str, tuple[str, str]] = {}
    for i in range(0, len(pids), 500):
        chunk = pids[i:i + 500]
        for pid, effect in ws.conn.execute(
                f"SELECT pid, effect FROM ref_marks WHERE state='matched' AND pid IN ({','.join('?' * len(chunk))}) "
                "AND effect LIKE '%\"school\"%' ORDER BY date, list", chunk):
            e = json.loads(effect)
            if e.get("school") or e.get("class") or (listed and "school" in e):
                out[pid] = (str(e.get("school") or ""), str(e.get("class") or ""))
    return out


def _mark(ws: Workspace, info: ListInfo, pid: str) -> dict:
    try:
        pid = ids.normalise(pid)
    except ids.IdError as exc:
        raise InputError(str(exc)) from exc
    row = ws.one("SELECT * FROM ref_marks WHERE list=? AND pid=?", (info.id, pid))
    if row is None:
        raise InputError(f"名单“{info.name}”与此人（{ids.mask(pid)}）没有比对记录")
    return row


def confirm(ws: Workspace, spec: str, pids: list[str], author: str = "") -> int:
    """A person confirms proposed matches: each becomes a match, with the list's effect."""
    info = find_list(ws, spec)
    done = 0
    with ws.writing(author) as batch:
        for raw in pids:
            m = _mark(ws, info, raw)
            if m["state"] not in (refmarks.PROPOSED, refmarks.REJECTED):
                continue
            batch.emit("ref.matched", f"p:{m['pid']}", {**info.source(), "how": "confirmed", "row": m["row"],
                                                          "effect": json.loads(m["effect"] or "{}")})
            done += 1
    return done


def reject(ws: Workspace, spec: str, pids: list[str], author: str = "") -> int:
    """A person says proposed matches are not these people: they stay without effect."""
    info = find_list(ws, spec)
    done = 0
    with ws.writing(author) as batch:
        for raw in pids:
            m = _mark(ws, info, raw)
            if m["state"] != refmarks.PROPOSED:
                continue
            batch.emit("ref.rejected", f"p:{m['pid']}", {"list": info.id, "row": m["row"]})
            done += 1
    return done


def withdraw(ws: Workspace, spec: str, author: str = "") -> tuple[ListInfo, int]:
    """End every effect and proposal of a list (an earlier list of its kind counts again)."""
    info = find_list(ws, spec)
    with ws.writing(author) as batch:
        pids = [r[0] for r in ws.conn.execute("SELECT pid FROM ref_marks WHERE list=? AND state<>'withdrawn' "
                                              "ORDER BY pid", (info.id,))]
        for pid in pids:
            batch.emit("ref.withdrawn", f"p:{pid}", info.source())
    return info, len(pids)
