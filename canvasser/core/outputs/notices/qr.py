"""The payment QR code, drawn as vector rectangles into one reusable PDF form.

The QR carries the campaign's payment link only (the channel; the payer types name and ID in the
app), never personal data. Making the module matrix costs ~15 ms, so it is built once per document
into a Form XObject and every page refers to it.
"""

from __future__ import annotations

from urllib.parse import quote

import qrcode
from qrcode.constants import ERROR_CORRECT_M
from reportlab.pdfgen.canvas import Canvas

from ...errors import InputError

FORM = "payqr"


def ascii_link(link: str) -> str:
    """The link as printable ASCII (non-ASCII parts percent-encoded), so every scanner reads it."""
    link = (link or "").strip()
    out = quote(link, safe=":/?#[]@!$&'()*+,;=%~-._")
    if not all(0x20 <= ord(ch) < 0x7F for ch in out):
        raise InputError("缴费二维码链接含有无法编码的字符")
    return out


def matrix(payload: str) -> list[list[bool]]:
    """The QR modules (True = dark), without the quiet zone."""
    qr = qrcode.QRCode(error_correction=ERROR_CORRECT_M, border=0)
    qr.add_data(payload)
    qr.make(fit=True)
    return qr.get_matrix()


def define_form(c: Canvas, payload: str, size: float, name: str = FORM) -> str:
    """Draw the QR (size × size points, bottom-left at 0,0) once into a form; returns the form name.
    Dark runs of a row are merged into one rectangle: a few hundred path operators in all."""
    m = matrix(payload)
    n = len(m)
    cell = size / n
    c.beginForm(name, lowerx=0, lowery=0, upperx=size, uppery=size)
    c.saveState()
    c.setFillGray(0)
    p = c.beginPath()
    for r, row in enumerate(m):
        y = size - (r + 1) * cell
        col = 0
        while col < n:
            if row[col]:
                start = col
                while col < n and row[col]:
                    col += 1
                # a hair of overlap between rows so no white seams appear in any renderer
                p.rect(start * cell, y - 0.02, (col - start) * cell, cell + 0.04)
            else:
                col += 1
    c.drawPath(p, stroke=0, fill=1)
    c.restoreState()
    c.endForm()
    return name


def place(c: Canvas, x: float, y: float, name: str = FORM) -> None:
    """Put the QR form with its bottom-left corner at (x, y)."""
    c.saveState()
    c.translate(x, y)
    c.doForm(name)
    c.restoreState()


IMAGE_FORM = "paycode"


class Channel:
    """The payment channel printed on notices and leaflets: the county's link drawn as a QR, or the
    payment-code picture it hands out; `present` is False when neither is set (nothing is drawn)."""

    def __init__(self, kind: str, link: str = "", image: bytes = b"", caption: str = ""):
        self.kind = kind  # "link", "image" or ""
        self.link = link
        self.image = image
        self.caption = caption if kind else ""
        self.form = ""

    @classmethod
    def of(cls, camp) -> Channel:
        from ...rules.settings import image_bytes

        v = camp.values
        caption = str(v.get("payment_caption") or "").strip()
        image = image_bytes(str(v.get("payment_image") or ""))
        if image:
            return cls("image", image=image, caption=caption or "扫描缴费码缴费")
        link = ascii_link(str(v.get("payment_link") or ""))
        if link:
            return cls("link", link=link, caption=caption or "扫码打开缴费页面")
        return cls("")

    @property
    def present(self) -> bool:
        return bool(self.kind)

    def define(self, c: Canvas, size: float) -> None:
        """Draw the code once into a form of size × size points (a picture keeps its proportions)."""
        if self.kind == "link":
            self.form = define_form(c, self.link, size)
        elif self.kind == "image":
            import io

            from reportlab.lib.utils import ImageReader

            reader = ImageReader(io.BytesIO(self.image))
            c.beginForm(IMAGE_FORM, lowerx=0, lowery=0, upperx=size, uppery=size)
            c.drawImage(reader, 0, 0, size, size, preserveAspectRatio=True, anchor="c")
            c.endForm()
            self.form = IMAGE_FORM

    def place(self, c: Canvas, x: float, y: float, size: float | None = None) -> None:
        if self.form:
            place(c, x, y, self.form)
