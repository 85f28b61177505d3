"""Entry point of the bundled windowed program `canvasser` (double-clicked on the village laptop).

Without arguments it opens the window; `canvasser --demo`, `--db FILE`, `--screenshot FILE` go to the
`gui` command, and a workspace file given alone (dropped on the icon, or opened by file association)
opens that workspace. A subcommand (`canvasser demo --db x.db`) runs the command line as usual.

On Windows a windowed program has no console: sys.stdout/sys.stderr are None and every write would
fail. Output then goes to logs/canvasser.log in the user's data folder (never inside the bundle), and
a failed start is shown in a message box instead of vanishing silently.
"""

from __future__ import annotations

import multiprocessing
import sys
from pathlib import Path

LOG_LIMIT = 1_000_000  # bytes; the previous log is kept once as canvasser.log.1
WORKSPACE_SUFFIXES = (".db", ".sqlite")


def gui_argv(argv: list[str]) -> list[str]:
    """The command line for cli.main: the `gui` command unless a subcommand or help was asked for."""
    if not argv:
        return ["gui"]
    first = argv[0]
    if first in ("-h", "--help"):
        return argv
    if first.startswith("-"):
        return ["gui", *argv]
    if len(argv) == 1 and first.lower().endswith(WORKSPACE_SUFFIXES) and Path(first).is_file():
        return ["gui", "--db", first]
    return argv


class LogStream:
    """A text stream appending to the log file and remembering the last lines for an error box."""

    def __init__(self, path: Path):
        self.path = path
        self.tail: list[str] = []
        self._fh = None

    def _open(self):
        if self._fh is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            if self.path.exists() and self.path.stat().st_size > LOG_LIMIT:
                self.path.replace(self.path.with_name(self.path.name + ".1"))
            # with a BOM at the start of a new file: Notepad before Windows 10 1903 reads UTF-8 without one as GBK
            self._fh = open(self.path, "a", encoding="utf-8-sig")  # open for the life of the process
        return self._fh

    def write(self, text: str) -> int:
        try:
            self._open().write(text)
            self._fh.flush()
        except OSError:
            pass  # a read-only data folder must not stop the app
        self.tail = (self.tail + text.splitlines())[-20:]
        return len(text)

    def flush(self) -> None:
        if self._fh is not None:
            self._fh.flush()

    def isatty(self) -> bool:
        return False


def show_error(text: str) -> None:
    """A message box for a start that failed before (or instead of) showing the window."""
    try:
        from PySide6.QtWidgets import QApplication, QMessageBox

        app = QApplication.instance() or QApplication(sys.argv[:1])
        QMessageBox.critical(None, "医保参保入户动员", text)
        del app
    except Exception:  # noqa: BLE001 — the log file already has the message
        pass


def old_system(why: str) -> None:
    """Say so without Qt (whose libraries are what needs the newer glibc): stderr, and a desktop
    dialog where one of the usual tools is there (zenity on UOS/Kylin/GNOME, kdialog on KDE)."""
    import shutil
    import subprocess

    sys.stderr.write(why + "\n")
    for tool, args in (("zenity", ["--error", "--no-wrap", "--text"]), ("kdialog", ["--error"])):
        if shutil.which(tool):
            subprocess.run([tool, *args, why], check=False)
            return


def run() -> int:
    windowed = sys.stdout is None or sys.stderr is None
    err = None
    if windowed:
        from canvasser.paths import data_dir

        err = LogStream(data_dir() / "logs" / "canvasser.log")
        sys.stdout = sys.stdout or err
        sys.stderr = sys.stderr or err
    from canvasser.glibc import too_old

    if why := too_old():
        old_system(why)
        return 1
    from canvasser.cli import main

    try:
        code = main(gui_argv(sys.argv[1:]))
    except SystemExit as exc:  # argparse: bad arguments or --help
        code = exc.code if isinstance(exc.code, int) else 1
    if windowed and code and err is not None and err.tail:
        show_error("\n".join(err.tail[-8:]))
    return code


if __name__ == "__main__":
    multiprocessing.freeze_support()  # a big list is read in a second process of this program
    sys.exit(run())
