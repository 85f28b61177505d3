"""Printing: payment notices with the payment QR, leaflets and letters from editable templates, and
visit sheets for cadres who work on paper. Every function writes a PDF with the bundled font embedded
and returns a PrintResult (counts and glyph warnings); long work reports progress and can be cancelled."""

from __future__ import annotations

from .layout import Missing, PrintResult
from .notice import build_notices

__all__ = ["Missing", "PrintResult", "build_notices"]
