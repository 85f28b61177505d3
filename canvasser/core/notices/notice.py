"""Payment notices (缴费通知单): one per household with someone not done, one or two per A4 page.

A notice names the household head, lists the members not yet done with masked ID numbers and what
each owes after subsidy, the total, the deadline and the waiting period for late payers, the payment
channels and the QR of the official payment link, the three guarantees and whom to call. It never
shows a category (低保, 残疾 ...) or a full ID number.

Everything that is the same on every notice (title, introduction, table header, footer with the
channels and the QR) is drawn once into PDF forms and placed on each page: 1,000 notices take a
second or two and a few hundred kilobytes.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from .. import campaign as campaign_mod
from .. import fonts
from ..errors import InputError
from ..store import Workspace
from . import layout as L
from . import qr
from .data import Household, canvasser_contact, households_due, resolve_households
from .preflight import check_people, check_text

GUARANTEES = "基本医保、大病保险、医疗救助"
FULL_SUBSIDY = "0元（政府全额资助）"
SMALL_RECEIPT = 11.0


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
    if per_page == 1:
        return [Slot(L.PAGE_H - L.MARGIN, L.MARGIN)]
    half = L.PAGE_H / 2
    return [Slot(L.PAGE_H - 15 * mm, half + 9 * mm), Slot(half - 9 * mm, 15 * mm)]


class NoticeWriter:
    """Draws notices onto a canvas; the static parts are forms defined once per document."""

    def __init__(self, c: Canvas, camp: campaign_mod.Campaign, *, per_page: int, contact: tuple[str, str],
                 today: dt.date, receipt: bool = True):
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
        self.link = qr.ascii_link(v.get("payment_link") or "")
        # columns: 序号 | 姓名 | 与户主关系 | 身份证号 | 应缴金额
        b = self.st.body
        amount_x = self.w - L.width(FULL_SUBSIDY, b) - 0.5 * b
        id_x = amount_x - L.width("5103**********1234", b) - 1.5 * b
        rel_x = id_x - 4.5 * b
        self.cols = [0, 2.6 * b, rel_x, id_x, amount_x]
        self._define_forms()
        self.slot_index = 0
        self.pages = 0

    # ---- texts ----------------------------------------------------------------------------------
    def title(self) -> str:
        return f"{self.year}年度城乡居民医保缴费通知"

    def intro(self) -> str:
        v = self.camp.values
        return (f"您好！{self.year}年度城乡居民基本医疗保险集中征缴期为{L.cn_date(v['collection_start'])}"
                f"至{L.cn_date(v['collection_end'])}。经核对，您家中以下成员尚未缴费，"
                f"请在{L.cn_date(v['collection_end'])}前为他们缴费：")

    def deadline_text(self) -> str:
        v = self.camp.values
        return (f"缴费截止：{L.cn_date(v['collection_end'])}。逾期缴费或中断参保后再缴费的，设置待遇等待期："
                f"固定{int(v['waiting_fixed_months'])}个月，此前每连续断保1年再增加{int(v['waiting_per_year_months'])}个月，"
                "等待期内发生的医疗费用医保不予报销。")

    def channels_text(self) -> str:
        chans = [c for c in (self.camp.values.get("payment_channels") or []) if c]
        marks = "①②③④⑤⑥⑦⑧⑨⑩"
        items = "；".join(f"{marks[i] if i < len(marks) else str(i + 1) + '.'}{c}" for i, c in enumerate(chans))
        return "缴费方式：" + (items + "。" if items else "请向村（社区）医保工作人员咨询。")

    def guarantee_text(self) -> str:
        return f"按时参保缴费，{self.year}年全年享受{GUARANTEES}三重保障。缴费时请核对姓名和身份证号码。"

    def static_texts(self) -> str:
        v = self.camp.values
        return "".join([self.title(), self.intro(), self.deadline_text(), self.channels_text(),
                        self.guarantee_text(), v.get("issuer") or "", v.get("bureau_phone") or "",
                        *self.contact])

    # ---- forms ----------------------------------------------------------------------------------
    def _define_forms(self) -> None:
        st, c = self.st, self.c
        if self.link:
            qr.define_form(c, self.link, st.qr)
        # title (centred on the content width)
        self.h_title = st.title * 1.6
        c.beginForm("n_title", 0, -self.h_title, self.w, 0)
        L.draw(c, self.w / 2, -st.title * 1.05, self.title(), st.title, align="center", bold=True)
        c.endForm()
        # introduction paragraph
        lines = L.wrap(self.intro(), st.body, self.w, self.w - 2 * st.body)
        self.h_intro = len(lines) * st.leading + st.gap
        c.beginForm("n_intro", 0, -self.h_intro, self.w, 0)
        L.paragraph(c, 0, -st.body, self.intro(), self.w, size=st.body, leading=st.leading, indent=2)
        c.endForm()
        # table header
        self.h_thead = st.row
        c.beginForm("n_thead", 0, -self.h_thead, self.w, 0)
        y = -st.row + (st.row - st.body) / 2 + st.body * 0.15
        for x, label in zip(self.cols, ("序号", "姓名", "关系", "身份证号", "应缴金额")):
            L.draw(c, x + 2, y, label, st.body, bold=True)
        L.hline(c, 0, self.w, 0, 1.0)
        L.hline(c, 0, self.w, -st.row, 0.8)
        c.endForm()
        # footer: deadline, waiting period, channels, guarantees, contact beside the QR
        self._define_footer()
        self.h_receipt = self._define_receipt() if self.receipt else 0.0

    def _define_footer(self) -> None:
        st, c = self.st, self.c
        qr_w = st.qr + 8 * mm if self.link else 0
        left_w = self.w - qr_w
        blocks = [self.deadline_text(), self.channels_text(), self.guarantee_text()]
        n_lines = sum(len(L.wrap(b, st.body, left_w)) for b in blocks)
        text_h = n_lines * st.leading + 2 * st.gap
        qr_h = (st.qr + st.leading + 4) if self.link else 0
        body_h = max(text_h, qr_h)
        self.h_foot = body_h + st.leading * 1.6 + st.gap
        c.beginForm("n_foot", 0, -self.h_foot, self.w, 0)
        y = -st.body * 1.1
        for b in blocks:
            y = L.paragraph(c, 0, y, b, left_w, size=st.body, leading=st.leading)
            y -= st.gap
        if self.link:
            qx = self.w - st.qr - 2 * mm
            qr.place(c, qx, -st.qr - 2)
            L.draw(c, qx + st.qr / 2, -st.qr - 2 - st.body * 1.3, "微信扫码缴费", st.body, align="center")
        # contact line and issuer
        y = -body_h - st.leading * 0.9
        L.hline(c, 0, self.w, -body_h, 0.5)
        y -= st.gap * 0.5
        name, phone = self.contact
        x = L.draw(c, 0, y, "联系人：", st.body)
        if name:
            x += L.draw(c, x, y, name + "　", st.body)
        else:
            L.hline(c, x, x + 24 * mm, y - 2, 0.6)
            x += 26 * mm
        x += L.draw(c, x, y, "电话：", st.body)
        if phone:
            x += L.draw(c, x, y, phone + "　", st.body)
        else:
            L.hline(c, x, x + 30 * mm, y - 2, 0.6)
            x += 32 * mm
        bureau = self.camp.values.get("bureau_phone") or ""
        if bureau:
            L.draw(c, x, y, f"咨询电话：{bureau}", st.body)
        issuer = self.camp.values.get("issuer") or ""
        L.draw(c, self.w, y, f"{issuer}　{L.cn_date(self.today.isoformat())}".strip(), st.body, align="right")
        c.endForm()

    def _define_receipt(self) -> float:
        """The tear-off slip (回执) the family signs and hands back: what they did, or why not."""
        st, c = self.st, self.c
        b = SMALL_RECEIPT
        lead = b * 2.0
        lines = [
            "□ 已全部缴费，缴费日期：＿＿＿＿年＿＿月＿＿日",
            "□ 承诺在＿＿＿＿月＿＿日前缴费",
            "□ 有成员已参加职工医保或在外地参保等，情况说明：＿＿＿＿＿＿＿＿＿＿＿＿",
            "□ 暂不缴费，原因：＿＿＿＿＿＿＿＿＿＿＿＿＿＿＿＿＿＿＿＿＿＿＿＿",
            "户主或家属签字：＿＿＿＿＿＿＿　联系电话：＿＿＿＿＿＿＿＿　日期：＿＿＿＿年＿＿月＿＿日",
        ]
        h = 12 + b * 1.6 + lead * (len(lines) + 1) + 6
        c.beginForm("n_receipt", 0, -h, self.w, 0)
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
        self.receipt_first_y = y
        for line in lines:
            y -= lead
            L.draw(c, 0, y, line, b)
        c.endForm()
        return h

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
        cells = [(x0 + cols[0] + 2, y, str(idx)), (x0 + cols[2] + 2, y, m.relation or ""),
                 (x0 + cols[3] + 2, y, m.masked_id),
                 (x0 + cols[4] + 2, y, FULL_SUBSIDY if m.fully_subsidised else f"{m.amount}元")]
        if L.width(m.name, st.body) > name_w:  # a very long name: smaller, never cut
            L.draw(c, x0 + cols[1] + 2, y, m.name, max(8.0, st.body * name_w / L.width(m.name, st.body)))
        else:
            cells.insert(1, (x0 + cols[1] + 2, y, m.name))
        L.draw_cells(c, cells, st.body)
        L.hline(c, x0, x0 + self.w, y_top - st.row, 0.4)

    def notice(self, hh: Household, has_missing: bool = False) -> None:
        """Draw one household's notice into as many slots as its member list needs."""
        st, c = self.st, self.c
        rows = list(hh.members)
        end_h = st.leading * 1.6 + self.h_foot + (st.leading if has_missing else 0) + self.h_receipt
        idx = 1
        first = True
        while True:
            slot = self._next_slot()
            y = slot.top
            if first:
                self._form("n_title", y)
                y -= self.h_title
                L.draw(c, self.x, y - st.salute, f"{hh.head}户：", st.salute, bold=True)
                L.draw(c, self.x + self.w, y - st.salute, f"{hh.village}{hh.grp}", st.body, align="right")
                y -= st.salute * 1.7
                self._form("n_intro", y)
                y -= self.h_intro
            else:
                L.draw(c, self.x, y - st.salute, f"{hh.head}户缴费通知（续）", st.salute, bold=True)
                y -= st.salute * 1.8
            self._form("n_thead", y)
            y -= self.h_thead
            room = y - slot.bottom
            fit_all = len(rows) * st.row + end_h <= room
            take = len(rows) if fit_all else max(1, int((room - st.leading * 1.5) // st.row))
            for m in rows[:take]:
                self._row(y, idx, m)
                y -= st.row
                idx += 1
            rows = rows[take:]
            if rows:
                L.draw(c, self.x + self.w, y - st.leading, "（未完，接下一张）", st.body, align="right")
                first = False
                continue
            y -= st.leading * 1.2
            L.draw(c, self.x, y, f"本户合计应缴：{hh.total}元", st.body + 1, bold=True)
            if has_missing:
                y -= st.leading
                L.draw(c, self.x, y, "注：姓名中虚线框处为电脑无法打印的生僻字，请工作人员手写补全。", st.body)
            y -= st.leading * 0.4
            self._form("n_foot", y)
            if self.receipt:
                top = slot.bottom + self.h_receipt
                self._form("n_receipt", top)
                L.draw(c, self.x, top + self.receipt_first_y,
                       f"{hh.head}户（{hh.village}{hh.grp}）：本户已收到{self.year}年度城乡居民医保缴费通知。",
                       SMALL_RECEIPT)
            return

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
    name, phone, known = canvasser_contact(ws, by)
    people = [{"pid": m.pid, "name": m.name} for h in hhs for m in h.members]
    people += [{"pid": h.head_pid, "name": h.head} for h in hhs]
    missing = check_people(people, fields=("name",))
    prog = L.Progress(progress, every=max(1, len(hhs) // 100))
    prog(0, f"准备打印 {len(hhs)} 户缴费通知", force=True)
    today = today or dt.date.today()
    with L.atomic_output(out) as target, L.binary_streams():
        c = L.new_canvas(target, title=f"{camp.values['coverage_year']}年度城乡居民医保缴费通知")
        writer = NoticeWriter(c, camp, per_page=per_page, contact=(name, phone), today=today,
                              receipt=receipt)
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
                 "canvasser": name, "canvasser_known": known}
    return res
