"""Bounded reading (issue 33, M8, M10 and the list edges): a workbook whose parts would take more
than their bounds is refused before calamine reads it, in Chinese, leaving nothing behind; a csv
named .xlsx is read as csv; the same ID under two names is rejected with a reason; the rejected rows
stay in the workspace, encrypted, until someone exports them."""

from __future__ import annotations

import json
import os
import zipfile
from pathlib import Path

import pytest

from canvasser.cli import main
from canvasser.core.lists import tables
from canvasser.core.lists.roster import ALIASES, REQUIRED, import_roster, kept_rejects
from canvasser.core.outputs.rejects import export_rejects
from canvasser.core.storage import bounds
from canvasser.core.storage.opening import open_workspace
from tests.fixtures import open_protected, rows, write_csv, write_xlsx

NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def workbook(path: Path, shared: list[str] | None = None, *, filler: int = 0) -> Path:
    """A minimal xlsx: a header row of inline strings, one person whose name is shared string 0
    (followed by `filler` bytes of 'A' inside the shared strings)."""
    head = ["序号", "姓名", "公民身份号码", "性别", "村（社区）"]
    shared = shared or ["张三"]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        z.writestr("[Content_Types].xml", '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.'
                   'openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/'
                   'vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/'
                   'xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-'
                   'officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" '
                   'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
                   '<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-'
                   'officedocument.spreadsheetml.sharedStrings+xml"/></Types>')
        z.writestr("_rels/.rels", f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.'
                   f'openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="{REL}/officeDocument" '
                   f'Target="xl/workbook.xml"/></Relationships>')
        z.writestr("xl/workbook.xml", f'<?xml version="1.0" encoding="UTF-8"?><workbook {NS} xmlns:r="{REL}"><sheets>'
                   f'<sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>')
        z.writestr("xl/_rels/workbook.xml.rels", f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http:'
                   f'//schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="{REL}/'
                   f'worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="{REL}/sharedStrings" '
                   f'Target="sharedStrings.xml"/></Relationships>')
        cells = "".join(f'<c r="{chr(65 + i)}1" t="inlineStr"><is><t>{h}</t></is></c>' for i, h in enumerate(head))
        z.writestr("xl/worksheets/sheet1.xml", f'<?xml version="1.0" encoding="UTF-8"?><worksheet {NS}><sheetData>'
                   f'<row r="1">{cells}</row><row r="2"><c r="A2"><v>1</v></c><c r="B2" t="s"><v>0</v></c>'
                   f'<c r="C2" t="inlineStr"><is><t>510321199002020013</t></is></c><c r="D2" t="inlineStr"><is><t>男'
                   f'</t></is></c><c r="E2" t="inlineStr"><is><t>青石社区</t></is></c></row></sheetData></worksheet>')
        with z.open("xl/sharedStrings.xml", "w", force_zip64=True) as f:
            f.write(f'<?xml version="1.0" encoding="UTF-8"?><sst {NS} count="{len(shared)}" '
                    f'uniqueCount="{len(shared)}">'.encode())
            for i, s in enumerate(shared):
                f.write(f"<si><t>{s}".encode())
                if i == 0 and filler:
                    for _ in range(filler // (1 << 20)):
                        f.write(b"A" * (1 << 20))
                f.write(b"</t></si>")
            f.write(b"</sst>")
    return path


def test_a_sound_small_workbook_reads(tmp_path):
    t = tables.open_table(workbook(tmp_path / "ok.xlsx"), ALIASES, required=REQUIRED)
    assert [tables.cell_text(c) for c in next(t.rows)[1][:2]] == ["1", "张三"]


@pytest.mark.parametrize("limit, value, words", [("SHARED_MAX", 1 << 20, "最多"), ("RATIO_FROM", 1 << 20, "压缩了"),
                                                 ("STRING_MAX", 4096, "32767")])
def test_each_bound_refuses_a_workbook_before_it_is_read(tmp_path, monkeypatch, limit, value, words):
    bomb = workbook(tmp_path / "名单.xlsx", filler=3 << 20)  # a 3 MB shared string, 3 KB on disk
    monkeypatch.setattr(bounds, limit, value)
    with pytest.raises(bounds.TooBig, match=words):
        tables.open_table(bomb, ALIASES, required=REQUIRED)


def test_a_huge_shared_string_is_refused_on_the_command_line_and_leaves_nothing(tmp_path, capsys, monkeypatch):
    """M8 in small: the bounds scaled down, the file refused by import-roster with exit 2 and one
    Chinese line; the new workspace it would have made does not exist, no recovery code was shown."""
    monkeypatch.setattr(bounds, "SHARED_MAX", 1 << 20)
    bomb = workbook(tmp_path / "名单.xlsx", filler=2 << 20)
    db = tmp_path / "新.db"
    capsys.readouterr()
    assert main(["import-roster", "--db", str(db), str(bomb)]) == 2
    err = capsys.readouterr().err
    assert "名单.xlsx" in err and "未导入" in err and "恢复码" not in err and "Error" not in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["名单.xlsx"]
    assert not list(Path(os.environ["CANVASSER_DATA"]).rglob("*.keys"))


def test_a_csv_named_xlsx_is_read_as_csv_and_an_xlsx_named_csv_as_a_workbook(tmp_path):
    people = rows(seed=5, households=3)
    csv_file = write_csv(tmp_path / "a.csv", people)
    renamed = tmp_path / "名单.xlsx"
    renamed.write_bytes(csv_file.read_bytes())
    xlsx = write_xlsx(tmp_path / "b.xlsx", people)
    other = tmp_path / "名单2.csv"
    other.write_bytes(xlsx.read_bytes())
    for path in (renamed, other):
        with open_workspace(tmp_path / f"{path.stem}.db") as ws:
            assert import_roster(ws, path).imported == len(people)


def test_a_giant_csv_line_is_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(tables, "LINE_MAX", 1000)
    path = tmp_path / "长.csv"
    path.write_text("姓名,公民身份号码\n" + "张" * 5000 + ",510321199002020013\n", encoding="utf-8")
    with open_workspace(tmp_path / "x.db") as ws, pytest.raises(bounds.TooBig, match="超过"):
        import_roster(ws, path)


def test_the_same_id_under_another_name_is_rejected_with_its_reason(tmp_path):
    people = rows(seed=6, households=3)
    twin = dict(people[2], 姓名="另一个名字")
    same = dict(people[4])
    with open_workspace(tmp_path / "x.db") as ws:
        res = import_roster(ws, write_csv(tmp_path / "l.csv", [*people, twin, same]))
    assert res.imported == len(people)
    assert [d["row"] for d in res.duplicates] == [len(people) + 3]  # the same person again: counted once
    [bad] = res.rejected
    assert bad["row"] == len(people) + 2 and "姓名不同" in bad["reason"] and bad["first_row"] == 4


def test_rejected_rows_stay_in_the_workspace_and_export_on_demand(tmp_path, capsys):
    """M10: nothing readable in the data folder; `canvasser rejects` writes them, protected."""
    people = rows(seed=7, households=4)
    bad = [dict(people[0], 公民身份号码="510321199002020019"), dict(people[1], 姓名="")]
    db = tmp_path / "v.db"
    src = write_csv(tmp_path / "l.csv", [*people[2:], *bad])
    capsys.readouterr()
    assert main(["import-roster", "--db", str(db), str(src), "--json"]) == 0
    res = json.loads(capsys.readouterr().out)
    assert len(res["rejected"]) == 2 and res["rejects_file"] == ""
    data = Path(os.environ["CANVASSER_DATA"])
    leaked = [p for p in data.rglob("*") if p.is_file() and people[1]["公民身份号码"].encode() in p.read_bytes()]
    assert leaked == [] and people[1]["公民身份号码"].encode() not in db.read_bytes()
    with open_workspace(db) as ws:
        assert [k["rows"] for k in kept_rejects(ws)] == [2]
    (tmp_path / "pw.txt").write_text("错行密码2027\n", encoding="utf-8")
    out = tmp_path / "错行.xlsx"
    assert main(["rejects", "--db", str(db), "--out", str(out), "--password-file", str(tmp_path / "pw.txt")]) == 0
    assert out.read_bytes()[:8] == bytes.fromhex("D0CF11E0A1B11AE1")
    import openpyxl

    sheet = openpyxl.load_workbook(open_protected(out, "错行密码2027")).active
    assert sheet.max_row == 3 and people[1]["公民身份号码"] in {str(c.value) for r in sheet.iter_rows() for c in r}
    with open_workspace(db) as ws:  # (and from core, without a password, for a script)
        assert export_rejects(ws, tmp_path / "plain.xlsx")["rows"] == 2
