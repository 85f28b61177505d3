"""The type of every campaign setting, and the one check that converts and refuses values.

A clerk types `bureau_phone=12393` (which JSON reads as a number), `collection_end=明天`, a path to
the county's payment-code picture: each value is converted to its setting's type or refused with a
Chinese reason naming the setting, before anything is stored. The same check runs when settings are
read back, so a value stored by an older version or received in a package never reaches printing
with the wrong type.
"""

from __future__ import annotations

import base64
import datetime as dt
import re
from pathlib import Path

from .. import outcomes
from ..errors import InputError
from ..outcomes import outcome_code

DATE_KEYS = ("collection_start", "collection_end", "supplementary_end")
INT_RANGES: dict[str, tuple[int, int]] = {
    "coverage_year": (2000, 2100), "standard": (0, 100000), "fiscal_subsidy": (0, 100000),
    "waiting_fixed_months": (0, 60), "waiting_per_year_months": (0, 60), "silent_days": (1, 365),
    "first_year": (2000, 2100), "lock_minutes": (1, 240),
}
TEXT_KEYS: dict[str, int] = {"bureau_phone": 40, "issuer": 40, "payment_caption": 40}  # key: longest length
LIST_KEYS = ("special_groups", "payment_channels", "done_outcomes")
NUMBER_MAPS = ("subsidies", "targets", "township_targets")
KEYWORD_MAPS = ("departments",)  # name → category keywords (a department and the people it answers for)
BOOL_KEYS = ("village_collects",)
_TRUE, _FALSE = ("1", "true", "yes", "是", "允许", "on"), ("0", "false", "no", "否", "不允许", "off", "")
IMAGE_MAX = 1 << 20  # a payment code is a few dozen kilobytes; a megabyte is surely a photo by mistake
_PHONE = re.compile(r"^[0-9０-９\-－ ()（）转,，、/]+$")


def _text(value) -> str:
    if isinstance(value, bool) or isinstance(value, (dict, list)):
        raise ValueError
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _no_controls(text: str, label: str) -> str:
    if any(ord(ch) < 0x20 or 0x7F <= ord(ch) < 0xA0 for ch in text):
        raise InputError(f"{label}含有控制字符")
    return text


def check(key: str, value, label: str):
    """The value converted to the type of setting `key`, or InputError with a one-line reason."""
    try:
        if key in DATE_KEYS:
            text = _text(value)
            try:
                return dt.date.fromisoformat(text).isoformat()
            except ValueError:
                raise InputError(f"{label}日期格式应为 YYYY-MM-DD：{text}") from None
        if key in INT_RANGES:
            lo, hi = INT_RANGES[key]
            try:
                n = int(_text(value))
            except ValueError:
                raise InputError(f"{label}应为整数：{value}") from None
            if not lo <= n <= hi:
                raise InputError(f"{label}应在 {lo} 到 {hi} 之间：{n}")
            return n
        if key in TEXT_KEYS:
            text = _no_controls(_text(value), label)
            if len(text) > TEXT_KEYS[key]:
                raise InputError(f"{label}太长（最多 {TEXT_KEYS[key]} 个字）")
            if key == "bureau_phone" and text and not _PHONE.match(text):
                raise InputError(f"{label}只能写电话号码：{text}")
            return text
        if key in BOOL_KEYS:
            if isinstance(value, bool):
                return value
            text = _text(value).lower()
            if text in _TRUE:
                return True
            if text in _FALSE:
                return False
            raise InputError(f"{label}应为 1（是）或 0（否）：{text}")
        if key == "payment_link":
            return payment_link(_text(value), label)
        if key == "payment_image":
            return payment_image(value, label)
        if key in LIST_KEYS:
            if isinstance(value, str):
                value = [p for p in re.split(r"[；;\n]", value) if p.strip()]
            if not isinstance(value, list):
                raise ValueError
            items = [_no_controls(_text(v), label) for v in value]
            if key == "done_outcomes":
                return _done_outcomes(items, label)
            return [v for v in items if v]
        if key in NUMBER_MAPS:
            if not isinstance(value, dict):
                raise ValueError
            out = {}
            for k, v in value.items():
                try:
                    n = int(_text(v))
                except ValueError:
                    raise InputError(f"{label}中“{k}”的数值应为整数：{v}") from None
                if n < 0:
                    raise InputError(f"{label}中“{k}”的数值不能为负：{n}")
                out[_no_controls(_text(k), label)] = n
            return out
        if key in KEYWORD_MAPS:
            return keyword_map(value, label)
    except InputError:
        raise
    except ValueError:
        raise InputError(f"{label}的值类型不对：{str(value)[:40]}") from None
    return value


