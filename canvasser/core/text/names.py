"""People's names as typed: full-width letters and digits made plain, rare characters found.

A name typed on a phone or copied from an ID-card reader may carry full-width letters or digits
(ＬＩ小明): they are folded to ASCII, the part of NFKC that is safe for names (compatibility
ideographs are left alone: folding them could change a registered character). A rare character
(Extension B and beyond, or one no bundled font can draw) is flagged when a person is imported or
added: it prints as a box to write by hand and most keyboards cannot type it.
"""

from __future__ import annotations

import re

_FULLWIDTH = re.compile("[\uff01-\uff5e\u3000]")
_FOLD = {cp: cp - 0xFEE0 for cp in range(0xFF01, 0xFF5F)} | {0x3000: None}
# a cheap first look: anything but ASCII, the middle dot and the CJK blocks the bundled font draws
_MAYBE_RARE = re.compile("[^\u0020-\u007e\u00b7\u2022\u30fb\u3400-\u4dbf\u4e00-\u9fff\n]")


def fold(name: str) -> str:
    """Full-width letters, digits and signs to ASCII; the ideographic space removed."""
    return name.translate(_FOLD) if _FULLWIDTH.search(name) else name


def fold_all(names: list[str]) -> list[str]:
    """fold() over a chunk of names, with one search over the whole chunk when none needs it."""
    if not _FULLWIDTH.search("\n".join(names)):
        return names
    return [fold(n) for n in names]


def rare_chars(name: str) -> list[str]:
    """The characters of a name that are rare: beyond the BMP (Extension B …) or not printable."""
    from . import fonts  # the font tables load only when a name needs them

    out = [ch for ch in name if ord(ch) >= 0x20000 or 0xE000 <= ord(ch) <= 0xF8FF]
    out += [ch for ch in fonts.missing_chars(name) if ch not in out]
    return out


def rare_in(names: list[str]) -> list[int]:
    """Indexes of the names with a rare character (one regex over the chunk finds most have none)."""
    if not _MAYBE_RARE.search("\n".join(names)):
        return []
    return [i for i, n in enumerate(names) if rare_chars(n)]


def warning(name: str) -> str:
    """A one-line Chinese warning for a name with rare characters ('' when there are none)."""
    chars = rare_chars(name)
    if not chars:
        return ""
    return (f"姓名“{name}”含生僻字“{''.join(chars)}”：打印时留出方框请手写补全，"
            "查找时可输入其余的字或拼音首字母")
