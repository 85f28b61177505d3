"""Spreadsheets that leave the village: the ledgers (台账), the daily report and the bureau's feedback sheet.

Ledgers and feedback sheets go to the township and the bureau, so they carry full ID numbers,
always written as text (a number would lose its last digits in Excel). Big sheets are streamed
with openpyxl's write-only mode; every sheet has a title row (village, year, date), Chinese
headers, filters, sized columns, a frozen header, dates as dates and the print setup of
`xlsxprint` (landscape, one page wide, header repeated, page numbers, signature lines). A file is written beside its target and renamed at the end, so a cancelled or
failed run leaves no half-written file.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from .. import outcomes, person_fields
from ..errors import Cancelled, InputError
from ..rules import campaign as campaign_mod
from ..rules import figures, freshness, groups, reports
from ..rules.campaign import AWAY, CLAIMED_PAID, STATUS_LABELS, Campaign
from ..rules.dashboard import PeopleFilter
from ..storage import listorder, refmarks
from ..storage.store import Workspace
from . import xlsxlock, xlsxprint

Progress = Callable[[int, str], bool] | None
MAX_ROWS = 1_048_576 - 4  # Excel's row limit, minus the title, header and signature rows
HEADER_ROW = 2  # the title row is above it
NOT_LISTED = outcomes.NOT_LISTED.code  # off this year's list: in no ledger, no count
HEADER_FONT = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
ALERT_FILL = PatternFill("solid", fgColor="F8CBAD")
WRAP = Alignment(vertical="center", wrap_text=True)

SHEET_UNPAID = "未参保人员台账"
SHEET_PAID = "已参保人员台账"
SHEET_SPECIAL = "特殊群体台账"
SHEET_AWAY = "外出务工人员台账"
SHEET_EXEMPT = "不需参保人员台账"
AWAY_CATEGORIES = ("外出务工", "灵活就业")

# the district's list of reasons (未参保原因) for the feedback sheet, by outcome code; an outcome that
# is no reason for not enrolling (nobody home, a promise, told while away) leaves the reason empty
FEEDBACK_REASONS: dict[str, str] = {o.code: o.bureau_reason for o in outcomes.RECORDED if o.bureau_reason}
FEEDBACK_REASON_LIST = ("死亡", "服刑", "服役", "拒参", "失踪", "无法联系", "已注销户口", "户口迁出", "本地职工",
                        "异地参保", "自愿放弃", "其他")
FEEDBACK_PAID_LIST = ("是", "否", "待核实")
WITNESSED_PAID = outcomes.witnessed()  # claims a cadre saw go through (counted apart in the sheet's result)
CLAIM = "待核实"  # 是否参保 of a payment only claimed (by the household, a school, or seen by a cadre): the
#                 bureau's own paid list says whether it went through, and what was paid

NEXT_STEPS = {o.code: o.next_step for o in outcomes.STATUSES if o.next_step}  # what to do next, by status
next_step = outcomes.next_step  # (status, promised, reason) -> what to do next for someone not yet done
_PROMISED = outcomes.DATE_FIELD  # the persons column of the date promised


def status_label(status: str) -> str:
    return STATUS_LABELS.get(status, status)


def claim_label(status: str) -> str:
    """A claimed payment's label without its own "(待核实)" (the caller says who verifies it)."""
    return status_label(status).split("(")[0]


def _check(progress: Progress, done: int, msg: str) -> None:
    if progress is not None and progress(done, msg) is False:
        raise Cancelled("已取消，未写出文件")


def check_output(out: str | Path, suffix: str = ".xlsx") -> Path:
    """The output path, or an InputError (wrong suffix, missing folder) before any work is done."""
    out = Path(out)
    if out.suffix.lower() != suffix:
        raise InputError(f"输出文件应为 {suffix} 文件：{out}")
    if out.parent and not out.parent.exists():
        raise InputError(f"输出文件夹不存在：{out.parent}")
    return out


def _save(wb: Workbook, out: Path, password: str | None = None) -> None:
    xlsxlock.save(wb, out, password)


# ---- a streamed sheet --------------------------------------------------------------------------
@dataclass(frozen=True)
class Col:
    header: str
    width: float
    text: bool = False  # IDs, household codes, phones: stored and formatted as text


def _header_cells(ws, cols: list[Col]) -> list[WriteOnlyCell]:
    cells = []
    for c in cols:
        cell = WriteOnlyCell(ws, value=c.header)
        cell.font = HEADER_FONT
        cell.fill = HEADER_FILL
        cell.alignment = WRAP
        cell.border = xlsxprint.GRID
        cells.append(cell)
    return cells


def _open_sheet(wb: Workbook, title: str, cols: list[Col], heading: str = "", paper: str = "A4"):
    ws = wb.create_sheet(title)
    for i, c in enumerate(cols, 1):
        ws.column_dimensions[get_column_letter(i)].width = c.width
    ws.freeze_panes = f"A{HEADER_ROW + 1}"
    xlsxprint.begin(ws, heading or title, len(cols), paper)
    ws.row_dimensions[HEADER_ROW].height = xlsxprint.header_height([(c.header, c.width) for c in cols])
    ws.append(_header_cells(ws, cols))
    return ws


EMPTY = "（无）"  # an empty ledger still prints its table: one bordered row saying so


