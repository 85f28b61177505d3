"""The payment channel on notices and leaflets (a link, a payment-code picture, or none), and
campaign settings checked by their type before anything is stored."""

from __future__ import annotations

import json

import qrcode

from canvasser.core.outputs.notices.leaflet import build_leaflet
from canvasser.core.outputs.notices.notice import build_notices
from canvasser.core.rules import campaign
from canvasser.core.storage.opening import open_workspace

from .pdfread import pdftext, pdfwords, qr_codes, text_in_box
from .test_printing import run_cli, village  # noqa: F401 - the fixture


def codes_in(pdf, tmp_path, stem: str) -> list[str]:
    return qr_codes(pdf)


def test_no_code_when_no_channel_is_set(village, tmp_path):  # noqa: F811
    ws, _ = village
    assert campaign.load(ws).values["payment_link"] == "" and campaign.load(ws).values["payment_image"] == ""
    build_notices(ws, tmp_path / "n.pdf", per_page=2)
    assert codes_in(tmp_path / "n.pdf", tmp_path, "n") == []
    text = pdftext(tmp_path / "n.pdf")
    assert "缴费方式" in text and "国家医保服务平台APP" in text  # the channels are listed instead
    assert "nhsa" not in text
    build_leaflet(ws, tmp_path / "l.pdf")
    assert codes_in(tmp_path / "l.pdf", tmp_path, "l") == []


def test_payment_code_picture_is_printed_and_scans(village, tmp_path):  # noqa: F811
    ws, _ = village
    payload = "https://county.example.invalid/miniprogram/pay?c=510321"
    img = qrcode.make(payload, border=2)
    png = tmp_path / "县医保缴费码.png"
    img.save(png)
    campaign.update(ws, {"payment_image": str(png), "payment_caption": "微信扫码进入县医保缴费小程序"})
    stored = campaign.load(ws).values["payment_image"]
    assert stored.startswith("data:image/png;base64,")  # the picture travels with the settings
    res = build_notices(ws, tmp_path / "n.pdf", households=["H01", "H05"])
    assert res.extra["payment_code"] == "image"
    assert codes_in(tmp_path / "n.pdf", tmp_path, "n") == [payload, payload]
    # the caption is drawn in a narrow box beside the code, wrapped: read that box by position
    words = pdfwords(tmp_path / "n.pdf")
    first = next(w for w in words if w[4].startswith("微信扫码"))
    caption = text_in_box(words, first[0] - 40, first[1] - 1, first[2] + 40, first[3] + 40)
    assert caption == "微信扫码进入县医保缴费小程序", caption
    build_leaflet(ws, tmp_path / "l.pdf")
    assert payload in codes_in(tmp_path / "l.pdf", tmp_path, "l")


def test_a_picture_that_is_not_one_is_refused(village, tmp_path):  # noqa: F811
    ws, _ = village
    bad = tmp_path / "code.png"
    bad.write_bytes(b"not a picture at all")
    for value in (str(bad), str(tmp_path / "missing.png")):
        try:
            campaign.update(ws, {"payment_image": value})
        except campaign.InputError as exc:
            assert "缴费码图片" in str(exc)
        else:
            raise AssertionError("accepted " + value)
    assert campaign.load(ws).values["payment_image"] == ""


def test_campaign_set_checks_types_and_refuses_bad_values(village, tmp_path):  # noqa: F811
    ws, _ = village
    ws.close()
    db = str(tmp_path / "v.db")
    r = run_cli("campaign", "--db", db, "--set", "bureau_phone=12393")
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["campaign"]["bureau_phone"] == "12393"  # a string, not the number 12393
    r = run_cli("notices", "--db", db, "--out", str(tmp_path / "n.pdf"))
    assert r.returncode == 0, r.stderr
    assert "咨询电话：12393" in pdftext(tmp_path / "n.pdf")
    with open_workspace(db) as w:
        before = w.query("SELECT key, value FROM campaign ORDER BY key")
    for bad in (["collection_end=明天"], ["standard=abc"], ["standard=500", "coverage_year=二〇二七"],
                ["payment_link=javascript:alert(1)"], ["bureau_phone=请拨打"], ["subsidies={\"低保\": \"很多\"}"],
                ["payment_image=/no/such/file.png"], ["waiting_fixed_months=-1"]):
        args = [a for kv in bad for a in ("--set", kv)]
        r = run_cli("campaign", "--db", db, *args)
        assert r.returncode == 2, (bad, r.stdout, r.stderr)
        assert r.stderr.strip() and len(r.stderr.strip().splitlines()) == 1 and "类型不对" not in r.stderr
    with open_workspace(db) as w:
        assert w.query("SELECT key, value FROM campaign ORDER BY key") == before  # nothing changed


def test_a_stored_value_of_the_wrong_type_never_breaks_printing(village, tmp_path):  # noqa: F811
    ws, _ = village
    # what an older version stored for `--set bureau_phone=12393`, and nonsense from a package
    ws.emit("campaign.set", "campaign", {"bureau_phone": 12393, "standard": "abc", "payment_link": 5})
    values = campaign.load(ws).values
    assert values["bureau_phone"] == "12393" and values["standard"] == 400 and values["payment_link"] == ""
    build_notices(ws, tmp_path / "n.pdf")
    assert "咨询电话：12393" in pdftext(tmp_path / "n.pdf")
