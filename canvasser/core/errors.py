"""Errors the user can fix: the CLI turns them into exit code 2 and a one-line reason."""

from __future__ import annotations


class InputError(ValueError):
    """Bad input (unknown code, bad date, unknown person ...). Nothing was written."""


class Cancelled(Exception):
    """The user cancelled long work; everything it did was rolled back."""
