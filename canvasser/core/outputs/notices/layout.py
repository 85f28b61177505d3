"""Page geometry and text drawing shared by every printed form.

Everything is drawn with the bundled font (an Extension-B fallback for the rare characters it lacks);
reportlab's built-in Helvetica is never referenced, so every font in the file is embedded. A
character no font has is drawn as a dashed hand-fill box (and extracted as "□"), never as a blank.
Sizes are chosen for cheap village printers: A4, margins ≥ 15 mm, body text ≥ 10.5 pt, black only.
"""

from __future__ import annotations

import contextlib
import os
import re
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas

from ...errors import Cancelled
from ...storage import files
from ...text import fonts

PAGE_W, PAGE_H = A4
MARGIN = 18 * mm
BODY = 11.0  # pt; never below 10.5 on anything handed out
PLACEHOLDER = "□"  # what a character no font has becomes in the text layer

# Characters that must not begin a line, and ones that must not end it (GB/T 15834 practice).
_NO_START = set("，。、；：？！）》」』”’〉】…—·,.;:?!)]}%")
_NO_END = set("（《「『“‘〈【([{")
# a token never broken when it fits on a line: a Latin word or number, or a short bracketed phrase
# such as （待核实）, so no bracket is left alone at the end or the start of a line
_TOKEN = re.compile(r"（[^（）\n]{1,12}）|\([^()\n]{1,12}\)|[A-Za-z0-9@#&_\-+=/.:%?]+|.", re.S)

ProgressCb = Callable[[int, str], object]


def main_font() -> str:
    return fonts.register()


def new_canvas(target: str | Path | BinaryIO, *, title: str, landscape_page: bool = False) -> Canvas:
    """A canvas whose initial font is the bundled one, so no standard font is ever referenced."""
    size = landscape(A4) if landscape_page else A4
    c = Canvas(target, pagesize=size, pageCompression=1, initialFontName=main_font(), initialFontSize=BODY,
               initialLeading=BODY * 1.4)
    c.setTitle(title)
    c.setAuthor("canvasser")
    c.setCreator("canvasser")
    c.setFillGray(0)
    c.setStrokeGray(0)
    return c


@contextlib.contextmanager
def atomic_output(out: str | Path | BinaryIO):
    """Yield a path (or the stream) to write; a file path is replaced only when writing succeeded."""
    if not isinstance(out, (str, os.PathLike)):
        yield out
        return
    dest = Path(out)
    dest.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".canvasser-", suffix=".pdf", dir=dest.parent)
    os.close(fd)
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(tmp, 0o666 & ~umask)
    try:
        yield tmp
        files.replace(tmp, dest)
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)


class Progress:
    """Calls cb(done, message) every few steps; a False answer cancels (raises errors.Cancelled)."""

    def __init__(self, cb: ProgressCb | None, every: int = 20):
        self.cb = cb
        self.every = every

    def __call__(self, done: int, message: str, *, force: bool = False) -> None:
        if self.cb is None or not (force or done % self.every == 0):
            return
        if self.cb(done, message) is False:
            raise Cancelled("打印已取消，未生成文件")

    def finished(self, done: int, message: str = "完成") -> None:
        """The last report: the file is written, so the answer no longer cancels anything."""
        if self.cb is not None:
            self.cb(done, message)


def width(text: str, size: float) -> float:
    """Printed width of `text` in points, fallback font and placeholder boxes included."""
    total = 0.0
    for font, chunk in fonts.runs(text):
        total += stringWidth(chunk, font, size) if font else size * len(chunk)
    return total


def draw(c: Canvas, x: float, y: float, text: str, size: float = BODY, *, align: str = "left",
         bold: bool = False) -> float:
    """Draw one line of text at baseline y; returns its width."""
    parts = fonts.runs(text)
    if align != "left":
        w = width(text, size)
        x = x - w if align == "right" else x - w / 2
    start = x
    for font, chunk in parts:
        if font is None:
            x = _placeholder(c, x, y, chunk, size)
            continue
        if bold:  # fill+stroke; the render mode is graphics state, so keep it inside q/Q
            c.saveState()
            c.setLineWidth(size * 0.035)
            t = c.beginText(x, y)
            t.setFont(font, size)
            t.setTextRenderMode(2)
            t.textOut(chunk)
            c.drawText(t)
            c.restoreState()
        else:
            c.setFont(font, size)
            c.drawString(x, y, chunk)
        x += stringWidth(chunk, font, size)
    return x - start


def draw_cells(c: Canvas, cells: list[tuple[float, float, str]], size: float = BODY) -> None:
    """Draw several short texts (a table row) in one text object: far fewer operators than one
    drawString each. Texts needing the fallback font or a placeholder box go through draw()."""
    main, slow = main_font(), []
    t = c.beginText()
    t.setFont(main, size)
    for x, y, text in cells:
        if not text:
            continue
        if len(fonts.runs(text)) != 1 or fonts.runs(text)[0][0] != main:
            slow.append((x, y, text))
            continue
        t.setTextOrigin(x, y)
        t.textOut(text)
    c.drawText(t)
    for x, y, text in slow:
        draw(c, x, y, text, size)


