"""Manifest parsing: names per ecosystem, what is skipped, and clear reasons for bad versions."""

from __future__ import annotations

import pytest

from tandem.why.change.manifests import ManifestError, dependencies, ecosystem_of


@pytest.mark.parametrize(
    ("path", "ecosystem"),
    [
        ("pyproject.toml", "python"),
        ("svc/requirements-dev.txt", "python"),
        ("requirements/base.txt", None),
        ("web/package.json", "npm"),
        ("node_modules/x/package.json", None),
        ("vendor/github.com/x/go.mod", None),
        ("go.mod", "go"),
        ("crates/a/Cargo.toml", "cargo"),
        ("package-lock.json", None),
        ("Cargo.lock", None),
    ],
)
def test_which_paths_are_manifests(path: str, ecosystem: str | None) -> None:
    assert ecosystem_of(path) == ecosystem


def test_requirements_lines() -> None:
    text = (
        "# pinned\nRequests[socks]==2.31 ; python_version>'3.8'  # http\n"
        "-r base.txt\n--index-url https://example.org/simple\n"
        "-e git+https://github.com/x/y.git#egg=Zope.Interface\n"
        "./local/pkg\nname-at @ https://example.org/n.whl\n"
        "long_name \\\n  >=1\n"
    )
    assert dependencies("requirements.txt", text.encode()) == {
        "requests", "zope-interface", "name-at", "long-name"
    }  # fmt: skip
    with pytest.raises(ManifestError, match="line 2: '==1' is not a requirement"):
        dependencies("requirements.txt", b"ok\n==1\n")


def test_poetry_groups_and_cargo_renames() -> None:
    pyproject = b"""
[tool.poetry.dependencies]
python = "^3.11"
Flask = "^3"
[tool.poetry.group.test.dependencies]
pytest_cov = "*"
"""
    assert dependencies("pyproject.toml", pyproject) == {"flask", "pytest-cov"}
    cargo = b'[dependencies]\nSerde_Json = "1"\nr = { package = "rand", version = "0.8" }\n'
    assert dependencies("Cargo.toml", cargo) == {"serde-json", "rand"}


@pytest.mark.parametrize(
    ("path", "content", "reason"),
    [
        ("pyproject.toml", b"[project\n", "invalid TOML"),
        ("pyproject.toml", b"[project]\ndependencies = 'x'\n", "is not a list"),
        ("pyproject.toml", b"[project]\ndependencies = [3]\n", "is not a requirement string"),
        ("package.json", b"{", "invalid JSON"),
        ("package.json", b"[]", "not an object"),
        ("package.json", b'{"dependencies": []}', "dependencies is not an object"),
        ("go.mod", b"require (\n a v1\n", "never closed"),
        ("go.mod", b"require a\n", "line 1"),
        ("Cargo.toml", b"dependencies = 1\n", "is not a table"),
        ("requirements.txt", b"\xff\xfe", "not UTF-8"),
    ],
)
def test_bad_versions_say_why(path: str, content: bytes, reason: str) -> None:
    with pytest.raises(ManifestError, match=reason):
        dependencies(path, content)
