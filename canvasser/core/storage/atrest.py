"""Encryption at rest: each workspace's random data key, and the ways it is kept wrapped.

The workspace file is a SQLCipher database keyed with a random 256-bit data key that nobody types.
The key is stored only wrapped, in a small plain sidecar `X.db.keys` (JSON) beside the file:

- `passphrase`: SecretBox under a key derived from the workspace passphrase by Argon2id;
- `recovery`: the same under a one-time recovery code shown when a standalone/township workspace is
  created (to print and keep);
- `township`: for a village made from a setup package, the key sealed to the township's public box
  key, so the township can answer a forgotten passphrase with a recovery package.

Why a sidecar and not the database header: SQLCipher's plaintext header is the 32-byte SQLite
header only, no room for our wraps; a sidecar is written atomically (temp + rename), changing the
passphrase rewrites a few hundred bytes and never the database, and it holds nothing readable but
salts and ciphertext. Its loss would make the file unreadable, so backups copy it beside each copy,
and a copy of it is kept in this user's data folder (`keys/<file salt>.keys`, named by the random
salt SQLCipher writes in the file's first 16 bytes): a workspace file copied alone on this computer
still opens with its passphrase, and gets its sidecar back. On another computer it needs its sidecar.

Wrong passphrases are slowed: after a few failures each further try waits (doubling up to a
minute, less the time since the last wrong try, and said: "请等 N 秒"); the count lives in the
sidecar so it holds across CLI runs and resets on success. It never locks the data away: the count
stops at MAX_FAILURES and the wait at MAX_WAIT whatever the file says. (Anyone with the file can skip
the wait; Argon2id is what makes guessing dear.)

Every change to a sidecar is a compare-and-swap: under an OS lock on `X.db.keys.lock` the file is
read as it is now, changed, and renamed into place (`update_sidecar`). A colleague's wrong try that
began before a passphrase change therefore counts itself into the new file; it never writes back the
wraps it read before the change. The data folder's copy is written only from a sidecar whose key has
just opened the workspace (`escrow(..., key=)`): a wrong `.keys` file put beside a workspace never
replaces the copy of the right one.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import os
import time
from dataclasses import dataclass
from pathlib import Path

from nacl import pwhash
from nacl.exceptions import CryptoError
from nacl.public import PrivateKey, PublicKey, SealedBox
from nacl.secret import SecretBox
from nacl.signing import SigningKey

from ..errors import InputError
from . import files, oslock, recoverycode

ENV = "CANVASSER_PASSPHRASE"
SUFFIX = ".keys"
FORMAT = "canvasser-keys"
KDF_OPS = 3            # Argon2id t=3, m=64 MiB: RFC 9106's second recommended setting, ~0.2 s here
KDF_MEM = 64 << 20
MIN_PASSPHRASE = 6
FREE_TRIES = 3         # wrong tries before the wait starts
MAX_WAIT = 60.0
MAX_FAILURES = 10_000  # the count stops here: it only sets the wait, which stops at MAX_WAIT long before
LOCK_SUFFIX = ".lock"
PLAIN_MAGIC = b"SQLite format 3\x00"
SYNC_KEYS = "sync.keys"  # meta: the workspace's own sync key pair (sync/peers.py; a conversion reads it)


class PassphraseError(InputError):
    """A missing or wrong passphrase (CLI exit 2). Nothing was opened or written."""


def sidecar(db_path: str | Path) -> Path:
    return Path(str(db_path) + SUFFIX)


def file_state(db_path: str | Path) -> str:
    """'new' (missing or empty), 'plain' (an SQLite file) or 'encrypted'."""
    p = Path(db_path)
    try:
        with open(p, "rb") as f:
            head = f.read(16)
    except FileNotFoundError:
        return "new"
    if not head:
        return "new"
    return "plain" if head == PLAIN_MAGIC else "encrypted"


# ---- wrapping -------------------------------------------------------------------------------------

@functools.lru_cache(maxsize=64)
def _derive(secret: str, salt: bytes, ops: int, mem: int) -> bytes:
    """Argon2id of a passphrase or code (cached per process: the window's worker reopens the file)."""
    return pwhash.argon2id.kdf(SecretBox.KEY_SIZE, secret.encode("utf-8"), salt, opslimit=ops, memlimit=mem)


def norm_code(code: str) -> str:
    """A recovery code as its wrap is derived from (see `recoverycode`)."""
    return recoverycode.canonical(code)


def wrap_secret(key: bytes, secret: str) -> dict:
    salt = os.urandom(pwhash.argon2id.SALTBYTES)
    box = SecretBox(_derive(secret, salt, KDF_OPS, KDF_MEM)).encrypt(key)
    return {"kdf": "argon2id", "salt": salt.hex(), "ops": KDF_OPS, "mem": KDF_MEM, "box": bytes(box).hex()}


def unwrap_secret(wrap: dict, secret: str) -> bytes | None:
    try:
        k = _derive(secret, bytes.fromhex(wrap["salt"]), int(wrap["ops"]), int(wrap["mem"]))
        return SecretBox(k).decrypt(bytes.fromhex(wrap["box"]))
    except (CryptoError, KeyError, ValueError, TypeError):
        return None


def unwrap_code(wrap: dict, typed: str) -> bytes | None:
    """The key wrapped under a recovery code, from the code as a person typed it (each reading)."""
    for reading in recoverycode.readings(typed):
        key = unwrap_secret(wrap, reading)
        if key is not None:
            return key
    return None


def seal_to(key: bytes, box_pk: bytes) -> str:
    return SealedBox(PublicKey(box_pk)).encrypt(key).hex()


def unseal_with(sealed_hex: str, box_sk: bytes) -> bytes:
    return SealedBox(PrivateKey(box_sk)).decrypt(bytes.fromhex(sealed_hex))


def key_id(key: bytes) -> str:
    """A name for a data key that reveals nothing about it."""
    return hashlib.sha256(b"canvasser-data-key\x00" + key).hexdigest()[:16]


def public_key_id(sign_pk: bytes, box_pk: bytes) -> str:
    """A short readable name for a pair of public keys (a workspace's sync keys: `canvasser keys`
    shows it, a township's wrap of a village's key names both sides by it)."""
    digest = hashlib.sha256(b"canvasser-key\x00" + sign_pk + box_pk).hexdigest()[:20]
    return "-".join(digest[i:i + 4] for i in range(0, 20, 4))


def public_keys(sign_sk: bytes, box_sk: bytes) -> tuple[bytes, bytes]:
    """The public halves of a workspace's sync keys (Ed25519 seed, Curve25519 private key)."""
    return bytes(SigningKey(sign_sk).verify_key), bytes(PrivateKey(box_sk).public_key)


def new_recovery_code() -> str:
    """25 characters without look-alikes, in groups of five (`recoverycode`)."""
    return recoverycode.new_code()


# ---- the sidecar ----------------------------------------------------------------------------------

@dataclass
class KeyFile:
    path: Path
    data: dict

    @classmethod
    def load(cls, db_path: str | Path) -> KeyFile:
        p = sidecar(db_path)
        if not p.exists():
            kept = escrow_path(db_path)
            if kept is not None and kept.exists():  # the file was copied alone, on this computer
                kf = cls.load_file(kept, p.name)
                kf.path = p
                with contextlib.suppress(OSError):
                    kf.save()
                return kf
        return cls.load_file(p, p.name)

    @classmethod
    def load_file(cls, p: Path, name: str) -> KeyFile:
        try:
            data = json.loads(p.read_text(encoding="utf-8"))
        except FileNotFoundError as exc:
            raise InputError(f"找不到工作区的密钥文件 {name}（应与工作区文件放在一起），无法打开") from exc
        except (OSError, ValueError) as exc:
            raise InputError(f"工作区的密钥文件 {p.name} 已损坏，无法打开") from exc
        if not isinstance(data, dict) or data.get("format") != FORMAT or not isinstance(data.get("wraps"), dict):
            raise InputError(f"{p.name} 不是本程序的密钥文件")
        return cls(p, data)

    @classmethod
    def fresh(cls, db_path: str | Path, key: bytes) -> KeyFile:
        return cls(sidecar(db_path), {"format": FORMAT, "version": 1, "key_id": key_id(key), "wraps": {},
                                      "failures": 0, "last_failure": 0})

    @property
    def wraps(self) -> dict:
        return self.data["wraps"]

    def save(self, path: Path | None = None) -> Path:
        """Written beside, flushed, then renamed: a crash leaves the old sidecar or the new one.
        (Changes to an existing sidecar go through `update_sidecar`, which holds its lock.)"""
        target = path or self.path
        _write_json(target, self.data)
        return target

    # slowed tries
    @property
    def failures(self) -> int:
        return _count(self.data.get("failures"))

    def wait_before_try(self, now: float | None = None) -> float:
        """Seconds to wait before the next try: none for the first FREE_TRIES wrong ones, then 1, 2, 4 …
        up to MAX_WAIT, less the time since the last wrong try (never more than MAX_WAIT, whatever
        the count or the clock says)."""
        n = self.failures
        if n < FREE_TRIES:
            return 0.0
        delay = min(MAX_WAIT, 2.0 ** min(n - FREE_TRIES, 16))
        try:
            since = (time.time() if now is None else now) - float(self.data.get("last_failure") or 0)
        except (TypeError, ValueError, OverflowError):
            since = 0.0
        if not since == since or since < 0:  # NaN, or a last try "in the future" (a clock put back)
            since = 0.0
        return max(0.0, min(delay, delay - since))


def _count(value) -> int:
    """A stored wrong-try count as a small int (a damaged or hostile file may hold anything)."""
    try:
        n = int(value or 0)
    except (TypeError, ValueError, OverflowError):
        return MAX_FAILURES
    return max(0, min(n, MAX_FAILURES))


def update_sidecar(db_path: str | Path, change, *, key: bytes | None = None) -> KeyFile:
    """Change a workspace's sidecar as a compare-and-swap: under the lock on `X.db.keys.lock`, read the
    file as it is now, apply `change(data)` to it and rename the result into place. With `key` (a key
    that has just opened the workspace) the data folder's copy follows."""
    p = sidecar(db_path)
    with oslock.held(Path(str(p) + LOCK_SUFFIX)):
        kf = KeyFile.load(db_path)
        change(kf.data)
        kf.save()
    if key is not None:
        escrow(db_path, kf.data, key=key)
    return kf


def note_failure(db_path: str | Path, now: float | None = None) -> None:
    """One more wrong try, counted into the sidecar as it is now (never a stale copy of it)."""
    def bump(data: dict) -> None:
        data["failures"] = min(_count(data.get("failures")) + 1, MAX_FAILURES)
        # to the millisecond: a whole second cut off would shorten the wait by up to a second
        data["last_failure"] = round(time.time() if now is None else now, 3)
    with contextlib.suppress(OSError, InputError):  # a read-only place: the wait just does not grow
        update_sidecar(db_path, bump)


def note_success(db_path: str | Path) -> None:
    def reset(data: dict) -> None:
        data["failures"] = 0
    with contextlib.suppress(OSError, InputError):
        if KeyFile.load(db_path).failures:
            update_sidecar(db_path, reset)


def _write_json(target: Path, data: dict) -> None:
    tmp = target.with_name(target.name + ".part")
    with oslock.claimed(tmp):  # a sweep at the next start leaves a sidecar being written alone
        with open(tmp, "w", encoding="utf-8") as f:
            json.dump(data, f, ensure_ascii=False, indent=1)
            f.flush()
            os.fsync(f.fileno())
    os.replace(tmp, target)  # (after the claim's handle is closed: Windows renames no open file)


def escrow_path(db_path: str | Path) -> Path | None:
    """Where this user's data folder keeps the wraps of the encrypted file at `db_path`."""
    if file_state(db_path) != "encrypted":
        return None
    from ...paths import data_dir

    with open(db_path, "rb") as f:
        salt = f.read(16).hex()
    return data_dir() / "keys" / f"{salt}{SUFFIX}"


def escrow(db_path: str | Path, data: dict | None = None, *, key: bytes) -> None:
    """Keep (or bring up to date) the data folder's copy of a workspace's wraps; `key` has just
    opened the workspace, and only a sidecar wrapping that key is kept (a wrong `.keys` file beside
    the workspace, or one a wrong try rewrote, never replaces the right copy)."""
    with contextlib.suppress(OSError, ValueError):
        target = escrow_path(db_path)
        if target is None:
            return
        if data is None:
            data = json.loads(sidecar(db_path).read_text(encoding="utf-8"))
        if data.get("key_id") != key_id(key):
            return
        if target.exists() and json.loads(target.read_text(encoding="utf-8")).get("wraps") == data.get("wraps"):
            return
        target.parent.mkdir(parents=True, exist_ok=True)
        _write_json(target, dict(data, failures=0, last_failure=0))


# ---- opening --------------------------------------------------------------------------------------

_UNLOCKED: dict[str, bytes] = {}  # realpath -> data key, for this process (the window's worker threads)


def remember(db_path: str | Path, key: bytes) -> None:
    _UNLOCKED[files.real_path(db_path)] = key


def forget(db_path: str | Path) -> None:
    _UNLOCKED.pop(files.real_path(db_path), None)


def remembered(db_path: str | Path) -> bytes | None:
    return _UNLOCKED.get(files.real_path(db_path))


def key_by_id(wanted: str) -> bytes | None:
    """A data key unlocked in this process with this key id (a backup of the open workspace)."""
    return next((k for k in _UNLOCKED.values() if key_id(k) == wanted), None)


_PROCESS: dict[str, object] = {"passphrase": None, "prompt": None, "notify": None}


def use_passphrase(passphrase: str | None) -> None:
    """The passphrase this process was given (the CLI's --passphrase-file); beats the variable."""
    _PROCESS["passphrase"] = passphrase or None


def use_prompt(prompt) -> None:
    """`prompt(new: bool) -> str | None`: asks a person (the CLI's getpass on a terminal)."""
    _PROCESS["prompt"] = prompt


def given_passphrase() -> str | None:
    """The passphrase from --passphrase-file, else CANVASSER_PASSPHRASE (no prompt)."""
    return _PROCESS["passphrase"] or os.environ.get(ENV) or None  # type: ignore[return-value]


def env_passphrase(*, new: bool = False) -> str | None:
    """The given passphrase, else one asked by the prompt if this process has one (a terminal)."""
    given = given_passphrase()
    if given is None and _PROCESS["prompt"] is not None:
        given = _PROCESS["prompt"](new) or None  # type: ignore[operator]
        if given:
            _PROCESS["passphrase"] = given
    return given


def unlock_key(db_path: str | Path, passphrase: str | None = None) -> bytes | None:
    """The data key of an existing workspace (None for a plain file): unlocked earlier in this
    process (the window's dialog), else from `passphrase`, --passphrase-file, CANVASSER_PASSPHRASE or
    a terminal prompt. PassphraseError when none is known."""
    if file_state(db_path) != "encrypted":
        return None
    phrase = passphrase or given_passphrase()
    known = None if phrase else remembered(db_path)
    if known is not None:
        return known
    phrase = phrase or env_passphrase()
    if phrase:
        return unlock(db_path, phrase)
    raise PassphraseError("工作区已加密，需要口令（在提示时输入，或用 CANVASSER_PASSPHRASE、"
                          "--passphrase-file 提供）")


def check_new_passphrase(passphrase: str) -> str:
    if len(passphrase.strip()) < MIN_PASSPHRASE:
        raise PassphraseError(f"口令至少要 {MIN_PASSPHRASE} 个字符")
    return passphrase


def use_notify(notify) -> None:
    """`notify(seconds)`: told before a wait after wrong tries (the CLI says "请等 N 秒" on stderr)."""
    _PROCESS["notify"] = notify


def _wait(kf: KeyFile, sleep, now: float | None) -> None:
    wait = kf.wait_before_try(now)
    if wait > 0:
        notify = _PROCESS.get("notify")
        if notify is not None:
            notify(wait)  # type: ignore[operator]
        sleep(wait)


def unlock(db_path: str | Path, passphrase: str, *, sleep=time.sleep, now: float | None = None) -> bytes:
    """The data key of an encrypted workspace, from its passphrase; slowed after wrong tries."""
    _wait(KeyFile.load(db_path), sleep, now)
    kf = KeyFile.load(db_path)  # as it is after the wait: the passphrase may have changed meanwhile
    wrap = kf.wraps.get("passphrase")
    key = unwrap_secret(wrap, passphrase) if wrap else None
    if key is None:
        note_failure(db_path, now)
        raise PassphraseError("口令不对，无法打开工作区（数据未改动）。忘记口令请找乡镇要恢复包，"
                              "或用建立工作区时打印的恢复码")
    if kf.failures:
        note_success(db_path)
    remember(db_path, key)
    return key


def create_keys(db_path: str | Path, passphrase: str, *, recovery: bool = True,
                key: bytes | None = None, target: Path | None = None) -> tuple[bytes, str | None]:
    """A new data key for a new (or converted) workspace, wrapped by the passphrase; with `recovery`
    also by a one-time recovery code, which is returned (it is shown once and never stored plain)."""
    check_new_passphrase(passphrase)
    key = key or os.urandom(32)
    kf = KeyFile.fresh(db_path, key)
    kf.wraps["passphrase"] = wrap_secret(key, passphrase)
    code = None
    if recovery:
        code = new_recovery_code()
        kf.wraps["recovery"] = wrap_secret(key, norm_code(code))
    kf.save(target)
    remember(db_path, key)
    return key, code


def change_passphrase(db_path: str | Path, key: bytes, new: str) -> dict:
    """Re-wrap the data key under a new passphrase; the database is not rewritten. A compare-and-swap
    of the sidecar as it is now (a wrong try racing it keeps the new wrap). Returns the new wrap, for
    the kept backups' sidecars (`backup.change_passphrase` does both)."""
    check_new_passphrase(new)
    wrap = wrap_secret(key, new)

    def change(data: dict) -> None:
        if data.get("key_id") != key_id(key):
            raise PassphraseError("这个密钥不属于此工作区")
        data["wraps"]["passphrase"] = wrap
        data["failures"] = 0
    update_sidecar(db_path, change, key=key)
    remember(db_path, key)
    return wrap


def unlock_with_recovery_code(db_path: str | Path, code: str, *, sleep=time.sleep) -> bytes:
    _wait(KeyFile.load(db_path), sleep, None)
    kf = KeyFile.load(db_path)
    wrap = kf.wraps.get("recovery")
    if not wrap:
        raise PassphraseError("此工作区没有恢复码（村工作区请找乡镇要恢复包）")
    if why := recoverycode.problem(code):
        raise PassphraseError(why)
    key = unwrap_code(wrap, code)
    if key is None:
        note_failure(db_path)
        raise PassphraseError("恢复码不对")
    return key


def seal_for_township(db_path: str | Path, key: bytes, box_pk: bytes, *, village: str, village_key: str,
                      township_key: str) -> None:
    """Keep the data key sealed to the township too (a village made from a setup package)."""
    sealed = {"sealed": seal_to(key, box_pk), "village": village, "village_key": village_key,
              "township_key": township_key}
    update_sidecar(db_path, lambda data: data["wraps"].__setitem__("township", sealed), key=key)


def copy_sidecar(db_path: str | Path, target_db: str | Path) -> Path | None:
    """Put the workspace's sidecar beside a copy of it (a backup), without the failure count."""
    try:
        kf = KeyFile.load(db_path)
    except InputError:
        return None
    data = dict(kf.data, failures=0, last_failure=0)
    return KeyFile(sidecar(target_db), data).save()
