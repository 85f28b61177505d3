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

from ..errors import InputError

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
