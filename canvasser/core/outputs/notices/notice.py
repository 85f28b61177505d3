"""Payment notices (缴费通知单): one per household with someone not done, one or two per A4 page.

A notice names the household head, lists the members not yet done with masked ID numbers and what
each owes after subsidy, the total, the deadline and the waiting period for late payers, the payment
channels and the county's payment code (a QR of its link, or the code picture it hands out; none
when neither is set), the three guarantees, whom to call and the issuer with room for its seal. A
household whose members all pay nothing gets a check-your-details notice instead: no code, no
demand. A notice never shows a category (低保, 特困, 残疾 ...), a subsidy reason or a full ID number.
The wording comes from the editable templates `notice` and `notice_free`.

Every block's height is measured first; a long household continues on further sheets ("第 1/2 张")
with the 回执 on the last, so no household size ever prints over the cut line or the next notice.
Everything that is the same on every notice is drawn once into PDF forms placed on each page:
1,000 notices take a second or two and a few hundred kilobytes.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
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
from . import qr
from . import templates as T
from .data import Household, contact, households_due, resolve_households
from .preflight import check_people, check_text

SMALL_RECEIPT = 11.0
TEMPLATE, TEMPLATE_FREE = "notice", "notice_free"
MORE = "（未完，接下一张）"


@dataclass(frozen=True)
class Style:
    """Sizes for a full-page or a half-page notice (body text never below 10.5 pt)."""

    title: float
    salute: float
    body: float
    leading: float
    row: float
    qr: float
    gap: float  # space between blocks

    @classmethod
    def for_per_page(cls, per_page: int) -> Style:
        if per_page == 1:
            return cls(title=22, salute=15, body=12.5, leading=19, row=22, qr=38 * mm, gap=8)
        return cls(title=16, salute=12.5, body=10.5, leading=14.5, row=16, qr=27 * mm, gap=4)


@dataclass(frozen=True)
class Slot:
    top: float
    bottom: float

    @property
    def height(self) -> float:
        return self.top - self.bottom


def slots(per_page: int) -> list[Slot]:
    """Where notices go on a page; a two-up page is cut at half height (9 mm kept clear each side)."""
    if per_page == 1:
        return [Slot(L.PAGE_H - L.MARGIN, L.MARGIN)]
    half = L.PAGE_H / 2
    return [Slot(L.PAGE_H - 15 * mm, half + 9 * mm), Slot(half - 9 * mm, 15 * mm)]


def plan_sheets(n_rows: int, first_room: float, cont_room: float, row: float, end_h: float,
                more_h: float) -> list[int]:
    """How many member rows go on each sheet of one household's notice. `first_room` and `cont_room`
    are the heights left for rows on a first and a continuation sheet; the last sheet also holds
    `end_h` (total, footer, issuer, 回执), every other one a "continued" line `more_h`. The last
    sheet always keeps at least one row, so the 回执 never stands alone."""
    if cont_room < row + end_h:
        raise InputError("缴费通知的文字太长，一张纸放不下：请删减通知模板中名单以下的文字")
    counts: list[int] = []
    rest, room = n_rows, first_room
    while True:
        if rest * row + end_h <= room:
            counts.append(rest)
            return counts
        take = min(max(0, int((room - more_h) // row)), max(0, rest - 1))
        if take == 0 and counts:
            raise InputError("缴费通知的文字太长，一张纸放不下：请删减通知模板")
        counts.append(take)
        rest -= take
        room = cont_room


@dataclass
class Variant:
    """One kind of notice: a demand to pay, or (everyone fully subsidised) a check of the details."""

    key: str
    title: str
    pre: list[T.Block]  # printed above the member table
    post: list[T.Block]  # printed below it, beside the payment code
    free: bool
    h_title: float = 0.0
    h_intro: float = 0.0
    h_foot: float = 0.0
    h_receipt: float = 0.0
    receipt_first_y: float = 0.0


class NoticeWriter:
    """Draws notices onto a canvas; the static parts are forms defined once per document, and every
    block's height is measured before a household is laid out, so nothing is ever drawn over."""

    def __init__(self, c: Canvas, camp: campaign_mod.Campaign, *, per_page: int, contact: tuple[str, str, str],
                 today: dt.date, receipt: bool = True, texts: dict[str, str] | None = None,
                 values: dict[str, str] | None = None):
        self.c = c
        self.camp = camp
        self.per_page = per_page
        self.st = Style.for_per_page(per_page)
        self.x = L.MARGIN
        self.w = L.PAGE_W - 2 * L.MARGIN
        self.contact = contact
        self.today = today
        self.receipt = receipt and per_page == 1  # a tear-off slip fits only under a full-page notice
        v = camp.values
        self.year = v["coverage_year"]
        self.values = values or T.fields(camp, canvasser=contact[0], canvasser_phone=contact[1], today=today)
        self.channel = qr.Channel.of(camp)
        # columns: 序号 | 姓名 | 与户主关系 | 身份证号 | 应缴金额
        b = self.st.body
        amount_x = self.w - max(L.width("应缴金额", b), L.width("10000元", b)) - 0.5 * b
        id_x = amount_x - L.width("5103**********1234", b) - 1.5 * b
        rel_x = id_x - 4.5 * b
        self.cols = [0, 2.6 * b, rel_x, id_x, amount_x]
        texts = texts or {}
        # a demand or a check of details, each with or without 医疗救助 among the guarantees
        self.variants = {(key, aid): self._variant(key, texts.get(key) or T.builtin_text(key), free, aid)
                         for key, free in ((TEMPLATE, False), (TEMPLATE_FREE, True)) for aid in (False, True)}
        self._define_forms()
        self.slot_index = 0
        self.pages = 0

    def _variant(self, key: str, text: str, free: bool, aid: bool) -> Variant:
        blocks = T.fill(T.parse(text), {**self.values, "guarantees": T.guarantees(aid)})
        key = f"{key}_{'aid' if aid else 'plain'}"
        title = next((b.text for b in blocks if b.kind == "title"), f"{self.year}年度城乡居民医保缴费通知")
        at = next((i for i, b in enumerate(blocks) if b.kind == "members"), len(blocks))
        pre = [b for b in blocks[:at] if b.kind in ("subtitle", "heading", "para", "item", "right")]
        post = [b for b in blocks[at + 1:] if b.kind in ("subtitle", "heading", "para", "item", "right", "channels")]
        return Variant(key, title, pre, post, free)

    # ---- texts ----------------------------------------------------------------------------------
    def channels_text(self) -> str:
        chans = campaign_mod.printed_channels(self.camp)
        marks = "①②③④⑤⑥⑦⑧⑨⑩"
        items = "；".join(f"{marks[i] if i < len(marks) else str(i + 1) + '.'}{c}" for i, c in enumerate(chans))
        return "缴费方式：" + (items + "。" if items else "请向村（社区）医保工作人员咨询。")

    def _post_text(self, b: T.Block) -> tuple[str, bool]:
        if b.kind == "channels":
            return self.channels_text(), False
        if b.kind == "item":
            return "• " + b.text, False
        return b.text, b.kind == "heading"

    def static_texts(self) -> str:
        parts = [*self.contact, str(self.camp.values.get("bureau_phone") or ""), self.channel.caption]
        for var in self.variants.values():
            parts += [var.title, *(b.text for b in var.pre), *(self._post_text(b)[0] for b in var.post)]
        return "".join(parts)

    # ---- forms ----------------------------------------------------------------------------------
    def _define_forms(self) -> None:
        st, c = self.st, self.c
        self.channel.define(c, st.qr)
        self.h_thead = st.row
        c.beginForm("n_thead", 0, -self.h_thead, self.w, 0)
        y = -st.row + (st.row - st.body) / 2 + st.body * 0.15
        for x, label in zip(self.cols, ("序号", "姓名", "关系", "身份证号", "应缴金额")):
            L.draw(c, x + 2, y, label, st.body, bold=True)
        L.hline(c, 0, self.w, 0, 1.0)
        L.hline(c, 0, self.w, -st.row, 0.8)
        c.endForm()
        self.h_issuer = st.leading * 1.5
        for var in self.variants.values():
            self._define_head(var)
            self._define_footer(var)
            if self.receipt:
                self._define_receipt(var)

    def _define_head(self, var: Variant) -> None:
        st, c = self.st, self.c
        var.h_title = st.title * 1.6
        c.beginForm(f"n_title_{var.key}", 0, -var.h_title, self.w, 0)
        for i, line in enumerate(L.wrap(var.title, st.title, self.w)[:1]):
            L.draw(c, self.w / 2, -st.title * 1.05 - i * st.title * 1.3, line, st.title, align="center", bold=True)
        c.endForm()
        h = sum(len(L.wrap(b.text, st.body, self.w, self.w - (2 * st.body if b.kind == "para" else 0)))
                for b in var.pre) * st.leading + st.gap
        var.h_intro = h
        c.beginForm(f"n_intro_{var.key}", 0, -h, self.w, 0)
        y = -st.body
        for b in var.pre:
            if b.kind in ("subtitle", "right"):
                for line in L.wrap(b.text, st.body, self.w):
                    L.draw(c, self.w / 2 if b.kind == "subtitle" else self.w, y, line, st.body,
                           align="center" if b.kind == "subtitle" else "right")
                    y -= st.leading
            else:
                y = L.paragraph(c, 0, y, ("• " if b.kind == "item" else "") + b.text, self.w, size=st.body,
                                leading=st.leading, indent=2 if b.kind == "para" else 0, bold=b.kind == "heading")
        c.endForm()

    def _define_footer(self, var: Variant) -> None:
        """The text below the table, the payment code beside it (a demand only), the contact line."""
        st, c = self.st, self.c
        show_code = self.channel.present and not var.free
        code_w = st.qr + 8 * mm if show_code else 0
        left_w = self.w - code_w
        texts = [self._post_text(b) for b in var.post]
        n_lines = sum(len(L.wrap(t, st.body, left_w)) for t, _ in texts)
        text_h = n_lines * st.leading + len(texts) * st.gap
        caption = L.wrap(self.channel.caption, st.body, code_w - 2 * mm) if show_code else []
        code_h = (st.qr + 4 + len(caption) * st.leading + st.body * 0.4) if show_code else 0
        body_h = max(text_h, code_h)
        var.h_foot = body_h + st.leading * 1.6 + st.gap
        c.beginForm(f"n_foot_{var.key}", 0, -var.h_foot, self.w, 0)
        y = -st.body * 1.1
        for text, bold in texts:
            y = L.paragraph(c, 0, y, text, left_w, size=st.body, leading=st.leading, bold=bold)
            y -= st.gap
        if show_code:
            qx = self.w - st.qr - 2 * mm
            self.channel.place(c, qx, -st.qr - 2, st.qr)
            cy = -st.qr - 2 - st.body * 1.2
            for line in caption:
                L.draw(c, qx + st.qr / 2, cy, line, st.body, align="center")
                cy -= st.leading
        y = -body_h - st.leading * 0.9
        L.hline(c, 0, self.w, -body_h, 0.5)
        y -= st.gap * 0.5
        name, phone, label = self.contact
        x = L.draw(c, 0, y, "联系人：", st.body)
        if name:
            x += L.draw(c, x, y, name + "　", st.body)
        else:
            L.hline(c, x, x + 24 * mm, y - 2, 0.6)
            x += 26 * mm
        x += L.draw(c, x, y, label, st.body)
        if phone:
            x += L.draw(c, x, y, phone + "　", st.body)
        else:
            L.hline(c, x, x + 30 * mm, y - 2, 0.6)
            x += 32 * mm
        bureau = str(self.camp.values.get("bureau_phone") or "") or "12393"
        L.draw(c, x, y, f"咨询电话：{bureau}", st.body)
        c.endForm()

    def _define_receipt(self, var: Variant) -> None:
        """The tear-off slip (回执) the family signs and hands back: what they did, or why not."""
        st, c = self.st, self.c
        b = SMALL_RECEIPT
        lead = b * 2.0
        if var.free:
            lines = [
                "□ 以上信息无误",
                "□ 信息有误，需更正：＿＿＿＿＿＿＿＿＿＿＿＿＿＿＿＿＿＿＿＿＿＿＿＿",
                "□ 有成员已参加职工医保或在外地参保等，情况说明：＿＿＿＿＿＿＿＿＿＿＿＿",
            ]
        else:
            lines = [
                "□ 已全部缴费，缴费日期：＿＿＿＿年＿＿月＿＿日",
                "□ 承诺在＿＿＿＿月＿＿日前缴费",
                "□ 有成员已参加职工医保或在外地参保等，情况说明：＿＿＿＿＿＿＿＿＿＿＿＿",
                "□ 暂不缴费，原因：＿＿＿＿＿＿＿＿＿＿＿＿＿＿＿＿＿＿＿＿＿＿＿＿",
            ]
        lines.append("户主或家属签字：＿＿＿＿＿＿＿　联系电话：＿＿＿＿＿＿＿＿　日期：＿＿＿＿年＿＿月＿＿日")
        h = 12 + b * 1.6 + lead * (len(lines) + 1) + 6
        c.beginForm(f"n_receipt_{var.key}", 0, -h, self.w, 0)
        y = -12
        c.saveState()
        c.setLineWidth(0.7)
        c.setDash(4, 3)
        c.line(0, y + 6, self.w, y + 6)
        c.restoreState()
        note = "（请沿虚线剪下，填写后交回村（社区）医保工作人员）"
        nw = L.width(note, b)
        c.saveState()
        c.setFillGray(1)
        c.rect(self.w / 2 - nw / 2 - 4, y + 6 - b * 0.6, nw + 8, b * 1.2, stroke=0, fill=1)
        c.restoreState()
        L.draw(c, self.w / 2, y + 6 - b * 0.35, note, b, align="center")
        y -= b * 1.8
        L.draw(c, self.w / 2, y, "回　执", st.salute, align="center", bold=True)
        y -= lead * 1.0  # the first line (household name) is drawn per notice
        var.receipt_first_y = y
        for line in lines:
            y -= lead
            L.draw(c, 0, y, line, b)
        c.endForm()
        var.h_receipt = h + st.gap

    # ---- placing ------------------------------------------------------------------------------
    def _form(self, name: str, top: float) -> None:
        self.c.saveState()
        self.c.translate(self.x, top)
        self.c.doForm(name)
        self.c.restoreState()

    def _next_slot(self) -> Slot:
        """The next free slot, starting a page when needed (and its cut line on a two-up page)."""
        all_slots = slots(self.per_page)
        i = self.slot_index % self.per_page
        if i == 0:
            if self.slot_index:
                self.c.showPage()
            self.pages += 1
        elif i == 1:
            self._cut_line()
        self.slot_index += 1
        return all_slots[i]

    def _cut_line(self) -> None:
        c, y = self.c, L.PAGE_H / 2
        L.hline(c, L.MARGIN, L.PAGE_W - L.MARGIN, y, 0.7, dash=(4, 3))

    def _row(self, y_top: float, idx: int, m) -> None:
        st, c, cols = self.st, self.c, self.cols
        y = y_top - st.row + (st.row - st.body) / 2 + st.body * 0.15
        x0 = self.x
        name_w = cols[2] - cols[1] - 6
        rel_w = cols[3] - cols[2] - 4
        cells = [(x0 + cols[0] + 2, y, str(idx)), (x0 + cols[3] + 2, y, m.masked_id),
                 (x0 + cols[4] + 2, y, f"{m.amount}元")]
        for text, x, room in ((m.name, cols[1], name_w), (m.relation or "", cols[2], rel_w)):
            if text and L.width(text, st.body) > room:  # too long: smaller, never cut, never over the next column
                L.draw(c, x0 + x + 2, y, text, st.body * room / L.width(text, st.body))
            else:
                cells.append((x0 + x + 2, y, text))
        L.draw_cells(c, cells, st.body)
        L.hline(c, x0, x0 + self.w, y_top - st.row, 0.4)

    def _heights(self, var: Variant, has_missing: bool) -> tuple[float, float, float, float]:
        """(first-sheet head, continuation head, end block, "continued" line) in points."""
        st = self.st
        head_first = var.h_title + st.salute * 1.7 + var.h_intro + self.h_thead
        head_cont = st.salute * 1.8 + self.h_thead
        total_h = 0.0 if var.free else st.leading * 1.2
        end_h = (total_h + (st.leading if has_missing else 0) + st.leading * 0.4 + var.h_foot + self.h_issuer
                 + var.h_receipt)
        return head_first, head_cont, end_h, st.leading * 1.5

    def notice(self, hh: Household, has_missing: bool = False) -> int:
        """Draw one household's notice on as many sheets as its member list needs; returns the sheets."""
        st, c = self.st, self.c
        var = self.variants[(TEMPLATE_FREE if all(m.amount == 0 for m in hh.members) else TEMPLATE, hh.aid)]
        head_first, head_cont, end_h, more_h = self._heights(var, has_missing)
        height = slots(self.per_page)[0].height
        plan = plan_sheets(len(hh.members), height - head_first, height - head_cont, st.row, end_h, more_h)
        rows = list(hh.members)
        idx = 1
        for sheet, take in enumerate(plan, 1):
            slot = self._next_slot()
            y = slot.top
            mark = f"第 {sheet}/{len(plan)} 张" if len(plan) > 1 else ""
            place = f"{hh.village}{hh.grp}" + (f"　{mark}" if mark else "")
            if sheet == 1:
                self._form(f"n_title_{var.key}", y)
                y -= var.h_title
                L.draw(c, self.x, y - st.salute, f"{hh.head}户：", st.salute, bold=True)
                L.draw(c, self.x + self.w, y - st.salute, place, st.body, align="right")
                y -= st.salute * 1.7
                self._form(f"n_intro_{var.key}", y)
                y -= var.h_intro
            else:
                L.draw(c, self.x, y - st.salute, f"{hh.head}户{var.title[-4:]}（续）", st.salute, bold=True)
                L.draw(c, self.x + self.w, y - st.salute, place, st.body, align="right")
                y -= st.salute * 1.8
            if take or sheet == len(plan):
                self._form("n_thead", y)
                y -= self.h_thead
            for m in rows[:take]:
                self._row(y, idx, m)
                y -= st.row
                idx += 1
            rows = rows[take:]
            if sheet < len(plan):
                L.draw(c, self.x + self.w, y - st.leading, MORE, st.body, align="right")
                continue
            if not var.free:
                y -= st.leading * 1.2
                L.draw(c, self.x, y, f"本户合计应缴：{hh.total}元", st.body + 1, bold=True)
            if has_missing:
                y -= st.leading
                L.draw(c, self.x, y, "注：姓名中虚线框处为电脑无法打印的生僻字，请工作人员手写补全。", st.body)
            y -= st.leading * 0.4
            self._form(f"n_foot_{var.key}", y)
            y -= var.h_foot
            issuer = campaign_mod.issuer_for(self.camp, hh.village)
            # the issuer and the date at the right, the space around them left for the seal
            L.draw(c, self.x + self.w, y - st.leading * 1.1,
                   f"{issuer}（盖章）　{L.cn_date(self.today.isoformat())}", st.body, align="right")
            if self.receipt:
                top = slot.bottom + var.h_receipt - st.gap
                self._form(f"n_receipt_{var.key}", top)
                L.draw(c, self.x, top + var.receipt_first_y,
                       f"{hh.head}户（{hh.village}{hh.grp}）：本户已收到{self.year}年度城乡居民医保"
                       + ("参保信息核对通知。" if var.free else "缴费通知。"), SMALL_RECEIPT)
        return len(plan)

    def finish(self) -> int:
        if self.slot_index == 0:
            self.pages = 1
            L.draw(self.c, L.PAGE_W / 2, L.PAGE_H / 2, "没有需要打印缴费通知的户（全部已完成）", L.BODY, align="center")
        self.c.showPage()
        return self.pages


