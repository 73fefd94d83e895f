"""The layers as the code states them: what each may import, and how large a module may grow."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

CHALICELIB = Path(__file__).resolve().parents[2] / "chalicelib"


def _module_name(path: Path) -> str:
    parts = path.relative_to(CHALICELIB.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path) -> set[str]:
    """Every module ``path`` names in an import, at the top, inside functions and for type checking."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return found


MODULES = {_module_name(path): path for path in sorted(CHALICELIB.rglob("*.py"))}


@pytest.mark.parametrize("module", [name for name in MODULES if name.startswith("chalicelib.adapters")])
def test_adapters_import_only_ports_and_the_domain(module: str) -> None:
    ours = {name for name in _imports(MODULES[module]) if name.startswith("chalicelib.")}
    allowed = ("chalicelib.ports", "chalicelib.domain", "chalicelib.adapters")
    assert {name for name in ours if not name.startswith(allowed)} == set()
