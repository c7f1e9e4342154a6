"""The layers hold: imports flow one way, with no cycle, counting imports inside functions.

An AST walk over every module rather than import-linter: it sees the imports inside functions
and `if TYPE_CHECKING:` blocks as plainly as the ones at the top, and needs no extra tool.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "promisekeeper"

# Higher may import lower, never the reverse. One rank per layer of the README's table.
RANKS = {
    "__main__": 9,
    "cli": 8,
    "views": 7,
    "sync": 6,
    "core": 5,
    "shell": 5,
    "calendar": 4,
    "exchange": 3,
    "storage": 2,
    # Usable from every layer.
    "model": 1,
    "dates": 1,
    "timewords": 1,
    "config": 1,
    "config_file": 1,
    "paths": 1,
    "errors": 1,
    "__init__": 1,
}


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE).with_suffix("").parts)
    if parts[-1] == "__init__" and len(parts) > 1:
        parts.pop()
    return ".".join(parts)


MODULES = {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def imports_of(name: str) -> set[str]:
    """Every promisekeeper module `name` imports, anywhere in its body."""
    path = MODULES[name]
    package = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("promisekeeper."):
                    found.add(alias.name.removeprefix("promisekeeper."))
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - node.level + 1]
            elif node.module and node.module.startswith("promisekeeper"):
                base = []
            else:
                continue
            module = (node.module or "").removeprefix("promisekeeper").lstrip(".")
            target = ".".join([*base, *([module] if module else [])])
            for alias in node.names:
                candidate = f"{target}.{alias.name}" if target else alias.name
                found.add(candidate if candidate in MODULES else target)
    return {m for m in found if m in MODULES and m != name}


GRAPH = {name: imports_of(name) for name in MODULES}


def layer(name: str) -> str:
    return name.split(".")[0]


def test_every_module_has_a_layer() -> None:
    assert {layer(m) for m in MODULES} <= set(RANKS), set(map(layer, MODULES)) - set(RANKS)


@pytest.mark.parametrize("name", sorted(MODULES))
def test_imports_flow_down(name: str) -> None:
    rank = RANKS[layer(name)]
    upward = sorted(
        m
        for m in GRAPH[name]
        if RANKS[layer(m)] > rank or (RANKS[layer(m)] == rank > 1 and layer(m) != layer(name))
    )
    assert not upward, f"{name} imports a layer above or beside it: {upward}"


def test_no_import_cycle() -> None:
    state: dict[str, int] = {}  # 1 = on the path, 2 = done
    path: list[str] = []

    def visit(node: str) -> None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(GRAPH[node]):
            if state.get(nxt) == 1:
                cycle = [*path[path.index(nxt) :], nxt]
                pytest.fail("import cycle: " + " → ".join(cycle))
            if nxt not in state:
                visit(nxt)
        path.pop()
        state[node] = 2

    for name in sorted(GRAPH):
        if name not in state:
            visit(name)


def test_the_checker_sees_imports_inside_functions() -> None:
    """The walk must count a lazy import, or the cycle test could pass on a real cycle."""
    assert "core.ledger" in GRAPH["cli.ledger_cmds"]
    assert any("storage" in layer(m) for m in GRAPH["core.ledger"])


def test_storage_knows_no_feature() -> None:
    for name in MODULES:
        if layer(name) == "storage":
            assert all(RANKS[layer(m)] <= 2 for m in GRAPH[name]), (name, GRAPH[name])