class _Out:
    """One printed sheet being streamed, continued on "name(2)" … past Excel's row limit."""

    def __init__(self, wb: Workbook, name: str, cols: list[Col], idx: list[int] | None, heading: str,
                 paper: str, signed: bool):
        self.wb, self.name, self.cols, self.idx, self.heading = wb, name, cols, idx, heading
        self.paper, self.signed = paper, signed
        self.text_cols = frozenset(i for i, c in enumerate(cols) if c.text)
        self.last = get_column_letter(len(cols))
        self.part, self.in_sheet = 1, 0
        self._open(name)

    def _open(self, name: str) -> None:
        self.ws = _open_sheet(self.wb, name, self.cols, self.heading, self.paper)
        self.grid = xlsxprint.Grid(self.ws)
        self.in_sheet = 0

    def _end(self) -> None:
        if not self.in_sheet:  # an empty ledger still prints its table, saying so
            self.ws.append(self.grid.row([EMPTY, *[""] * (len(self.cols) - 1)]))
        self.ws.auto_filter.ref = f"A{HEADER_ROW}:{self.last}{max(self.in_sheet, 1) + HEADER_ROW}"
        if self.signed:
            xlsxprint.sign(self.ws, len(self.cols))

    def add(self, row: list) -> None:
        if self.in_sheet == MAX_ROWS:
            self._end()
            self.part += 1
            self._open(f"{self.name}({self.part})")
        if self.idx is not None:
            row = [row[i] for i in self.idx]
        self.ws.append(self.grid.stream(row, self.text_cols))
        self.in_sheet += 1


def write_sheet(wb: Workbook, title: str, cols: list[Col], rows: Iterable[list], *, progress: Progress = None,
                counted: list[int] | None = None, heading: str = "", signed: bool = True, paper: str = "A4",
                parts: list[tuple[str, list[int], str]] | None = None) -> int:
    """Stream rows into one sheet (continued on "title(2)" ... past Excel's row limit), or with
    `parts` ((name, column indexes, heading) each) into several printed parts at once, each row
    read once; returns the row count. Every cell of the table is bordered; `heading` is the title
    row's text; a `signed` sheet ends with the signature and date lines."""
    outs = ([_Out(wb, name, [cols[i] for i in idx], idx, head, paper, signed) for name, idx, head in parts]
            if parts else [_Out(wb, title, cols, None, heading, paper, signed)])
    n = 0
    for row in rows:
        for out in outs:
            out.add(row)
        n += 1
        if n % 5000 == 0:
            _check(progress, (counted[0] if counted else 0) + n, f"{title}：{n} 行")
    for out in outs:
        out._end()
    if counted is not None:
        counted[0] += n
    return n


def _own_list(ws: Workspace, sql: str, params: tuple) -> tuple[str, tuple]:
    """A ledger query narrowed to the workspace's own list (`figures.scope`): a village's ledgers
    leave out someone the township assigned to another village, as its counts do. Every ledger
    query ends with "WHERE <condition> ORDER" (or the feedback sheet's order); the condition is
    bracketed and the scope added."""
    village = figures.own_village(ws)
    if not village:
        return sql, params
    head, sep, tail = sql.rpartition(" WHERE ")
    order = next((o for o in (ORDER, FEEDBACK_ORDER) if tail.endswith(o)), None)
    if not sep or order is None:
        raise ValueError("a ledger query must end with WHERE … ORDER")  # never an unscoped ledger
    return f"{head} WHERE ({tail[:-len(order)]}) AND p.village IN (?, '') {order}", (*params, village)


def _rows(ws: Workspace, sql: str, params: tuple = ()) -> Iterator[dict]:
    sql, params = _own_list(ws, sql, params)
    cur = ws.conn.execute(sql, params)
    names = [c[0] for c in cur.description]
    while True:
        chunk = cur.fetchmany(2000)
        if not chunk:
            return
        for r in chunk:
            yield dict(zip(names, r))


_date = xlsxprint.as_date
_time = xlsxprint.as_time


def _marks(values) -> str:
    """Placeholders for an IN list; none for an empty one (SQLite's `IN ()` holds for nobody)."""
    return ",".join("?" * len(values))


ORDER = "ORDER BY village, group_rank(grp), household, (relation = '户主') DESC, pid"


def _prepare(ws: Workspace) -> Campaign:
    """The campaign, and the natural group order (一组, 二组 ... 十组) as an SQL function on this connection."""
    groups.rank_sql(ws.conn)
    return campaign_mod.load(ws)


# the person's columns of every ledger: 序号, then the fields with a ledger column (core/person_fields.py)
_PERSON_FIELDS = person_fields.ledger_columns()
PERSON_COLS = [Col("序号", 6), *(Col(c.header, c.width, c.text) for _, c in _PERSON_FIELDS)]
_PERSON_NAMES = [name for name, _ in _PERSON_FIELDS]


def _person(i: int, r: dict) -> list:
    return [i, *(r[name] for name in _PERSON_NAMES)]


# ---- the ledgers -------------------------------------------------------------------------------
# the place recorded with the person's latest visit that names one (外出地点 / 参保地), as `v_place`
VISIT_PLACE = ("(SELECT v.place FROM visits v WHERE v.pid = p.pid AND v.voided = 0 AND v.place <> '' "
               "ORDER BY v.hlc DESC LIMIT 1) AS v_place")


