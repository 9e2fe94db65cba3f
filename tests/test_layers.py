"""The one rule for dependencies (docs/ARCHITECTURE.md): no import cycle between the
top-level packages and modules of insight_atlas, and the core modules import no domain."""

from __future__ import annotations

import ast
from pathlib import Path

import insight_atlas

PACKAGE = Path(insight_atlas.__file__).parent
CORE = {
    "settings",
    "errors",
    "db",
    "crypto",
    "mail",
    "validation",
    "request_context",
    "private_files",
    "migrate",
    "openapi",
}
DOMAINS = {"accounts", "billing", "consent", "reports", "assessments", "privacy", "profile"}


def _unit(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[0] == "insight_atlas" else None


def _module_of(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _is_module(unit: str) -> bool:
    return (PACKAGE / unit).is_dir() or (PACKAGE / f"{unit}.py").is_file()


def import_graph() -> dict[str, set[str]]:
    """Top-level unit -> the other top-level units it imports (at any depth, any time)."""
    graph: dict[str, set[str]] = {}
    for path in PACKAGE.rglob("*.py"):
        module = _module_of(path)
        source = _unit(module)
        if source is None:
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            targets: list[str] = []
            if isinstance(node, ast.ImportFrom):
                if node.level:
                    base = module.split(".")
                    if path.name != "__init__.py":
                        base = base[:-1]
                    base = base[: len(base) - (node.level - 1)]
                    name = ".".join([*base, *([node.module] if node.module else [])])
                else:
                    name = node.module or ""
                targets = [name, *(f"{name}.{alias.name}" for alias in node.names)]
            elif isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            for target in targets:
                unit = _unit(target)
                # `__version__` is the package's own attribute, not a module.
                if unit and unit != source and _is_module(unit):
                    graph.setdefault(source, set()).add(unit)
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one member (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for successor in graph.get(node, ()):
            if successor not in index:
                visit(successor)
                low[node] = min(low[node], low[successor])
            elif successor in stack:
                low[node] = min(low[node], index[successor])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_there_is_no_import_cycle_between_top_level_packages() -> None:
    assert cycles(import_graph()) == []


def test_the_cycle_check_finds_a_cycle() -> None:
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_core_modules_and_ops_import_no_domain() -> None:
    graph = import_graph()
    for unit in sorted(CORE | {"ops", "engine"}):
        assert not (graph.get(unit, set()) & DOMAINS), (unit, graph.get(unit))


def test_domains_are_layered_lowest_first() -> None:
    order = ["accounts", "billing", "consent", "reports", "assessments", "privacy", "profile"]
    graph = import_graph()
    for position, domain in enumerate(order):
        higher = set(order[position + 1 :])
        assert not (graph.get(domain, set()) & higher), (domain, graph.get(domain, set()) & higher)
