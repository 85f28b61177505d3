"""The SQLite the app links: SQLCipher's build (`sqlcipher3-wheels`), for plain and encrypted files alike.

Every module that opens a database or catches its errors imports `sqlite3` from here, so that the
exception classes and connections are SQLCipher's everywhere (they are not the standard library's).
"""

from __future__ import annotations

import importlib.util
import sys

import sqlcipher3
from sqlcipher3 import dbapi2 as sqlite3

# sqlite-utils (the views' dict reads) takes `pysqlite3` when it can be imported: given SQLCipher's, it
# speaks the app's SQLite (one set of error classes). The bundle leaves the standard library's sqlite3
# out, and sqlite-utils' plugin hooks name that module, so there it is SQLCipher's too.
sys.modules.setdefault("pysqlite3", sqlcipher3)
sys.modules.setdefault("pysqlite3.dbapi2", sqlite3)
if importlib.util.find_spec("sqlite3") is None:
    sys.modules["sqlite3"] = sqlite3

PAGE_SIZE = 16384  # bytes per page, plain and encrypted (SQLCipher's cipher_page_size)

_quiet = sqlite3.connect(":memory:")
_quiet.execute("PRAGMA cipher_log_level = NONE")  # a wrong key is our message, not SQLCipher's log line
_quiet.close()


def apply_key(conn: sqlite3.Connection, key: bytes | None, schema: str = "main") -> None:
    """Key a freshly opened connection (before its first read); None leaves the file plain."""
    if key is None:
        return
    conn.execute(f"PRAGMA {schema}.key = \"x'{key.hex()}'\"")
    conn.execute(f"PRAGMA {schema}.cipher_page_size = {PAGE_SIZE}")


def attach(conn: sqlite3.Connection, path: str, alias: str, key: bytes | None) -> None:
    """ATTACH a workspace file (encrypted with `key`, or plain when key is None)."""
    if key is None:
        conn.execute(f"ATTACH DATABASE ? AS {alias} KEY ''", (path,))
    else:
        conn.execute(f"PRAGMA cipher_default_page_size = {PAGE_SIZE}")
        conn.execute(f"ATTACH DATABASE ? AS {alias} KEY \"x'{key.hex()}'\"", (path,))


__all__ = ["sqlite3", "apply_key", "attach", "PAGE_SIZE"]
