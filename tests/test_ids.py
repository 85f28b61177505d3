"""National ID numbers against python-stdnum on thousands of generated valid and corrupted numbers."""

from __future__ import annotations

import datetime as dt
import random

import pytest
from stdnum.cn import ric
from stdnum.exceptions import ValidationError

from canvasser.core.text import ids

TODAY = dt.date(2026, 11, 25)


def make_id(rng: random.Random) -> str:
    birth = dt.date(1920, 1, 1) + dt.timedelta(days=rng.randint(0, 38000))
    region = rng.choice(["510321", "110101", "440305", "320102", "510104"])
    body = f"{region}{birth:%Y%m%d}{rng.randrange(1000):03d}"
    return body + ids.check_digit(body)


def stdnum_ok(number: str) -> bool:
    """stdnum's verdict on length, digits, check digit and birth date (not the county code: real people
    hold numbers whose county code did not exist in their birth year)."""
    try:
        if len(number) != 18 or not number[:17].isdigit():
            return False
        if ric.calc_check_digit(number) != number[-1]:
            return False
        return ric.get_birth_date(number) <= TODAY
    except ValidationError:
        return False


def test_thousands_of_valid_numbers_agree_with_stdnum():
    rng = random.Random(1)
    for _ in range(3000):
        n = make_id(rng)
        assert stdnum_ok(n)
        assert ids.normalise(n, today=TODAY) == n
        info = ids.info(n, today=TODAY)
        assert info.birth == ric.get_birth_date(n)
        assert info.sex == ("男" if int(n[16]) % 2 else "女")
        assert ids.quick(n, TODAY) == (info.birth.isoformat(), info.sex)


def test_thousands_of_corrupted_numbers_agree_with_stdnum():
    rng = random.Random(2)
    disagreements = []
    for _ in range(4000):
        n = list(make_id(rng))
        kind = rng.choice(["digit", "swap", "date", "cut"])
        if kind == "digit":
            i = rng.randrange(17)
            n[i] = str((int(n[i]) + rng.randint(1, 9)) % 10)
        elif kind == "swap":
            i = rng.randrange(16)
            n[i], n[i + 1] = n[i + 1], n[i]
        elif kind == "date":
            n[10:12] = list(f"{rng.choice([0, 13, 19]):02d}")
        else:
            n = n[: rng.randint(5, 17)]
        s = "".join(n)
        if stdnum_ok(s) != ids.is_valid(s) and not (len(s) == 15):
            disagreements.append(s)
        if (ids.quick(s, TODAY) is not None) != (len(s) == 18 and stdnum_ok(s)):
            disagreements.append(("quick", s))
    assert disagreements == []


def test_quick_leaves_every_number_needing_cleaning_to_info():
    """The import's fast path must never accept what `info` would clean or reject."""
    n = make_id(random.Random(3))
    for raw in (n[:17] + "x", f" {n}", n[:6] + "18890101" + n[14:], "１" + n[1:], n[:17] + "Y",
                n[:6] + "20991231" + n[14:], n[:6] + "19990230" + n[14:]):
        assert ids.quick(raw, TODAY) is None


def test_county_code_that_did_not_exist_is_accepted():
    # 510321 was not a county code in 1935 per stdnum's table; the person is real all the same
    body = "51032119350822895"
    n = body + ids.check_digit(body)
    assert ids.normalise(n) == n


@pytest.mark.parametrize("raw,expected", [
    (" 510321202604176810 ", "510321202604176810"),
    ("５１０３２１２０２６０４１７６８１０", "510321202604176810"),
    ("510321 2026 0417 6810", "510321202604176810"),
])
def test_normalise_spaces_and_fullwidth(raw, expected):
    assert ids.normalise(raw, today=TODAY) == expected


def test_lowercase_x_is_upgraded():
    body = next(b for b in (f"51032119910427{i:03d}" for i in range(1000)) if ids.check_digit(b) == "X")
    assert ids.normalise(body + "x", today=TODAY) == body + "X"


def test_fifteen_digit_upgrade():
    old = "510321910427775"
    new = ids.normalise(old, today=TODAY)
    assert len(new) == 18 and new.startswith("51032119910427775")
    assert new[-1] == ids.check_digit(new[:17])


def test_reasons_are_specific():
    with pytest.raises(ids.IdError, match="校验位"):
        ids.normalise("510321193508228950")
    with pytest.raises(ids.IdError, match="位数"):
        ids.normalise("5103211987")
    with pytest.raises(ids.IdError, match="Excel"):
        ids.normalise(5.10321199104278e17)
    with pytest.raises(ids.IdError, match="Excel"):
        ids.normalise("5.10321E+17")
    with pytest.raises(ids.IdError, match="为空"):
        ids.normalise("  ")
    body = "51032119910231123"  # 31 February
    with pytest.raises(ids.IdError, match="出生日期"):
        ids.normalise(body + ids.check_digit(body))
    future = "51032120991231123"
    with pytest.raises(ids.IdError, match="出生日期"):
        ids.normalise(future + ids.check_digit(future), today=TODAY)


def test_mask():
    assert ids.mask("510321202604176810") == "5103**********6810"
    assert ids.age_on(dt.date(2000, 12, 1), dt.date(2026, 11, 30)) == 25
