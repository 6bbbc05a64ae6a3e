"""Dependency manifests: which files are ones, and the dependency names each version declares.

Pure parsing (``tomllib``, ``json`` and line parsers), no git. A manifest's version is reduced
to the **set of dependency names** it declares, normalised per ecosystem so that a spelling
change is not an adoption:

==============================  ==========  ==================================================
file                            ecosystem   what counts as a dependency
==============================  ==========  ==================================================
``pyproject.toml``              python      ``[project] dependencies``, every list of
                                            ``[project.optional-dependencies]`` and
                                            ``[dependency-groups]`` (``include-group`` entries
                                            skipped), ``[tool.poetry] dependencies`` /
                                            ``dev-dependencies`` / ``group.*.dependencies``
                                            (``python`` itself skipped)
``requirements*.txt``           python      one requirement a line (``-r``/``-e``/``--…``
                                            options, comments and bare paths or URLs without
                                            ``#egg=`` skipped)
``package.json``                npm         ``dependencies``, ``devDependencies``
``go.mod``                      go          ``require`` lines and blocks (``// indirect``
                                            requirements skipped: transitive)
``Cargo.toml``                  cargo       ``[dependencies]``, ``[dev-dependencies]``,
                                            ``[build-dependencies]`` (a ``package =`` rename
                                            counts under the crate's real name)
==============================  ==========  ==================================================

Names: Python by PEP 503 (lower case, runs of ``-_.`` become ``-``), npm lower case, crates
lower case with ``_`` as ``-`` (crates.io treats them as one), Go module paths as written.
A version that cannot be read raises :class:`ManifestError` with the reason.
"""

from __future__ import annotations

import json
import re
import tomllib
from collections.abc import Iterable
from pathlib import PurePosixPath
from typing import Any, Literal

Ecosystem = Literal["python", "npm", "go", "cargo"]

#: Folders whose manifests are someone else's (vendored or installed code): never read.
SKIPPED_FOLDERS = frozenset({"node_modules", "vendor", "third_party", "site-packages"})

_PEP508_NAME = re.compile(r"^\s*([A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?)")
_EGG = re.compile(r"#egg=([A-Za-z0-9][A-Za-z0-9._-]*)")


class ManifestError(ValueError):
    """A manifest version that cannot be parsed; the message is the reason."""


def ecosystem_of(path: str) -> Ecosystem | None:
    """The ecosystem of the manifest at ``path`` (repository-relative), or None when the path
    is not a dependency manifest (or lies in a vendored folder)."""
    parts = PurePosixPath(path).parts
    if not parts or SKIPPED_FOLDERS.intersection(parts[:-1]):
        return None
    name = parts[-1]
    if name == "pyproject.toml":
        return "python"
    if name.startswith("requirements") and name.endswith(".txt"):
        return "python"
    if name == "package.json":
        return "npm"
    if name == "go.mod":
        return "go"
    if name == "Cargo.toml":
        return "cargo"
    return None


def python_name(name: str) -> str:
    """PEP 503 normal form: ``Typing_Extensions`` → ``typing-extensions``."""
    return re.sub(r"[-_.]+", "-", name).lower()


def dependencies(path: str, content: bytes) -> frozenset[str]:
    """The normalised dependency names the manifest at ``path`` declares in ``content``."""
    ecosystem = ecosystem_of(path)
    if ecosystem is None:
        raise ManifestError(f"{path} is not a dependency manifest")
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ManifestError(f"not UTF-8 text (byte {error.start})") from None
    name = PurePosixPath(path).name
    if name == "pyproject.toml":
        return frozenset(_pyproject(_toml(text)))
    if ecosystem == "python":
        return frozenset(_requirements(text))
    if ecosystem == "npm":
        return frozenset(_package_json(text))
    if ecosystem == "go":
        return frozenset(_go_mod(text))
    return frozenset(_cargo(_toml(text)))


def _toml(text: str) -> dict[str, Any]:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ManifestError(f"invalid TOML: {error}") from None


def _table(value: Any, where: str) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise ManifestError(f"{where} is not a table")
    return value


