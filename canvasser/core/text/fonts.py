"""The bundled CJK font for PDFs (reportlab), an Extension-B fallback, and a glyph preflight.

reportlab embeds only TrueType (glyf) fonts, so we ship WenQuanYi Zen Hei (CJK Unified + Extension A
+ Latin) and, where the system has one, use an Extension-B font as a fallback for the characters the
bundled font lacks. A character that no font has is reported before printing instead of being
printed as an empty box.
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

from ...paths import resource
from .cells import clean

FONT_NAME = "CJK"
FALLBACK_NAME = "CJKB"
FONT_FILE = "wqy-zenhei.ttc"
_WIN_FONTS = os.path.join(os.environ.get("WINDIR") or os.environ.get("SystemRoot") or "C:\\Windows", "Fonts")
_USER_FONTS = os.path.join(os.environ.get("LOCALAPPDATA", ""), "Microsoft", "Windows", "Fonts")  # per-user installs
EXTB_CANDIDATES = (
    *(os.path.join(folder, name) for folder in (_WIN_FONTS, _USER_FONTS)
      for name in ("simsunb.ttf", "SimSun-ExtB.ttf", "mingliub.ttc")),
    "/usr/share/fonts/truetype/hanazono/HanaMinB.ttf", "/usr/share/fonts/opentype/hanazono/HanaMinB.ttf",
)
# The same fonts' family names, as the window asks the system for them (ui.app.extb_family)
EXTB_FAMILIES = ("SimSun-ExtB", "MingLiU-ExtB", "HanaMinB")
# A user (or a test) may name another TrueType font to try first, e.g. one copied from another PC.
FALLBACK_ENV = "CANVASSER_EXTB_FONT"

_fallback_override: list[str] | None = None


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


def fallback_candidates() -> list[str]:
    """Where an Extension-B font may be: the override, the environment variable, then the usual places."""
    if _fallback_override is not None:
        return list(_fallback_override)
    env = os.environ.get(FALLBACK_ENV, "")
    return [p for p in env.split(os.pathsep) if p] + list(EXTB_CANDIDATES)


def use_fallback_candidates(paths: list[str] | None) -> None:
    """Replace the fallback search list (None restores the default); clears what was registered."""
    global _fallback_override
    _fallback_override = None if paths is None else [str(p) for p in paths]
    _fallback.cache_clear()
    _fallback_cmap.cache_clear()


@lru_cache(maxsize=1)
def _fallback() -> str | None:
    """Register the first usable fallback font; its registered name, or None when there is none."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    for i, path in enumerate(fallback_candidates()):
        if not Path(path).is_file():
            continue
        name = f"{FALLBACK_NAME}{i}" if i else FALLBACK_NAME
        try:
            if name not in pdfmetrics.getRegisteredFontNames():
                pdfmetrics.registerFont(TTFont(name, path, subfontIndex=0))
            return name
        except Exception:  # noqa: BLE001 — a CFF/broken font is simply not a usable fallback
            continue
    return None


@lru_cache(maxsize=1)
def _cmap() -> frozenset[int]:
    from reportlab.pdfbase import pdfmetrics

    return frozenset(pdfmetrics.getFont(register()).face.charToGlyph)


@lru_cache(maxsize=1)
def _fallback_cmap() -> frozenset[int]:
    from reportlab.pdfbase import pdfmetrics

    name = _fallback()
    return frozenset(pdfmetrics.getFont(name).face.charToGlyph) if name else frozenset()


def has_glyph(ch: str) -> bool:
    """Whether the bundled font alone can draw `ch`."""
    return ord(ch) in _cmap() or ch in "\n\r\t"


def font_for(ch: str) -> str | None:
    """The font that draws `ch`: the bundled one, else the fallback, else None (nobody can)."""
    if has_glyph(ch):
        return register()
    if ord(ch) in _fallback_cmap():
        return _fallback()
    return None


def missing_chars(text: str) -> list[str]:
    """Characters of `text` no available font (bundled or fallback) can draw, in order, without repeats."""
    out: list[str] = []
    cmap = _cmap()
    for ch in text or "":
        if ord(ch) not in cmap and ch not in out and ch not in "\n\r\t" and font_for(ch) is None:
            out.append(ch)
    return out


def runs(text: str) -> list[tuple[str | None, str]]:
    """Split `text` into (font name, chunk) runs; font None marks characters nobody can draw. Control
    and invisible characters (a bidi override that came in a package) are never drawn (cells.clean)."""
    text = clean(text)
    main = register()
    cmap = _cmap()
    if all(ord(ch) in cmap for ch in text):
        return [(main, text)] if text else []
    out: list[tuple[str | None, str]] = []
    for ch in text:
        font = main if ord(ch) in cmap else font_for(ch)
        if out and out[-1][0] == font and font is not None:
            out[-1] = (font, out[-1][1] + ch)
        else:
            out.append((font, ch))
    return out
