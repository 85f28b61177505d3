"""ECMA-376 "agile" encryption of an xlsx (what Excel 2010+ and WPS write when a file has an open
password): AES-256-CBC, SHA-512, 100,000 spins, with the data-integrity HMAC. MS-OFFCRYPTO §2.3.4.

Why here and not `msoffcrypto-tool`'s `encrypt`: that one needs the `cryptography` package for AES,
11 MB in the one-folder bundle (a third copy of OpenSSL, after Python's and SQLCipher's), which
broke the 150 MB budget. AES-CBC comes instead from the OpenSSL Python itself ships (`_hashlib`
links it on Windows and Linux alike), through ctypes; msoffcrypto's container writer (pure Python,
olefile) writes the compound file. Reading back (tests) uses msoffcrypto's decrypt.
"""

from __future__ import annotations

import base64
import ctypes
import functools
import hashlib
import hmac
import io
import secrets
import sys
from struct import pack

SPIN = 100_000
SEGMENT = 4096
BLOCK_VERIFIER_INPUT = bytes([0xFE, 0xA7, 0xD2, 0x76, 0x3B, 0x4B, 0x9E, 0x79])
BLOCK_VERIFIER_VALUE = bytes([0xD7, 0xAA, 0x0F, 0x6D, 0x30, 0x61, 0x34, 0x4E])
BLOCK_KEY_VALUE = bytes([0x14, 0x6E, 0x0B, 0xE7, 0xAB, 0xAC, 0xD0, 0xD6])
BLOCK_INTEGRITY_KEY = bytes([0x5F, 0xB2, 0xAD, 0x01, 0x0C, 0xB9, 0xE1, 0xF6])
BLOCK_INTEGRITY_VALUE = bytes([0xA0, 0x67, 0x7F, 0x02, 0xB2, 0x2C, 0x84, 0x33])


@functools.lru_cache(maxsize=1)
def _openssl() -> ctypes.CDLL:
    """Python's own libcrypto (already loaded by `_hashlib`)."""
    import _hashlib  # noqa: F401 — loads the library the names below find

    names = ["libcrypto-3-x64", "libcrypto-3", "libcrypto-1_1-x64", "libcrypto-1_1", "libcrypto.so.3", "libcrypto.so.1.1",
             "libcrypto.3.dylib"]
    if sys.platform.startswith("linux"):
        try:
            with open("/proc/self/maps", encoding="utf-8") as f:
                names += sorted({line.split()[-1] for line in f if "libcrypto" in line and "/" in line})
        except OSError:
            pass
    for name in names:
        try:
            lib = ctypes.CDLL(name)
            lib.EVP_aes_256_cbc  # noqa: B018 — the symbol must be there
        except (OSError, AttributeError):
            continue
        lib.EVP_CIPHER_CTX_new.restype = ctypes.c_void_p
        lib.EVP_CIPHER_CTX_free.argtypes = [ctypes.c_void_p]
        lib.EVP_aes_256_cbc.restype = ctypes.c_void_p
        lib.EVP_EncryptInit_ex.argtypes = [ctypes.c_void_p, ctypes.c_void_p, ctypes.c_void_p, ctypes.c_char_p,
                                           ctypes.c_char_p]
        lib.EVP_CIPHER_CTX_set_padding.argtypes = [ctypes.c_void_p, ctypes.c_int]
        lib.EVP_EncryptUpdate.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.POINTER(ctypes.c_int),
                                          ctypes.c_char_p, ctypes.c_int]
        lib.EVP_EncryptFinal_ex.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.POINTER(ctypes.c_int)]
        return lib
    raise OSError("找不到 OpenSSL（Python 自带的 libcrypto），无法给文件加密码")


def aes_cbc(key: bytes, iv: bytes, data: bytes) -> bytes:
    """AES-256-CBC of whole blocks, no padding (the format pads itself)."""
    if len(key) != 32 or len(iv) != 16 or len(data) % 16:
        raise ValueError("AES-256-CBC needs a 32-byte key, a 16-byte IV and whole blocks")
    lib = _openssl()
    ctx = lib.EVP_CIPHER_CTX_new()
    if not ctx:
        raise MemoryError("EVP_CIPHER_CTX_new")
    try:
        out = ctypes.create_string_buffer(len(data) + 16)
        n, m = ctypes.c_int(0), ctypes.c_int(0)
        ok = (lib.EVP_EncryptInit_ex(ctx, lib.EVP_aes_256_cbc(), None, key, iv) == 1
              and lib.EVP_CIPHER_CTX_set_padding(ctx, 0) == 1
              and lib.EVP_EncryptUpdate(ctx, out, ctypes.byref(n), data, len(data)) == 1
              and lib.EVP_EncryptFinal_ex(ctx, ctypes.cast(ctypes.addressof(out) + n.value, ctypes.c_char_p),
                                          ctypes.byref(m)) == 1)
        if not ok:
            raise OSError("OpenSSL AES-256-CBC failed")
        return out.raw[:n.value + m.value]
    finally:
        lib.EVP_CIPHER_CTX_free(ctx)


