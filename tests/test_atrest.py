"""Encryption at rest: nothing readable in the workspace, its WAL, its backups or a protected ledger;
the right passphrase opens, the wrong one is refused (exit 2), the township's recovery package opens."""

from __future__ import annotations

import json
import os

import openpyxl
import pytest

from canvasser.core.errors import InputError
from canvasser.core.lists.roster import import_roster
from canvasser.core.rules.visits import record_visit
from canvasser.core.storage import atrest, backup, integrity
from canvasser.core.storage.opening import open_workspace
from tests.fixtures import open_protected, rows, write_xlsx
from tests.fixtures import run_cli as cli
from tests.test_sync_support import TOWNSHIP, write_township_csv

PHRASE = os.environ["CANVASSER_PASSPHRASE"]

CODE = "QS7K-2M9P-XT4D-8RWA"  # a setup package is protected by a code (issue 16)


def secrets_of(people: list[dict]) -> list[bytes]:
    return [s.encode() for p in people for s in (p["公民身份号码"], p["姓名"], p["联系电话"]) if s and len(s) > 1]


def hits(path, secrets: list[bytes]) -> int:
    blob = path.read_bytes()
    return sum(s in blob for s in secrets)


def test_workspace_wal_backups_and_protected_ledger_hold_no_readable_name_id_or_phone(tmp_path, capsys):
    people = rows(seed=11, households=30)
    src = write_xlsx(tmp_path / "名单.xlsx", people)
    db = tmp_path / "v.db"
    ws = open_workspace(db)
    import_roster(ws, src)
    pids = [p["公民身份号码"] for p in people[:20]]
    for pid in pids:
        record_visit(ws, pid, "not_home", by="李书记")
    daily = backup.backup(ws)
    reader = open_workspace(db)  # a second connection keeps the WAL on disk, as the window does
    record_visit(ws, pids[0], "refused", reason="经济困难", by="李书记")
    wal = tmp_path / "v.db-wal"
    assert wal.exists() and wal.stat().st_size > 0
    pw = tmp_path / "pw.txt"
    pw.write_text("账本口令123\n", encoding="utf-8")
    code, data, err = cli(capsys, "ledger", "--db", db, "--out", tmp_path / "台账.xlsx", "--password-file", pw)
    assert code == 0, err
    secrets = secrets_of(people)
    assert len(secrets) > 100
    files = [db, wal, daily, tmp_path / "台账.xlsx", atrest.sidecar(db), atrest.sidecar(daily)]
    assert {f.name: hits(f, secrets) for f in files} == {f.name: 0 for f in files}
    # the ledger is an encrypted Office file that opens with its password and holds the people
    assert (tmp_path / "台账.xlsx").read_bytes().startswith(bytes.fromhex("D0CF11E0A1B11AE1"))
    book = openpyxl.load_workbook(open_protected(tmp_path / "台账.xlsx", "账本口令123"))
    cells = {str(c.value) for sheet in book for row in sheet.iter_rows() for c in row}
    assert pids[0] in cells
    with pytest.raises(ValueError, match="密码不对"):
        open_protected(tmp_path / "台账.xlsx", "不对的密码")
    reader.close()
    ws.close()
    # the same files open with the right passphrase ...
    assert open_workspace(db, passphrase=PHRASE).scalar("SELECT count(*) FROM persons") == len(people)
    assert backup.validate(daily, backup.backup_key(daily, PHRASE)) > 0
    # ... and the wrong one is refused, on the CLI with exit 2 and one Chinese line
    with pytest.raises(atrest.PassphraseError, match="口令不对"):
        open_workspace(db, passphrase="错误的口令呀")
    os.environ["CANVASSER_PASSPHRASE"] = "错误的口令呀"
    try:
        code, _, err = cli(capsys, "search", "--db", db, people[0]["姓名"])
    finally:
        os.environ["CANVASSER_PASSPHRASE"] = PHRASE
    assert code == 2 and "口令不对" in err and "Traceback" not in err
    with pytest.raises(atrest.PassphraseError):
        backup.validate(daily, backup.backup_key(daily, "错误的口令呀"))


def test_passphrase_file_wins_and_a_missing_passphrase_is_bad_input(tmp_path, capsys, monkeypatch):
    db = tmp_path / "v.db"
    open_workspace(db).close()
    f = tmp_path / "p.txt"
    f.write_text(PHRASE + "\n", encoding="utf-8")
    monkeypatch.setenv("CANVASSER_PASSPHRASE", "不是这个口令")
    code, _, err = cli(capsys, "check", "--db", db, "--passphrase-file", f)
    assert code == 0, err
    atrest.use_passphrase(None)
    monkeypatch.delenv("CANVASSER_PASSPHRASE")
    atrest.forget(db)
    code, _, err = cli(capsys, "check", "--db", db)
    assert code == 2 and "需要口令" in err


