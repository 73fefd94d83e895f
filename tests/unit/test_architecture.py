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


DOMAIN = {name: path for name, path in MODULES.items() if name.startswith("chalicelib.domain")}
NOT_IN_THE_DOMAIN = ("boto3", "botocore", "chalice", "pydantic", "aws_lambda_powertools", "moto", "jinja2")


@pytest.mark.parametrize("module", sorted(DOMAIN))
def test_the_domain_is_pure(module: str) -> None:
    path = DOMAIN[module]
    imported = _imports(path)
    assert {
        name for name in imported if name.startswith("chalicelib.") and not name.startswith("chalicelib.domain")
    } == set()
    assert {name for name in imported if name.split(".")[0] in NOT_IN_THE_DOMAIN} == set()
    source = path.read_text()
    assert "os.environ" not in source
    assert ".now(" not in source  # the clock is handed in


def test_the_domain_has_no_import_cycle() -> None:
    """Not even one for type checking only: an entity that needs its read model to be typed is tangled."""
    edges = {module: {name for name in _imports(path) if name in DOMAIN} - {module} for module, path in DOMAIN.items()}
    done: set[str] = set()

    def visit(module: str, path: tuple[str, ...]) -> None:
        assert module not in path, " -> ".join((*path, module))
        if module in done:
            return
        for imported in sorted(edges[module]):
            visit(imported, (*path, module))
        done.add(module)

    for module in sorted(DOMAIN):
        visit(module, ())


MAX_LINES = 300


@pytest.mark.parametrize("module", sorted(MODULES))
def test_every_module_is_small_enough_to_read_at_once(module: str) -> None:
    assert len(MODULES[module].read_text().splitlines()) <= MAX_LINES
