"""Render the first page of each printed output of a demo village into docs/*.png (for the README).

    python docs/make_images.py        # needs pdftoppm (poppler-utils)

The demo's payment channel is an example link drawn as a QR (a county's real code goes in
`canvasser campaign --set payment_image=缴费码.png`). Spreadsheets are not rendered here: that needs
an office suite; open the xlsx files themselves.
"""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from canvasser.core.demo import make_demo  # noqa: E402
from canvasser.core.outputs import report_pdf  # noqa: E402
from canvasser.core.outputs.notices.data import households_due  # noqa: E402
from canvasser.core.outputs.notices.leaflet import build_leaflet  # noqa: E402
from canvasser.core.outputs.notices.notice import build_notices  # noqa: E402
from canvasser.core.outputs.notices.sheet import build_visit_sheet  # noqa: E402
from canvasser.core.rules import campaign, reports  # noqa: E402
from canvasser.core.storage.opening import open_workspace  # noqa: E402

TODAY = dt.date(2026, 11, 20)


def first_page(pdf: Path, png: Path, dpi: int = 72, page: int = 1) -> None:
    stem = png.with_suffix("")
    subprocess.run(["pdftoppm", "-f", str(page), "-l", str(page), "-r", str(dpi), "-png", "-singlefile",
                    str(pdf), str(stem)], check=True)
    print(png.relative_to(ROOT))


def main() -> None:
    if not shutil.which("pdftoppm"):
        sys.exit("pdftoppm not found: apt install poppler-utils")
    docs = ROOT / "docs"
    with tempfile.TemporaryDirectory() as tmp:
        t = Path(tmp)
        db = t / "demo.db"
        make_demo(db, seed=7, households=120, today=TODAY)
        with open_workspace(db) as ws:
            campaign.update(ws, {"payment_link": "https://example.invalid/county-pay",
                                 "payment_caption": "示例：县医保缴费链接", "fiscal_subsidy": 700})
            ws.emit("canvasser.set", "c:李书记", {"phone": "13908150001", "active": 1}, "李书记")
            due = households_due(ws, campaign.load(ws))
            free = next((h.hid for h in due if all(m.amount == 0 for m in h.members)), None)
            build_notices(ws, t / "n.pdf", by="李书记", today=TODAY)
            first_page(t / "n.pdf", docs / "notice.png")
            build_notices(ws, t / "n2.pdf", per_page=2, by="李书记", today=TODAY)
            first_page(t / "n2.pdf", docs / "notice-two-up.png")
            if free:
                build_notices(ws, t / "free.pdf", households=[free], by="李书记", today=TODAY)
                first_page(t / "free.pdf", docs / "notice-subsidised.png")
            build_leaflet(ws, t / "l.pdf", by="李书记", today=TODAY)
            first_page(t / "l.pdf", docs / "leaflet.png")
            build_leaflet(ws, t / "letter.pdf", template="letter", by="李书记", today=TODAY)
            first_page(t / "letter.pdf", docs / "letter.png")
            build_visit_sheet(ws, t / "s.pdf", today=TODAY)
            first_page(t / "s.pdf", docs / "visit-sheet.png")
            figs = reports.make_report(ws, TODAY, save=False)
            report_pdf.write_report_pdf(figs, t / "r.pdf", by="李书记")
            first_page(t / "r.pdf", docs / "report.png")


if __name__ == "__main__":
    main()
