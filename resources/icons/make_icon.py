"""Draw the app icon (a rounded square, 保 in white on blue-green) into canvasser.png and canvasser.ico.

Run from the repo root with the project's venv: `QT_QPA_PLATFORM=offscreen python resources/icons/make_icon.py`.
Each size is drawn separately (not scaled down from 256 px) so the small sizes stay crisp; the .ico
holds PNG-compressed images (Windows Vista and later), written by hand so no imaging library is needed.
"""

from __future__ import annotations

import struct
import sys
from pathlib import Path

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QFontDatabase, QGuiApplication, QImage, QLinearGradient, QPainter

HERE = Path(__file__).resolve().parent
FONT = HERE.parent / "fonts" / "wqy-zenhei.ttc"
ICO_SIZES = (16, 20, 24, 32, 40, 48, 64, 128, 256)
PNG_SIZE = 256
TOP, BOTTOM = QColor("#1f7ae0"), QColor("#12a37a")  # blue to green: the insurance bureau's colours


def draw(size: int, family: str) -> QImage:
    img = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
    img.fill(Qt.GlobalColor.transparent)
    p = QPainter(img)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    p.setRenderHint(QPainter.RenderHint.TextAntialiasing)
    margin = max(0.5, size / 32)
    box = QRectF(margin, margin, size - 2 * margin, size - 2 * margin)
    grad = QLinearGradient(QPointF(0, 0), QPointF(size, size))
    grad.setColorAt(0.0, TOP)
    grad.setColorAt(1.0, BOTTOM)
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(grad)
    radius = box.width() * 0.22
    p.drawRoundedRect(box, radius, radius)
    font = QFont(family)
    font.setPixelSize(round(size * (0.78 if size <= 24 else 0.68)))
    font.setHintingPreference(QFont.HintingPreference.PreferFullHinting if size <= 48
                              else QFont.HintingPreference.PreferNoHinting)
    p.setFont(font)
    p.setPen(QColor("white"))
    p.drawText(box, Qt.AlignmentFlag.AlignCenter, "保")
    p.end()
    return img


def png_bytes(img: QImage) -> bytes:
    data = QByteArray()
    buf = QBuffer(data)
    buf.open(QIODevice.OpenModeFlag.WriteOnly)
    img.save(buf, "PNG")
    buf.close()
    return bytes(data.data())


def ico_bytes(images: list[tuple[int, bytes]]) -> bytes:
    """ICONDIR + one ICONDIRENTRY per image + the PNG data (a 256 px entry is written as size 0)."""
    header = struct.pack("<HHH", 0, 1, len(images))
    offset = len(header) + 16 * len(images)
    entries, blobs = b"", b""
    for size, png in images:
        dim = 0 if size >= 256 else size
        entries += struct.pack("<BBBBHHII", dim, dim, 0, 0, 1, 32, len(png), offset)
        offset += len(png)
        blobs += png
    return header + entries + blobs


def main() -> int:
    app = QGuiApplication.instance() or QGuiApplication(sys.argv[:1])
    fid = QFontDatabase.addApplicationFont(str(FONT))
    families = QFontDatabase.applicationFontFamilies(fid) if fid >= 0 else []
    if not families:
        sys.stderr.write(f"cannot load {FONT}\n")
        return 1
    family = families[0]
    (HERE / "canvasser.png").write_bytes(png_bytes(draw(PNG_SIZE, family)))
    (HERE / "canvasser.ico").write_bytes(ico_bytes([(s, png_bytes(draw(s, family))) for s in ICO_SIZES]))
    del app
    print(f"wrote {HERE / 'canvasser.png'} and {HERE / 'canvasser.ico'} ({len(ICO_SIZES)} sizes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