@contextlib.contextmanager
def binary_streams():
    """Flate-compressed streams without the ASCII85 layer reportlab adds by default: a quarter
    smaller and much faster to write (reportlab's pure-Python base-85 encoder is slow)."""
    from reportlab import rl_config

    old = rl_config.useA85
    rl_config.useA85 = 0
    try:
        yield
    finally:
        rl_config.useA85 = old


def _placeholder(c: Canvas, x: float, y: float, chunk: str, size: float) -> float:
    """A dashed box per undrawable character (a place to write it by hand); "□" in the text layer."""
    for _ in chunk:
        c.saveState()
        c.setLineWidth(0.6)
        c.setDash(1.5, 1.2)
        c.rect(x + size * 0.06, y - size * 0.14, size * 0.88, size * 0.96, stroke=1, fill=0)
        t = c.beginText(x + size * 0.06, y)
        t.setFont(main_font(), size)
        t.setTextRenderMode(3)  # invisible: only so that copying or pdftotext shows the gap
        t.textOut(PLACEHOLDER)
        c.drawText(t)
        c.restoreState()
        x += size
    return x


def wrap(text: str, size: float, max_width: float, first_width: float | None = None) -> list[str]:
    """Break text into lines no wider than max_width (the very first one first_width): any CJK
    character may break, Latin words and numbers stay whole when they fit, and closing punctuation
    never starts a line."""
    lines: list[str] = []

    def cap() -> float:
        return first_width if (first_width is not None and not lines) else max_width

    for para in (text or "").split("\n"):
        toks: list[str] = []  # the current line, as tokens (a Latin word is one token)
        line_w = 0.0
        for tok in _TOKEN.findall(para):
            tw = width(tok, size)
            if toks and line_w + tw > cap():
                carry: list[str] = []
                if len(toks) > 1 and (tok[0] in _NO_START or toks[-1][-1] in _NO_END):
                    carry = [toks.pop()]
                lines.append("".join(toks))
                toks, line_w = carry, sum(width(t, size) for t in carry)
            if tw > cap():  # a long URL or number, a long bracket: break it by characters
                for ch in tok:
                    cw = width(ch, size)
                    if toks and line_w + cw > cap():
                        carry = [toks.pop()] if len(toks) > 1 and (ch in _NO_START or toks[-1] in _NO_END) else []
                        lines.append("".join(toks))
                        toks, line_w = carry, sum(width(t, size) for t in carry)
                    toks.append(ch)
                    line_w += cw
                continue
            toks.append(tok)
            line_w += tw
        lines.append("".join(toks))
    return lines


def paragraph(c: Canvas | None, x: float, y: float, text: str, max_width: float, *, size: float = BODY,
              leading: float | None = None, indent: float = 0.0, bold: bool = False) -> float:
    """Draw (or, with c=None, only measure) a wrapped paragraph whose first baseline is y; `indent` is
    the first line's indent in characters. Returns the y of the next baseline below it."""
    leading = leading or size * 1.5
    first = size * indent
    for i, line in enumerate(wrap(text, size, max_width, max_width - first)):
        if c is not None:
            draw(c, x + (first if i == 0 else 0), y, line, size, bold=bold)
        y -= leading
    return y


def hline(c: Canvas, x1: float, x2: float, y: float, w: float = 0.6, dash: tuple | None = None) -> None:
    c.saveState()
    c.setLineWidth(w)
    if dash:
        c.setDash(*dash)
    c.line(x1, y, x2, y)
    c.restoreState()


def box(c: Canvas, x: float, y: float, s: float) -> None:
    """An empty tick box (bottom-left at x, y)."""
    c.saveState()
    c.setLineWidth(0.8)
    c.rect(x, y, s, s, stroke=1, fill=0)
    c.restoreState()


def cn_date(iso: str) -> str:
    """2026-12-31 -> 2026年12月31日 (what people read on paper)."""
    try:
        y, m, d = (int(p) for p in iso[:10].split("-"))
    except ValueError:
        return iso
    return f"{y}年{m}月{d}日"


@dataclass
class Missing:
    """Characters of one person's name/address that no font can draw."""

    name: str
    char: str
    id: str  # masked
    field: str = "name"

    def as_dict(self) -> dict:
        return {"name": self.name, "char": self.char, "id": self.id, "field": self.field}


@dataclass
class PrintResult:
    """What a printing function made: counts for the summary and the glyph warnings."""

    out: str
    households: int = 0
    pages: int = 0
    persons: int = 0
    missing_glyphs: list[Missing] = field(default_factory=list)
    extra: dict = field(default_factory=dict)

    def as_json(self) -> dict:
        return {"out": self.out, "households": self.households, "pages": self.pages, "persons": self.persons,
                "missing_glyphs": [m.as_dict() for m in self.missing_glyphs], **self.extra}
