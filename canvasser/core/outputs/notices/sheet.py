"""Visit sheets (入户走访登记表): a printable walk list per group for cadres who work on paper.

Each group starts on a new landscape page: the households with someone not done, their members
with masked IDs, full phone numbers (the cadre calls from this sheet), what each owes, the last
outcome, and empty boxes to tick for the outcomes, a date line for promises and a box to tick once
the result is entered in the computer. Pages are numbered "第 N/M 页" within a group, and every page
says it is an internal working sheet to be collected after use. No category is ever printed; the
address is shortened to the part after the village name.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from reportlab.lib.units import mm

from ... import clock
from ...errors import InputError
from ...rules import campaign as campaign_mod
from ...rules.groups import group_key
from ...storage.store import Workspace
from . import layout as L
from .data import Household, households_due
from .preflight import check_people

SIZE = 10.5
SMALL = 9.5  # the ID, phone and last-result columns: figures that fit a narrower column
ROW = 21.0
HEAD_ROW = 30.0
MARGIN = 12 * mm
NOTE_MIN = 110.0  # points (≈ 3.9 cm): room to write a place by hand, "广东东莞打工"
PAGE_W, PAGE_H = L.PAGE_H, L.PAGE_W  # landscape
TICKS = (("已", "缴费"), ("承诺", "缴费"), ("无人", "在家"), ("外出", ""), ("他处", "参保"), ("拒绝", ""))
INTERNAL = "内部工作用表，用后收回"
LEGEND = ("填表说明：在对应方框内打“√”；承诺缴费请在方框旁写日期；外出请在备注写明去向；已参加职工医保或在外地参保的"
          "请在备注注明；其他情况写在备注栏。录入电脑后在“已录入”栏打“√”。")


def short_label(status_label: str, promised: str = "") -> str:
    """The last result as the sheet shows it; a promise with its date (承诺12月20日)."""
    label = status_label.split("(")[0] if status_label else "未走访"
    if promised and len(promised) >= 10:
        try:
            return f"承诺{int(promised[5:7])}月{int(promised[8:10])}日"
        except ValueError:
            pass
    return label


def short_address(address: str, village: str, grp: str) -> str:
    """The part after the village (and group) name: enough to find the door, shorter to print."""
    a = address or ""
    for part in (village, grp):
        if part and part in a:
            a = a.split(part, 1)[1]
    return a or address or ""


@dataclass
class Columns:
    names: list[str]
    xs: list[float]  # left edges relative to the margin, plus the right edge


def columns(w: float) -> Columns:
    """Column edges for a page `w` points wide: the fixed columns as narrow as their content, the
    rest to the remarks (备注), which never gets less than NOTE_MIN."""
    id_w = L.width("5103**********1234", SMALL) + 6
    phone_w = L.width("13812341234", SMALL) + 6
    tick_w = L.width("在家", SIZE) + 7
    fixed = [("household", 70.0), ("name", 54.0), ("relation", 32.0), ("id", id_w), ("phone", phone_w),
             ("amount", L.width("1000元", SIZE) + 6), ("last", L.width("承诺12月20日", SMALL) + 6)]
    ticks = [(f"tick{i}", tick_w + (24 if i == 1 else 0)) for i in range(len(TICKS))]
    tail = [("entered", tick_w)]
    used = sum(v for _, v in fixed + ticks + tail)
    cols = fixed + ticks + [("note", max(NOTE_MIN, w - used))] + tail
    xs, x = [], 0.0
    for _, v in cols:
        xs.append(x)
        x += v
    xs.append(x)
    return Columns([n for n, _ in cols], xs)


class SheetWriter:
    def __init__(self, c, camp: campaign_mod.Campaign, today: dt.date, totals: dict[int, int] | None = None):
        self.c = c
        self.totals = totals or {}  # group number -> its page count
        self.camp = camp
        self.today = today
        self.x = MARGIN
        self.w = PAGE_W - 2 * MARGIN
        self.cols = columns(self.w)
        self.pages = 0
        self.y = 0.0
        self.bottom = MARGIN + 2 * 15  # room for the legend
        self.group_no = 0
        self.group_pages: dict[int, int] = {}

    def col(self, name: str) -> tuple[float, float]:
        i = self.cols.names.index(name)
        return self.x + self.cols.xs[i], self.x + self.cols.xs[i + 1]

    def start_page(self, village: str, grp: str, page_in_group: int) -> None:
        if self.pages:
            self.c.showPage()
        self.pages += 1
        c = self.c
        top = PAGE_H - MARGIN
        L.draw(c, self.x + self.w / 2, top - 16, f"{village}{grp}　入户走访登记表", 16, align="center", bold=True)
        if page_in_group == 1:
            self.group_no += 1
        self.group_pages[self.group_no] = page_in_group
        sub = f"{self.camp.values['coverage_year']}年度城乡居民医保参保缴费　"
        y = top - 16 - 20
        x = self.x + L.draw(c, self.x, y, sub, SIZE)
        L.draw(c, x, y, INTERNAL, SIZE, bold=True)
        x = self.x + self.w * 0.40
        x += L.draw(c, x, y, "走访人：", SIZE)
        L.hline(c, x, x + 28 * mm, y - 2)
        x += 32 * mm
        x += L.draw(c, x, y, "走访日期：", SIZE)
        L.hline(c, x, x + 28 * mm, y - 2)
        total = self.totals.get(self.group_no, page_in_group)  # known from a first, measuring pass
        L.draw(c, self.x + self.w, y, f"第 {page_in_group}/{total} 页　打印于{L.cn_date(self.today.isoformat())}",
               SIZE, align="right")
        self.y = y - 10
        self.table_header()
        L.paragraph(c, self.x, MARGIN + 18, LEGEND, self.w, size=SIZE, leading=14)

    def table_header(self) -> None:
        c, y = self.c, self.y
        labels = {"household": ("户主", "门牌"), "name": ("姓名", ""), "relation": ("关系", ""),
                  "id": ("身份证号", ""), "phone": ("电话", ""), "amount": ("应缴", ""), "last": ("上次结果", ""),
                  "note": ("备注", ""), "entered": ("已", "录入")}
        for i, t in enumerate(TICKS):
            labels[f"tick{i}"] = t
        c.saveState()
        c.setLineWidth(0.9)
        c.rect(self.x, y - HEAD_ROW, self.w, HEAD_ROW, stroke=1, fill=0)
        c.restoreState()
        for name in self.cols.names:
            x1, x2 = self.col(name)
            a, b = labels[name]
            if b:
                L.draw(c, (x1 + x2) / 2, y - 12.5, a, SIZE, align="center", bold=True)
                L.draw(c, (x1 + x2) / 2, y - 25, b, SIZE, align="center", bold=True)
            else:
                L.draw(c, (x1 + x2) / 2, y - 19, a, SIZE, align="center", bold=True)
            if x1 > self.x:
                c.line(x1, y, x1, y - HEAD_ROW)
        self.y = y - HEAD_ROW

    def household(self, hh: Household, village_grp: tuple[str, str], page_in_group: list[int]) -> None:
        c = self.c
        addr_lines = L.wrap(short_address(hh.address, hh.village, hh.grp), SIZE,
                            self.col("household")[1] - self.col("household")[0] - 6)
        rows = max(len(hh.members), 1 + len(addr_lines))
        if self.y - rows * ROW < self.bottom:
            page_in_group[0] += 1
            self.start_page(*village_grp, page_in_group[0])
        top = self.y
        hx1, hx2 = self.col("household")
        L.draw(c, hx1 + 3, top - 14.5, hh.head, SIZE, bold=True)
        for i, line in enumerate(addr_lines[: rows - 1]):
            L.draw(c, hx1 + 3, top - 14.5 - (i + 1) * ROW, line, SIZE)
        for i, m in enumerate(hh.members):
            y = top - i * ROW
            base = y - 14.5
            x1, x2 = self.col("name")
            size = SIZE if L.width(m.name, SIZE) <= x2 - x1 - 5 else SIZE * (x2 - x1 - 5) / L.width(m.name, SIZE)
            L.draw(c, x1 + 3, base, m.name, size)
            L.draw(c, self.col("relation")[0] + 3, base, m.relation or "", SIZE)
            L.draw(c, self.col("id")[0] + 3, base, m.masked_id, SMALL)
            L.draw(c, self.col("phone")[0] + 3, base, m.phone, SMALL)
            L.draw(c, self.col("amount")[0] + 3, base, f"{m.amount}元", SIZE)
            L.draw(c, self.col("last")[0] + 3, base, short_label(m.last, m.promised), SMALL)
            for j in range(len(TICKS)):
                tx1, tx2 = self.col(f"tick{j}")
                bx = tx1 + 4 if j == 1 else (tx1 + tx2) / 2 - 5
                L.box(c, bx, y - ROW / 2 - 5, 10)
                if j == 1:
                    L.draw(c, bx + 12, base, "月　日", SIZE)
            ex1, ex2 = self.col("entered")
            L.box(c, (ex1 + ex2) / 2 - 5, y - ROW / 2 - 5, 10)
            if i < len(hh.members) - 1:
                L.hline(c, hx2, self.x + self.w, y - ROW, 0.4)
        bottom = top - rows * ROW
        c.saveState()
        c.setLineWidth(0.4)
        for name in self.cols.names[1:]:
            x1, _ = self.col(name)
            c.line(x1, top, x1, bottom)
        c.setLineWidth(0.9)
        c.line(self.x, top, self.x, bottom)
        c.line(self.x + self.w, top, self.x + self.w, bottom)
        c.line(self.x, bottom, self.x + self.w, bottom)
        c.restoreState()
        self.y = bottom


def _render(target, hhs: list[Household], camp: campaign_mod.Campaign, today: dt.date,
            totals: dict[int, int] | None, prog: L.Progress | None) -> SheetWriter:
    c = L.new_canvas(target, title="入户走访登记表", landscape_page=True)
    w = SheetWriter(c, camp, today, totals)
    current: tuple[str, str] | None = None
    page_in_group = [1]
    for i, hh in enumerate(hhs, 1):
        key = (hh.village, hh.grp)
        if key != current:
            current = key
            page_in_group = [1]
            w.start_page(hh.village, hh.grp, 1)
        w.household(hh, key, page_in_group)
        if prog is not None:
            prog(i, f"已生成 {i}/{len(hhs)} 户")
    if not hhs:
        w.pages = 1
        L.draw(c, PAGE_W / 2, PAGE_H / 2, "没有需要走访的户（全部已完成）", L.BODY, align="center")
    c.showPage()
    c.save()
    return w


def build_visit_sheet(ws: Workspace, out: str | Path | BinaryIO, *, groups: list[str] | None = None,
                      village: str | None = None, progress: L.ProgressCb | None = None,
                      today: dt.date | None = None) -> L.PrintResult:
    """Walk lists for the given groups (all groups when none), households with someone not done."""
    camp = campaign_mod.load(ws)
    if groups:
        known = {r["grp"] for r in ws.query("SELECT DISTINCT grp FROM households")}
        unknown = [g for g in groups if g not in known]
        if unknown:
            raise InputError(f"没有这些组：{'、'.join(unknown)}。现有：{'、'.join(sorted(known, key=group_key)) or '（无）'}")
    hhs = households_due(ws, camp, groups=groups or None, village=village)
    missing = check_people([{"pid": m.pid, "name": m.name} for h in hhs for m in h.members] +
                           [{"pid": h.head_pid, "name": h.head, "address": h.address} for h in hhs])
    prog = L.Progress(progress, every=max(1, len(hhs) // 100))
    prog(0, f"准备打印 {len(hhs)} 户走访登记表", force=True)
    today = today or clock.today()
    measured = _render(io.BytesIO(), hhs, camp, today, None, None)  # page counts for "第 N/M 页"
    with L.atomic_output(out) as target, L.binary_streams():
        w = _render(target, hhs, camp, today, measured.group_pages, prog)
    n_groups = len(w.group_pages)
    prog.finished(len(hhs))
    res = L.PrintResult(out=str(out) if isinstance(out, (str, Path)) else "", households=len(hhs), pages=w.pages,
                        persons=sum(len(h.members) for h in hhs), missing_glyphs=missing)
    res.extra = {"groups": n_groups}
    return res
