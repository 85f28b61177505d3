"""Recovery codes: the one-time secret a cadre copies from the screen (or prints) when a workspace is
made, and types back the day the passphrase is forgotten; also the code a township reads out over
the phone with a recovery package.

The alphabet has nothing to misread: Crockford's base32 without the letters it leaves out (I, L, O,
U) and without 0 and 1 as well, which beside letters are read as O, I or L. That leaves 30 symbols
(`23456789ABCDEFGHJKMNPQRSTVWXYZ`); a code is 25 of them in five groups of five (`7KQ2M-…`), about
122 bits, beyond guessing even with the file in hand (the wrap is Argon2id besides).

Typed back, letter case, spaces, dashes and full-width forms (a Chinese input method) do not matter.
Codes made before this alphabet (RFC 4648 base32, 24 characters A–Z and 2–7 in groups of four) keep
working: in a code of 24, a typed 0, 1 or 8 can only stand for O, I or L, or B, and each reading is
tried (`readings`).
"""

from __future__ import annotations

import itertools
import secrets
import unicodedata

ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"
GROUP, GROUPS = 5, 5
LENGTH = GROUP * GROUPS
LEGACY_LENGTH = 24  # base32 of 15 random bytes, the codes made before (groups of four)
LEGACY_SWAPS = {"0": "O", "1": "IL", "8": "B"}  # what a misread look-alike stands for in an old code
MAX_READINGS = 16   # each reading costs one Argon2id derivation (~0.2 s)


def new_code() -> str:
    """A fresh code, e.g. 7KQ2M-XT4DA-8RWNH-3FZPE-K9GVC."""
    raw = "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))
    return group(raw)


def group(raw: str) -> str:
    """Letters and digits in groups of five (four for an old code), as shown and printed."""
    size = 4 if len(raw) == LEGACY_LENGTH else GROUP
    return "-".join(raw[i:i + size] for i in range(0, len(raw), size))


def canonical(typed: str) -> str:
    """What the key is derived from: letters and digits only, upper case, full-width folded."""
    folded = unicodedata.normalize("NFKC", typed or "")
    return "".join(ch for ch in folded.upper() if ch.isascii() and ch.isalnum())


def readings(typed: str) -> list[str]:
    """The ways a typed code can be meant, the plain reading first (at most MAX_READINGS)."""
    plain = canonical(typed)
    if len(plain) != LEGACY_LENGTH or not any(ch in LEGACY_SWAPS for ch in plain):
        return [plain]
    choices = [LEGACY_SWAPS.get(ch, ch) for ch in plain]
    out = [plain]
    for combo in itertools.islice(itertools.product(*choices), MAX_READINGS - 1):
        out.append("".join(combo))
    return out


def problem(typed: str) -> str | None:
    """Why a typed code cannot be one (said before any slow try), or None."""
    plain = canonical(typed)
    if not plain:
        return "请输入恢复码"
    if len(plain) not in (LENGTH, LEGACY_LENGTH):
        return f"恢复码是 {LENGTH} 个字母和数字（以前建立的是 {LEGACY_LENGTH} 个），现在输入了 {len(plain)} 个，请核对"
    return None
