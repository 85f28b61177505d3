"""Leaflets (明白纸) and letters to parents (致家长的一封信), drawn from editable templates.

A leaflet is one generic document. The letter comes in two forms:
- one letter per household with a student not yet done (the default when there are any): addressed
  to "<head>户家长", listing those students with masked IDs and what each owes, so the cadre hands
  each family a letter that says exactly whom to pay for;
- one generic letter (`generic=True`, or when no household has such a student), for schools or
  notice boards, naming nobody.
A personalised letter never prints the subsidy table: next to an amount it would reveal a category.
"""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path
from typing import BinaryIO

from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from ... import clock
from ...errors import InputError
from ...rules import campaign as campaign_mod
from ...storage.store import Workspace
from ...text import fonts
from . import layout as L
from . import qr, students
from . import templates as T
from .data import Household, contact, households_due
from .preflight import check_people, check_text

# (title, subtitle, heading, body, leading): tried in order until the document fits its pages
SCALES = ((22.0, 13.0, 13.5, 11.5, 18.5), (20.0, 12.5, 12.5, 11.0, 16.5), (18.0, 12.0, 12.0, 10.5, 15.0),
          (17.0, 11.5, 11.5, 10.5, 14.0))


class Flow:
    """A cursor flowing blocks down A4 pages (a new page when a block does not fit)."""

    def __init__(self, c: Canvas, camp: campaign_mod.Campaign, link: qr.Channel, scale: int = 0):
        self.scale(scale)
        self.c = c
        self.camp = camp
        self.link = link
        self.x = L.MARGIN
        self.w = L.PAGE_W - 2 * L.MARGIN
        self.top = L.PAGE_H - L.MARGIN
        self.bottom = L.MARGIN
        self.y = self.top
        self.pages = 1
        self.qr_size = 30 * mm
        self.code_drawn = False  # this document's payment code is already on the page (beside the channels)

    def scale(self, scale: int) -> None:
        """Type sizes for the next document (SCALES[scale])."""
        self.TITLE, self.SUBTITLE, self.HEADING, self.BODY, self.LEADING = SCALES[scale]

    def need(self, h: float) -> None:
        if self.y - h < self.bottom and self.y < self.top:
            self.new_page()

    def new_page(self) -> None:
        self.c.showPage()
        self.pages += 1
        self.y = self.top

    def text_block(self, text: str, size: float, leading: float, *, indent: float = 0, bold: bool = False,
                   x_off: float = 0, width: float | None = None, before: float = 0) -> None:
        width = width or self.w - x_off
        lines = L.wrap(text, size, width, width - size * indent)
        self.y -= before
        for i, line in enumerate(lines):
            self.need(leading)
            L.draw(self.c, self.x + x_off + (size * indent if i == 0 else 0), self.y - size, line, size, bold=bold)
            self.y -= leading

    def block(self, b: T.Block, ctx: dict) -> None:
        c = self.c
        if b.kind == "title":
            self.need(self.TITLE * 2.2)
            L.draw(c, self.x + self.w / 2, self.y - self.TITLE, b.text, self.TITLE, align="center", bold=True)
            self.y -= self.TITLE * 1.7
        elif b.kind == "subtitle":
            self.need(self.SUBTITLE * 2)
            L.draw(c, self.x + self.w / 2, self.y - self.SUBTITLE, b.text, self.SUBTITLE, align="center")
            self.y -= self.SUBTITLE * 2
        elif b.kind == "heading":
            self.need(self.HEADING * 1.6 + self.LEADING * 2)  # never a heading alone at the foot of a page
            self.y -= 4
            L.draw(c, self.x, self.y - self.HEADING, b.text, self.HEADING, bold=True)
            self.y -= self.HEADING * 1.7
        elif b.kind == "para":
            salutation = b.text.endswith(("：", ":")) and len(b.text) <= 24  # 尊敬的家长： stays flush left
            self.text_block(b.text, self.BODY, self.LEADING, indent=0 if salutation else 2)
        elif b.kind == "item":
            self.need(self.LEADING)
            L.draw(c, self.x + self.BODY, self.y - self.BODY, "●", self.BODY * 0.6)
            self.text_block(b.text, self.BODY, self.LEADING, x_off=self.BODY * 2)
        elif b.kind == "right":
            self.need(self.LEADING)
            L.draw(c, self.x + self.w, self.y - self.BODY, b.text, self.BODY, align="right")
            self.y -= self.LEADING
        elif b.kind == "channels":
            self.channels_block(beside_code=ctx.get("next") == "qr")
        elif b.kind == "qr":
            if not self.code_drawn:
                self.qr_block()
        elif b.kind == "subsidies":
            self.subsidy_block(ctx)
        elif b.kind == "students":
            self.students_block(ctx)
        elif b.kind == "receipt":
            self.receipt_block(ctx)
        elif b.kind == "signature":
            self.need(self.LEADING * 2.5)
            self.y -= self.LEADING * 0.5
            issuer = str(ctx["values"].get("issuer") or "")  # the setting, else the village's committee
            if issuer:
                L.draw(c, self.x + self.w, self.y - self.BODY, issuer, self.BODY, align="right")
                self.y -= self.LEADING
            L.draw(c, self.x + self.w, self.y - self.BODY, ctx["values"]["today"], self.BODY, align="right")
            self.y -= self.LEADING

    def channel_lines(self, width: float) -> list[tuple[str, str]]:
        """(number, line) pairs of the campaign's payment channels wrapped to `width`."""
        out: list[tuple[str, str]] = []
        for i, ch in enumerate(campaign_mod.printed_channels(self.camp), 1):
            for j, line in enumerate(L.wrap(ch, self.BODY, width - self.BODY * 2.5)):
                out.append((f"{i}." if j == 0 else "", line))
        return out

    def channels_block(self, *, beside_code: bool) -> None:
        """The payment channels, one numbered line each; with a payment code set and the code's
        block next, the code stands at the right of the list (a letter stays on one page)."""
        code = beside_code and self.link.present
        s = self.qr_size
        text_w = self.w - (s + 10 * mm if code else 0)
        lines = self.channel_lines(text_w)
        if not code:
            for num, line in lines:
                self.need(self.LEADING)
                if num:
                    L.draw(self.c, self.x + self.BODY, self.y - self.BODY, num, self.BODY)
                L.draw(self.c, self.x + self.BODY * 2.5, self.y - self.BODY, line, self.BODY)
                self.y -= self.LEADING
            return
        self.code_drawn = True
        caption = L.wrap(f"{self.link.caption}：扫码后按提示填写参保人姓名和身份证号码", self.BODY * 0.85, s + 8 * mm)
        code_h = s + 4 + len(caption) * self.BODY * 1.2
        tip = L.wrap("也可扫描右侧的码缴费。", self.BODY, text_w - self.BODY * 2.5)
        h = max(len(lines) * self.LEADING + len(tip) * self.LEADING, code_h)
        self.need(h)
        top = self.y
        for num, line in lines:
            if num:
                L.draw(self.c, self.x + self.BODY, self.y - self.BODY, num, self.BODY)
            L.draw(self.c, self.x + self.BODY * 2.5, self.y - self.BODY, line, self.BODY)
            self.y -= self.LEADING
        for line in tip:
            L.draw(self.c, self.x + self.BODY * 2.5, self.y - self.BODY, line, self.BODY)
            self.y -= self.LEADING
        qx = self.x + self.w - s - 4 * mm
        self.link.place(self.c, qx, top - s - 2, s)
        cy = top - s - 2 - self.BODY
        for line in caption:
            L.draw(self.c, qx + s / 2, cy, line, self.BODY * 0.85, align="center")
            cy -= self.BODY * 1.2
        self.y = min(self.y, top - code_h) - self.LEADING * 0.3

    def qr_block(self) -> None:
        if not self.link.present:
            return  # no code set: the channels block already lists how to pay
        s = self.qr_size
        self.need(s + 12)
        self.y -= 6
        self.link.place(self.c, self.x + self.BODY, self.y - s)
        tx = self.x + self.BODY + s + 8 * mm
        tw = self.w - (tx - self.x)
        y = self.y - s / 2 + self.LEADING
        for line in L.wrap(f"{self.link.caption}：扫描左侧的码，按提示填写参保人姓名和身份证号码，即可缴费。",
                           self.BODY, tw):
            L.draw(self.c, tx, y, line, self.BODY)
            y -= self.LEADING
        self.y -= s + 8

    def subsidy_block(self, ctx: dict) -> None:
        if ctx.get("personal"):
            return  # beside a named person's amount, the table would reveal a category
        v = self.camp.values
        standard = int(v["standard"])
        by_amount: dict[int, list[str]] = {}
        for key, amount in (v.get("subsidies") or {}).items():
            by_amount.setdefault(min(int(amount), standard), []).append(key)
        for amount in sorted(by_amount, reverse=True):
            pays = standard - amount
            who = "、".join(by_amount[amount])
            tail = "个人不缴费（全额资助）" if pays == 0 else f"资助{amount}元，个人缴{pays}元"
            self.need(self.LEADING)
            L.draw(self.c, self.x + self.BODY, self.y - self.BODY, "●", self.BODY * 0.6)
            self.text_block(f"{who}：{tail}", self.BODY, self.LEADING, x_off=self.BODY * 2)
        self.text_block("（身份以民政、乡村振兴、残联等部门认定为准，资助金额以当地当年文件为准。）", self.BODY, self.LEADING)

    def receipt_block(self, ctx: dict) -> None:
        """A slip the parent fills in and the child brings back (to the class teacher or the village):
        whom it is for, what the family did, a signature. Never an amount or a category."""
        hh: Household | None = ctx.get("household")
        size, lead = self.BODY, self.BODY * 1.9
        names = "、".join(m.name for m in hh.members) if hh is not None else "＿＿＿＿＿＿"
        lines = [f"学生姓名：{names}　　学校、班级：＿＿＿＿＿＿＿＿＿＿＿＿",
                 "□ 已为孩子缴纳本年度城乡居民医保费用，缴费日期：＿＿＿＿年＿＿月＿＿日",
                 "□ 已通过学校统一缴费　　□ 将于＿＿月＿＿日前缴费",
                 "□ 已在外地参保或参加其他医保，说明：＿＿＿＿＿＿＿＿＿＿＿＿＿＿＿＿",
                 "家长签字：＿＿＿＿＿＿＿　联系电话：＿＿＿＿＿＿＿＿＿　日期：＿＿＿＿年＿＿月＿＿日"]
        h = lead * (len(lines) + 2) + 16
        if self.y - h < self.bottom:
            self.new_page()  # the slip moves to the next page whole, never split
        y = self.bottom + h - 10  # the slip sits at the foot of the page: one cut line for every letter
        L.hline(self.c, self.x, self.x + self.w, y, 0.7, dash=(4, 3))
        note = "（请沿虚线剪下，家长填写后由孩子交回班主任或村（社区）工作人员）"
        L.draw(self.c, self.x + self.w / 2, y - size * 1.6, note, size * 0.9, align="center")
        y -= size * 1.6 + lead
        L.draw(self.c, self.x + self.w / 2, y, "家长回执", self.HEADING, align="center", bold=True)
        for line in lines:
            y -= lead
            L.draw(self.c, self.x, y, line, size)
        self.y = y - lead * 0.5

    def students_block(self, ctx: dict) -> None:
        hh: Household | None = ctx.get("household")
        if hh is None:
            return
        students = [m for m in hh.members if m.student]
        self.text_block("您家中以下孩子尚未缴纳本年度城乡居民医保费用：", self.BODY, self.LEADING, indent=2)
        with_school = any(m.school for m in students)
        cols = (0, 0.08 * self.w, 0.42 * self.w, 0.72 * self.w) if not with_school else \
            (0, 0.07 * self.w, 0.22 * self.w, 0.47 * self.w, 0.82 * self.w)
        labels = ("序号", "姓名", "身份证号", "应缴金额") if not with_school else ("序号", "姓名", "学校班级", "身份证号", "应缴金额")
        row = self.LEADING * 1.1
        self.need(row * (len(students) + 1))
        y = self.y
        L.hline(self.c, self.x, self.x + self.w, y, 0.9)
        for x, lab in zip(cols, labels):
            L.draw(self.c, self.x + x + 2, y - row + 5, lab, self.BODY, bold=True)
        y -= row
        L.hline(self.c, self.x, self.x + self.w, y, 0.7)
        for i, m in enumerate(students, 1):
            if y - row < self.bottom:
                self.new_page()
                y = self.y
            owed = f"{m.amount}元"  # never a subsidy reason beside a name on a letter a school hands out
            values = (str(i), m.name, m.masked_id, owed) if not with_school else (str(i), m.name, m.school, m.masked_id, owed)
            for x, val in zip(cols, values):
                L.draw(self.c, self.x + x + 2, y - row + 5, val, self.BODY)
            y -= row
            L.hline(self.c, self.x, self.x + self.w, y, 0.4)
        self.y = y - self.LEADING * 0.6