def test_wrong_tries_are_slowed_then_reset_never_locked(tmp_path):
    db = tmp_path / "v.db"
    open_workspace(db).close()
    waits: list[float] = []
    at = 1_900_000_000.0  # every try at the same moment: the whole wait is due each time
    for _ in range(6):
        with pytest.raises(atrest.PassphraseError):
            atrest.unlock(db, "错误的口令呀", sleep=waits.append, now=at)
    assert waits == [1.0, 2.0, 4.0]  # three free tries, then doubling
    assert atrest.unlock(db, PHRASE, sleep=waits.append, now=at + 3)  # the right passphrase still opens
    assert waits[-1] == 5.0  # (8 s, less the 3 s since the last wrong try)
    assert atrest.KeyFile.load(db).data["failures"] == 0  # and the count starts over


def test_changing_the_passphrase_rewraps_the_key_and_leaves_the_database_as_it_is(tmp_path, capsys, monkeypatch):
    db = tmp_path / "v.db"
    ws = open_workspace(db)
    import_roster(ws, write_xlsx(tmp_path / "l.xlsx", rows(households=5)))
    ws.close()
    before = db.read_bytes()
    monkeypatch.setenv("CANVASSER_NEW_PASSPHRASE", "新的口令 2028")
    code, _, err = cli(capsys, "passphrase", "--db", db)
    assert code == 0, err
    assert db.read_bytes() == before
    with pytest.raises(atrest.PassphraseError):
        open_workspace(db, passphrase=PHRASE)
    assert open_workspace(db, passphrase="新的口令 2028").scalar("SELECT count(*) FROM persons") > 0


def test_a_standalone_workspace_shows_a_recovery_code_once_and_it_sets_a_new_passphrase(tmp_path, capsys,
                                                                                        monkeypatch):
    db = tmp_path / "单机.db"
    src = write_xlsx(tmp_path / "l.xlsx", rows(households=5))
    code, _, err = cli(capsys, "import-roster", "--db", db, src)
    assert code == 0, err
    recovery = err.split("恢复码")[1].split("：")[-1].split()[0]
    assert len(recovery.replace("-", "")) == 25 and not set(recovery) & set("ILOU01")
    assert recovery.encode() not in atrest.sidecar(db).read_bytes()
    code, _, err = cli(capsys, "check", "--db", db)
    assert "恢复码" not in err  # shown once, at creation
    (tmp_path / "code.txt").write_text(recovery.lower(), encoding="utf-8")
    monkeypatch.setenv("CANVASSER_NEW_PASSPHRASE", "找回后的口令")
    code, data, err = cli(capsys, "recover", "--db", db, "--code-file", tmp_path / "code.txt")
    assert code == 0 and data["via"] == "recovery-code", err
    assert open_workspace(db, passphrase="找回后的口令").scalar("SELECT count(*) FROM persons") > 0


def test_the_township_recovery_package_opens_a_village_and_rekey_retires_the_old_key(tmp_path, capsys,
                                                                                   monkeypatch):
    csv_path, people = write_township_csv(tmp_path / "roster.csv", households=4)
    t, v = tmp_path / "t.db", tmp_path / "青石村.db"
    assert cli(capsys, "init", "--db", t, "--township", TOWNSHIP)[0] == 0
    assert cli(capsys, "import-roster", "--db", t, csv_path)[0] == 0
    village = people[0]["村（社区）"]
    assert cli(capsys, "setup-package", "--db", t, "--village", village, "--out", tmp_path / "s.ccpkg", "--code", CODE)[0] == 0
    code, data, err = cli(capsys, "init", "--db", v, "--from", tmp_path / "s.ccpkg", "--code", CODE)
    assert code == 0, err
    wraps = atrest.KeyFile.load(v).wraps
    assert set(wraps) == {"passphrase", "township"}  # a village has no code of its own: its township keeps it
    # the village forgets its passphrase; it brings v.db.keys to the township
    code, res, err = cli(capsys, "recovery-package", "--db", t, "--keys", atrest.sidecar(v),
                         "--out", tmp_path / "恢复包.json")
    assert code == 0, err
    assert res["code"] not in (tmp_path / "恢复包.json").read_text(encoding="utf-8")
    (tmp_path / "code.txt").write_text(res["code"], encoding="utf-8")
    (tmp_path / "bad.txt").write_text("AAAA-BBBB-CCCC-DDDD-EEEE-FFFF", encoding="utf-8")
    monkeypatch.setenv("CANVASSER_NEW_PASSPHRASE", "村里的新口令")
    code, _, err = cli(capsys, "recover", "--db", v, "--package", tmp_path / "恢复包.json",
                       "--code-file", tmp_path / "bad.txt")
    assert code == 2 and "恢复码不对" in err
    code, data, err = cli(capsys, "recover", "--db", v, "--package", tmp_path / "恢复包.json",
                          "--code-file", tmp_path / "code.txt")
    assert code == 0 and data["via"] == "township", err
    opened = open_workspace(v, passphrase="村里的新口令")
    assert opened.mode == "village" and opened.scalar("SELECT count(*) FROM persons") > 0
    assert integrity.check(opened)["ok"]
    opened.close()
    # the laptop is lost: rekey; the old laptop's key can no longer be recovered
    assert cli(capsys, "rekey", "--db", t, "--village", village, "--out", tmp_path / "s2.ccpkg", "--code", CODE)[0] == 0
    code, _, err = cli(capsys, "recovery-package", "--db", t, "--keys", atrest.sidecar(v),
                       "--out", tmp_path / "恢复包2.json")
    assert code == 2 and "已作废" in err


