"""Errors the user can fix: the CLI turns them into exit code 2 and a one-line reason."""

from __future__ import annotations


class InputError(ValueError):
    """Bad input (unknown code, bad date, unknown person ...). Nothing was written."""


class Cancelled(Exception):
    """The user cancelled long work; everything it did was rolled back."""


class Question(InputError):
    """Input that is probably a mistake (another village's list, the paid list as the unenrolled
    one): refused unless the user says yes; `option` names the import's keyword that says it."""

    def __init__(self, message: str, option: str, ask: str):
        super().__init__(message)
        self.option = option
        self.ask = ask  # the question, for a window's dialog
