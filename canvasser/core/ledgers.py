"""Spreadsheets that leave the village: the ledgers (台账), the daily report and the bureau's feedback sheet.

Ledgers and feedback sheets go to the township and the bureau, so they carry full ID numbers,
always written as text (a number would lose its last digits in Excel). Big sheets are streamed
with openpyxl's write-only mode; every sheet has Chinese headers, filters, sized columns and a
frozen header row. A file is written beside its target and renamed at the end, so a cancelled or
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

from . import campaign as campaign_mod
from . import reports, xlsxlock
from .campaign import ACCEPTED_REASONS, AWAY, CLAIMED_PAID, OUTCOMES, STATUS_LABELS, Campaign
from .errors import Cancelled, InputError
from .store import Workspace

Progress = Callable[[int, str], bool] | None
MAX_ROWS = 1_048_576 - 1  # Excel's row limit, minus the header row
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

# the district's list of reasons (未参保原因) for the feedback sheet, by outcome code
FEEDBACK_REASONS: dict[str, str] = {
    "dead": "死亡", "prison": "服刑", "military": "服役", "refused": "拒参", "missing": "失踪",
    "unreachable": "无法联系", "moved_out": "户口迁出", "employee_insurance": "本地职工",
    "insured_elsewhere": "异地参保", "duplicate": "其他", "promised": "其他", "not_home": "其他",
    "migrant_informed": "其他", "": "其他",
}
FEEDBACK_REASON_LIST = ("死亡", "服刑", "服役", "拒参", "失踪", "无法联系", "已注销户口", "户口迁出", "本地职工",
                        "异地参保", "自愿放弃", "其他")
FEEDBACK_PAID_LIST = ("否", "已缴费待核实", "是")

NEXT_STEPS = {
    "": "入户走访，讲解政策", "promised": "到期提醒缴费（承诺{promised}）", "not_home": "再次上门或电话联系",
    "unreachable": "通过亲属、邻居或微信联系", "migrant_informed": "电话/微信跟进，发送缴费信息",
    "refused": "再做工作（{reason}）", "missing": "核实去向，报乡镇",
}


def next_step(status: str, promised: str = "", reason: str = "") -> str:
    """What to do next for someone not yet done."""
    if status in CLAIMED_PAID:
        return "等待医保局缴费名单核实"
    text = NEXT_STEPS.get(status, "跟进")
    return text.format(promised=promised or "日期未填", reason=reason or "原因未填")


def status_label(status: str) -> str:
    return STATUS_LABELS.get(status, status)


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
        cells.append(cell)
    return cells


def _open_sheet(wb: Workbook, title: str, cols: list[Col]):
    ws = wb.create_sheet(title)
    for i, c in enumerate(cols, 1):
        ws.column_dimensions[get_column_letter(i)].width = c.width
    ws.freeze_panes = "A2"
    ws.append(_header_cells(ws, cols))
    return ws


def _text_cell(ws, value) -> WriteOnlyCell:
    cell = WriteOnlyCell(ws, value="" if value is None else str(value))
    cell.number_format = "@"
    return cell


def write_sheet(wb: Workbook, title: str, cols: list[Col], rows: Iterable[list], *, progress: Progress = None,
                counted: list[int] | None = None) -> int:
    """Stream rows into one sheet (continued on "title(2)" ... past Excel's row limit); returns the row count."""
    text_cols = [i for i, c in enumerate(cols) if c.text]
    part, n, in_sheet = 1, 0, 0
    ws = _open_sheet(wb, title, cols)
    last = get_column_letter(len(cols))
    for row in rows:
        if in_sheet == MAX_ROWS:
            ws.auto_filter.ref = f"A1:{last}{in_sheet + 1}"
            part += 1
            ws = _open_sheet(wb, f"{title}({part})", cols)
            in_sheet = 0
        row = [None if v == "" else v for v in row]  # an empty cell is no cell: much less XML
        for i in text_cols:
            if row[i] is not None:
                row[i] = _text_cell(ws, row[i])
        ws.append(row)
        n += 1
        in_sheet += 1
        if n % 5000 == 0:
            _check(progress, (counted[0] if counted else 0) + n, f"{title}：{n} 行")
    ws.auto_filter.ref = f"A1:{last}{in_sheet + 1}"
    if counted is not None:
        counted[0] += n
    return n


def _rows(ws: Workspace, sql: str, params: tuple = ()) -> Iterator[dict]:
    cur = ws.conn.execute(sql, params)
    names = [c[0] for c in cur.description]
    while True:
        chunk = cur.fetchmany(2000)
        if not chunk:
            return
        for r in chunk:
            yield dict(zip(names, r))


def _date(text: str | None) -> str:
    return (text or "")[:10]


def _time(text: str | None) -> str:
    return (text or "")[:16].replace("T", " ")


def _marks(values) -> str:
    return ",".join("?" * len(values)) or "''"


ORDER = "ORDER BY village, group_rank(grp), household, (relation = '户主') DESC, pid"


def _prepare(ws: Workspace) -> Campaign:
    """The campaign, and the natural group order (一组, 二组 ... 十组) as an SQL function on this connection."""
    cache: dict[str, str] = {}

    def group_rank(grp: str | None) -> str:
        key = cache.get(grp or "")
        if key is None:
            _, flag, n, name = reports.group_key(grp or "")
            key = cache[grp or ""] = f"{flag}{n:09d}{name}"
        return key

    ws.conn.create_function("group_rank", 1, group_rank, deterministic=True)
    return campaign_mod.load(ws)


PERSON_COLS = [Col("序号", 7), Col("村（社区）", 12), Col("组", 8), Col("户编号", 18, True), Col("与户主关系", 9),
               Col("姓名", 10), Col("身份证号", 21, True), Col("性别", 6), Col("联系电话", 14, True)]


def _person(i: int, r: dict) -> list:
    return [i, r["village"], r["grp"], r["household"], r["relation"], r["name"], r["pid"], r["sex"],
            r["phone"]]


# ---- the ledgers -------------------------------------------------------------------------------
def _unpaid_rows(ws: Workspace, camp: Campaign) -> Iterator[list]:
    done = sorted(camp.done_set)
    sql = f"SELECT * FROM persons WHERE status NOT IN ({_marks(done)}) {ORDER}"
    for i, r in enumerate(_rows(ws, sql, tuple(done)), 1):
        yield [*_person(i, r), camp.amount_due(r["categories"]), status_label(r["status"]),
               status_label(r["last_outcome"]) if r["last_outcome"] else "", r["last_reason"],
               _time(r["last_visit_at"]), r["last_visit_by"], r["visit_count"], r["promised"], r["followup"],
               next_step(r["status"], r["promised"], r["last_reason"]), r["away_place"], r["last_note"] or r["note"]]


UNPAID_COLS = [*PERSON_COLS, Col("个人应缴（元）", 10), Col("当前状态", 14), Col("最近走访结果", 14), Col("原因", 14),
             Col("最近走访时间", 17), Col("走访人", 10), Col("走访次数", 8), Col("承诺缴费日期", 12),
             Col("下次跟进日期", 12), Col("下一步", 26), Col("外出地点", 14), Col("备注", 24)]


def _paid_rows(ws: Workspace, camp: Campaign) -> Iterator[list]:
    statuses = ("paid_official", *CLAIMED_PAID)
    sql = (f"SELECT p.*, o.channel AS o_channel FROM persons p LEFT JOIN official_payments o "
           f"ON o.pid = p.pid AND o.year = ? WHERE p.status IN ({_marks(statuses)}) {ORDER}")
    for i, r in enumerate(_rows(ws, sql, (int(camp.values["coverage_year"]), *statuses)), 1):
        official = r["status"] == "paid_official"
        amount = r["paid_amount"] if official and r["paid_amount"] is not None else camp.amount_due(r["categories"])
        yield [*_person(i, r), "医保局确认已缴费" if official else f"{status_label(r['status'])}（待医保局核实）",
               amount, _date(r["paid_at"]) if official else _date(r["last_visit_at"]),
               (r["o_channel"] or "医保局缴费名单") if official else r["last_via"], r["last_visit_by"],
               r["last_note"] or r["note"]]


PAID_COLS = [*PERSON_COLS, Col("参保状态", 24), Col("缴费金额（元）", 10), Col("缴费日期", 12), Col("缴费渠道/联系方式", 16),
             Col("登记人", 10), Col("备注", 24)]


def _special_rows(ws: Workspace, camp: Campaign) -> Iterator[list]:
    keys = [*camp.values["special_groups"], reports.STUDENT]
    cond = " OR ".join("instr(categories, ?) > 0" for _ in keys) or "0"
    sql = f"SELECT * FROM persons WHERE {cond} {ORDER}"
    i = 0
    for r in _rows(ws, sql, tuple(keys)):
        group = camp.special_group_of(r["categories"]) or (reports.STUDENT if reports.STUDENT in r["categories"] else "")
        if not group:
            continue
        i += 1
        done = camp.is_done(r["status"])
        yield [*_person(i, r), r["categories"], group, "是" if camp.is_special(r["categories"]) else "否",
               camp.subsidy_for(r["categories"]), camp.amount_due(r["categories"]), status_label(r["status"]),
               "已完成" if done else "未完成", _time(r["last_visit_at"]), r["last_visit_by"],
               "" if done else next_step(r["status"], r["promised"], r["last_reason"])]


SPECIAL_COLS = [*PERSON_COLS, Col("人员类别", 16), Col("特殊群体", 10), Col("须100%参保", 9), Col("资助金额（元）", 10),
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
               "已完成" if done else "未完成", "" if done else next_step(r["status"], r["promised"], r["last_reason"]),
               r["last_note"] or r["note"]]


AWAY_COLS = [*PERSON_COLS, Col("务工/就业", 10), Col("外出地点", 16), Col("联系方式", 10), Col("最近联系时间", 17),
             Col("联系结果", 14), Col("当前状态", 16), Col("是否完成", 8), Col("下一步", 26), Col("备注", 24)]


def _exempt_rows(ws: Workspace, camp: Campaign) -> Iterator[list]:
    reasons = [s for s in ACCEPTED_REASONS if s in camp.done_set]
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


def write_ledger(ws: Workspace, out: str | Path, *, progress: Progress = None, password: str | None = None) -> dict:
    """All five ledgers in one xlsx, a sheet each (with `password`, encrypted); returns {"file", "sheets"}."""
    out = check_output(out)
    password = xlsxlock.check_password(password)
    camp = _prepare(ws)
    wb = Workbook(write_only=True)
    counted = [0]
    sheets = {}
    for title, cols, rows in LEDGERS:
        _check(progress, counted[0], title)
        sheets[title] = write_sheet(wb, title, cols, rows(ws, camp), progress=progress, counted=counted)
    _check(progress, counted[0], "保存文件")
    _save(wb, out, password)
    return {"file": str(out), "sheets": sheets, "protected": bool(password)}


# ---- the bureau's feedback sheet --------------------------------------------------------------------
_DATE_IN_TEXT = re.compile(r"(\d{4})[-./年](\d{1,2})[-./月](\d{1,2})日?")


def death_date(note: str, visit_at: str) -> tuple[str, str]:
    """(死亡时间, remark): a date written in the note, else the date the death was recorded."""
    m = _DATE_IN_TEXT.search(note or "")
    if m:
        try:
            return dt.date(int(m[1]), int(m[2]), int(m[3])).isoformat(), ""
        except ValueError:
            pass
    return _date(visit_at), "死亡时间为走访登记日期" if visit_at else ""


def feedback_row(r: dict, camp: Campaign) -> list:
    """One person's line: 是否参保, 未参保原因, 缴费金额, 死亡时间, 备注, 填报状态."""
    status = r["status"]
    notes: list[str] = []
    death = ""
    amount: int | float | str = ""
    if status in CLAIMED_PAID:
        paid, reason = "已缴费待核实", ""
        amount = camp.amount_due(r["categories"])
        notes.append(f"{status_label(status)}，{_date(r['last_visit_at'])}登记")
    else:
        paid = "否"
        reason = FEEDBACK_REASONS.get(status, "其他")
        if status == "dead":
            death, why = death_date(r["last_note"], r["last_visit_at"])
            if why:
                notes.append(why)
        elif status == "duplicate":
            notes.append("重复参保")
        elif status == "promised":
            notes.append(f"承诺{r['promised'] or ''}前缴费")
        elif status == "not_home":
            notes.append("多次上门无人在家" if (r["visit_count"] or 0) > 1 else "上门无人在家")
        elif status == "migrant_informed":
            notes.append("外出务工，已告知缴费方式")
        elif status == "":
            notes.append("尚未走访")
        elif status in OUTCOMES and reason == "其他":
            notes.append(status_label(status))
        if status == "refused" and r["last_reason"]:
            notes.append(f"原因：{r['last_reason']}")
        if status == "insured_elsewhere" and r.get("v_place"):
            notes.append(f"参保地：{r['v_place']}")
    if r["last_note"] and status != "dead":
        notes.append(r["last_note"])
    filled = "已填报" if status else "待填报"
    return [paid, reason, amount, death, "；".join(n for n in notes if n), filled]


FEEDBACK_COLS = [Col("序号", 7), Col("乡镇（街道）", 12), Col("村（社区）", 12), Col("组", 8), Col("姓名", 10),
                 Col("身份证号", 21, True), Col("是否参保", 12), Col("未参保原因", 12), Col("缴费金额", 10),
                 Col("死亡时间", 12), Col("备注", 36), Col("填报状态", 9)]


def write_feedback(ws: Workspace, out: str | Path, *, progress: Progress = None,
                   password: str | None = None) -> dict:
    """The sheet the township returns to the bureau: one line per person the bureau has not confirmed as paid."""
    out = check_output(out)
    password = xlsxlock.check_password(password)
    camp = _prepare(ws)
    township = ws.meta("township", "") or ""
    sql = ("SELECT p.*, (SELECT v.place FROM visits v WHERE v.pid = p.pid AND v.voided = 0 AND v.place <> '' "
           f"ORDER BY v.hlc DESC LIMIT 1) AS v_place FROM persons p WHERE status <> 'paid_official' {ORDER}")
    counts = {"否": 0, "已缴费待核实": 0}
    reasons: dict[str, int] = {}

    def rows() -> Iterator[list]:
        for i, r in enumerate(_rows(ws, sql), 1):
            line = feedback_row(r, camp)
            counts[line[0]] = counts.get(line[0], 0) + 1
            if line[1]:
                reasons[line[1]] = reasons.get(line[1], 0) + 1
            yield [i, r["township"] or township, r["village"], r["grp"], r["name"], r["pid"], *line]

    wb = Workbook(write_only=True)
    sheet_title = "未参保人员反馈表"
    n = write_sheet(wb, sheet_title, FEEDBACK_COLS, rows(), progress=progress)
    sheet = wb[sheet_title] if sheet_title in wb.sheetnames else None
    if sheet is not None and n:
        last = min(n, MAX_ROWS) + 1
        for col, choices in (("G", FEEDBACK_PAID_LIST), ("H", FEEDBACK_REASON_LIST)):
            dv = DataValidation(type="list", formula1='"' + ",".join(choices) + '"', allow_blank=True)
            dv.add(f"{col}2:{col}{last}")
            sheet.data_validations.append(dv)
    _check(progress, n, "保存文件")
    _save(wb, out, password)
    return {"file": str(out), "rows": n, "protected": bool(password), "not_paid": counts.get("否", 0), "claimed": counts.get("已缴费待核实", 0),
            "reasons": dict(sorted(reasons.items(), key=lambda kv: -kv[1]))}


# ---- the daily report as xlsx ---------------------------------------------------------------------
def _table(wb: Workbook, title: str, headers: list[tuple[str, float]], rows: list[list],
           alert_rows: Iterable[int] = ()) -> None:
    ws = wb.create_sheet(title)
    cols = [Col(h, w) for h, w in headers]
    for i, c in enumerate(cols, 1):
        ws.column_dimensions[get_column_letter(i)].width = c.width
    ws.freeze_panes = "A2"
    ws.append(_header_cells(ws, cols))
    alerts = set(alert_rows)
    for i, row in enumerate(rows):
        cells = []
        for v in row:
            if isinstance(v, Rate) or i in alerts:
                cell = WriteOnlyCell(ws, value=float(v) if isinstance(v, Rate) else v)
                if isinstance(v, Rate):
                    cell.number_format = "0.0%"
                if i in alerts:
                    cell.fill = ALERT_FILL
                v = cell
            cells.append(v)
        ws.append(cells)
    ws.auto_filter.ref = f"A1:{get_column_letter(len(cols))}{len(rows) + 1}"


class Rate(float):
    """A completion rate: a percentage cell in xlsx, "24.6%" in PDF."""

    def __str__(self) -> str:
        return reports.pct(self)


PROGRESS_HEADERS = [("人数", 9), ("已完成", 9), ("未完成", 9), ("完成率", 9), ("医保局确认已缴", 12), ("自报已缴待核实", 12),
                    ("不需参保", 9), ("已走访", 9)]


def _progress_cells(v: dict) -> list:
    return [v["total"], v["done"], v["remaining"], Rate(v["rate"]), v["paid_official"], v["paid_claimed"],
            v["accepted"], v["visited"]]


def summary_lines(figs: dict) -> list[tuple[str, object]]:
    """The headline figures as (label, value) pairs: shared by the xlsx and the PDF."""
    ch = figs.get("change") or {}
    since = ch.get("since") or ""

    def delta(key: str) -> str:
        return "—" if ch.get(key) is None else f"{ch[key]:+d}"

    today = figs.get("today") or {}
    lines: list[tuple[str, object]] = [
        ("报表日期", figs["date"]), ("待遇年度", figs["coverage_year"]),
        ("征缴截止", f"{figs['deadline']}（剩 {figs['days_left']} 天）"),
        ("名单人数", figs["total"]), ("任务数", figs.get("target", figs["total"])),
        ("医保局确认已缴费", figs["paid_official"]), ("自报已缴费（待核实）", figs["paid_claimed"]),
        ("不需参保（认可原因）", figs["accepted"]), ("完成数", figs["done"]), ("未完成", figs["remaining"]),
        ("完成率", reports.pct(figs["rate"])), ("距任务数差额", figs.get("gap", 0)),
        (f"比上次报表（{since}）完成数变化" if since else "比上次报表完成数变化", delta("done")),
        ("比上次报表医保局确认变化", delta("paid_official")),
        ("当日走访次数", today.get("visits", 0)), ("当日联系人数", today.get("contacts", 0)),
        ("当日新增完成（按走访/缴费日期）", today.get("total", 0)),
    ]
    if figs.get("special_below_100"):
        lines.append(("未达100%的特殊群体", "、".join(figs["special_below_100"])))
    if figs.get("below_70"):
        lines.append(("完成率低于70%的村", "、".join(figs["below_70"])))
    if figs.get("below_80"):
        lines.append(("完成率低于80%的村", "、".join(figs["below_80"])))
    return lines


def village_rows(figs: dict) -> list[list]:
    rows = []
    for name in figs["ranking"]:
        v = figs["by_village"][name]
        rows.append([v["rank"], name, v.get("target", v["total"]), *_progress_cells(v), v.get("gap", 0),
                     figs["change"]["by_village"].get(name, "") if figs.get("change", {}).get("since") else ""])
    rows.append(["", "合计", figs.get("target", figs["total"]), *_progress_cells(figs), figs.get("gap", 0),
                 figs["change"]["done"] if figs.get("change", {}).get("since") else ""])
    return rows


VILLAGE_HEADERS = [("排名", 6), ("村（社区）", 14), ("任务数", 9), *PROGRESS_HEADERS, ("差额", 9), ("较上次新增完成", 12)]


def write_report_xlsx(figs: dict, out: str | Path) -> dict:
    """The daily report as a workbook: summary, villages ranked, groups, categories, canvassers, trend."""
    out = check_output(out)
    wb = Workbook(write_only=True)
    _table(wb, "总体情况", [("项目", 30), ("数值", 26)], [[k, v] for k, v in summary_lines(figs)])
    rows = village_rows(figs)
    alerts = [i for i, name in enumerate(figs["ranking"]) if figs["by_village"][name]["rate"] < reports.WARN_RATE]
    _table(wb, "分村排名", VILLAGE_HEADERS, rows, alerts)
    _table(wb, "分组进度", [("组", 18), *PROGRESS_HEADERS],
           [[k, *_progress_cells(v)] for k, v in figs["by_group"].items()])
    cats = list(figs["by_category"].items())
    _table(wb, "分类别进度", [("人员类别", 14), *PROGRESS_HEADERS, ("须100%", 8), ("提示", 14)],
           [[k, *_progress_cells(v), "是" if v["must_complete"] else "", "未达100%" if v["below_100"] else ""]
            for k, v in cats], [i for i, (_, v) in enumerate(cats) if v["below_100"]])
    spec = list(figs["special_groups"].items())
    _table(wb, "特殊群体（可重叠）", [("特殊群体", 14), *PROGRESS_HEADERS, ("提示", 14)],
           [[k, *_progress_cells(v), "未达100%" if v["below_100"] else "已全部完成"] for k, v in spec],
           [i for i, (_, v) in enumerate(spec) if v["below_100"]])
    _table(wb, "走访人员", [("走访人", 14), ("当日走访次数", 12), ("当日联系人数", 12), ("当日办结", 10)],
           [[k, v["visits"], v["contacts"], v["done_outcomes"]] for k, v in figs.get("by_canvasser", {}).items()])
    _table(wb, "近日走势", [("日期", 12), ("走访次数", 10), ("走访办结", 10), ("医保局确认缴费", 14), ("新增完成", 10)],
           [[t["day"], t["visits"], t["done_by_visit"], t["paid_official"], t["done"]] for t in figs.get("trend", [])])
    _save(wb, out)
    return {"file": str(out)}

