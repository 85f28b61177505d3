"""Importing the bureau's paid list (已缴费名单): official statuses that outrank every cadre's claim.

Same robustness as the roster import: header aliases, bad rows reported with their sheet row,
duplicates counted once, and idempotent — a payment already recorded writes nothing again.

Only the top tier confirms (authority.CONFIRM_PAYMENTS): the bureau's list imported there makes
people 医保局确认. Below it (a village, a township under its county) the same file is kept as a claim
(`status.claimed`, 自报待核实) that travels up like any visit, and the result says so. A list that
matches nobody, or far fewer people than its rows, is most likely another place's list or not a paid
list at all: the result warns and shows a few of its names.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from .. import authority
from ..errors import Cancelled
from ..rules import figures
from ..rules.campaign import LIST_CLAIM
from ..storage.projection import CLAIM_KIND, coverage_year
from ..storage.store import Workspace
from ..text import ids
from .tables import cell_text, is_blank, is_total, open_table

ALIASES: dict[str, tuple[str, ...]] = {
    "pid": ("身份证号码", "公民身份号码", "身份证号", "证件号码", "身份证", "身份证件号码", "证件号", "社会保障号码"),
    "name": ("姓名", "参保人姓名", "缴费人姓名", "人员姓名"),
    "amount": ("缴费金额", "金额", "个人缴费金额", "实缴金额", "应缴金额", "缴费额"),
    "paid_at": ("缴费时间", "缴费日期", "到账时间", "入库日期", "缴款日期"),
    "channel": ("渠道", "缴费渠道", "缴费方式", "缴款方式"),
    "year": ("缴费年度", "参保年度", "待遇年度", "年度", "所属期"),
    "serial": ("序号",),
}
FIELDS = tuple(ALIASES)
FEW = 0.5  # fewer matches than this share of the list's rows: warn (another place's list?)
SAMPLE = 5  # names shown with that warning


@dataclass
class PaidResult:
    matched: int = 0
    new: int = 0
    already: int = 0
    unmatched: list[dict] = field(default_factory=list)
    rejected: list[dict] = field(default_factory=list)
    duplicates: list[dict] = field(default_factory=list)
    rows: int = 0
    claimed: bool = False  # kept as claims (自报待核实): this workspace is not the top tier
    sample: list[dict] = field(default_factory=list)  # a few unmatched rows: name and masked ID

    @property
    def warning(self) -> str:
        """Why this list may be the wrong file ('' when most of it matched)."""
        if not self.rows or not self.unmatched:
            return ""
        names = "、".join(f"{s['name']}（{s['id']}）" for s in self.sample)
        if not self.matched:
            head = f"这份名单的 {self.rows} 行中没有一人在本工作区的名单上"
        elif self.matched < self.rows * FEW:
            head = f"这份名单 {self.rows} 行，只匹配到 {self.matched} 人"
        else:
            return ""
        return f"{head}：是不是别的乡镇（村）的名单，或者不是已缴费名单？名单上的人如：{names}"

    def as_json(self) -> dict:
        return {"matched": self.matched, "new": self.new, "already_recorded": self.already,
                "unmatched": self.unmatched, "rejected": self.rejected, "duplicates": self.duplicates,
                "rows": self.rows, "claimed": self.claimed, "warning": self.warning, "sample": self.sample}


def _amount(text: str) -> float | None:
    t = text.replace("元", "").replace(",", "").replace("，", "").strip()
    try:
        return round(float(t), 2) if t else None
    except ValueError:
        return None


def _date(value: object) -> str:
    text = cell_text(value)
    for fmt in ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y%m%d", "%Y-%m-%d %H:%M:%S", "%Y/%m/%d %H:%M:%S"):
        try:
            return dt.datetime.strptime(text, fmt).date().isoformat()
        except ValueError:
            continue
    return text[:10]


def _year(text: str, default: int) -> int | None:
    digits = "".join(ch for ch in text if ch.isdigit())[:4]
    return int(digits) if len(digits) == 4 else (default if not text else None)


def import_paid(ws: Workspace, path: str | Path, *, overrides: dict[str, str] | None = None, author: str = "",
                source: str = "", progress: Callable[[int, str], bool] | None = None) -> PaidResult:
    """Mark the listed people paid (official) for the coverage year, or at a workspace below the top
    tier keep them as claims (自报待核实); one transaction."""
    table = open_table(path, ALIASES, required=("pid",), overrides=overrides)
    res = PaidResult(claimed=not authority.decides(ws, authority.CONFIRM_PAYMENTS))
    year = coverage_year(ws.conn)
    source = source or Path(path).name
    seen: dict[str, int] = {}
    m = table.mapping

    def get(cells: list, f: str) -> str:
        i = m.get(f)
        return cell_text(cells[i]) if i is not None and i < len(cells) else ""

    with ws.writing(author) as batch:
        for rownum, cells in table.rows:
            if is_blank(cells) or is_total(cells):
                continue
            res.rows += 1
            serial = {"serial": get(cells, "serial")} if "serial" in m else {}
            try:
                pid = ids.normalise(cells[m["pid"]] if m["pid"] < len(cells) else "")
            except ids.IdError as exc:
                bad = {"row": rownum, "reason": str(exc), **serial}
                res.rejected.append(bad)
                if len(res.sample) < SAMPLE:
                    res.sample.append({"row": rownum, "name": get(cells, "name") or "（无姓名）", "id": "身份证号有误"})
                res.unmatched.append(bad)
                continue
            if pid in seen:
                res.duplicates.append({"row": rownum, "reason": f"与第{seen[pid]}行是同一人，只计一次", **serial})
                continue
            seen[pid] = rownum
            row_year = _year(get(cells, "year"), year) if "year" in m else year
            if row_year is not None and row_year != year:
                res.unmatched.append({"row": rownum, "reason": f"缴费年度{row_year}与本次征缴的待遇年度{year}不符",
                                      **serial})
                continue
            person = ws.one("SELECT name FROM persons WHERE pid=?", (pid,))
            if person is None:
                name = get(cells, "name")
                res.unmatched.append({"row": rownum, "reason": "本工作区名单中没有此人", "name": name, **serial})
                if len(res.sample) < SAMPLE:
                    res.sample.append({"row": rownum, "name": name or "（无姓名）", "id": ids.mask(pid)})
                continue
            res.matched += 1
            amount = _amount(get(cells, "amount"))
            paid_at = _date(cells[m["paid_at"]]) if "paid_at" in m and m["paid_at"] < len(cells) else ""
            channel = get(cells, "channel")
            if res.claimed:
                if _claim(ws, batch, pid, year, amount, paid_at, source):
                    res.new += 1
                else:
                    res.already += 1
                continue
            current = ws.one("SELECT amount, paid_at, channel FROM official_payments WHERE pid=? AND year=?",
                             (pid, year))
            if current is not None and (current["amount"], current["paid_at"] or "", current["channel"] or "") == \
                    (amount, paid_at, channel):
                res.already += 1
                continue
            batch.emit("status.official", f"p:{pid}", {"year": year, "paid": True, "amount": amount,
                                                       "paid_at": paid_at, "channel": channel, "source": source})
            res.new += 1
            if progress and res.rows % 2000 == 0 and progress(res.rows, f"已核对 {res.rows} 行") is False:
                raise Cancelled("导入已取消，工作区未改变")
    return res


def _claim(ws: Workspace, batch, pid: str, year: int, amount, paid_at: str, source: str) -> bool:
    """Keep one row of a paid list imported below the top tier as a claim (自报待核实), unless the person
    is already confirmed or this list's claim is recorded; returns whether one was written."""
    status = ws.scalar("SELECT status FROM persons WHERE pid=?", (pid,))
    if status == figures.CONFIRMED:
        return False
    for ev in ws.events_for(f"p:{pid}"):
        if ev.kind == CLAIM_KIND and ev.payload.get("year") == year and ev.payload.get("source") == source:
            return False
    batch.emit(CLAIM_KIND, f"p:{pid}", {"year": year, "outcome": LIST_CLAIM, "amount": amount,
                                        "paid_at": paid_at, "source": source})
    return True