def _unpaid_rows(ws: Workspace, camp: Campaign) -> Iterator[list]:
    done = [*sorted(camp.done_set), NOT_LISTED]  # (off this year's list: nobody's task)
    sql = f"SELECT p.*, {VISIT_PLACE} FROM persons p WHERE status NOT IN ({_marks(done)}) {ORDER}"
    for i, r in enumerate(_rows(ws, sql, tuple(done)), 1):
        yield [*_person(i, r), camp.amount_due(r["categories"]), status_label(r["status"]),
               status_label(r["last_outcome"]) if r["last_outcome"] else "", r["last_reason"],
               _time(r["last_visit_at"]), r["last_visit_by"], r["visit_count"], _date(r[_PROMISED]), _date(r["followup"]),
               next_step(r["status"], r[_PROMISED], r["last_reason"]), r["v_place"] or r["away_place"],
               r["last_note"] or r["note"]]


UNPAID_COLS = [*PERSON_COLS, Col("个人应缴（元）", 9), Col("当前状态", 12), Col("最近走访结果", 12), Col("原因", 12),
               Col("最近走访时间", 16), Col("走访人", 9), Col("走访次数", 7), Col("承诺缴费日期", 11),
               Col("下次跟进日期", 11), Col("下一步", 22), Col("外出地点", 12), Col("备注", 22)]


def _paid_rows(ws: Workspace, camp: Campaign) -> Iterator[list]:
    statuses = (figures.CONFIRMED, *CLAIMED_PAID)
    sql = (f"SELECT p.*, o.channel AS o_channel FROM persons p LEFT JOIN official_payments o "
           f"ON o.pid = p.pid AND o.year = ? WHERE p.status IN ({_marks(statuses)}) {ORDER}")
    for i, r in enumerate(_rows(ws, sql, (int(camp.values["coverage_year"]), *statuses)), 1):
        official = r["status"] == figures.CONFIRMED
        # only the bureau's list says what was paid: a claim shows no amount (as on the feedback sheet)
        amount = (r["paid_amount"] if r["paid_amount"] is not None else camp.amount_due(r["categories"])) \
            if official else ""
        # 登记人: whoever recorded what counts: the bureau's paid list for a confirmed payment (a
        # canvasser's later or earlier visit is not it), else the canvasser whose visit claimed it
        yield [*_person(i, r), "医保局确认已缴费" if official else f"{claim_label(r['status'])}（待核实）",
               amount, _date(r["paid_at"]) if official else _date(r["last_visit_at"]),
               (r["o_channel"] or "医保局缴费名单") if official else r["last_via"],
               BUREAU_RECORDED if official else r["last_visit_by"], r["last_note"] or r["note"]]


BUREAU_RECORDED = "医保局（缴费名单）"
PAID_COLS = [*PERSON_COLS, Col("参保状态", 18), Col("缴费金额（元）", 9), Col("缴费日期", 11), Col("缴费渠道/联系方式", 14),
             Col("登记人", 9), Col("备注", 20)]


def _special_rows(ws: Workspace, camp: Campaign) -> Iterator[list]:
    """The special groups exactly as the dashboard counts them (its 特殊群体 filter: the campaign's
    groups, each must reach 100%); students are no special group."""
    cond, params = PeopleFilter(category="*").where(camp)
    sql = f"SELECT * FROM persons p WHERE {cond} AND status != ? {ORDER}"
    groups_of = [k for k in camp.values.get("special_groups") or []]
    for i, r in enumerate(_rows(ws, sql, (*params, NOT_LISTED)), 1):
        done = camp.is_done(r["status"])
        yield [*_person(i, r), r["categories"], "、".join(k for k in groups_of if k in (r["categories"] or "")),
               camp.subsidy_for(r["categories"]), camp.amount_due(r["categories"]), status_label(r["status"]),
               "已完成" if done else "未完成", _time(r["last_visit_at"]), r["last_visit_by"],
               "" if done else next_step(r["status"], r[_PROMISED], r["last_reason"])]


SPECIAL_COLS = [*PERSON_COLS, Col("人员类别", 16), Col("特殊群体", 10), Col("资助金额（元）", 10),
                Col("个人应缴（元）", 10), Col("当前状态", 16), Col("是否完成", 8), Col("最近走访时间", 17), Col("走访人", 10),
                Col("下一步", 26)]


def _away_rows(ws: Workspace, camp: Campaign) -> Iterator[list]:
    cond = " OR ".join([f"status IN ({_marks(AWAY)})", *("instr(categories, ?) > 0" for _ in AWAY_CATEGORIES),
                        "away_place <> ''"])
    sql = (f"SELECT p.*, (SELECT v.place FROM visits v WHERE v.pid = p.pid AND v.voided = 0 AND v.place <> '' "
           f"ORDER BY v.hlc DESC LIMIT 1) AS v_place FROM persons p WHERE {cond} {ORDER}")
    for i, r in enumerate(_rows(ws, sql, (*AWAY, *AWAY_CATEGORIES)), 1):
        done = camp.is_done(r["status"])
        kind = "、".join(k for k in AWAY_CATEGORIES if k in r["categories"])
        yield [*_person(i, r), kind, r["away_place"] or r["v_place"] or "", r["last_via"], _time(r["last_visit_at"]),
               status_label(r["last_outcome"]) if r["last_outcome"] else "", status_label(r["status"]),
               "已完成" if done else "未完成", "" if done else next_step(r["status"], r[_PROMISED], r["last_reason"]),
               r["last_note"] or r["note"]]


