"""The layers hold: the window (canvasser/ui) touches no SQL, the core imports neither Qt nor the
window nor the command line (the same rules as the `onewriter` acceptance check); no module of
canvasser imports itself back through any chain (lazy imports included, every pair and every longer
cycle); and the core's wings import one way (DESIGN §2):

    foot (errors, tiers, authority, outcomes, person_fields, clock) < text < storage < rules < lists, sync < outputs
    < head (views, demo)

A wing imports only wings below it; lists and sync stand side by side and import neither each other.

The window (canvasser/ui) reads through `core.views` and writes through `ui/operations.py`: its
other modules import from the core only `views`, the foot and `core.text` (pure functions); the
start-up modules, which choose, unlock, create or copy a workspace file before a window and its
worker hold it, may also use the file's opener (DESIGN §2).
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

PKG = Path(__file__).resolve().parent.parent / "canvasser"
SQL = re.compile(r"""(\.(conn|cursor)\b|\.(query|one|scalar|execute|executemany)\(|\bimport sqlite3\b|["'](SELECT|INSERT|UPDATE|DELETE)\s)""")
UP = re.compile(r"^\s*(from|import)\s+(PySide6|shiboken6|canvasser\.ui|canvasser\.commands|canvasser\.cli)\b", re.M)
RELATIVE_UP = re.compile(r"^\s*from\s+\.\.(ui|commands|cli)\b", re.M)  # the same, written relatively

FOOT = ("errors", "tiers", "authority", "outcomes", "person_fields", "clock")  # concepts every wing shares
HEAD = ("views", "demo", "store", "visits")  # on top of every wing: the window's reads, the demo village, the scripts' names
RANK = {"foot": 0, "text": 1, "storage": 2, "rules": 3, "lists": 4, "sync": 4, "outputs": 5, "head": 6}
WINDOW_READS = ("canvasser.core.views", *(f"canvasser.core.{m}" for m in FOOT), "canvasser.core.text")
START_UP = ("canvasser.ui.app", "canvasser.ui.choose", "canvasser.ui.lock", "canvasser.ui.worker",
            "canvasser.ui.dialogs.new_workspace", "canvasser.ui.dialogs.location", "canvasser.ui.dialogs.passphrase")
OPENING = ("canvasser.core.storage.opening", "canvasser.core.storage.atrest", "canvasser.core.storage.store",
           "canvasser.core.storage.winlock", "canvasser.core.storage.location", "canvasser.core.storage.recoverycode",
           "canvasser.core.outputs.recovery_sheet", "canvasser.core.demo",
           "canvasser.core.sync")  # (the recovery code and its page, the demo village, a first setup)


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


# ---- the import graph ------------------------------------------------------------------------------
def module_files() -> dict[str, Path]:
    return {".".join(f.relative_to(PKG.parent).with_suffix("").parts).removesuffix(".__init__"): f
            for f in PKG.rglob("*.py")}


def imports_of(mod: str, text: str, is_package: bool, known: set[str]) -> set[str]:
    """The canvasser modules a module's text imports anywhere (inside functions too)."""
    base = mod if is_package else mod.rpartition(".")[0]
    out = set()
    for node in ast.walk(ast.parse(text)):
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                parts = base.split(".")[: len(base.split(".")) - node.level + 1]
                src = ".".join([*parts, *([node.module] if node.module else [])])
            else:
                src = node.module or ""
            names = [f"{src}.{a.name}" if f"{src}.{a.name}" in known else src for a in node.names]
        else:
            continue
        for name in names:
            while name and name not in known:
                name = name.rpartition(".")[0]
            if name.startswith("canvasser") and name != mod and not mod.startswith(name + "."):
                out.add(name)  # (a package's own __init__ is no cycle)
    return out


def graph() -> dict[str, set[str]]:
    files = module_files()
    known = set(files)
    return {m: imports_of(m, f.read_text(encoding="utf-8"), f.name == "__init__.py", known) for m, f in files.items()}


def cycles(g: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan, iteratively)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    found: list[list[str]] = []
    for root in sorted(g):
        if root in index:
            continue
        work = [(root, iter(sorted(g[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on.add(root)
        while work:
            v, edges = work[-1]
            w = next(edges, None)
            if w is not None:
                if w not in index:
                    index[w] = low[w] = len(index)
                    stack.append(w)
                    on.add(w)
                    work.append((w, iter(sorted(g.get(w, ())))))
                elif w in on:
                    low[v] = min(low[v], index[w])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[v])
            if low[v] == index[v]:
                comp = []
                while True:
                    w = stack.pop()
                    on.discard(w)
                    comp.append(w)
                    if w == v:
                        break
                if len(comp) > 1:
                    found.append(sorted(comp))
    return found


def wing(mod: str) -> str | None:
    """The wing of a core module (None outside canvasser.core)."""
    parts = mod.split(".")
    if parts[:2] != ["canvasser", "core"] or len(parts) < 3:
        return None
    return "foot" if parts[2] in FOOT else "head" if parts[2] in HEAD else parts[2]


def upward(g: dict[str, set[str]]) -> list[str]:
    """Imports that climb between the core's wings (or cross between lists and sync)."""
    bad = []
    for a, targets in g.items():
        for b in targets:
            wa, wb = wing(a), wing(b)
            if wa is None or wb is None or wa == wb:
                continue
            if wa not in RANK or wb not in RANK:
                bad.append(f"{a} -> {b} (a core module outside the wings)")
            elif RANK[wb] >= RANK[wa]:
                bad.append(f"{a} -> {b}")
    return sorted(bad)


def test_no_import_cycles_anywhere():
    """Every pair and every longer chain of canvasser's modules, lazy imports included."""
    found = cycles(graph())
    assert not found, f"{len(found)} import cycle(s): " + "; ".join(" ↔ ".join(c) for c in found)


def test_the_wings_import_one_way():
    bad = upward(graph())
    assert not bad, f"imports against the wings' direction (DESIGN §2): {bad}"


def test_the_rules_catch_a_cycle_and_an_import_upward():
    g = {"canvasser.core.storage.store": {"canvasser.core.rules.visits"},
         "canvasser.core.rules.visits": {"canvasser.core.storage.store"},
         "canvasser.ui.a": {"canvasser.ui.b"}, "canvasser.ui.b": {"canvasser.ui.c"}, "canvasser.ui.c": {"canvasser.ui.a"},
         "canvasser.core.lists.roster": {"canvasser.core.outputs.xlsxlock", "canvasser.core.sync.peers"},
         "canvasser.core.outputs.xlsxlock": set(), "canvasser.core.sync.peers": set()}
    assert cycles(g) == [["canvasser.core.rules.visits", "canvasser.core.storage.store"],
                         ["canvasser.ui.a", "canvasser.ui.b", "canvasser.ui.c"]]
    assert upward(g) == ["canvasser.core.lists.roster -> canvasser.core.outputs.xlsxlock",
                         "canvasser.core.lists.roster -> canvasser.core.sync.peers",
                         "canvasser.core.storage.store -> canvasser.core.rules.visits"]
    lazy = "def f():\n    from ..rules import visits\n"
    assert imports_of("canvasser.core.storage.store", lazy, False,
                      {"canvasser.core.rules.visits", "canvasser.core.rules"}) == {"canvasser.core.rules.visits"}


def window_imports(g: dict[str, set[str]]) -> list[str]:
    """Window modules reaching into the core past its door (views for reads, operations for writes)."""
    bad = []
    for mod, targets in g.items():
        if not mod.startswith("canvasser.ui.") or mod == "canvasser.ui.operations":
            continue
        allowed = WINDOW_READS + (OPENING if mod in START_UP else ())
        bad += [f"{mod} -> {t}" for t in targets
                if t.startswith("canvasser.core") and not any(t == a or t.startswith(a + ".") for a in allowed)]
    return sorted(bad)


def test_the_window_reads_through_views_and_writes_through_operations():
    bad = window_imports(graph())
    assert not bad, f"the window past its door into the core (use core.views or ui/operations.py): {bad}"


def test_the_window_rule_catches_a_write_past_operations():
    g = {"canvasser.ui.dialogs.outputs": {"canvasser.core.outputs.ledgers", "canvasser.core.views"},
         "canvasser.ui.operations": {"canvasser.core.outputs.ledgers"},
         "canvasser.ui.app": {"canvasser.core.storage.opening"},
         "canvasser.ui.detail": {"canvasser.core.storage.opening", "canvasser.core.text.ids"}}
    assert window_imports(g) == ["canvasser.ui.detail -> canvasser.core.storage.opening",
                                 "canvasser.ui.dialogs.outputs -> canvasser.core.outputs.ledgers"]


def test_the_scripts_names_are_for_scripts_only():
    """core.store and core.visits keep the flat core's names for scripts; the app itself never uses them."""
    users = sorted(a for a, targets in graph().items()
                   if targets & {"canvasser.core.store", "canvasser.core.visits"})
    assert not users, users