def test_a_tampered_recovery_package_is_refused(tmp_path, capsys, monkeypatch):
    csv_path, people = write_township_csv(tmp_path / "roster.csv", households=3)
    t, v = tmp_path / "t.db", tmp_path / "v.db"
    cli(capsys, "init", "--db", t, "--township", TOWNSHIP)
    cli(capsys, "import-roster", "--db", t, csv_path)
    village = people[0]["村（社区）"]
    cli(capsys, "setup-package", "--db", t, "--village", village, "--out", tmp_path / "s.ccpkg", "--code", CODE)
    assert cli(capsys, "init", "--db", v, "--from", tmp_path / "s.ccpkg", "--code", CODE)[0] == 0
    code, res, err = cli(capsys, "recovery-package", "--db", t, "--keys", atrest.sidecar(v), "--out", tmp_path / "r.json")
    pkg = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))
    pkg["created"] = "2020-01-01"
    (tmp_path / "r.json").write_text(json.dumps(pkg), encoding="utf-8")
    (tmp_path / "code.txt").write_text(res["code"], encoding="utf-8")
    monkeypatch.setenv("CANVASSER_NEW_PASSPHRASE", "村里的新口令")
    code, _, err = cli(capsys, "recover", "--db", v, "--package", tmp_path / "r.json", "--code-file", tmp_path / "code.txt")
    assert code == 2 and "签名" in err
    with pytest.raises(atrest.PassphraseError):
        open_workspace(v, passphrase="村里的新口令")


def test_feedback_and_rejected_rows_take_an_open_password(tmp_path, capsys):
    people = rows(households=6)
    bad = dict(people[0], 公民身份号码="123")
    src = write_xlsx(tmp_path / "l.xlsx", [*people, bad])
    pw = tmp_path / "pw.txt"
    pw.write_text("表格密码2027", encoding="utf-8")
    db = tmp_path / "v.db"
    code, data, err = cli(capsys, "import-roster", "--db", db, src, "--rejects", tmp_path / "错行.xlsx",
                          "--password-file", pw)
    assert code == 0 and data["rejected"], err
    code, data, err = cli(capsys, "feedback", "--db", db, "--out", tmp_path / "反馈.xlsx", "--password-file", pw)
    assert code == 0 and data["protected"], err
    secrets = secrets_of(people)
    for name in ("错行.xlsx", "反馈.xlsx"):
        f = tmp_path / name
        assert f.read_bytes().startswith(bytes.fromhex("D0CF11E0A1B11AE1")) and hits(f, secrets) == 0
        book = openpyxl.load_workbook(open_protected(f, "表格密码2027"))
        assert book.active.max_row >= 2
    assert not list(tmp_path.glob(".*.part"))
    pw.write_text("短", encoding="utf-8")
    code, _, err = cli(capsys, "ledger", "--db", db, "--out", tmp_path / "x.xlsx", "--password-file", pw)
    assert code == 2 and "至少" in err and not (tmp_path / "x.xlsx").exists()


def test_check_replays_into_an_encrypted_scratch_file(tmp_path, monkeypatch):
    """`check` copies everyone into a scratch database: it must not be a plain file."""
    from canvasser.core.storage import sqlcipher

    ws = open_workspace(tmp_path / "v.db")
    import_roster(ws, write_xlsx(tmp_path / "l.xlsx", rows(households=5)))
    seen = []
    real = sqlcipher.apply_key

    def spy(conn, key, schema="main"):
        seen.append(key)
        return real(conn, key, schema)

    monkeypatch.setattr(integrity, "apply_key", spy)
    assert integrity.check(ws)["ok"]
    assert seen and all(k is not None and k != ws.key for k in seen)


