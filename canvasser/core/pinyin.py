"""Pinyin keys for search: initials (zs) and full syllables (zhangsan).

pypinyin costs ~35 µs per name; a 1,000,000-person list would spend 35 s on it. Names draw on a few
thousand characters, so a per-character cache makes it nearly free.
"""

from __future__ import annotations

from functools import lru_cache

from pypinyin import Style, lazy_pinyin


@lru_cache(maxsize=65536)
def _syllable(ch: str) -> str:
    if ch.isascii():
        return ch.lower() if ch.isalnum() else ""
    out = lazy_pinyin(ch, style=Style.NORMAL, errors="ignore")
    return out[0].lower() if out else ""


def keys(name: str) -> tuple[str, str]:
    """(initials, full) for a name, e.g. 张三 -> ("zs", "zhangsan")."""
    syllables = [_syllable(ch) for ch in name]
    syllables = [s for s in syllables if s]
    return "".join(s[0] for s in syllables), "".join(syllables)
