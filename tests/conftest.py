"""The whole suite runs on encrypted workspaces: every `Workspace(path)` takes this passphrase; the
data folder (backups, the kept copies of key sidecars) is a temporary one, never the developer's."""

import os
import tempfile

os.environ.setdefault("CANVASSER_PASSPHRASE", "测试用的口令 2027")
os.environ.setdefault("CANVASSER_DATA", tempfile.mkdtemp(prefix="canvasser-test-data-"))
