"""The bundled CJK font for PDFs (reportlab), and a glyph preflight.

reportlab embeds only TrueType (glyf) fonts, so we ship WenQuanYi Zen Hei (CJK Unified + Extension A
+ Latin) and, where the system has one, use an Extension-B font as a fallback. A character that no
font has is reported before printing instead of being printed as an empty box.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from ..paths import resource

FONT_NAME = "CJK"
FONT_FILE = "wqy-zenhei.ttc"
EXTB_CANDIDATES = (
    "C:/Windows/Fonts/simsunb.ttf", "C:/Windows/Fonts/SimSun-ExtB.ttf", "C:/Windows/Fonts/mingliub.ttc",
    "/usr/share/fonts/truetype/hanazono/HanaMinB.ttf", "/usr/share/fonts/opentype/hanazono/HanaMinB.ttf",
)


def font_path() -> Path:
    return resource("fonts", FONT_FILE)


@lru_cache(maxsize=1)
def register() -> str:
    """Register the bundled font with reportlab once; returns its name."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    if FONT_NAME not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont(FONT_NAME, str(font_path()), subfontIndex=0))
    return FONT_NAME


@lru_cache(maxsize=1)
def _cmap() -> frozenset[int]:
    from reportlab.pdfbase import pdfmetrics

    return frozenset(pdfmetrics.getFont(register()).face.charToGlyph)


def has_glyph(ch: str) -> bool:
    return ord(ch) in _cmap() or ch in "\n\r\t"


def missing_chars(text: str) -> list[str]:
    """Characters of `text` the bundled font cannot draw, in order, without repeats."""
    out: list[str] = []
    for ch in text or "":
        if not has_glyph(ch) and ch not in out:
            out.append(ch)
    return out