def build_leaflet(ws: Workspace, out: str | Path | BinaryIO, *, template: str = "leaflet", by: str | None = None,
                  generic: bool = False, households: list[str] | None = None,
                  progress: L.ProgressCb | None = None, today: dt.date | None = None) -> L.PrintResult:
    """Print a leaflet or letter from a template (the workspace's edited copy if it has one).

    `template="letter"` prints one letter per household with a listed student not yet done (or one
    generic letter with `generic=True` or when there is none), each on one page; any other template
    prints one copy, or with `households` (a group chosen in the tree, `leaflet --group`) one copy for
    each of them to hand out. People of school age not listed as students get no letter: the result's
    `school_age_unlisted` names them, for the cadre to confirm (`students.confirm`)."""
    from .data import resolve_households

    camp = campaign_mod.load(ws)
    text, source = T.load(ws, template)
    blocks = T.parse(text)
    village = ws.meta("village", "") or (ws.scalar("SELECT village FROM households GROUP BY village "
                                                   "ORDER BY count(*) DESC LIMIT 1") or "")
    who = contact(ws, by, village)
    today = today or clock.today()
    link = qr.Channel.of(camp)
    personal: list[Household] = []
    unlisted: list[dict] = []
    has_students_block = any(b.kind == "students" for b in blocks)
    if has_students_block and not generic:
        only = resolve_households(ws, households) if households else None
        due = households_due(ws, camp, only=only)
        students.mark_listed(ws, due)
        unlisted = students.school_age_unlisted(ws, camp, due)
        personal = [h for h in due if any(m.student for m in h.members)]
        for h in personal:
            h.members = [m for m in h.members if m.student]
    copies = 1
    if households and not has_students_block:  # a leaflet for a group (or households): one copy for each
        copies = len(resolve_households(ws, households))  # household in it, the same text for all
        if not copies:
            raise InputError("所选范围内没有户，未生成文件")
    docs: list[tuple[dict, Household | None]] = []
    base = T.fields(camp, village=village, canvasser=who.name, canvasser_phone=who.phone, today=today)
    if personal:
        for h in personal:
            docs.append(({**base, "addressee": f"{'、'.join(m.name for m in h.members)}同学家长",
                          "guarantees": T.guarantees(h.aid)}, h))
    else:
        docs += [(base, None)] * copies
    missing = check_people([{"pid": m.pid, "name": m.name} for h in personal for m in h.members] +
                           [{"pid": h.head_pid, "name": h.head} for h in personal], fields=("name",))
    missing += check_text("".join(b.text for b in T.fill(blocks, base)), f"模板“{template}”")
    prog = L.Progress(progress, every=max(1, len(docs) // 100))
    prog(0, f"准备打印 {len(docs)} 份", force=True)
    title = next((b.text for b in T.fill(blocks, base) if b.kind == "title"), template)
    scales = _fitting_scales(docs, blocks, camp, link, title)
    with L.atomic_output(out) as target, L.binary_streams():
        pages = _render(target, docs, blocks, camp, link, title, scales, prog)
    prog.finished(len(docs))
    res = L.PrintResult(out=str(out) if isinstance(out, (str, Path)) else "",
                        households=len(personal) or (copies if households else 0),
                        pages=pages, persons=sum(len(h.members) for h in personal), missing_glyphs=missing)
    res.extra = {"template": template, "source": source, "letters": len(docs),
                 "generic": not personal, "school_age_unlisted": unlisted, "contact_phone": who.phone,
                 "contact_source": who.source}
    return res


def _fitting_scales(docs: list[tuple[dict, Household | None]], blocks: list[T.Block], camp: campaign_mod.Campaign,
                    link: qr.Channel, title: str) -> list[int]:
    """Each document's type size: the largest at which it takes one page (a household with more
    students may need a smaller one); where none does (a template edited far too long), the size
    that takes fewest pages. Measured once per kind of document (how many students, a note)."""
    sizes: dict[tuple, int] = {}
    out = []
    for doc in docs:
        hh = doc[1]
        key = (len(hh.members), _has_rare(hh)) if hh else (0, False)
        if key not in sizes:
            trial = []
            for scale in range(len(SCALES)):
                trial.append(_render(io.BytesIO(), [doc], blocks, camp, link, title, [scale], None))
                if trial[-1] == 1:
                    break
            sizes[key] = trial.index(min(trial))
        out.append(sizes[key])
    return out


def _has_rare(hh: Household) -> bool:
    return any(fonts.missing_chars(m.name) for m in hh.members)


def _render(target, docs: list[tuple[dict, Household | None]], blocks: list[T.Block], camp: campaign_mod.Campaign,
            link: qr.Channel, title: str, scales: list[int], prog: L.Progress | None) -> int:
    """Draw the documents (each starting on a new page, the i-th at SCALES[scales[i]]); returns
    the page count."""
    c = L.new_canvas(target, title=title)
    link.define(c, 30 * mm)
    flow = Flow(c, camp, link, scales[0])
    for i, (values, hh) in enumerate(docs, 1):
        if i > 1:
            flow.new_page()
        flow.scale(scales[i - 1])
        flow.code_drawn = False
        filled = T.fill(blocks, values)
        for k, b in enumerate(filled):
            ctx = {"values": values, "household": hh, "personal": hh is not None,
                   "next": filled[k + 1].kind if k + 1 < len(filled) else ""}
            flow.block(b, ctx)
        if hh is not None and _has_rare(hh):
            flow.text_block("注：姓名中虚线框处为电脑无法打印的生僻字，请工作人员手写补全。", flow.BODY, flow.LEADING)
        if prog is not None:
            prog(i, f"已生成 {i}/{len(docs)} 份")
    c.showPage()
    c.save()
    return flow.pages
