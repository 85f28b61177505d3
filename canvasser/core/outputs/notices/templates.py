"""Editable texts for leaflets (明白纸) and letters to parents (致家长的一封信).

A template is plain UTF-8 text a village clerk can edit in Notepad. Lines:

    % a comment (not printed)
    = 标题                 centred title
    == 副标题              centred subtitle
    # 小标题               a heading
    - 列表项               a bullet
    > 文字                 right-aligned (落款)
    [二维码] [缴费方式] [资助标准] [学生名单] [签名]   blocks filled by the program
    other lines            one paragraph per line (blank lines are ignored)

Placeholders such as {coverage_year}, {standard}, {deadline}, {payment_channels} and
{waiting_fixed_months} are filled from the campaign rules (see FIELDS). The bundled defaults live in
resources/templates/<name>.txt and stay untouched. An edit made at the township is a campaign
setting ("template:<name>"), so it reaches every village with the next return package; an edit made
in a village stays in that workspace (meta "template:<name>") and goes before the township's text
there. Resetting at the township sends the bundled text back to the villages.
"""

from __future__ import annotations

import datetime as dt
import string
from dataclasses import dataclass
from pathlib import Path

from ....paths import resource
from ... import clock
from ...errors import InputError
from ...rules.campaign import TEMPLATE_PREFIX, Campaign, issuer_for, layers, printed_channels
from ...storage.layers import campaign_rows, campaign_value
from ...storage.store import Workspace
from .layout import cn_date

META_PREFIX = TEMPLATE_PREFIX  # the same key in meta (a village's own edit) and campaign (the township's)

FIELDS: dict[str, str] = {
    "coverage_year": "待遇年度（如 2027）",
    "collection_year": "征缴年度（待遇年度的前一年）",
    "standard": "个人缴费标准（元）",
    "fiscal_subsidy": "财政补助（元/人；未设置时为 0）",
    "fiscal_subsidy_text": "“，各级财政再为每人补助N元”（未设置财政补助时为空）",
    "total_funding": "个人缴费与财政补助合计（元）",
    "collection_start": "集中征缴期开始（如 2026年9月1日）",
    "collection_end": "集中征缴期截止",
    "deadline": "缴费截止日期（同集中征缴期截止）",
    "supplementary_end": "补缴期截止",
    "payment_channels": "缴费渠道（用“；”连接）",
    "payment_link": "缴费二维码链接",
    "waiting_fixed_months": "固定待遇等待期（月）",
    "waiting_per_year_months": "每断保一年增加的等待期（月）",
    "issuer": "落款单位",
    "bureau_phone": "咨询电话",
    "village": "村（社区）",
    "canvasser": "联系人（--by）",
    "canvasser_phone": "联系人电话",
    "today": "打印日期",
    "addressee": "称呼（逐户打印的信为“某某同学家长”，通用信为“家长”）",
    "guarantees": "参保后的保障（户内有人可享受医疗救助时为“基本医保、大病保险、医疗救助三重保障”）",
}
BLOCKS = {"[二维码]": "qr", "[缴费方式]": "channels", "[资助标准]": "subsidies", "[学生名单]": "students",
          "[签名]": "signature", "[回执]": "receipt", "[成员名单]": "members"}
KINDS = ("title", "subtitle", "heading", "para", "item", "right", "qr", "channels", "subsidies", "students",
         "signature", "receipt", "members")


@dataclass
class Block:
    kind: str  # one of KINDS
    text: str = ""


def builtin_names() -> list[str]:
    return sorted(p.stem for p in resource("templates").glob("*.txt"))


def builtin_text(name: str) -> str:
    path = resource("templates", f"{name}.txt")
    if not path.is_file():
        raise InputError(f"没有名为“{name}”的模板。可用的有：{'、'.join(builtin_names()) or '（无）'}")
    return path.read_text(encoding="utf-8")


def township_text(ws: Workspace, name: str) -> str:
    """The text the township set for every village ('' if none, or reset to the bundled one)."""
    return campaign_value(ws.conn, META_PREFIX + name, "", layers(ws)) or ""


def load(ws: Workspace | None, name: str) -> tuple[str, str]:
    """(text, source): this workspace's own edit ('workspace'), else the township's ('township'),
    else the bundled text ('builtin')."""
    if ws is not None:
        edited = ws.meta(META_PREFIX + name)
        if edited:
            return edited, "workspace"
        sent = township_text(ws, name)
        if sent:
            return sent, "township"
    return builtin_text(name), "builtin"


def save(ws: Workspace, name: str, text: str) -> list[Block]:
    """Store an edited template in the workspace after checking it parses and uses known placeholders."""
    name = (name or "").strip()
    if not name or any(ch in name for ch in "/\\:") or len(name) > 40:
        raise InputError("模板名称只能是简单的名字，例如 leaflet、letter")
    text = text.replace("\r\n", "\n").replace("\r", "\n").lstrip("\ufeff")
    blocks = parse(text)
    if not any(b.kind in ("para", "item", "title") for b in blocks):
        raise InputError("模板中没有可打印的文字")
    if ws.tier.coordinates:
        if township_text(ws, name) != text:
            ws.emit("campaign.set", "campaign", {META_PREFIX + name: text})
    else:
        ws.set_meta(META_PREFIX + name, text)
    return blocks


