"""A git repository with known ownership, for the delegation tests.

Non-merge commits of March 2024 (areas at depth 1; A has two identities of one person):

=====  ==========================================  ====================================
area   commits per person                          bots excluded
=====  ==========================================  ====================================
src    A 6 (3 old + 3 new identity), B 3, C 1      top 0.6, HHI 0.46, bus factor 1
docs   D 2, E 2, A 1, F 1, C 1 (C's src one too)   top 2/7, HHI 11/49, bus factor 2
lib    F 1 (4 lines)                               top 1, HHI 1, bus factor 1
.      B 2, C 2, D 1 (+ the bot's 5)               top 0.4, HHI 0.36, bus factor 2
=====  ==========================================  ====================================

Only docs has 5 authors: the other areas are withheld (DESIGN §7), and together they have 5
people (A, B, C, D, F), so docs is not withheld complementarily. Depth 2 splits src into
src/core (A 6, C 1) and src/web (B 3). 22 distinct non-bot commits (C's one touches src and
docs), 6 people (A merged), 7 identity keys; one merge commit (by B) and the bot's commits are
never counted (with bots: . is bot 5, B 2, C 2, D 1 → top 5/10, bus factor 2).
"""

from __future__ import annotations

from pathlib import Path

from tandem.lake import Lake
from tandem.sources.bots import DEFAULT_BOT_RULES
from tandem.sources.git import ingest_repository
from tandem.workspace import Workspace
from tests.sources.gitrepo import git, init_repo

A_OLD = ("Ada Lovelace", "ada@old.example.org")
A_NEW = ("Ada Lovelace", "ada@example.com")
B = ("Brook Byte", "brook@example.com")
C = ("Cyd Coder", "cyd@example.com")
D = ("Dee Docs", "dee@example.com")
E = ("Eli Editor", "eli@example.com")
F = ("Fay Fixer", "fay@example.com")
BOT = ("dependabot[bot]", "49699333+dependabot[bot]@users.noreply.github.com")
PEOPLE = {"A": (A_OLD, A_NEW), "B": (B,), "C": (C,), "D": (D,), "E": (E,), "F": (F,)}
NAMES = ("Ada Lovelace", "Brook Byte", "Cyd Coder", "Dee Docs", "Eli Editor", "Fay Fixer")


def key(who: tuple[str, str]) -> str:
    return "email:" + who[1]


def person_map(ids: dict[str, str]) -> dict[str, str]:
    """identity key → person id for people ``ids`` (letter → id)."""
    return {key(who): ids[letter] for letter, whos in PEOPLE.items() for who in whos}


def build_repo(path: Path) -> Path:
    """The repository of the module docstring."""
    repo = init_repo(path)
    day = iter(range(1, 29))
    n = iter(range(1000))

    def commit(author: tuple[str, str], *files: str) -> None:
        i = next(n)
        repo.commit(
            f"change {i}",
            author=author,
            date=f"2024-03-{next(day):02d}T10:00:00+00:00",
            files={name: f"line {i}\n" * (4 if name.startswith("lib/") else 2) for name in files},
        )

    for i in range(3):
        commit(A_OLD, f"src/core/a{i}.py")
        commit(A_NEW, f"src/core/a{i}.py")
    for i in range(3):
        commit(B, f"src/web/b{i}.py")
    commit(C, "src/core/z.py", "docs/z.md")
    for who in (D, D, E, E, F):
        commit(who, f"docs/{who[0][0]}.md")
    commit(F, "lib/tool.py")
    for who in (B, B, C, C):
        commit(who, "README.md")
    commit(A_NEW, "docs/ada.md")
    commit(D, "README.md")
    for _ in range(4):
        commit(BOT, "requirements.txt")
    git(repo.path, "checkout", "-q", "-b", "side")
    repo.commit(
        "side work", author=BOT, date="2024-03-27T10:00:00+00:00", files={"side.txt": "x\n"}
    )
    git(repo.path, "checkout", "-q", "main")
    repo.merge("side", author=B, date="2024-03-28T10:00:00+00:00")
    return repo.path


def ingest(repo: Path, lake_root: Path) -> Lake:
    lake_root.mkdir(parents=True, exist_ok=True)
    lake = Lake(lake_root)
    ingest_repository(lake=lake, path=repo, rev=None, bots=DEFAULT_BOT_RULES)
    return lake


OWNERS = "Owners"  # all six people: Ada leader, Brook manager, the others members
FEW = "Few"  # Cyd, Dee, Eli: three people, too few for a team answer
OTHER = "Other"  # Gus, no work data


def ownership_workspace(workspace: Workspace) -> dict[str, int]:
    """``workspace`` with the repository ingested, Ada's identities merged, teams and users
    (leader ada@, manager brook@, member fay@, other-team member gus@, director, admin).
    Returns the team ids."""
    from tandem.accounts import service as accounts
    from tandem.db.session import session_scope
    from tandem.ingest import service as ingest_service
    from tandem.people import service as people_service
    from tandem.people.models import Membership, Person, Team

    repo = build_repo(workspace.root.parent / "owned-repo")
    ingest_service.ingest_git(workspace=workspace, paths=[repo])
    with session_scope(workspace.engine) as session:
        people_service.link_identity(session=session, identity_key=key(A_OLD), person=A_NEW[1])
        teams = {name: Team(name=name) for name in (OWNERS, FEW, OTHER)}
        gus = Person(display_name="Gus Guest", email="gus@example.com")
        session.add_all([*teams.values(), gus])
        session.flush()
        person = {
            letter: people_service.find_person(session=session, ref=whos[-1][1]).id
            for letter, whos in PEOPLE.items()
        }
        roles = {"A": "leader", "B": "manager"}
        for letter, pid in person.items():
            role = roles.get(letter, "member")
            session.add(Membership(person_id=pid, team_id=teams[OWNERS].id, role=role))
        for letter in "CDE":
            session.add(Membership(person_id=person[letter], team_id=teams[FEW].id))
        session.add(Membership(person_id=gus.id, team_id=teams[OTHER].id))
        for email, role, team in (
            (A_NEW[1], "leader", OWNERS), (B[1], "manager", OWNERS), (F[1], "member", OWNERS),
            ("gus@example.com", "member", OTHER), ("director@example.org", "director", None),
            ("admin@example.org", "admin", None),
        ):  # fmt: skip
            accounts.add_user(session=session, email=email, password=PASSWORD, role=role, team=team)
        return {name: team.id for name, team in teams.items()}


PASSWORD = "correct horse battery"
