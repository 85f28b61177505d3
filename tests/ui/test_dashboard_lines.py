"""The dashboard's trend shows both lines even where they coincide; status names are never cut."""

from __future__ import annotations

from PySide6.QtGui import QColor, QFontMetrics, QImage

from canvasser.core.rules.campaign import STATUS_LABELS
from canvasser.ui.charts import BLUE, GREEN, LineChart
from canvasser.ui.people_model import COLUMNS


def _pixels(image: QImage, colour: QColor) -> int:
    n = 0
    for y in range(image.height()):
        for x in range(image.width()):
            c = image.pixelColor(x, y)
            if abs(c.red() - colour.red()) + abs(c.green() - colour.green()) + abs(c.blue() - colour.blue()) < 40:
                n += 1
    return n


def test_visits_line_shows_where_it_equals_the_newly_done_line(app, qtbot):
    chart = LineChart("近14天")
    qtbot.addWidget(chart)
    chart.resize(420, 220)
    same = [3, 5, 2, 6, 4]
    chart.set_series([f"2026-11-{d:02d}" for d in range(20, 25)],
                     [("走访次数", BLUE, same), ("新完成人数", GREEN, same)])
    image = chart.grab().toImage()
    assert _pixels(image, BLUE) > 400 and _pixels(image, GREEN) > 200


def test_status_column_fits_the_longest_status_name(window):
    col = [c.key for c in COLUMNS].index("status")
    fm = QFontMetrics(window.table.font())
    longest = max(STATUS_LABELS.values(), key=fm.horizontalAdvance)
    assert window.table.horizontalHeader().sectionSize(col) >= fm.horizontalAdvance(longest) + 12
