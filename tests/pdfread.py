"""Reading a PDF back as a reader would, in Python, so the same tests run on Linux and on Windows:
text and word boxes with pdfminer.six, fonts from the PDF's own objects (pdfminer.six), pages drawn by
pypdfium2 and QR codes read from them by zxing-cpp (both ship their native code in their wheels).

Words follow `pdftotext -bbox`: characters drawn one after another on one baseline, with no gap wider
than a tenth of the font size between them and no space among them; boxes in points from the top left
of the page. Lines are the words of one baseline, left to right; pages end with a form feed.
"""

from __future__ import annotations

import io
from functools import lru_cache
from pathlib import Path
from typing import NamedTuple

Word = tuple[float, float, float, float, str]  # x0, top, x1, bottom, text


class Font(NamedTuple):
    name: str  # the BaseFont, e.g. "AAAAAA+WenQuanYiZenHei"
    embedded: bool


def _bytes(path: Path | str) -> bytes:
    return Path(path).read_bytes()  # no handle left open: Windows could not delete the file after


@lru_cache(maxsize=8)
def _pages(data: bytes) -> tuple[tuple[tuple[float, float, float, float, str, float], ...], ...]:
    """Each page's characters in drawing order: (x0, top, x1, bottom, text, size)."""
    from pdfminer.high_level import extract_pages
    from pdfminer.layout import LTChar, LTContainer

    def walk(item, height: float, chars: list) -> None:
        if isinstance(item, LTChar):
            chars.append((item.x0, height - item.y1, item.x1, height - item.y0, item.get_text(), item.size))
        elif isinstance(item, LTContainer):
            for child in item:
                walk(child, height, chars)

    pages = []
    for page in extract_pages(io.BytesIO(data), laparams=None):
        chars: list[tuple[float, float, float, float, str, float]] = []
        walk(page, page.height, chars)
        pages.append(tuple(chars))
    return tuple(pages)


def _words(chars) -> list[Word]:
    words: list[list] = []
    last = None
    for x0, top, x1, bottom, text, size in chars:
        if not text.strip():
            last = None
            continue
        same_word = (last is not None and abs(bottom - last[3]) < 0.1 * size
                     and -0.3 * size < x0 - last[2] < 0.1 * size)
        if same_word:
            w = words[-1]
            w[0], w[1], w[2], w[3] = min(w[0], x0), min(w[1], top), max(w[2], x1), max(w[3], bottom)
            w[4] += text
        else:
            words.append([x0, top, x1, bottom, text, size])
        last = (x0, top, x1, bottom)
    return [(round(a, 2), round(b, 2), round(c, 2), round(d, 2), t) for a, b, c, d, t, _ in words]


def _rows(words: list[Word]) -> list[list[Word]]:
    """The words grouped by baseline, top to bottom, each row left to right."""
    rows: list[list[Word]] = []
    for w in sorted(words, key=lambda w: (w[3], w[0])):
        if rows and abs(rows[-1][0][3] - w[3]) < 0.4 * (w[3] - w[1]):
            rows[-1].append(w)
        else:
            rows.append([w])
    return [sorted(row, key=lambda w: w[0]) for row in rows]


def page_words(path: Path | str) -> list[list[Word]]:
    """Every page's words with their boxes, in reading order (rows top to bottom, left to right)."""
    return [[w for row in _rows(_words(chars)) for w in row] for chars in _pages(_bytes(path))]


def pdfwords(path: Path | str, page: int = 1) -> list[Word]:
    """The words of one page with their boxes (x0, y0, x1, y1, text; points from the top left), so a
    test reads a drawn box by position rather than by a reader's guess at reading order."""
    return page_words(path)[page - 1]


def text_in_box(words: list[Word], x0: float, y0: float, x1: float, y1: float) -> str:
    """The text of the words lying inside a box, line by line (top to bottom, then left to right)."""
    inside = [w for w in words if w[0] >= x0 and w[2] <= x1 and w[1] >= y0 and w[3] <= y1]
    return "".join(w[4] for w in sorted(inside, key=lambda w: (round(w[1]), w[0])))


def _lines(words: list[Word], layout: bool) -> list[str]:
    lines = []
    for row in _rows(words):
        text, end = row[0][4], row[0][2]
        for w in row[1:]:
            gap = w[0] - end
            if gap < 0.05 * (w[3] - w[1]):
                text += w[4]  # drawn separately, touching: one word to a reader
            else:  # -layout keeps columns apart by about one space per half an em
                text += " " * (max(1, round(gap / (0.5 * (w[3] - w[1])))) if layout else 1) + w[4]
            end = max(end, w[2])
        lines.append(text)
    return lines


def pdftext(path: Path | str, layout: bool = False) -> str:
    """The text of every page, line by line (a page ends with a form feed, as pdftotext's)."""
    return "".join("\n".join(_lines(words, layout)) + "\n\f" for words in page_words(path))


def pages_of(path: Path | str) -> int:
    return len(_pages(_bytes(path)))


def pdffonts(path: Path | str) -> list[Font]:
    """The fonts the pages use, each once, and whether the file carries the font program."""
    from pdfminer.pdfdocument import PDFDocument
    from pdfminer.pdfpage import PDFPage
    from pdfminer.pdfparser import PDFParser
    from pdfminer.pdftypes import resolve1

    doc = PDFDocument(PDFParser(io.BytesIO(_bytes(path))))
    seen: dict[str, Font] = {}
    for page in PDFPage.create_pages(doc):
        for ref in (resolve1(page.resources.get("Font")) or {}).values():
            font = resolve1(ref)
            name = getattr(resolve1(font.get("BaseFont")), "name", str(font.get("BaseFont")))
            desc = resolve1(font.get("FontDescriptor"))
            if desc is None and font.get("DescendantFonts"):
                desc = resolve1(resolve1(resolve1(font["DescendantFonts"])[0]).get("FontDescriptor"))
            embedded = bool(desc) and any(k in desc for k in ("FontFile", "FontFile2", "FontFile3"))
            seen.setdefault(name, Font(name, embedded))
    return list(seen.values())


def qr_codes(path: Path | str, first: int = 1, last: int | None = None, dpi: int = 150) -> list[str]:
    """The QR codes on pages first..last, read from the pages drawn at `dpi`, as a phone reads paper."""
    import pypdfium2
    import zxingcpp

    codes = []
    doc = pypdfium2.PdfDocument(_bytes(path))
    try:
        for i in range(first - 1, len(doc) if last is None else min(last, len(doc))):
            image = doc[i].render(scale=dpi / 72, grayscale=True).to_pil()
            codes += [c.text for c in zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode)]
    finally:
        doc.close()
    return codes
