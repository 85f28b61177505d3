"""Recording visits under their first name, for scripts (DESIGN §8): the rules live in
`rules.visits`; this name stays so that a script written against the flat core keeps working."""
from __future__ import annotations

from .rules.visits import history, record_visit, undo_last, void_visit

__all__ = ["history", "record_visit", "undo_last", "void_visit"]