AWAY_COLS = [*PERSON_COLS, Col("务工/就业", 10), Col("外出地点", 16), Col("联系方式", 10), Col("最近联系时间", 17),
             Col("联系结果", 14), Col("当前状态", 16), Col("是否完成", 8), Col("下一步", 26), Col("备注", 24)]


def _exempt_rows(ws: Workspace, camp: Campaign) -> Iterator[list]:
    reasons = camp.not_needed  # the report's 不需参保, read the same way (campaign.not_needed)
    sql = (f"SELECT p.*, (SELECT coalesce(sum(json_array_length(v.photos)), 0) FROM visits v WHERE v.pid = p.pid "
           f"AND v.voided = 0) AS photos, (SELECT v.place FROM visits v WHERE v.pid = p.pid AND v.voided = 0 "
           f"ORDER BY v.hlc DESC LIMIT 1) AS v_place FROM persons p WHERE status IN ({_marks(reasons)}) {ORDER}")
    for i, r in enumerate(_rows(ws, sql, tuple(reasons)), 1):
        detail = "，".join(x for x in (r["last_reason"], r["v_place"]) if x)
        yield [*_person(i, r), status_label(r["status"]), detail, _date(r["last_visit_at"]), r["last_visit_by"],
               r["last_via"], r["photos"], r["last_note"] or r["note"],
               "是" if not r["active"] else "否"]


EXEMPT_COLS = [*PERSON_COLS, Col("不需参保原因", 14), Col("说明", 18), Col("登记日期", 12), Col("登记人", 10),
               Col("核实方式", 10), Col("证明材料（张）", 10), Col("备注", 24), Col("已离开名单", 9)]

LEDGERS = ((SHEET_UNPAID, UNPAID_COLS, _unpaid_rows), (SHEET_PAID, PAID_COLS, _paid_rows),
           (SHEET_SPECIAL, SPECIAL_COLS, _special_rows), (SHEET_AWAY, AWAY_COLS, _away_rows),
           (SHEET_EXEMPT, EXEMPT_COLS, _exempt_rows))


def heading(ws: Workspace, camp: Campaign, what: str, day: dt.date | None = None) -> str:
    """The title row of a sheet: this workspace's unit (township and village), the year, the date."""
    return xlsxprint.title_text(what, village=reports.unit(ws), year=camp.values["coverage_year"], day=day)


KEEP = ("序号", "姓名", "身份证号")  # the columns every printed part of a wide ledger repeats
PART_NAMES = "一二三四五六七八九"
PAPER_SIZES = tuple(xlsxprint.PAPERS)


def ledger_parts(cols: list[Col], paper: str = "A4") -> list[list[int]]:
    """How a ledger prints: one sheet when its columns fit a landscape page at a readable size,
    else parts that each repeat 序号, 姓名 and 身份证号 (xlsxprint.plan_parts)."""
    keep = [i for i, c in enumerate(cols) if c.header in KEEP]
    return xlsxprint.plan_parts([c.width for c in cols], keep, paper)


def write_ledger(ws: Workspace, out: str | Path, *, progress: Progress = None, password: str | None = None,
                 paper: str = "A4") -> dict:
    """All five ledgers in one xlsx (with `password`, encrypted); returns {"file", "sheets", "parts"}.

    Each ledger is a sheet; one too wide to print readably on `paper` (A4 or A3, landscape) is
    written as parts, sheets "台账" (part one), "台账（二）" …, each with 序号, 姓名 and 身份证号 and a
    share of the other columns, the same people in the same order: never squeezed below 8 pt."""
    if paper not in xlsxprint.PAPERS:
        raise InputError(f"纸张只能是 {'、'.join(xlsxprint.PAPERS)}：{paper}")
    out = check_output(out)
    password = xlsxlock.check_password(password)
    camp = _prepare(ws)
    wb = Workbook(write_only=True)
    counted = [0]
    sheets: dict[str, int] = {}
    parts_out: dict[str, list[str]] = {}
    for title, cols, rows in LEDGERS:
        _check(progress, counted[0], title)
        parts = ledger_parts(cols, paper)
        named = [(title if k == 0 else f"{title}（{PART_NAMES[k]}）", idx,  # part one keeps the ledger's name
                  heading(ws, camp, title if len(parts) == 1 else
                          f"{title}（{PART_NAMES[k]}）（共{len(parts)}部分，按序号对照）"))
                 for k, idx in enumerate(parts)]
        sheets[title] = write_sheet(wb, title, cols, rows(ws, camp), progress=progress, counted=counted,
                                    paper=paper, parts=named)
        parts_out[title] = [name for name, _, _ in named]
    _check(progress, counted[0], "保存文件")
    _save(wb, out, password)
    return {"file": str(out), "sheets": sheets, "parts": parts_out, "paper": paper, "protected": bool(password)}


# ---- the bureau's feedback sheet --------------------------------------------------------------------
_DATE_IN_TEXT = re.compile(r"(\d{4})[-./年](\d{1,2})[-./月](\d{1,2})日?")


