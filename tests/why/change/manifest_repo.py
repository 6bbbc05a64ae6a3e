"""A real git repository whose dependency manifests change across commits, for the radar tests.

``main`` (first-parent order; every date UTC):

=====  ==========  ==========================================================================
name   date        what
=====  ==========  ==========================================================================
C1     2024-01-10  pyproject.toml ([project] Typer, fastapi; extra dev: pytest; group lint:
                   ruff + an include-group), requirements.txt (requests, Django_Rest.framework,
                   a comment, a ``-r``), package.json (React, jest), and a vendored
                   node_modules/left-pad/package.json (never read)
C2     2024-02-15  go.mod (gin; testify; x/sys ``// indirect``), Cargo.toml (serde, tokio,
                   Proptest_Derive dev, ``my_alias = {package = "rand"}``)
F1     2024-03-01  branch ``feature``: requirements.txt drops requests, adds httpx
M1     2024-03-05  merges ``feature`` (--no-ff)
C3     2024-04-20  pyproject: ``Typer`` → ``typer`` (no change), fastapi removed, [tool.poetry]
                   python + Pydantic; package.json deleted; requirements-dev.txt (pytest)
C4     2024-05-02  Cargo.toml broken (invalid TOML)
C5     2024-06-01  Cargo.toml fixed without Proptest_Derive
C6     2025-02-01  requirements.txt adds rich; README.md
=====  ==========  ==========================================================================
"""

from __future__ import annotations

from pathlib import Path

from tests.sources.gitrepo import git, init_repo

ALICE = ("Alice", "alice@example.com")
BOB = ("Bob", "bob@example.com")

PYPROJECT_1 = """\
[project]
name = "shop"
dependencies = ["Typer>=0.9", "fastapi"]

[project.optional-dependencies]
dev = ["pytest>=8"]

[dependency-groups]
lint = ["ruff", {include-group = "dev"}]
"""
PYPROJECT_3 = """\
[project]
name = "shop"
dependencies = ["typer>=0.12"]

[project.optional-dependencies]
dev = ["pytest>=8"]

[dependency-groups]
lint = ["ruff"]

[tool.poetry.dependencies]
python = "^3.11"
Pydantic = "^2"
"""
REQUIREMENTS_1 = "requests==2.31  # http\n# a comment\n-r other.txt\nDjango_Rest.framework>=3\n"
REQUIREMENTS_F1 = "httpx>=0.27\n-r other.txt\nDjango_Rest.framework>=3\n"
REQUIREMENTS_6 = REQUIREMENTS_F1 + "rich\n"
PACKAGE_JSON = (
    '{"name": "shop", "dependencies": {"React": "^18"}, "devDependencies": {"jest": "29"}}'
)
GO_MOD = """\
module example.com/shop

go 1.22

require (
\tgithub.com/gin-gonic/gin v1.9.1
\tgolang.org/x/sys v0.20.0 // indirect
)

require github.com/stretchr/testify v1.9.0
"""
CARGO_2 = """\
[package]
name = "shop"

[dependencies]
serde = "1"
tokio = { version = "1", features = ["full"] }
my_alias = { package = "rand", version = "0.8" }

[dev-dependencies]
Proptest_Derive = "0.4"
"""
CARGO_BROKEN = "[dependencies\nserde = 1\n"
CARGO_5 = """\
[package]
name = "shop"

[dependencies]
serde = "1"
tokio = { version = "1" }
my_alias = { package = "rand", version = "0.8" }
"""


def build_manifest_repo(path: Path) -> dict[str, str]:
    """The repository of the module docstring; name → sha."""
    repo = init_repo(path)
    shas: dict[str, str] = {}
    shas["C1"] = repo.commit(
        "C1 start", author=ALICE, date="2024-01-10T10:00:00+00:00",
        files={"pyproject.toml": PYPROJECT_1, "requirements.txt": REQUIREMENTS_1,
               "package.json": PACKAGE_JSON,
               "node_modules/left-pad/package.json": '{"dependencies": {"x": "1"}}'},
    )  # fmt: skip
    shas["C2"] = repo.commit(
        "C2 go and rust", author=BOB, date="2024-02-15T10:00:00+00:00",
        files={"svc/go.mod": GO_MOD, "Cargo.toml": CARGO_2},
    )  # fmt: skip
    git(repo.path, "checkout", "-q", "-b", "feature")
    shas["F1"] = repo.commit(
        "F1 httpx", author=BOB, date="2024-03-01T10:00:00+00:00",
        files={"requirements.txt": REQUIREMENTS_F1},
    )  # fmt: skip
    git(repo.path, "checkout", "-q", "main")
    shas["M1"] = repo.merge("feature", author=ALICE, date="2024-03-05T10:00:00+00:00")
    shas["C3"] = repo.commit(
        "C3 pydantic", author=ALICE, date="2024-04-20T10:00:00+00:00",
        files={"pyproject.toml": PYPROJECT_3, "package.json": None,
               "requirements-dev.txt": "pytest\n"},
    )  # fmt: skip
    shas["C4"] = repo.commit(
        "C4 broken", author=BOB, date="2024-05-02T10:00:00+00:00",
        files={"Cargo.toml": CARGO_BROKEN},
    )  # fmt: skip
    shas["C5"] = repo.commit(
        "C5 fixed", author=BOB, date="2024-06-01T10:00:00+00:00", files={"Cargo.toml": CARGO_5}
    )
    shas["C6"] = repo.commit(
        "C6 rich", author=ALICE, date="2025-02-01T10:00:00+00:00",
        files={"requirements.txt": REQUIREMENTS_6, "README.md": "shop\n"},
    )  # fmt: skip
    return shas