def _pad(data: bytes, size: int, fill: bytes = b"\0") -> bytes:
    return data[:size] if len(data) >= size else data + fill * (size - len(data))


def _blocks(data: bytes) -> bytes:
    return _pad(data, -(-len(data) // 16) * 16)


def _b64(b: bytes) -> str:
    return base64.b64encode(b).decode("ascii")


def _password_hash(password: str, salt: bytes) -> bytes:
    h = hashlib.sha512(salt + password.encode("utf-16-le")).digest()
    for i in range(SPIN):
        h = hashlib.sha512(pack("<I", i) + h).digest()
    return h


def encrypt(password: str, plain: bytes) -> bytes:
    """The OLE compound file holding `plain` (an xlsx) encrypted under `password`."""
    from msoffcrypto.method.container.ecma376_encrypted import ECMA376Encrypted

    key_salt, data_salt = secrets.token_bytes(16), secrets.token_bytes(16)
    secret = secrets.token_bytes(32)
    h = _password_hash(password, key_salt)

    def derived(block: bytes) -> bytes:
        return _pad(hashlib.sha512(h + block).digest(), 32, b"\x36")

    verifier = secrets.token_bytes(16)
    enc_verifier_input = aes_cbc(derived(BLOCK_VERIFIER_INPUT), key_salt, verifier)
    enc_verifier_value = aes_cbc(derived(BLOCK_VERIFIER_VALUE), key_salt, hashlib.sha512(verifier).digest())
    enc_key = aes_cbc(derived(BLOCK_KEY_VALUE), key_salt, secret)

    package = io.BytesIO()
    package.write(pack("<Q", len(plain)))
    for i, start in enumerate(range(0, len(plain), SEGMENT)):
        iv = hashlib.sha512(data_salt + pack("<I", i)).digest()[:16]
        package.write(aes_cbc(secret, iv, _blocks(plain[start:start + SEGMENT])))
    encrypted = package.getvalue()

    hmac_key = secrets.token_bytes(64)
    iv1 = hashlib.sha512(data_salt + BLOCK_INTEGRITY_KEY).digest()[:16]
    iv2 = hashlib.sha512(data_salt + BLOCK_INTEGRITY_VALUE).digest()[:16]
    enc_hmac_key = aes_cbc(secret, iv1, hmac_key)
    enc_hmac_value = aes_cbc(secret, iv2, hmac.new(hmac_key, encrypted, hashlib.sha512).digest())

    common = ('saltSize="16" blockSize="16" keyBits="256" hashSize="64" cipherAlgorithm="AES" '
              'cipherChaining="ChainingModeCBC" hashAlgorithm="SHA512"')
    descriptor = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n'
        '<encryption xmlns="http://schemas.microsoft.com/office/2006/encryption" '
        'xmlns:p="http://schemas.microsoft.com/office/2006/keyEncryptor/password" '
        'xmlns:c="http://schemas.microsoft.com/office/2006/keyEncryptor/certificate">'
        f'<keyData {common} saltValue="{_b64(data_salt)}"/>'
        f'<dataIntegrity encryptedHmacKey="{_b64(enc_hmac_key)}" encryptedHmacValue="{_b64(enc_hmac_value)}"/>'
        '<keyEncryptors><keyEncryptor uri="http://schemas.microsoft.com/office/2006/keyEncryptor/password">'
        f'<p:encryptedKey spinCount="{SPIN}" {common} saltValue="{_b64(key_salt)}" '
        f'encryptedVerifierHashInput="{_b64(enc_verifier_input)}" '
        f'encryptedVerifierHashValue="{_b64(enc_verifier_value)}" encryptedKeyValue="{_b64(enc_key)}"/>'
        '</keyEncryptor></keyEncryptors></encryption>')
    info = pack("<HHI", 4, 4, 0x40) + descriptor.encode("utf-8")
    out = io.BytesIO()
    ECMA376Encrypted(encrypted, info).write_to(out)
    return out.getvalue()
