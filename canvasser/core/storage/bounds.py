"""How much a read may take: every decompression and every spreadsheet read has a bound.

Everything from outside is hostile, a file from an insider too: a 1 MB xlsx can hold a 1 GB shared
string, a 3 MB package a zlib stream that inflates to gigabytes. Each is refused here, in seconds and
with little memory, with a Chinese message, before any library is asked to read it whole.

- **Workbooks** (xlsx, xlsm, ods: zip files). The zip's central directory says how big each part is;
  python-calamine's zip reader refuses a part that inflates past its declared size ("larger than its
  declared uncompressed size"), so the declared sizes bound what it can take. They are checked first
  (`check_workbook`): no part over `PART_MAX`, the shared strings under `SHARED_MAX`, all parts under
  `WORKBOOK_MAX`, at most `PARTS_MAX` parts, and no big part compressed more than `RATIO_MAX` times
  (a real sheet compresses about 9 times, a bomb a thousand). The shared strings are then read once,
  streamed: no single string may be longer than `STRING_MAX` (Excel's own cell limit is 32,767
  characters, about 128 KB). The sheets themselves are not read twice (a million-row list would pay
  for it, issue 32): their declared size and ratio bound them.
- **Package parts** (`inflate`): the events of a package inflate to at most `max(INFLATE_FLOOR,
  INFLATE_RATIO x compressed)`, so a bomb stops at a few hundred MB instead of gigabytes.
- **Photos**: at most `PHOTO_MAX` each, taken only with the visit that refers to them.
"""

from __future__ import annotations

import zipfile
import zlib
from pathlib import Path

from ..errors import InputError

MB = 1 << 20
PART_MAX = 1024 * MB        # one sheet's XML: a million rows of a bureau's list is about half of it
SHARED_MAX = 256 * MB       # the shared strings: a million people's names, IDs and addresses fit
WORKBOOK_MAX = 2048 * MB    # all parts together
PARTS_MAX = 10_000
RATIO_MAX = 200             # for parts of RATIO_FROM or more: a real sheet is ~9, a bomb ~1000
RATIO_FROM = 8 * MB
STRING_MAX = 1 * MB         # bytes of XML between two shared strings' ends (Excel: 32,767 characters)
SCAN_CHUNK = 4 * MB

INFLATE_FLOOR = 64 * MB     # a small package may hold a campaign's payment picture: never less than this
INFLATE_RATIO = 30          # event JSON compresses 9-12 times (measured): room to spare, a bomb is ~1000

PHOTO_MAX = 20 * MB         # one evidence photo or scanned PDF

ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = bytes.fromhex("D0CF11E0A1B11AE1")


def _mb(n: int) -> str:
    return f"{n / MB:.0f} MB" if n >= MB else f"{max(1, n // 1024)} KB"


class TooBig(InputError):
    """Input past a bound: refused before it was read whole; nothing was written."""


def sniff(path: Path) -> str:
    """What a file really is, by its first bytes: 'zip' (xlsx, ods), 'ole' (xls), else 'text'."""
    with open(path, "rb") as f:
        head = f.read(8)
    if head.startswith(ZIP_MAGIC) or head.startswith(b"PK\x05\x06"):
        return "zip"
    if head.startswith(OLE_MAGIC):
        return "ole"
    return "text"


def check_workbook(path: Path) -> None:
    """Refuse a zip workbook whose parts would take more than the bounds (see the module); a file
    that is not a zip is left to the reader (it says what is wrong)."""
    try:
        with zipfile.ZipFile(path) as z:
            infos = z.infolist()
            _check_parts(path, infos)
            shared = [i for i in infos if i.filename.lower().endswith("sharedstrings.xml")]
            for info in shared:
                _scan_shared(path, z, info)
    except zipfile.BadZipFile:
        return  # not a whole zip: the reader's own message (not a complete spreadsheet) follows
    except (zlib.error, EOFError, NotImplementedError):
        return


def _refuse(path: Path, why: str) -> TooBig:
    return TooBig(f"{path.name} {why}，可能是损坏或被故意构造的文件，未导入任何内容。"
                  "请用 Excel/WPS 打开后另存为 xlsx（或 csv）再导入")


def _check_parts(path: Path, infos: list[zipfile.ZipInfo]) -> None:
    if len(infos) > PARTS_MAX:
        raise _refuse(path, f"内含 {len(infos)} 个部件（最多 {PARTS_MAX} 个）")
    total = 0
    for info in infos:
        size = info.file_size
        total += size
        name = info.filename.lower()
        limit = SHARED_MAX if name.endswith("sharedstrings.xml") else PART_MAX
        if size > limit:
            raise _refuse(path, f"内的“{info.filename}”解压后有 {_mb(size)}（最多 {_mb(limit)}）")
        if size >= RATIO_FROM and size > RATIO_MAX * max(1, info.compress_size):
            raise _refuse(path, f"内的“{info.filename}”压缩了 {size // max(1, info.compress_size)} 倍"
                                f"（正常的表格不过几十倍）")
    if total > WORKBOOK_MAX:
        raise _refuse(path, f"解压后共有 {_mb(total)}（最多 {_mb(WORKBOOK_MAX)}）")


def _scan_shared(path: Path, z: zipfile.ZipFile, info: zipfile.ZipInfo) -> None:
    """Stream the shared strings once: every string must end within STRING_MAX bytes of the last."""
    since = 0  # bytes since the last string's end
    with z.open(info) as f:
        while True:
            chunk = f.read(SCAN_CHUNK)
            if not chunk:
                return
            end = chunk.rfind(b"</si>")
            if end < 0:
                since += len(chunk)
            else:
                first = chunk.find(b"</si>")
                if since + first > STRING_MAX:
                    break
                gaps = chunk[first:end].split(b"</si>")
                if any(len(g) > STRING_MAX for g in gaps):
                    break
                since = len(chunk) - end - len(b"</si>")
            if since > STRING_MAX:
                break
    raise _refuse(path, f"的共享文字中有一个超过 {_mb(STRING_MAX)} 的单元格文字（Excel 单元格最多 32767 个字）")


def inflate(blob: bytes, what: str = "数据包内容") -> bytes:
    """zlib-decompress a package part, at most max(INFLATE_FLOOR, INFLATE_RATIO x its size)."""
    limit = max(INFLATE_FLOOR, INFLATE_RATIO * len(blob))
    d = zlib.decompressobj()
    try:
        out = d.decompress(blob, limit)
    except zlib.error as exc:
        raise InputError(f"{what}无法读取（已损坏），未导入任何内容") from exc
    if d.unconsumed_tail or (not d.eof and len(out) >= limit):
        raise TooBig(f"{what}解压后超过 {_mb(limit)}（压缩比异常，不是正常的数据包），未导入任何内容")
    if not d.eof:
        raise InputError(f"{what}不完整（已损坏），未导入任何内容")
    return out


def check_photo(size: int, name: str = "") -> None:
    if size > PHOTO_MAX:
        raise TooBig(f"证明材料{('“' + name + '”') if name else ''}有 {_mb(size)}，太大了（每张最多 {_mb(PHOTO_MAX)}）。"
                     "请用手机重新拍一张或压缩后再附上")