def death_date(note: str) -> str:
    """The date of death a visit's note gives ("2026年10月3日去世", "死亡日期 2026-10-03"), else ''.
    Never the day the visit was recorded: nobody said that was the date."""
    m = _DATE_IN_TEXT.search(note or "")
    if m:
        try:
            return dt.date(int(m[1]), int(m[2]), int(m[3])).isoformat()
        except ValueError:
            pass
    return ""


# the date an outcome list (a death list, 死亡时间) gave the latest matched row of this person whose
# outcome is the person's status, as `l_date`
LIST_DATE = ("(SELECT json_extract(m.effect, '$.on') FROM ref_marks m WHERE m.pid = p.pid AND m.state = ? "
             "AND json_extract(m.effect, '$.outcome') = p.status AND json_extract(m.effect, '$.on') <> '' "
             "ORDER BY m.date DESC, m.hlc DESC LIMIT 1) AS l_date")


def feedback_row(r: dict, camp: Campaign) -> list:
    """One person's line: 是否参保 (否, or 待核实 for a payment only claimed), 未参保原因 (empty unless
    someone reported one), 缴费金额 (never for a claim: only the bureau knows what was paid),
    死亡时间 (only a date someone gave: a visit's note or a death list), 备注, 填报状态."""
    status = r["status"]
    notes: list[str] = []
    death: dt.date | str = ""
    amount: int | float | str = ""
    reason = ""
    visited = (r["last_visit_at"] or "")[:10]
    if status in CLAIMED_PAID:
        paid = CLAIM
        notes.append(f"{claim_label(status)}，{visited}登记，待医保局核实")
    else:
        paid = "否"
        reason = FEEDBACK_REASONS.get(status, "")
        if getattr(outcomes.of(status), "death", False):
            death = xlsxprint.as_date(death_date(r["last_note"]) or r.get("l_date") or "") or ""
            if not death:
                notes.append("死亡时间未登记")
        notes.append(outcomes.feedback_note(status, promised=r[_PROMISED] or "", reason=r["last_reason"] or "",
                                            place=r.get("v_place") or "", visits=r["visit_count"] or 0))
    if r["last_note"]:
        notes.append(r["last_note"])
    filled = "已填报" if status else "待填报"
    return [paid, reason, amount, death, "；".join(n for n in notes if n), filled]


FEEDBACK_COLS = [Col("序号", 7), Col("乡镇（街道）", 12), Col("村（社区）", 12), Col("组", 8), Col("姓名", 10),
                 Col("身份证号", 21, True), Col("是否参保", 9), Col("未参保原因", 12), Col("缴费金额", 10),
                 Col("死亡时间", 12), Col("备注", 36), Col("填报状态", 9)]
# the bureau's order: the latest list each person came in, then their row in it; anyone the lists
# never had (added in the village) after them, in village order
FEEDBACK_ORDER = ("ORDER BY l.ord IS NULL, l.ord, p.village, group_rank(p.grp), p.household, "
                  "(p.relation = '户主') DESC, p.pid")


def list_order(ws: Workspace) -> None:
    """A temporary table `list_order(pid, serial, ord, row_no)`: each person's place in the latest
    bureau list that had them (lists in import order, rows in list order) and the 序号 typed there
    (`listorder.latest`; a village has its part from its setup package)."""
    ws.conn.execute("DROP TABLE IF EXISTS temp.list_order")
    ws.conn.execute("CREATE TEMP TABLE list_order (pid TEXT PRIMARY KEY, serial TEXT, ord INTEGER, row_no INTEGER) "
                    "WITHOUT ROWID")
    rows = sorted((pid, *v) for pid, v in listorder.latest(ws).items())  # in key order: a B-tree append
    for i in range(0, len(rows), 50000):
        ws.conn.executemany("INSERT INTO temp.list_order VALUES (?, ?, ?, ?)", rows[i:i + 50000])


