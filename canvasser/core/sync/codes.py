"""Setup-package codes: the secret a township clerk reads to a village over the phone.

A setup package is the village's identity (its private keys and its list), so it is always sealed
with a key derived from a code by Argon2id, unless the clerk explicitly asks for none. The program
makes the code: 16 letters and digits in 4 groups (`QS7K-2M9P-XT4D-8RWA`), from 31 symbols that
cannot be misheard or misread (no 0/O, 1/I/L): about 79 bits, beyond guessing even offline. A code
typed by the clerk must be as hard to guess: at least 12 letters and digits mixing both, or 20 of
any kind; six digits are refused. Dashes, spaces and letter case do not matter when it is typed in.
"""

from __future__ import annotations

import secrets

from ..errors import InputError

ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
GROUPS, GROUP = 4, 4
NORMALISED = "grouped"  # the header's mark: derive from `normalise(code)` (older packages used code.strip())


def new_code() -> str:
    """A fresh code, e.g. QS7K-2M9P-XT4D-8RWA."""
    return "-".join("".join(secrets.choice(ALPHABET) for _ in range(GROUP)) for _ in range(GROUPS))


def normalise(code: str) -> str:
    """The code as the key is derived from it: upper case, no spaces or dashes."""
    return "".join(ch for ch in code.upper() if not ch.isspace() and ch not in "-—_")


def check(code: str) -> str:
    """The normalised code, or InputError when it is too easy to guess."""
    norm = normalise(code)
    mixed = any(ch.isdigit() for ch in norm) and any(ch.isalpha() for ch in norm)
    if len(norm) >= 20 or (len(norm) >= 12 and mixed):
        return norm
    raise InputError("口令太简单，拿到文件的人可以猜出来：至少 12 位且字母和数字都要有（例如 QS7K-2M9P-XT4D）。"
                     "建议不加 --code，由程序生成口令")
