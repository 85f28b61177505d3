"""Charts drawn with QPainter (PySide6-Essentials has no QtCharts): progress bars and a daily line.

Each chart takes plain data (labels and numbers from core's reports) and only draws it.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter, QPainterPath, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

from ..core.views import percent

GREEN = QColor("#2e8b57")
BLUE = QColor("#0b5cad")
ORANGE = QColor("#d9822b")
RED = QColor("#c0392b")
TRACK = QColor("#e6e9ee")
GRID = QColor("#d8dce3")
TEXT = QColor("#222222")
MUTED = QColor("#666666")


@dataclass
class Bar:
    label: str
    done: int
    total: int
    alert: bool = False  # drawn in red: e.g. a special group below 100 %


class _Chart(QWidget):
    def __init__(self, title: str, parent=None):
        super().__init__(parent)
        self.title = title
        self.empty_text = "暂无数据"
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMinimumSize(260, 150)

    def sizeHint(self) -> QSize:  # noqa: N802
        return QSize(420, 260)

    def _begin(self) -> tuple[QPainter, QRectF]:
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        p.fillRect(self.rect(), QColor("white"))
        p.setPen(QPen(GRID))
        p.drawRect(self.rect().adjusted(0, 0, -1, -1))
        f = QFont(self.font())
        f.setBold(True)
        f.setPointSizeF(self.font().pointSizeF() + 1)
        p.setFont(f)
        p.setPen(TEXT)
        fm = QFontMetrics(f)
        p.drawText(QRectF(10, 6, self.width() - 20, fm.height()), Qt.AlignmentFlag.AlignLeft, self.title)
        p.setFont(self.font())
        top = 10 + fm.height()
        return p, QRectF(10, top, self.width() - 20, self.height() - top - 8)

    def _empty(self, p: QPainter, area: QRectF) -> None:
        p.setPen(MUTED)
        p.drawText(area, Qt.AlignmentFlag.AlignCenter, self.empty_text)


class ProgressBars(_Chart):
    """Horizontal bars: done of total for each label, with the rate written beside."""

    clicked = Signal(int)  # the index of the bar clicked (a village on the township's dashboard)

    def __init__(self, title: str, parent=None):
        super().__init__(title, parent)
        self.bars: list[Bar] = []

    def set_bars(self, bars: list[Bar]) -> None:
        self.bars = bars
        self.update()

    def bar_at(self, y: float) -> int:
        """The bar drawn at height `y` (-1 if none): the rows paintEvent lays out."""
        if not self.bars:
            return -1
        f = QFont(self.font())
        f.setBold(True)
        f.setPointSizeF(self.font().pointSizeF() + 1)
        top = 10 + QFontMetrics(f).height()
        row_h = min(30.0, (self.height() - top - 8) / len(self.bars))
        i = int((y - top) // row_h) if row_h > 0 and y >= top else -1
        return i if 0 <= i < len(self.bars) else -1

    def mousePressEvent(self, event) -> None:  # noqa: N802
        i = self.bar_at(event.position().y())
        if i >= 0:
            self.clicked.emit(i)
        super().mousePressEvent(event)

    def paintEvent(self, _event) -> None:  # noqa: N802
        p, area = self._begin()
        try:
            if not self.bars:
                self._empty(p, area)
                return
            fm = QFontMetrics(self.font())
            label_w = min(area.width() * 0.32, max(fm.horizontalAdvance(b.label) for b in self.bars) + 10)
            value_w = fm.horizontalAdvance("0000/0000 100.0%") + 8
            n = len(self.bars)
            row_h = min(30.0, area.height() / n)
            bar_h = max(6.0, row_h * 0.62)
            for i, b in enumerate(self.bars):
                y = area.top() + i * row_h
                p.setPen(TEXT)
                p.drawText(QRectF(area.left(), y, label_w - 6, row_h), Qt.AlignmentFlag.AlignVCenter |
                           Qt.AlignmentFlag.AlignRight, fm.elidedText(b.label, Qt.TextElideMode.ElideRight,
                                                                       int(label_w - 6)))
                track = QRectF(area.left() + label_w, y + (row_h - bar_h) / 2, area.width() - label_w - value_w,
                               bar_h)
                p.setPen(Qt.PenStyle.NoPen)
                p.setBrush(TRACK)
                p.drawRoundedRect(track, 3, 3)
                rate = b.done / b.total if b.total else 0.0
                colour = RED if b.alert else (GREEN if rate >= 0.9 else (BLUE if rate >= 0.7 else ORANGE))
                if rate > 0:
                    p.setBrush(colour)
                    p.drawRoundedRect(QRectF(track.left(), track.top(), max(2.0, track.width() * min(rate, 1.0)),
                                             track.height()), 3, 3)
                p.setPen(RED if b.alert else TEXT)
                p.drawText(QRectF(track.right() + 6, y, value_w, row_h), Qt.AlignmentFlag.AlignVCenter,
                           f"{b.done}/{b.total} {percent(b.done, b.total)}")
        finally:
            p.end()


class ColumnChart(_Chart):
    """Vertical bars with their values (visits per canvasser)."""

    def __init__(self, title: str, parent=None):
        super().__init__(title, parent)
        self.items: list[tuple[str, int, int]] = []  # label, main value, secondary value
        self.legend = ("走访次数", "完成人数")

    def set_items(self, items: list[tuple[str, int, int]]) -> None:
        self.items = items
        self.update()

    def paintEvent(self, _event) -> None:  # noqa: N802
        p, area = self._begin()
        try:
            if not self.items:
                self._empty(p, area)
                return
            fm = QFontMetrics(self.font())
            legend_h = fm.height() + 4
            self._legend(p, area, fm)
            plot = QRectF(area.left() + 6, area.top() + legend_h, area.width() - 12,
                          area.height() - legend_h - fm.height() - 6)
            top = max(max(a, b) for _, a, b in self.items) or 1
            slot = plot.width() / len(self.items)
            bw = min(34.0, slot * 0.34)
            p.setPen(QPen(GRID))
            p.drawLine(QPointF(plot.left(), plot.bottom()), QPointF(plot.right(), plot.bottom()))
            for i, (label, a, b) in enumerate(self.items):
                cx = plot.left() + slot * (i + 0.5)
                for j, (value, colour) in enumerate(((a, BLUE), (b, GREEN))):
                    h = plot.height() * value / top * 0.88
                    r = QRectF(cx - bw - 1 + j * (bw + 2), plot.bottom() - h, bw, h)
                    p.setPen(Qt.PenStyle.NoPen)
                    p.setBrush(colour)
                    p.drawRect(r)
                    p.setPen(TEXT)
                    p.drawText(QRectF(r.left() - 8, r.top() - fm.height() - 1, r.width() + 16, fm.height()),
                               Qt.AlignmentFlag.AlignHCenter, str(value))
                p.setPen(TEXT)
                p.drawText(QRectF(cx - slot / 2, plot.bottom() + 3, slot, fm.height()), Qt.AlignmentFlag.AlignHCenter,
                           fm.elidedText(label, Qt.TextElideMode.ElideRight, int(slot)))
        finally:
            p.end()

    def _legend(self, p: QPainter, area: QRectF, fm: QFontMetrics) -> None:
        x = area.right()
        for text, colour in reversed(list(zip(self.legend, (BLUE, GREEN)))):
            w = fm.horizontalAdvance(text)
            x -= w
            p.setPen(TEXT)
            p.drawText(QRectF(x, area.top(), w, fm.height()), Qt.AlignmentFlag.AlignLeft, text)
            x -= 14
            p.fillRect(QRectF(x, area.top() + fm.height() / 2 - 5, 10, 10), colour)
            x -= 14


class LineChart(_Chart):
    """Daily values for a few series (visits, people newly done) with a light grid and day labels."""

    def __init__(self, title: str, parent=None):
        super().__init__(title, parent)
        self.days: list[str] = []
        self.series: list[tuple[str, QColor, list[int]]] = []

    def set_series(self, days: list[str], series: list[tuple[str, QColor, list[int]]]) -> None:
        self.days, self.series = days, series
        self.update()

    def paintEvent(self, _event) -> None:  # noqa: N802
        p, area = self._begin()
        try:
            if not self.days or not self.series:
                self._empty(p, area)
                return
            fm = QFontMetrics(self.font())
            top_value = max([max(v) for _, _, v in self.series if v] + [1])
            step = _nice_step(top_value)
            top_value = step * ((top_value + step - 1) // step)
            axis_w = fm.horizontalAdvance(str(top_value)) + 8
            legend_h = fm.height() + 4
            plot = QRectF(area.left() + axis_w, area.top() + legend_h, area.width() - axis_w - 22,
                          area.height() - legend_h - fm.height() - 6)
            # legend
            x = plot.left()
            for name, colour, _ in self.series:
                p.fillRect(QRectF(x, area.top() + fm.height() / 2 - 2, 14, 4), colour)
                x += 18
                p.setPen(TEXT)
                p.drawText(QRectF(x, area.top(), fm.horizontalAdvance(name) + 4, fm.height()), 0, name)
                x += fm.horizontalAdvance(name) + 16
            # grid and axis labels
            for v in range(0, top_value + 1, step):
                y = plot.bottom() - plot.height() * v / top_value
                p.setPen(QPen(GRID))
                p.drawLine(QPointF(plot.left(), y), QPointF(plot.right(), y))
                p.setPen(MUTED)
                p.drawText(QRectF(area.left(), y - fm.height() / 2, axis_w - 6, fm.height()),
                           Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, str(v))
            n = len(self.days)
            dx = plot.width() / max(1, n - 1)
            every = max(1, int((fm.horizontalAdvance("00-00") + 24) / dx) + 1) if n > 1 else 1
            for i, d in enumerate(self.days):
                if (n - 1 - i) % every == 0:  # counted back from the last day, so today is always labelled
                    x = plot.left() + dx * i
                    p.setPen(MUTED)
                    p.drawText(QRectF(x - 30, plot.bottom() + 3, 60, fm.height()), Qt.AlignmentFlag.AlignHCenter,
                               d[5:])
            # the first series is drawn widest and each next one narrower (and dashed): where they coincide
            # (every visit a payment) the first still shows around the next, never hidden under it
            widths = [max(2.2, 5.5 - 2.5 * i) for i in range(len(self.series))]
            for k, (_name, colour, values) in enumerate(self.series):
                path = QPainterPath()
                pts = [QPointF(plot.left() + dx * i if n > 1 else plot.center().x(),
                               plot.bottom() - plot.height() * v / top_value) for i, v in enumerate(values)]
                for i, pt in enumerate(pts):
                    path.moveTo(pt) if i == 0 else path.lineTo(pt)
                pen = QPen(colour, widths[k])
                if k:
                    pen.setStyle(Qt.PenStyle.DashLine)
                p.setPen(pen)
                p.setBrush(Qt.BrushStyle.NoBrush)
                p.drawPath(path)
                p.setPen(Qt.PenStyle.NoPen)
                p.setBrush(colour)
                for pt in pts:
                    p.drawEllipse(pt, widths[k] / 2 + 1.5, widths[k] / 2 + 1.5)
        finally:
            p.end()


def _nice_step(top: int) -> int:
    for step in (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 5000, 10000, 20000, 50000):
        if top / step <= 5:
            return step
    return max(1, top // 5)
