"""Keys and the few PyNaCl primitives packages use (no home-made crypto).

Each sync workspace has two key pairs: Ed25519 to sign the packages it sends, and Curve25519 so
packages can be encrypted to it. A package's parts are encrypted with a fresh random key
(XSalsa20-Poly1305, `SecretBox`), and that key is sealed to the receiver (`SealedBox`). Setup
packages, which go to a village that has no keys yet, are sealed with a key derived from a code
(Argon2id, `nacl.pwhash`) or, without a code, with a random key carried in the file.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from nacl import pwhash, utils
from nacl.exceptions import BadSignatureError, CryptoError
from nacl.public import PrivateKey, PublicKey, SealedBox
from nacl.secret import SecretBox
from nacl.signing import SigningKey, VerifyKey

from ..storage.atrest import public_key_id

KEY_SIZE = SecretBox.KEY_SIZE
SALT_SIZE = pwhash.argon2id.SALTBYTES
KDF_OPS = pwhash.argon2id.OPSLIMIT_MODERATE
KDF_MEM = pwhash.argon2id.MEMLIMIT_MODERATE

__all__ = ["BadSignatureError", "CryptoError", "KeyPair", "PublicKeys", "fingerprint", "new_key", "seal", "unseal",
           "seal_key", "unseal_key", "derive_key", "new_salt"]


fingerprint = public_key_id  # a short, readable name for a pair of public keys (shown by `canvasser keys`)


@dataclass(frozen=True)
class PublicKeys:
    sign_pk: bytes
    box_pk: bytes

    @property
    def key_id(self) -> str:
        return fingerprint(self.sign_pk, self.box_pk)

    def verify(self, message: bytes, signature: bytes) -> bool:
        try:
            VerifyKey(self.sign_pk).verify(message, signature)
            return True
        except BadSignatureError:
            return False

    def as_dict(self) -> dict:
        return {"sign_pk": self.sign_pk.hex(), "box_pk": self.box_pk.hex()}

    @classmethod
    def from_dict(cls, d: dict) -> PublicKeys:
        return cls(bytes.fromhex(d["sign_pk"]), bytes.fromhex(d["box_pk"]))


@dataclass(frozen=True)
class KeyPair:
    sign_sk: bytes  # Ed25519 seed
    box_sk: bytes   # Curve25519 private key

    @classmethod
    def generate(cls) -> KeyPair:
        return cls(bytes(SigningKey.generate()), bytes(PrivateKey.generate()))

    @property
    def public(self) -> PublicKeys:
        return PublicKeys(bytes(SigningKey(self.sign_sk).verify_key), bytes(PrivateKey(self.box_sk).public_key))

    def sign(self, message: bytes) -> bytes:
        return SigningKey(self.sign_sk).sign(message).signature

    def unseal_key(self, sealed: bytes) -> bytes:
        return SealedBox(PrivateKey(self.box_sk)).decrypt(sealed)

    def dumps(self) -> str:
        return json.dumps({"sign_sk": self.sign_sk.hex(), "box_sk": self.box_sk.hex()})

    @classmethod
    def loads(cls, text: str) -> KeyPair:
        d = json.loads(text)
        return cls(bytes.fromhex(d["sign_sk"]), bytes.fromhex(d["box_sk"]))


def new_key() -> bytes:
    return utils.random(KEY_SIZE)


def new_salt() -> bytes:
    return utils.random(SALT_SIZE)


def seal_key(key: bytes, receiver: PublicKeys) -> bytes:
    """Encrypt a package key so only the receiver's private key opens it."""
    return SealedBox(PublicKey(receiver.box_pk)).encrypt(key)


def seal(key: bytes, data: bytes) -> bytes:
    return bytes(SecretBox(key).encrypt(data))


def unseal(key: bytes, data: bytes) -> bytes:
    """Decrypt and authenticate; raises CryptoError if a single bit differs."""
    return SecretBox(key).decrypt(data)


def unseal_key(pair: KeyPair, sealed: bytes) -> bytes:
    return pair.unseal_key(sealed)


def derive_key(code: str, salt: bytes, ops: int = KDF_OPS, mem: int = KDF_MEM) -> bytes:
    """The key a setup code stands for (Argon2id): slow on purpose, so guessing codes is costly."""
    return pwhash.argon2id.kdf(KEY_SIZE, code.strip().encode("utf-8"), salt, opslimit=ops, memlimit=mem)
