"""Recovery codes: no look-alike characters, grouped, and typed back however a person types them;
codes made before the new alphabet still open their workspace."""

from __future__ import annotations

import pytest

from canvasser.core.storage import atrest, recoverycode
from canvasser.core.storage.opening import open_workspace
from canvasser.core.sync.recovery import recover

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
