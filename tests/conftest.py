"""Every test keeps the app's data folder (backups, logs, 导出/) in its own temporary folder."""

import pytest


@pytest.fixture(autouse=True)
def _own_data_folder(tmp_path_factory, monkeypatch):
    monkeypatch.setenv("CANVASSER_DATA", str(tmp_path_factory.mktemp("data")))