def write_feedback(ws: Workspace, out: str | Path, *, progress: Progress = None,
                   password: str | None = None) -> dict:
    """The sheet the township returns to the bureau: one line per person the bureau has not confirmed
    as paid, in the bureau's row order with its 序号 (a running number for people it never listed)."""
    out = check_output(out)
    password = xlsxlock.check_password(password)
    camp = _prepare(ws)
    township = ws.meta("township", "") or ""
    list_order(ws)
    sql = (f"SELECT p.*, l.serial AS l_serial, l.row_no AS l_row, {VISIT_PLACE}, {LIST_DATE} "
           f"FROM persons p LEFT JOIN temp.list_order l ON l.pid = p.pid WHERE p.status NOT IN ('{figures.CONFIRMED}', '{NOT_LISTED}') "
           f"{FEEDBACK_ORDER}")
    counts = {"否": 0, CLAIM: 0}
    parts = {"": 0, figures.NOT_NEEDED: 0, figures.CLAIMED: 0}
    on_site = [0]
    done_set = camp.done_set
    reasons: dict[str, int] = {}

    def rows() -> Iterator[list]:
        last_serial = 0
        for r in _rows(ws, sql, (refmarks.MATCHED,)):
            line = feedback_row(r, camp)
            counts[line[0]] = counts.get(line[0], 0) + 1
            parts[figures.part_of(r["status"], done_set)] += 1
            on_site[0] += r["status"] in WITNESSED_PAID
            if line[1]:
                reasons[line[1]] = reasons.get(line[1], 0) + 1
            serial = r["l_serial"] or r["l_row"]
            if serial is None:
                last_serial += 1
                serial = last_serial
            elif str(serial).isdigit():
                serial = int(serial)
                last_serial = max(last_serial, serial)
            yield [serial, r["township"] or township, r["village"], r["grp"], r["name"], r["pid"], *line]

    wb = Workbook(write_only=True)
    sheet_title = "未参保人员反馈表"
    n = write_sheet(wb, sheet_title, FEEDBACK_COLS, rows(), progress=progress,
                    heading=heading(ws, camp, sheet_title))
    sheet = wb[sheet_title] if sheet_title in wb.sheetnames else None
    if sheet is not None and n:
        last = min(n, MAX_ROWS) + HEADER_ROW
        for col, choices in (("G", FEEDBACK_PAID_LIST), ("H", FEEDBACK_REASON_LIST)):
            dv = DataValidation(type="list", formula1='"' + ",".join(choices) + '"', allow_blank=True)
            dv.add(f"{col}{HEADER_ROW + 1}:{col}{last}")
            sheet.data_validations.append(dv)
    _check(progress, n, "保存文件")
    _save(wb, out, password)
    # the same parts as the dashboard's cards: rows = 尚未完成 + 不需参保 + 自报待核实
    return {"file": str(out), "rows": n, "protected": bool(password), "not_paid": counts.get("否", 0),
            "claimed": parts[figures.CLAIMED],
            outcomes.PAID_ON_SITE.code: on_site[0],  # (the key: seen paid on site, DESIGN §8)
            "filled_yes": counts.get("是", 0), "filled_claim": counts.get(CLAIM, 0),
            "remaining": parts[""],
            "not_needed": parts[figures.NOT_NEEDED],
            "reasons": dict(sorted(reasons.items(), key=lambda kv: -kv[1]))}


# ---- the daily report as xlsx ---------------------------------------------------------------------
def _sheet_table(wb: Workbook, title: str, headers: list[tuple[str, float]], rows: list[list],
                 alert_rows: Iterable[int] = (), heading: str = "", sign: tuple[str, ...] = ()) -> None:
    """One bordered table on its own sheet; `sign`: the lines under it (制表人, 审核人, date)."""
    ws = wb.create_sheet(title)
    cols = [Col(h, w) for h, w in headers]
    for i, c in enumerate(cols, 1):
        ws.column_dimensions[get_column_letter(i)].width = c.width
    ws.freeze_panes = f"A{HEADER_ROW + 1}"
    xlsxprint.begin(ws, heading or title, len(cols))
    ws.row_dimensions[HEADER_ROW].height = xlsxprint.header_height([(c.header, c.width) for c in cols])
    ws.append(_header_cells(ws, cols))
    grid = xlsxprint.Grid(ws)
    alerts = set(alert_rows)
    for i, row in enumerate(rows):
        long = [(v, c.width) for v, c in zip(row, cols) if isinstance(v, str) and len(v) > 8]
        if long:
            ws.row_dimensions[HEADER_ROW + 1 + i].height = xlsxprint.row_height(long)
        cells = grid.row([float(v) if isinstance(v, Rate) else v for v in row], own_style=True)
        for v, cell in zip(row, cells):
            if isinstance(v, Rate):
                cell.number_format = "0.0%"
            elif isinstance(v, str) and len(v) > 8:
                cell.alignment = WRAP  # a list of villages stays inside its cell, on as many lines as it needs
            if i in alerts:
                cell.fill = ALERT_FILL
        ws.append(cells)
    ws.auto_filter.ref = f"A{HEADER_ROW}:{get_column_letter(len(cols))}{len(rows) + HEADER_ROW}"
    if sign:
        ws.append([])
        for line in sign:
            cell = WriteOnlyCell(ws, value=line)
            cell.font = xlsxprint.SIGN_FONT
            ws.append([cell])


Rate = figures.Rate  # a rate with its counts: a percentage cell here (the exact fraction), "24.6%" in the PDF

# Every rate is labelled with what it divides by (figures.LABELS, the one label of each figure): a
# village's or the whole list's task number (任务数) in the ranking and the headline, the list itself
# (名单) for groups and categories, which have no task number of their own.
LIST_RATE = figures.RATE_LIST
TARGET_RATE = figures.RATE_TARGET
CLAIMED_LABEL = figures.LABELS["paid_claimed"]  # all claimed payments (当场协助, 自行缴费, 学校代缴): one figure
PROGRESS_HEADERS = [("人数", 9), ("已完成", 9), ("未完成", 9), (LIST_RATE, 21), ("医保局确认已缴", 15), (CLAIMED_LABEL, 15),
                    ("不需参保", 9), ("已走访", 9)]  # a rate's label on one line: its bracket never cut


def _progress_cells(v: dict) -> list:
    return [v["total"], v["done"], v["remaining"], figures.list_rate(v), v[figures.CONFIRMED], v["paid_claimed"],
            v["accepted"], v["visited"]]