def test_evidence_photos_are_sealed_at_rest_and_still_travel(tmp_path):
    from canvasser.core.rules.visits import evidence_dir
    from canvasser.core.sync import photos

    people = rows(households=4)
    ws = open_workspace(tmp_path / "v.db")
    import_roster(ws, write_xlsx(tmp_path / "l.xlsx", people))
    pid = people[0]["公民身份号码"]
    scan = tmp_path / "死亡证明.pdf"
    scan.write_bytes(b"%PDF-1.4 " + f"{people[0]['姓名']} {pid}".encode() + b" %%EOF")
    record_visit(ws, pid, "dead", by="李书记", note="2026-10-01 去世", photos=[scan])
    stored = list(evidence_dir(ws).iterdir())
    assert len(stored) == 1 and pid.encode() not in stored[0].read_bytes()
    found, missing = photos.collect(ws, [stored[0].name])
    assert found[stored[0].name] == scan.read_bytes() and not missing


def test_a_converted_workspace_seals_its_old_photos(tmp_path):
    from canvasser.core.rules.visits import evidence_dir
    from canvasser.core.sync import photos

    people = rows(households=4)
    db = tmp_path / "old.db"
    ws = open_workspace(db, plain=True)
    import_roster(ws, write_xlsx(tmp_path / "l.xlsx", people))
    scan = tmp_path / "证明.png"
    scan.write_bytes(b"\x89PNG" + people[1]["公民身份号码"].encode())
    record_visit(ws, people[1]["公民身份号码"], "military", by="李书记", photos=[scan])
    name = next(evidence_dir(ws).iterdir()).name
    ws.close()
    assert people[1]["公民身份号码"].encode() in (evidence_dir(ws) / name).read_bytes()  # plain before
    ws = open_workspace(db, passphrase=PHRASE)
    assert people[1]["公民身份号码"].encode() not in (evidence_dir(ws) / name).read_bytes()
    assert photos.collect(ws, [name])[0][name] == scan.read_bytes()
    assert ws.meta("evidence_to_seal") is None


def test_the_xlsx_cipher_is_aes_256_cbc_by_the_nist_vector():
    """SP 800-38A F.2.5 (CBC-AES256.Encrypt), through the OpenSSL Python ships."""
    from canvasser.core.outputs.officecrypt import aes_cbc

    key = bytes.fromhex("603deb1015ca71be2b73aef0857d77811f352c073b6108d72d9810a30914dff4")
    iv = bytes.fromhex("000102030405060708090a0b0c0d0e0f")
    plain = bytes.fromhex("6bc1bee22e409f96e93d7e117393172aae2d8a571e03ac9c9eb76fac45af8e51")
    assert aes_cbc(key, iv, plain).hex() == "f58c4c04d6e5f1ba779eabfb5f7bfbd69cfc4e967edb808d679f777bc6702c7d"


def test_a_file_copied_alone_on_this_computer_opens_with_its_passphrase(tmp_path, monkeypatch):
    import shutil

    monkeypatch.setenv("CANVASSER_DATA", str(tmp_path / "data"))
    ws = open_workspace(tmp_path / "v.db")
    import_roster(ws, write_xlsx(tmp_path / "l.xlsx", rows(households=4)))
    ws.close()
    shutil.copy(tmp_path / "v.db", tmp_path / "copy.db")
    assert not atrest.sidecar(tmp_path / "copy.db").exists()
    kept = list((tmp_path / "data" / "keys").iterdir())
    assert len(kept) == 1 and b"passphrase" in kept[0].read_bytes()
    with pytest.raises(atrest.PassphraseError):
        open_workspace(tmp_path / "copy.db", passphrase="错误的口令呀")
    copy = open_workspace(tmp_path / "copy.db", passphrase=PHRASE)
    assert copy.scalar("SELECT count(*) FROM persons") > 0 and atrest.sidecar(tmp_path / "copy.db").exists()
    copy.close()
    # a changed passphrase reaches the kept copy: the old one no longer opens a lone copy
    atrest.change_passphrase(tmp_path / "v.db", copy.key, "换过的口令 2028")
    shutil.copy(tmp_path / "v.db", tmp_path / "copy2.db")
    with pytest.raises(atrest.PassphraseError):
        open_workspace(tmp_path / "copy2.db", passphrase=PHRASE)
    assert open_workspace(tmp_path / "copy2.db", passphrase="换过的口令 2028").key == copy.key
    # on another computer (another data folder) the sidecar is needed
    monkeypatch.setenv("CANVASSER_DATA", str(tmp_path / "elsewhere"))
    shutil.copy(tmp_path / "v.db", tmp_path / "copy3.db")
    with pytest.raises(InputError, match="密钥文件"):
        open_workspace(tmp_path / "copy3.db", passphrase="换过的口令 2028")
