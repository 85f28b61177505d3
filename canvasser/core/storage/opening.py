"""Opening a user's workspace: which key, an old plain file converted first, its photos sealed.

`store.Workspace(path, key=...)` opens a file with the key it is given and nothing more. Everything
else about opening a workspace the app (the window, the worker, the command line, a setup package)
hands over is here, once: the key comes from the passphrase given (the argument, --passphrase-file,
CANVASSER_PASSPHRASE, a key this process already unlocked, a terminal prompt); a new file gets its
keys (and a recovery code); an old plain file is converted to an encrypted one (`convert.py`); the
data folder keeps a copy of the wraps; photos a conversion left plain are sealed. The demo village
(made-up people) stays a plain file.
"""

from __future__ import annotations

from pathlib import Path

from ..errors import InputError
from ..text.cells import clean
from ..tiers import Tier
from . import atrest, evidence
from .convert import convert
from .location import sqlite_uri
from .sqlcipher import sqlite3
from .store import Workspace, WorkspaceError


def open_workspace(path: str | Path, *, create: bool = True, passphrase: str | None = None, plain: bool = False,
                   recovery: bool = True, look_only: bool = False) -> Workspace:
    """Open (or create) a workspace. A new file is encrypted (`plain` only for the demo) and, with
    `recovery`, gets a one-time recovery code in `.recovery_code`; an old plain file is converted
    first (convert.py); photos a conversion left plain are sealed. `look_only`: open as it is, for
    reading only (a folder the caller found read-only)."""
    path = Path(path)
    if not create and not path.exists():
        raise WorkspaceError(f"找不到工作区文件：{path}")
    path.parent.mkdir(parents=True, exist_ok=True)
    key, code = _key_for(path, passphrase, plain=plain, recovery=recovery)
    ws = Workspace(path, key=key, create=create, look_only=look_only)
    ws.recovery_code = code
    if key is not None:
        atrest.escrow(path, key=key)  # a copy of the wraps in the data folder, by the file's salt
        if ws.meta(evidence.PENDING) and not ws.look_only:
            _seal_photos(ws)
    return ws


def _seal_photos(ws: Workspace) -> None:
    """After a conversion: seal the photos that were plain (safe to repeat after a kill)."""
    evidence.seal_folder(evidence.folder(ws.path), ws.key)
    ws.conn.execute("DELETE FROM meta WHERE key=?", (evidence.PENDING,))


def is_demo_file(path: Path) -> bool:
    """A plain file marked as the demo village stays plain (it holds made-up people only)."""
    try:
        conn = sqlite3.connect(sqlite_uri(path, readonly=True), uri=True)
        try:
            row = conn.execute("SELECT value FROM meta WHERE key='demo'").fetchone()
        finally:
            conn.close()
    except sqlite3.DatabaseError:
        return False
    return bool(row and row[0] == "1")


def name_village(ws: Workspace, name: str) -> str:
    """A standalone workspace's village, as the cadre confirmed it when making it: the first list's
    村 column names it only when nobody did (a village's name comes from its township's setup package)."""
    name = clean(name or "").strip()
    if not name or len(name) > 30:
        raise InputError("请填写村（社区）的名称（30 个字以内），例如 青石村")
    if ws.tier is not Tier.STANDALONE:
        raise InputError("村工作区的名称来自乡镇的配置包，不能自己改")
    with ws.transaction():
        ws.set_meta("village", name)
    return name


def _key_for(path: Path, passphrase: str | None, *, plain: bool, recovery: bool) -> tuple[bytes | None, str | None]:
    """The data key to open `path` with (None: a plain file), and a new workspace's recovery code."""
    state = atrest.file_state(path)
    if state == "encrypted":
        return atrest.unlock_key(path, passphrase), None
    if plain:
        return None, None
    phrase = passphrase or (None if state == "plain" and is_demo_file(path) else atrest.env_passphrase(new=True))
    if state == "plain":
        if is_demo_file(path):
            return None, None
        if not phrase:
            raise atrest.PassphraseError("这个工作区还没有加密：请设置一个口令，打开时会先把它转成加密文件")
        return convert(path, phrase)
    if not phrase:
        raise atrest.PassphraseError("新建工作区需要设置口令（在提示时输入，或用 CANVASSER_PASSPHRASE、"
                                     "--passphrase-file 提供）")
    return atrest.create_keys(path, phrase, recovery=recovery)