def reset(ws: Workspace, name: str) -> bool:
    """Drop the edit (at the township: for every village); True if there was one. A village's
    reset brings back the township's text, if it sent one, else the bundled one."""
    if ws.tier.coordinates:
        had = bool(township_text(ws, name))
        if had:
            ws.emit("campaign.set", "campaign", {META_PREFIX + name: ""})
        return had
    had = ws.meta(META_PREFIX + name) is not None
    ws.conn.execute("DELETE FROM meta WHERE key=?", (META_PREFIX + name,))
    return had


def edited_names(ws: Workspace) -> list[str]:
    """Templates this workspace or its township changed."""
    local = {r[0] for r in ws.conn.execute("SELECT key FROM meta WHERE key LIKE ?", (META_PREFIX + "%",))}
    sent = {k for k, (v, _) in campaign_rows(ws.conn, layers(ws)).items() if k.startswith(META_PREFIX) and v != '""'}
    return [k[len(META_PREFIX):] for k in sorted(local | sent)]


def check_placeholders(text: str, line_no: int) -> None:
    try:
        parsed = list(string.Formatter().parse(text))
    except ValueError as exc:
        raise InputError(f"模板第{line_no}行的花括号不成对（要印出花括号请写 {{{{ 或 }}}}）：{text.strip()[:40]}") from exc
    for _, field, spec, conv in parsed:
        if field is None:
            continue
        if field not in FIELDS:
            raise InputError(f"模板第{line_no}行有未知的占位符 {{{field}}}。可用的有：" +
                             "、".join("{" + k + "}" for k in FIELDS))
        if spec or conv:
            raise InputError(f"模板第{line_no}行的占位符 {{{field}}} 不能带格式说明")


def parse(text: str) -> list[Block]:
    """Template text -> blocks (placeholders still unfilled); InputError names the bad line."""
    blocks: list[Block] = []

    for no, raw in enumerate(text.replace("\r\n", "\n").lstrip("\ufeff").split("\n"), 1):
        line = raw.strip()
        if line.startswith("%"):
            continue
        if not line:
            continue
        check_placeholders(line, no)
        if line in BLOCKS:
            blocks.append(Block(BLOCKS[line]))
        elif line.startswith("=="):
            blocks.append(Block("subtitle", line[2:].strip()))
        elif line.startswith("="):
            blocks.append(Block("title", line[1:].strip()))
        elif line.startswith("#"):
            blocks.append(Block("heading", line.lstrip("#").strip()))
        elif line.startswith(("- ", "-", "•")) and len(line) > 1:
            blocks.append(Block("item", line[1:].strip()))
        elif line.startswith(">"):
            blocks.append(Block("right", line[1:].strip()))
        elif line.startswith("[") and line.endswith("]") and len(line) < 12:
            raise InputError(f"模板第{no}行有未知的区块 {line}。可用的有：{'、'.join(BLOCKS)}")
        else:
            blocks.append(Block("para", line))
    return blocks


def fields(camp: Campaign, *, village: str = "", canvasser: str = "", canvasser_phone: str = "",
           addressee: str = "", today: dt.date | None = None) -> dict[str, str]:
    """Placeholder values from the campaign rules (dates as people read them: 2026年12月31日)."""
    v = camp.values
    chans = printed_channels(camp)
    return {
        "coverage_year": str(v["coverage_year"]),
        "collection_year": str(int(v["coverage_year"]) - 1),
        "standard": str(v["standard"]),
        "fiscal_subsidy": str(v.get("fiscal_subsidy") or 0),
        "fiscal_subsidy_text": f"，各级财政再为每人补助{v['fiscal_subsidy']}元" if v.get("fiscal_subsidy") else "",
        "total_funding": str(int(v["standard"]) + int(v.get("fiscal_subsidy") or 0)),
        "collection_start": cn_date(str(v["collection_start"])),
        "collection_end": cn_date(str(v["collection_end"])),
        "deadline": cn_date(str(v["collection_end"])),
        "supplementary_end": cn_date(str(v.get("supplementary_end") or "")),
        "payment_channels": "；".join(chans),
        "payment_link": str(v.get("payment_link") or ""),
        "waiting_fixed_months": str(v["waiting_fixed_months"]),
        "waiting_per_year_months": str(v["waiting_per_year_months"]),
        "issuer": issuer_for(camp, village),
        "bureau_phone": str(v.get("bureau_phone") or "") or "12393",
        "village": village,
        "canvasser": canvasser or "＿＿＿＿",
        "canvasser_phone": canvasser_phone or "＿＿＿＿＿＿",
        "today": cn_date((today or clock.today()).isoformat()),
        "addressee": addressee or "家长",
        "guarantees": guarantees(None),
    }


def guarantees(aid: bool | None) -> str:
    """What enrolment brings, as a notice says it: 医疗救助 only to a household where someone
    qualifies (`aid`); a document for everyone (`None`) says who may have it."""
    if aid is None:
        return "基本医保、大病保险保障，符合条件的困难群众还可按规定享受医疗救助"
    return "基本医保、大病保险、医疗救助三重保障" if aid else "基本医保和大病保险保障"


def fill(blocks: list[Block], values: dict[str, str]) -> list[Block]:
    return [Block(b.kind, b.text.format_map(values) if b.text else "") for b in blocks]


def read_file(path: str | Path) -> str:
    p = Path(path)
    if not p.is_file():
        raise InputError(f"找不到模板文件：{p}")
    raw = p.read_bytes()
    for enc in ("utf-8-sig", "gb18030"):
        try:
            return raw.decode(enc)
        except UnicodeDecodeError:
            continue
    raise InputError("模板文件应为 UTF-8 或 GBK 编码的文本")
