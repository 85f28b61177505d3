"""The recovery code on one printed page, to keep apart from the laptop.

A new standalone or township workspace shows its one-time recovery code once; the cadre copies it or
prints this page from that dialog. The page says which workspace it opens, the code large in a
typewriter face (the alphabet has no look-alikes, see `recoverycode`), and what to do the day the
passphrase is forgotten. It holds no resident's data. Written beside the target and renamed over it
when complete (`files.replace`).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from .. import clock
from ..storage.files import replace
from ..text import fonts

STEPS = (
    "忘记口令时：打开工作区，在“输入工作区口令”窗口点“忘记口令…”，",
    "输入这张纸上的恢复码，再设置新口令。工作区里的数据不会改动。",
    "命令行：canvasser recover --db 工作区文件（按提示输入恢复码和新口令）。",
)
KEEP = (
    "请和电脑分开保管（锁在柜子里），不要拍照发到微信群，不要贴在电脑上。",
    "拿到这张纸和电脑的人可以打开工作区，看到全部居民的信息。",
    "恢复码只显示一次，程序不保存它：这张纸丢了就没有了。修改口令后，这个恢复码仍然有效。",
)


def write(out: str | Path, code: str, *, workspace: str, place: str = "", today: dt.date | None = None) -> Path:
    """Write the one-page PDF to `out`; returns its path."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import mm
    from reportlab.pdfgen import canvas

    font = fonts.register()
    target = Path(out)
    part = target.with_name(target.name + ".part")
    width, height = A4
    c = canvas.Canvas(str(part), pagesize=A4)
    c.setTitle("工作区恢复码")
    x = 22 * mm
    y = height - 30 * mm
    c.setFont(font, 22)
    c.drawString(x, y, "工作区恢复码")
    y -= 14 * mm
    c.setFont(font, 12)
    for line in (f"工作区：{place}（{workspace}）" if place else f"工作区：{workspace}",
                 f"打印日期：{(today or clock.today()).isoformat()}"):
        c.drawString(x, y, line)
        y -= 8 * mm
    y -= 6 * mm
    box = 34 * mm
    c.setLineWidth(1.2)
    c.rect(x - 4 * mm, y - box + 8 * mm, width - 2 * x + 8 * mm, box)
    c.setFont("Courier-Bold", 24)
    c.drawCentredString(width / 2, y - 12 * mm, code)
    y -= box + 8 * mm
    c.setFont(font, 12)
    for line in STEPS:
        c.drawString(x, y, line)
        y -= 8 * mm
    y -= 6 * mm
    c.setFont(font, 12)
    c.drawString(x, y, "保管：")
    y -= 8 * mm
    for line in KEEP:
        c.drawString(x + 4 * mm, y, "· " + line)
        y -= 8 * mm
    c.showPage()
    c.save()
    replace(part, target)
    return target
