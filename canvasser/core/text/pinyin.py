"""Pinyin keys for search: initials (zs) and full syllables (zhangsan).

pypinyin costs ~35 µs per name; a 1,000,000-person list would spend 35 s on it. Names draw on a few
thousand characters, so each character's syllable is looked up once and kept.
"""

from __future__ import annotations

import os

# Names are looked up a character at a time, so pypinyin's phrase dictionary is never used: without
# it pypinyin loads in a third of the time and takes 44 MB less memory, in every command and the
# window (a character's reading is the same either way: all 70,816 CJK characters compared).
os.environ.setdefault("PYPINYIN_NO_PHRASES", "true")
os.environ.setdefault("PYPINYIN_NO_DICT_COPY", "true")

from pypinyin import Style, lazy_pinyin  # noqa: E402 — after the settings above, which it reads on import

_FULL: dict[str, str] = {}  # character → its syllable ("" for what has none)
_INITIAL: dict[str, str] = {}  # character → the syllable's first letter


def _learn(text: str) -> None:
    for ch in text:
        if ch in _FULL:
            continue
        if ch.isascii():
            syllable = ch.lower() if ch.isalnum() else ""
        else:
            out = lazy_pinyin(ch, style=Style.NORMAL, errors="ignore")
            syllable = out[0].lower() if out else ""
        _FULL[ch] = syllable
        _INITIAL[ch] = syllable[:1]


def keys(name: str) -> tuple[str, str]:
    """(initials, full) for a name, e.g. 张三 -> ("zs", "zhangsan")."""
    try:
        return "".join(map(_INITIAL.__getitem__, name)), "".join(map(_FULL.__getitem__, name))
    except KeyError:
        _learn(name)
        return "".join(map(_INITIAL.__getitem__, name)), "".join(map(_FULL.__getitem__, name))
