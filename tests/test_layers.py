"""The layers hold: the window (canvasser/ui) touches no SQL, the core imports neither Qt nor the
window nor the command line. The same rules as the `onewriter` acceptance check, run in CI."""

from __future__ import annotations

import re
from pathlib import Path

PKG = Path(__file__).resolve().parent.parent / "canvasser"
SQL = re.compile(r"""(\.(conn|cursor)\b|\.(query|one|scalar|execute|executemany)\(|\bimport sqlite3\b|["'](SELECT|INSERT|UPDATE|DELETE)\s)""")
UP = re.compile(r"^\s*(from|import)\s+(PySide6|shiboken6|canvasser\.ui|canvasser\.commands|canvasser\.cli)\b", re.M)
RELATIVE_UP = re.compile(r"^\s*from\s+\.\.(ui|commands|cli)\b", re.M)  # the same, written relatively


def sql_lines(text: str) -> list[int]:
    return [i for i, line in enumerate(text.splitlines(), 1)
            if SQL.search(line) and not line.lstrip().startswith("#")]


def test_the_window_touches_no_sql():
    leaks = [f"{f.relative_to(PKG)}:{i}" for f in sorted((PKG / "ui").rglob("*.py"))
             for i in sql_lines(f.read_text(encoding="utf-8"))]
    assert not leaks, f"SQL in canvasser/ui (use a function of canvasser.core.views): {leaks}"


def test_the_rule_catches_a_line_of_sql():
    for line in ('rows = self.ws.query("SELECT name FROM persons")', "n = ws.scalar(sql)", "import sqlite3",
                 "cur = self.ws.conn", 'sql = "UPDATE persons SET name=?"'):
        assert sql_lines(f"x = 1\n{line}\n") == [2], line
    assert sql_lines("# ws.query('SELECT 1') in a comment\nlabel = '选择'\n") == []


def test_the_core_imports_no_qt_no_window_no_command_line():
    bad = [str(f.relative_to(PKG)) for f in sorted((PKG / "core").rglob("*.py"))
           if UP.search(text := f.read_text(encoding="utf-8")) or RELATIVE_UP.search(text)]
    assert not bad, f"canvasser/core imports Qt, the window or the command line: {bad}"


def _imports() -> dict[str, set[str]]:
    """Module -> the canvasser modules it imports anywhere in its text (lazy imports included)."""
    rel = re.compile(r"^\s*from\s+(\.+)([\w.]*)\s+import\s+([\w, ()]+)", re.M)
    graph: dict[str, set[str]] = {}
    names = {".".join(f.relative_to(PKG.parent).with_suffix("").parts) for f in PKG.rglob("*.py")}
    for f in PKG.rglob("*.py"):
        mod = ".".join(f.relative_to(PKG.parent).with_suffix("").parts)
        package = mod.split(".")[:-1] if f.name != "__init__.py" else mod.split(".")[:-1]
        deps = set()
        for dots, name, what in rel.findall(f.read_text(encoding="utf-8")):
            base = package[:len(package) - (len(dots) - 1)]
            target = ".".join([*base, *([name] if name else [])])
            for w in [w.strip(" ()") for w in what.split(",")]:
                if f"{target}.{w}" in names:
                    deps.add(f"{target}.{w}")
            if target in names:
                deps.add(target)
            elif f"{target}.__init__" in names:
                deps.add(f"{target}.__init__")
        graph[mod] = deps - {mod}
    return graph


def test_no_import_cycles_between_store_and_projection_or_app_and_window():
    g = _imports()
    for a, b in (("canvasser.core.storage.store", "canvasser.core.storage.projection"), ("canvasser.ui.app", "canvasser.ui.main_window")):
        assert not (b in g[a] and a in g[b]), f"{a} and {b} import each other"