def _pep508(spec: Any, where: str) -> str:
    if not isinstance(spec, str):
        raise ManifestError(f"{where}: {spec!r} is not a requirement string")
    found = _PEP508_NAME.match(spec)
    if found is None:
        raise ManifestError(f"{where}: {spec!r} names no package")
    return python_name(found.group(1))


def _requirement_list(values: Any, where: str) -> Iterable[str]:
    if not isinstance(values, list):
        raise ManifestError(f"{where} is not a list")
    for value in values:
        if isinstance(value, dict) and "include-group" in value:
            continue  # a group including another: its names are counted there
        yield _pep508(value, where)


def _pyproject(data: dict[str, Any]) -> Iterable[str]:
    project = _table(data.get("project"), "[project]")
    if "dependencies" in project:
        yield from _requirement_list(project["dependencies"], "[project] dependencies")
    extras = _table(project.get("optional-dependencies"), "[project.optional-dependencies]")
    for extra, values in extras.items():
        yield from _requirement_list(values, f"[project.optional-dependencies] {extra}")
    groups = _table(data.get("dependency-groups"), "[dependency-groups]")
    for group, values in groups.items():
        yield from _requirement_list(values, f"[dependency-groups] {group}")
    poetry = _table(_table(data.get("tool"), "[tool]").get("poetry"), "[tool.poetry]")
    tables = [("dependencies", poetry.get("dependencies")),
              ("dev-dependencies", poetry.get("dev-dependencies"))]  # fmt: skip
    for group, body in _table(poetry.get("group"), "[tool.poetry.group]").items():
        tables.append((f"group.{group}.dependencies", _table(body, group).get("dependencies")))
    for where, table in tables:
        for name in _table(table, f"[tool.poetry.{where}]"):
            if name.lower() != "python":
                yield python_name(name)


def _requirements(text: str) -> Iterable[str]:
    logical = re.sub(r"\\\r?\n", " ", text)  # a trailing backslash continues the line
    for number, raw in enumerate(logical.splitlines(), start=1):
        line = re.sub(r"(^|\s)#.*$", "", raw).strip()
        if not line:
            continue
        egg = _EGG.search(raw)
        if line.startswith(("-", ".", "/")) or "://" in line.split("@")[0]:
            if egg and not line.startswith(("-r", "-c", "--requirement", "--constraint")):
                yield python_name(egg.group(1))
            continue
        found = _PEP508_NAME.match(line)
        if found is None:
            raise ManifestError(f"line {number}: {line!r} is not a requirement")
        yield python_name(found.group(1))


def _package_json(text: str) -> Iterable[str]:
    try:
        data = json.loads(text)
    except ValueError as error:
        raise ManifestError(f"invalid JSON: {error}") from None
    if not isinstance(data, dict):
        raise ManifestError("the top level is not an object")
    for field in ("dependencies", "devDependencies"):
        table = data.get(field)
        if table is None:
            continue
        if not isinstance(table, dict):
            raise ManifestError(f"{field} is not an object")
        yield from (name.lower() for name in table)


def _go_mod(text: str) -> Iterable[str]:
    in_block = False
    for number, raw in enumerate(text.splitlines(), start=1):
        line, _, comment = raw.partition("//")
        words = line.split()
        if in_block:
            if words == [")"]:
                in_block = False
            elif words:
                yield from _go_requirement(words, comment, number)
            continue
        if not words or words[0] != "require":
            continue
        if words[1:] == ["("]:
            in_block = True
        else:
            yield from _go_requirement(words[1:], comment, number)
    if in_block:
        raise ManifestError("a require block is never closed")


def _go_requirement(words: list[str], comment: str, number: int) -> Iterable[str]:
    if len(words) != 2:
        raise ManifestError(f"line {number}: a requirement is a module path and a version")
    if comment.strip() != "indirect":
        yield words[0]


def _cargo(data: dict[str, Any]) -> Iterable[str]:
    for field in ("dependencies", "dev-dependencies", "build-dependencies"):
        for name, value in _table(data.get(field), f"[{field}]").items():
            real = value.get("package", name) if isinstance(value, dict) else name
            yield str(real).lower().replace("_", "-")