def claim_split(figs: dict) -> tuple[int, int]:
    """(当场协助, 自行缴费 and 学校代缴) out of the claimed payments: a cadre saw the first go through."""
    by_status = figs.get("by_status") or {}
    on_site = sum(int(by_status.get(STATUS_LABELS[code], 0)) for code in WITNESSED_PAID)
    return on_site, max(0, figs["paid_claimed"] - on_site)


def special_rows(figs: dict) -> list[tuple[str, dict]]:
    """The special groups whose figures the category table does not already show (someone in two
    groups is counted in the first only there); empty when the table would only repeat it."""
    cats = figs.get("by_category") or {}
    keys = ("total", "done", figures.CONFIRMED, "paid_claimed", "accepted")
    return [(k, v) for k, v in (figs.get("special_groups") or {}).items()
            if k not in cats or any(cats[k][x] != v[x] for x in keys)]


def year_label(figs: dict) -> str:
    """2027年度（2026年征缴）: the coverage year, and the year it is collected in."""
    year = int(figs["coverage_year"])
    return f"{year}年度（{year - 1}年征缴）"


def summary_lines(figs: dict) -> list[tuple[str, object]]:
    """The headline figures as (label, value) pairs: shared by the xlsx and the PDF. Each label
    names one figure, and a rate names what it divides by."""
    ch = figs.get("change") or {}
    since = ch.get("since") or ""

    def delta(key: str) -> str:
        return "—" if ch.get(key) is None else f"{ch[key]:+d}"

    today = figs.get("today") or {}
    on_site, _ = claim_split(figs)
    target = figs.get("target", figs["total"]) or 0
    lines: list[tuple[str, object]] = [
        ("报表日期", figs["date"]), ("待遇年度", year_label(figs)),
        ("征缴截止", f"{figs['deadline']}（剩 {figs['days_left']} 天）"),
        ("任务数", target), ("名单人数", figs["total"]),
        ("完成数", figs["done"]),
        ("　其中：医保局确认已缴费", figs[figures.CONFIRMED]),
        (f"　其中：{CLAIMED_LABEL}", figs["paid_claimed"]),
        ("　　（含当场协助缴费）", on_site),
        ("　其中：不需参保（认可原因）", figs["accepted"]),
        ("未完成（名单人数－完成数）", figs["remaining"]),
        (TARGET_RATE, Rate(figs["done"], target)),  # rounded once, from the counts
        (f"医保局确认完成率（{TARGET_RATE[4:-1]}）", Rate(figs[figures.CONFIRMED] + figs["accepted"], target)),
        ("差额（任务数－完成数）", figs.get("gap", 0)),
        (f"比上次报表（{since}）完成数变化" if since else "比上次报表完成数变化", delta("done")),
        ("比上次报表医保局确认变化", delta(figures.CONFIRMED)),
        ("当日走访次数", today.get("visits", 0)), ("当日联系人数", today.get("contacts", 0)),
        ("当日新增完成（走访办结 + 当日导入的医保局确认）", today.get("total", 0)),
    ]
    if figures.pending_line(figs):
        lines.append((figures.PENDING, figures.pending_line(figs)))
    lines += [(label, "、".join(names)) for label, names in alert_lines(figs)]
    return lines


def alert_lines(figs: dict) -> list[tuple[str, list[str]]]:
    """The places to name (label, names): special groups short of 100%, villages (a county's
    townships) below 70% and 80% of their task number, those set up that sent nothing lately, those
    never set up."""
    out = []
    if figs.get("special_below_100"):
        out.append(("未达100%的特殊群体", figs["special_below_100"]))
    if figs.get("below_70"):
        out.append((f"{TARGET_RATE}低于70%的{figs.get('unit_label', '村')}", figs["below_70"]))
    if figs.get("below_80"):
        out.append((f"{TARGET_RATE}低于80%的{figs.get('unit_label', '村')}", figs["below_80"]))
    return out + freshness.alert_lines(figs)  # silent (set up) apart from never set up


def last_package_cell(v: dict) -> str:
    """When a village's last package arrived, for the ranking table ('' outside a township)."""
    if "last_package" not in v:
        return ""
    if not v.get("set_up", True):
        return "未配置"
    when = v["last_package"].replace("T", " ")[:16] if v["last_package"] else "从未上报"
    return f"{when}（未按时上报）" if v.get("silent") and v["last_package"] else when


def village_rows(figs: dict) -> list[list]:
    """The ranking: villages by their rate against their task number, then the 合计 line. Only
    that rate: a second rate for the same village (against its list) is not shown beside it."""
    def cells(v: dict) -> list:
        return [v.get("target", v["total"]), v["total"], v["done"], v["remaining"],
                figures.target_rate(v), v[figures.CONFIRMED], v["paid_claimed"], v["accepted"],
                v["visited"], v.get("gap", 0)]

    since = (figs.get("change") or {}).get("since")
    rows = []
    for name in figs["ranking"]:
        v = figs["by_village"][name]
        rows.append([v["rank"], name, *cells(v), figs["change"]["by_village"].get(name, "") if since else "",
                     last_package_cell(v)])
    rows.append(["", "合计", *cells(figs), figs["change"]["done"] if since else "", ""])
    return rows