def build_notices(ws: Workspace, out: str | Path | BinaryIO, *, households: list[str] | None = None,
                  per_page: int = 1, by: str | None = None, progress: L.ProgressCb | None = None,
                  today: dt.date | None = None, receipt: bool = True) -> L.PrintResult:
    """Write the payment notices PDF; returns counts and the glyph warnings (the PDF is written even
    when some names have characters no font has: those are drawn as hand-fill boxes). A full-page
    notice ends with a tear-off receipt (回执) unless receipt=False."""
    if per_page not in (1, 2):
        raise InputError("每页通知数只能是 1 或 2")
    camp = campaign_mod.load(ws)
    only = resolve_households(ws, households) if households else None
    hhs = households_due(ws, camp, only=only)
    village = ws.meta("village", "") or (hhs[0].village if hhs else "")
    who = contact(ws, by, village)
    people = [{"pid": m.pid, "name": m.name} for h in hhs for m in h.members]
    people += [{"pid": h.head_pid, "name": h.head} for h in hhs]
    missing = check_people(people, fields=("name",))
    prog = L.Progress(progress, every=max(1, len(hhs) // 100))
    prog(0, f"准备打印 {len(hhs)} 户缴费通知", force=True)
    today = today or clock.today()
    with L.atomic_output(out) as target, L.binary_streams():
        c = L.new_canvas(target, title=f"{camp.values['coverage_year']}年度城乡居民医保缴费通知")
        values = T.fields(camp, village=village, canvasser=who.name, canvasser_phone=who.phone, today=today)
        texts = {key: T.load(ws, key)[0] for key in (TEMPLATE, TEMPLATE_FREE)}
        writer = NoticeWriter(c, camp, per_page=per_page, contact=(who.name, who.phone, who.phone_label), today=today,
                              receipt=receipt, texts=texts, values=values)
        missing += check_text(writer.static_texts(), "通知单文字")
        for i, hh in enumerate(hhs, 1):
            writer.notice(hh, any(fonts.missing_chars(n) for n in (hh.head, *(m.name for m in hh.members))))
            prog(i, f"已生成 {i}/{len(hhs)} 户")
        pages = writer.finish()
        c.save()
    prog.finished(len(hhs))
    res = L.PrintResult(out=str(out) if isinstance(out, (str, Path)) else "", households=len(hhs), pages=pages,
                        persons=sum(len(h.members) for h in hhs), missing_glyphs=missing)
    res.extra = {"per_page": per_page, "total_amount": sum(h.total for h in hhs),
                 "sheets": writer.slot_index, "subsidised_households": sum(all(m.amount == 0 for m in h.members)
                                                                           for h in hhs),
                 "payment_code": writer.channel.kind,
                 "canvasser": who.name, "canvasser_known": who.known, "contact_phone": who.phone,
                 "contact_source": who.source}
    return res
