"""The whole suite runs on encrypted workspaces: every `Workspace(path)` takes this passphrase."""

import os

os.environ.setdefault("CANVASSER_PASSPHRASE", "测试用的口令 2027")
