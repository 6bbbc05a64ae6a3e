"""The web only renders: it builds no queries, imports no ORM model, and refuses nothing itself.

An import-graph check over the sources of ``tandem.web`` (their syntax trees, not a running
app), so it is deterministic: queries live in the domains' services, and every 403 comes from
the permission registry (:mod:`tandem.web.permissions`). Imports under ``if TYPE_CHECKING:``
are annotations of what the services hand over and do not count.
"""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import pytest

import tandem.web
from tandem.db.base import Base

WEB = Path(tandem.web.__file__).parent
MODULES = sorted(WEB.rglob("*.py"))
QUERY_BUILDERS = {"select", "insert", "update", "delete", "func", "text", "exists", "and_", "or_"}
SESSION_READS = {"execute", "scalars", "scalar", "query"}
# review_cache.py watches SQLite's ``PRAGMA data_version`` on a raw DB-API connection: cache
# infrastructure, no query of the app's tables
RAW_CONNECTION = {("review_cache.py", "execute")}
# where a refusal may be raised: the registry, and sign-in (authentication, not authorisation)
RAISES_403 = {"permissions.py", "auth.py"}


def _name(path: Path) -> str:
    return path.relative_to(WEB).as_posix()


def _runtime_nodes(tree: ast.Module) -> list[ast.AST]:
    """Every node outside ``if TYPE_CHECKING:`` blocks."""
    found: list[ast.AST] = []

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            for child in node.orelse:
                visit(child)
            return
        found.append(node)
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(tree)
    return found


def _nodes(path: Path) -> list[ast.AST]:
    return _runtime_nodes(ast.parse(path.read_text(encoding="utf-8"), filename=str(path)))


def _is_class_name(name: str) -> bool:
    """``Team``, ``ReviewCycle``: not ``SESSION_COOKIE`` nor ``key``."""
    return name[:1].isupper() and not name.isupper()


def _is_orm_model(module: str, name: str) -> bool:
    found = getattr(importlib.import_module(module), name, None)
    return isinstance(found, type) and issubclass(found, Base)


def test_the_checks_see_every_web_module() -> None:
    names = {_name(p) for p in MODULES}
    assert {"permissions.py", "how/scope.py", "people/access.py", "admin.py"} <= names


@pytest.mark.parametrize("path", MODULES, ids=_name)
def test_no_web_module_builds_a_query(path: Path) -> None:
    bad: list[str] = []
    for node in _nodes(path):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("sqlalchemy"):
            bad += [f"imports {a.name}" for a in node.names if a.name in QUERY_BUILDERS]
        if isinstance(node, ast.Import):
            bad += [f"imports {a.name}" for a in node.names if a.name == "sqlalchemy"]
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            method = node.func.attr
            if method in SESSION_READS and (path.name, method) not in RAW_CONNECTION:
                bad.append(f"calls .{method}() at line {node.lineno}")
            first = node.args[0] if node.args else None
            if method == "get" and isinstance(first, ast.Name) and _is_class_name(first.id):
                bad.append(f"calls .get({first.id}, …) at line {node.lineno}")  # db.get(Model, id)
    assert bad == [], f"{_name(path)}: move the query into the domain's service"


@pytest.mark.parametrize("path", MODULES, ids=_name)
def test_no_web_module_imports_an_orm_model(path: Path) -> None:
    bad = [
        f"{node.module}.{alias.name}"
        for node in _nodes(path)
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("tandem.")
        for alias in node.names
        if _is_orm_model(node.module or "", alias.name)
    ]
    assert bad == [], f"{_name(path)} imports ORM models; ask the domain's service instead"


@pytest.mark.parametrize("path", MODULES, ids=_name)
def test_only_the_registry_refuses(path: Path) -> None:
    raised = [
        node.lineno
        for node in _nodes(path)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id == "PermissionDeniedError"
    ]
    if _name(path) not in RAISES_403:
        assert raised == [], f"{_name(path)} refuses by itself; add a rule to permissions.py"


def test_the_checks_catch_a_query_and_a_model() -> None:
    source = (
        "from typing import TYPE_CHECKING\n"
        "from sqlalchemy import select\n"
        "from tandem.people.models import Team\n"
        "if TYPE_CHECKING:\n"
        "    from tandem.review.models import ReviewCycle\n"
        "rows = db.scalars(select(Team))\n"
        "team = db.get(Team, 1)\n"
    )
    nodes = _runtime_nodes(ast.parse(source))
    imported = {a.name for n in nodes if isinstance(n, ast.ImportFrom) for a in n.names}
    calls = {
        n.func.attr for n in nodes if isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute)
    }
    assert {"select", "Team"} <= imported and "ReviewCycle" not in imported
    assert {"scalars", "get"} <= calls
    assert _is_orm_model("tandem.people.models", "Team")
    assert not _is_orm_model("tandem.accounts.models", "ROLE_VALUES")