VILLAGE_HEADERS = [("排名", 6), ("村（社区）", 14), ("任务数", 9), ("名单人数", 9), ("已完成", 9), ("未完成", 9),
                   (TARGET_RATE, 19), ("医保局确认已缴", 15), (CLAIMED_LABEL, 15), ("不需参保", 9), ("已走访", 9),
                   ("差额", 9), ("较上次新增完成", 15), ("最近上报", 22)]


TREND_HEADERS = [("日期", 12), ("走访次数", 10), ("走访办结", 10), ("医保局确认（当日导入）", 14), ("新增完成", 10),
                 ("迟报（当日报表之后才收到）", 26)]


def late_text(t: dict) -> str:
    """What reached a past day after it was reported: shown beside its figures, never folded in."""
    parts = [(k, t.get(f"late_{k}", 0)) for k in ("visits", "done_by_visit", figures.CONFIRMED)]
    labels = {"visits": "走访", "done_by_visit": "走访办结", figures.CONFIRMED: "医保局确认"}
    return "，".join(f"{labels[k]} {n:+d}" for k, n in parts if n)


def trend_cells(t: dict, day: object) -> list:
    """One day of the trend: as first reported, then what came late."""
    return [day, t["visits"], t["done_by_visit"], t[figures.CONFIRMED], t["done"], late_text(t)]


def maker_lines(figs: dict, by: str = "") -> tuple[str, ...]:
    """Who answers for the report: the unit that issues it (its seal), who made it, who checked
    it, when: printed on the first page and under the summary."""
    day = xlsxprint.as_date(figs["date"])
    when = f"{day.year}年{day.month}月{day.day}日" if day else figs["date"]
    issuer = figs.get("issuer") or figs.get("unit") or "＿＿＿＿＿＿"
    return (f"填报单位：{issuer}（盖章）", f"制表人：{by or '＿＿＿＿＿＿'}", "审核人：＿＿＿＿＿＿", f"报出日期：{when}")


def write_report_xlsx(figs: dict, out: str | Path, *, place: str = "", by: str = "") -> dict:
    """The daily report as a workbook: summary, villages ranked, groups, categories, canvassers, trend;
    each sheet titled with the unit (the township or the village), the year and the report date;
    the summary ends with who issued, made and checked it."""
    out = check_output(out)
    wb = Workbook(write_only=True)
    place = place or figs.get("unit") or (
        next(iter(figs["by_village"])) if len(figs.get("by_village") or {}) == 1 else "")
    day = xlsxprint.as_date(figs["date"])

    def _table(wb: Workbook, title: str, headers, rows, alert_rows=(), sign=()) -> None:
        _sheet_table(wb, title, headers, rows, alert_rows, xlsxprint.title_text(
            f"参保缴费进度日报·{title}", village=place, year=figs["coverage_year"], day=day), sign)

    _table(wb, "总体情况", [("项目", 44), ("数值", 40)], [[k, v] for k, v in summary_lines(figs)],
           sign=maker_lines(figs, by))
    rows = village_rows(figs)
    alerts = [i for i, name in enumerate(figs["ranking"]) if figs["by_village"][name]["target_rate"] < reports.WARN_RATE]
    _table(wb, "分村排名", VILLAGE_HEADERS, rows, alerts)
    _table(wb, "分组进度", [("组", 18), *PROGRESS_HEADERS],
           [[k, *_progress_cells(v)] for k, v in figs["by_group"].items()])
    cats = list(figs["by_category"].items())
    _table(wb, "分类别进度", [("人员类别", 14), *PROGRESS_HEADERS, ("须100%", 8), ("提示", 14)],
           [[k, *_progress_cells(v), "是" if v["must_complete"] else "", "未达100%" if v["below_100"] else ""]
            for k, v in cats], [i for i, (_, v) in enumerate(cats) if v["below_100"]])
    spec = special_rows(figs)
    if spec:
        _table(wb, "特殊群体（可重叠）", [("特殊群体", 14), *PROGRESS_HEADERS, ("提示", 14)],
               [[k, *_progress_cells(v), "未达100%" if v["below_100"] else "已全部完成"] for k, v in spec],
               [i for i, (_, v) in enumerate(spec) if v["below_100"]])
    if len(figs["by_village"]) > 1:  # a township: each village's special groups (must reach 100%)
        vspec = [(v, k, g) for v in figs["ranking"] for k, g in figs["by_village"][v].get("special_groups", {}).items()]
        # named "村/群体" as the groups are "村/组": each row's rate is that group's, not the village's
        _table(wb, "分村特殊群体", [("村（社区）/特殊群体", 22), *PROGRESS_HEADERS, ("提示", 14)],
               [[f"{v}/{k}", *_progress_cells(g), "未达100%" if g["done"] < g["total"] else "已全部完成"]
                for v, k, g in vspec],
               [i for i, (_, _, g) in enumerate(vspec) if g["done"] < g["total"]])
    _table(wb, "走访人员", [("走访人", 14), ("当日走访次数", 12), ("当日联系人数", 12), ("当日办结", 10)],
           [[k, v["visits"], v["contacts"], v["done_outcomes"]] for k, v in figs.get("by_canvasser", {}).items()])
    _table(wb, "近日走势", TREND_HEADERS, [trend_cells(t, xlsxprint.as_date(t["day"])) for t in figs.get("trend", [])])
    _save(wb, out)
    return {"file": str(out)}
