"""The architecture's import rules (DESIGN.md §3), checked on the source itself."""
import ast
import sys
from pathlib import Path

import pytest

BACKEND = Path(__file__).resolve().parent.parent / "backend"
LOWER = {"accounts", "community", "people", "volunteers", "audit", "notifications", "onboarding", "alerts"}
# DESIGN.md's "catalog" (the neighbourhood services) is the package `providers`; `batch` plans
# tomorrow's scheduled requests on top of matching.
HIGHER = {"help_requests", "matching", "catalog", "providers", "batch", "timebank", "visits", "safety"}


def _imports(path: Path) -> list[str]:
    names = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.append(node.module)
            names.extend(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def _domain_files():
    for path in sorted(BACKEND.glob("*/**/*.py")):
        parts = path.relative_to(BACKEND).parts
        if parts[0] not in ("migrations", "common", "algorithms"):
            yield parts[0], path


@pytest.mark.parametrize("domain, path", list(_domain_files()), ids=lambda value: str(value))
def test_domains_import_no_other_domains_routes_and_lower_never_import_higher(domain, path):
    for name in _imports(path):
        parts = name.split(".")
        if parts[0] != "backend" or len(parts) < 2:
            continue
        other = parts[1]
        if other != domain and len(parts) > 2:
            assert parts[2] != "routes", f"{path} imports {name}: routes are never imported across domains"
        if domain in LOWER:
            assert other not in HIGHER, f"{path} (a lower domain) imports {name}"


def test_common_helpers_import_no_domain():
    for path in sorted((BACKEND / "common").glob("*.py")):
        for name in _imports(path):
            parts = name.split(".")
            if parts[0] == "backend" and len(parts) > 1:
                assert parts[1] in ("common", "extensions", "errors"), f"{path} imports {name}"


def test_the_rules_see_every_domain_package():
    packages = {path.name for path in BACKEND.iterdir() if (path / "__init__.py").exists()}
    unknown = packages - LOWER - HIGHER - {"common", "migrations", "demo", "algorithms"}
    assert not unknown, f"new packages must be placed in DESIGN.md's order here: {unknown}"


# Algorithms are pure: the standard library, numpy and scipy, and each other — no Flask, no
# database, no domain — so they are tested with plain dataclasses and nothing else.
PURE = {"numpy", "scipy"}


@pytest.mark.parametrize("path", sorted((BACKEND / "algorithms").glob("*.py")), ids=lambda path: path.name)
def test_algorithms_import_only_the_standard_library_numpy_scipy_and_each_other(path):
    for name in _imports(path):
        top = name.split(".")[0]
        assert top in sys.stdlib_module_names or top in PURE or name.startswith("backend.algorithms"), \
            f"{path} imports {name}"
