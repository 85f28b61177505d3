"""Glyph preflight: every character of every printed name and address is checked against the fonts
before anything is drawn, so a rare character no font has is reported by person and character (and
printed as a dashed hand-fill box with a note) instead of silently becoming a blank box."""

from __future__ import annotations

from collections.abc import Iterable

from ...rules import groups
from ...storage.store import Workspace
from ...text import fonts, ids
from .layout import Missing


def check_people(people: Iterable[dict], fields: tuple[str, ...] = ("name", "address")) -> list[Missing]:
    """Missing glyphs for persons (dicts with pid and the fields), one entry per person, field and char."""
    out: list[Missing] = []
    seen: set[tuple[str, str, str]] = set()
    for p in people:
        for f in fields:
            for ch in fonts.missing_chars(p.get(f) or ""):
                key = (p.get("pid", ""), f, ch)
                if key in seen:
                    continue
                seen.add(key)
                out.append(Missing(name=p.get("name") or "", char=ch, id=ids.mask(p.get("pid") or ""), field=f))
    return out


def check_workspace(ws: Workspace, households: list[str] | None = None) -> list[Missing]:
    """Every active person's name and address (optionally of some households only): what the GUI
    shows before the print dialog, and what the township checks after importing a list."""
    sql = "SELECT pid, name, address FROM persons WHERE active = 1"
    params: tuple = ()
    if households:
        sql += f" AND household IN ({','.join('?' * len(households))})"
        params = tuple(households)
    return check_people(ws.query(sql + f" ORDER BY village, {groups.rank_sql(ws.conn)}, household, pid", params))


def check_text(text: str, where: str) -> list[Missing]:
    """Missing glyphs in template or campaign text (no person: `name` says where it was)."""
    return [Missing(name=where, char=ch, id="", field="text") for ch in fonts.missing_chars(text)]


def summary(missing: list[Missing]) -> str:
    """One Chinese line per person for the CLI/GUI warning (masked IDs only)."""
    lines = []
    for m in missing:
        what = {"name": "姓名", "address": "地址", "text": "文字"}.get(m.field, m.field)
        who = f"{m.name}（{m.id}）" if m.id else m.name
        lines.append(f"  {who} 的{what}中有字体缺少的字“{m.char}”（U+{ord(m.char):04X}），已印为虚线方框，请手写补全")
    return "\n".join(lines)