def keyword_map(value, label: str) -> dict[str, list[str]]:
    """name → its category keywords (a keyword list may be typed as "低保、特困")."""
    if not isinstance(value, dict):
        raise ValueError
    out = {}
    for name, words in value.items():
        if isinstance(words, str):
            words = [w for w in re.split(r"[、,，;；\s]+", words) if w]
        if not isinstance(words, list) or not words:
            raise InputError(f"{label}中“{name}”应列出至少一个人员类别关键词")
        out[_no_controls(_text(name), label)] = [_no_controls(_text(w), label) for w in words if _text(w)]
    return out


def payment_link(text: str, label: str = "缴费二维码链接") -> str:
    """An http(s) link (or '' for none)."""
    if not text:
        return ""
    if not re.match(r"^https?://[^\s/]+", text, re.I) or any(ord(ch) < 0x21 for ch in text):
        raise InputError(f"{label}应为 http:// 或 https:// 开头的网址：{text[:60]}")
    if len(text) > 1000:
        raise InputError(f"{label}太长")
    return text


def image_kind(data: bytes) -> str:
    """'png' or 'jpeg' from the file's first bytes, '' for anything else."""
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if data.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    return ""


def payment_image(value, label: str = "缴费码图片") -> str:
    """A payment-code picture as a data: URI, from a PNG/JPEG file path or a data: URI ('' for none)."""
    if value in (None, ""):
        return ""
    if not isinstance(value, str):
        raise ValueError
    if value.startswith("data:image/"):
        try:
            data = base64.b64decode(value.split(",", 1)[1], validate=True)
        except (IndexError, ValueError):
            raise InputError(f"{label}数据已损坏") from None
    else:
        path = Path(value.strip().strip('"'))
        if not path.is_file():
            raise InputError(f"找不到{label}文件：{path}")
        if path.stat().st_size > IMAGE_MAX:
            raise InputError(f"{label}文件太大（最大 1 MB）：{path.name}")
        data = path.read_bytes()
    if len(data) > IMAGE_MAX:
        raise InputError(f"{label}太大（最大 1 MB）")
    kind = image_kind(data)
    if not kind:
        raise InputError(f"{label}应为 PNG 或 JPG 图片")
    try:
        import io

        from PIL import Image

        with Image.open(io.BytesIO(data)) as im:
            im.verify()
    except Exception:  # noqa: BLE001 - any decoder failure means a picture we cannot print
        raise InputError(f"{label}无法读取（文件损坏或不是图片）") from None
    return f"data:image/{kind};base64," + base64.b64encode(data).decode("ascii")


def image_bytes(uri: str) -> bytes:
    """The picture stored by payment_image ('' -> b'')."""
    if not uri:
        return b""
    return base64.b64decode(uri.split(",", 1)[1])


def _done_outcomes(items: list[str], label: str) -> list[str]:
    """Outcomes (codes or labels) that may count as done: anything but work still to do
    (`outcomes.never_done`: a refusal, a promise, nobody at home or reached). Counted as done, they
    would take people off every follow-up list while the ledgers still call them unfinished."""
    codes = list(dict.fromkeys(outcome_code(v) for v in items if v))
    wrong = [c for c in codes if c in outcomes.never_done()]
    if wrong:
        raise InputError(f"{label}里不能有“{'、'.join(outcomes.label(c) for c in wrong)}”：这些人还需要跟进，"
                         f"不能算完成")
    return codes
