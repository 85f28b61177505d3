"""Setup-package codes: the secret a township clerk reads to a village over the phone.

A setup package is the village's identity (its private keys and its list), so it is always sealed
with a key derived from a code by Argon2id, unless the clerk explicitly asks for none. The program
makes the code: 16 letters and digits in 4 groups (`QS7K-2M9P-XT4D-8RWA`), from 31 symbols that
cannot be misheard or misread (no 0/O, 1/I/L): about 79 bits, beyond guessing even offline. A code
typed by the clerk must be as hard to guess: at least 12 letters and digits mixing both, or 20 of
any kind, and not a pattern: at least 8 different characters, none making up more than a quarter of
it, no run of 4 alike or in sequence (aaaaaaaaaaa1, 123456789abc and qwertyuiop12 are refused); six
digits are refused. Dashes, spaces and letter case do not matter when it is typed in.
"""

from __future__ import annotations

import secrets

from ..errors import InputError

ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
GROUPS, GROUP = 4, 4
NORMALISED = "grouped"  # the header's mark: derive from `normalise(code)` (older packages used code.strip())


def new_code() -> str:
    """A fresh code, e.g. QS7K-2M9P-XT4D-8RWA (one that passes `check`, as any typed code must)."""
    while True:
        code = "-".join("".join(secrets.choice(ALPHABET) for _ in range(GROUP)) for _ in range(GROUPS))
        if _strong(normalise(code)):
            return code


def normalise(code: str) -> str:
    """The code as the key is derived from it: upper case, no spaces or dashes."""
    return "".join(ch for ch in code.upper() if not ch.isspace() and ch not in "-—_")


def check(code: str) -> str:
    """The normalised code, or InputError when it is too easy to guess."""
    norm = normalise(code)
    if _strong(norm):
        return norm
    raise InputError("口令太简单，拿到文件的人可以猜出来：至少 12 位且字母和数字都要有，至少 8 个不同的字符，"
                     "不能有连续或重复的一串（例如 QS7K-2M9P-XT4D）。"
                     "建议不加 --code，由程序生成口令")


def _strong(norm: str) -> bool:
    mixed = any(ch.isdigit() for ch in norm) and any(ch.isalpha() for ch in norm)
    return (len(norm) >= 20 or (len(norm) >= 12 and mixed)) and not _pattern(norm)


KEYBOARD_ROWS = ("1234567890", "QWERTYUIOP", "ASDFGHJKL", "ZXCVBNM")


def _pattern(norm: str) -> str:
    """Why a code is a pattern rather than a secret ('' when it is not)."""
    if len(set(norm)) < 8:
        return "too few different characters"
    if max(norm.count(ch) for ch in set(norm)) * 4 > len(norm):
        return "one character too often"
    for i in range(len(norm) - 3):
        run = norm[i:i + 4]
        steps = {ord(b) - ord(a) for a, b in zip(run, run[1:])}
        if len(steps) == 1 and steps <= {-1, 0, 1}:
            return "a run"
        if any(run in row or run[::-1] in row for row in (*KEYBOARD_ROWS, "ABCDEFGHIJKLMNOPQRSTUVWXYZ")):
            return "a keyboard or alphabet run"
    return ""
