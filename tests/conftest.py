"""The whole suite runs on encrypted workspaces: every `open_workspace(path)` takes this passphrase; the
data folder (backups, the kept copies of key sidecars, 导出/) is a temporary one, never the developer's,
and each test has its own."""

import os
import tempfile

import pytest

os.environ.setdefault("CANVASSER_PASSPHRASE", "测试用的口令 2027")
os.environ.setdefault("CANVASSER_DATA", tempfile.mkdtemp(prefix="canvasser-test-data-"))


@pytest.fixture(autouse=True)
def _own_data_folder(tmp_path_factory, monkeypatch):
    monkeypatch.setenv("CANVASSER_DATA", str(tmp_path_factory.mktemp("data")))


@pytest.fixture(autouse=True)
def _computer_date_again():
    """A test that pins the day (`clock.pin`, or the CLI's --today) leaves the next one the computer's date."""
    yield
    from canvasser.core import clock

    clock.pin(None)
