"""A real git repository and the delivery rows around it, every instant fixed (no tests here).

Times are UTC; ``t(d, h)`` = day ``d`` (1 = Monday 2024-06-03) at ``h`` o'clock. Repository
``acme/shop`` (the lake's ``commits`` come from ``git log`` of ``main``); authors are
``login:github:<name>`` on the GitHub side and ``<name>@example.com`` in git.

History of ``main`` (authored time; committed at the same time unless said):

====  =========================================================================================
c0    "init" (alice) t(1, 9)
a1    "feat: one a" (alice) t(1, 10)  ─┐ branch f1, PR #1, merged by a ``--no-ff`` merge
a2    "feat: one b" (alice) t(1, 14)  ─┘
m1    merge of f1, t(2, 11)                       PR #1 merged_as m1
s2    "feat: two (#2)" (bob) t(3, 12)             SQUASH of b1 t(2, 13), b2 t(2, 15) (branch f2,
                                                  not on main); PR #2 merged_as s2
r1'   "fix: three a" (carol) authored t(3, 15)    REBASE of r1, r2 (branch f3, not on main),
r2'   "fix: three b" (carol) authored t(3, 16)    committed t(4, 10); PR #3 has NO merged_as
g1    "feat: six" (frank) t(4, 10.5)  ─ branch f6, PR #6 (never reviewed), merged by m6
m6    merge of f6, t(4, 12)                       PR #6 merged_as m6
d1    "chore: direct" (alice) t(4, 13)            a direct push (no PR)
s7    "build(deps): bump" (dependabot) t(4, 14)   PR #7 by a bot, merged_as s7
====  =========================================================================================

Branch ``legacy`` holds x1 "legacy fix" (erin, t(4, 7)): PR #5 merged it there (merged_as x1),
never deployed to production.

Pull requests (created, commits, ready, reviews, merged):

====  ===========  ==================  ============  =====================================  ========
PR    created      first commit        ready         reviews                                merged
====  ===========  ==================  ============  =====================================  ========
#1    t(1, 15)     a1 t(1, 10)         (created)     bob t(2, 9)                            t(2, 11)
#2    t(2, 16)     b1 t(2, 13)         t(3, 9)       renovate[bot] t(3, 9.5), carol t(3,10) t(3, 12)
#3    t(3, 17)     r1 t(3, 15)         (created)     dave t(4, 9)                           t(4, 10)
#4    t(5, 8)      t(5, 7)             (created)     erin t(5, 9)                           t(5, 10)
#5    t(4, 8)      x1 t(4, 7)          (created)     none                                   t(4, 9)
#6    t(4, 10.75)  g1 t(4, 10.5)       (created)     none                                   t(4, 12)
#7    t(4, 13.5)   t(4, 13)            (created)     bob t(4, 13.75)                        t(4, 14)
#8    t(5, 12.5)   t(5, 12.25)         (created)     none                                   t(5, 13)
====  ===========  ==================  ============  =====================================  ========

#4 and #8 were merged as shas the lake does not hold; #7's author is a bot.

Deployments (all succeed but PF; deployed at the time given):

====  ======  ==========  ======  ======== ==============================================
id    service env         sha     at       ships (git rev-list prev..sha)
====  ======  ==========  ======  ======== ==============================================
P0    api     production  c0      t(1, 12) baseline (first of its chain): c0
W0    web     production  c0      t(1, 12) baseline: c0
S1    api     staging     m1      t(2, 12) not production
P1    api     production  s2      t(3, 14) a1, a2, m1, s2
P2    api     production  s7      t(4, 15) r1', r2', g1, m6, d1, s7
W1    web     production  s7      t(4, 16) c0..s7: all of P1's and P2's, first shipped there
PF    api     production  s7      t(5, 11) FAILED
P3    api     production  (sha the lake does not hold) t(5, 12): time window (t(4,15), t(5,12)]
====  ======  ==========  ======  ======== ==============================================

Incidents: I1 api production opened t(4, 16) resolved t(4, 18), no relation → P2 by time;
I2 web production caused_by W1, opened t(5, 9) resolved t(5, 10.5); I3 api **staging** t(5, 10);
I4 api production opened t(5, 14), never resolved → P3 by time.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from tandem.lake import Lake
from tandem.progress import NoProgress
from tandem.sources.bots import DEFAULT_BOT_RULES
from tandem.sources.git import ingest_repository
from tests.delivery.rows import DeliveryRows
from tests.sources.gitrepo import git, init_repo

DAY1 = dt.datetime(2024, 6, 3, tzinfo=dt.UTC)
HOUR = 3600.0
UNKNOWN_SHA_4 = "4" * 40
UNKNOWN_SHA_8 = "8" * 40
UNKNOWN_DEPLOY_SHA = "d" * 40


def t(day: int, hour: float) -> dt.datetime:
    return DAY1 + dt.timedelta(days=day - 1, hours=hour)


def person(name: str) -> tuple[str, str]:
    return (name.capitalize(), f"{name}@example.com")


def login(name: str) -> str:
    return f"login:github:{name}"


@dataclass
class Fixture:
    """The repository, the lake, and the shas and object ids the tests name."""

    repo: Path
    lake: Lake
    sha: dict[str, str] = field(default_factory=dict)
    pr: dict[int, str] = field(default_factory=dict)
    deployment: dict[str, str] = field(default_factory=dict)


def _commit(path: Path, name: str, message: str, author: str, at: dt.datetime,
            committed: dt.datetime | None = None) -> str:  # fmt: skip
    (path / f"{name}.txt").write_text(f"{message}\n", encoding="utf-8")
    git(path, "add", f"{name}.txt")
    return _run(path, ["commit", "-q", "-m", message], author, at, committed)


def _run(path: Path, args: list[str], author: str, at: dt.datetime,
         committed: dt.datetime | None = None) -> str:  # fmt: skip
    who = person(author)
    env = {
        "GIT_AUTHOR_NAME": who[0],
        "GIT_AUTHOR_EMAIL": who[1],
        "GIT_AUTHOR_DATE": at.isoformat(),
        "GIT_COMMITTER_NAME": who[0],
        "GIT_COMMITTER_EMAIL": who[1],
        "GIT_COMMITTER_DATE": (committed or at).isoformat(),
    }
    git(path, *args, env=env)
    return git(path, "rev-parse", "HEAD").strip()


def build_repo(path: Path) -> dict[str, str]:
    """The history of the module docstring; name → sha."""
    init_repo(path)
    s: dict[str, str] = {}
    s["c0"] = _commit(path, "init", "init", "alice", t(1, 9))
    git(path, "checkout", "-q", "-b", "f1")
    s["a1"] = _commit(path, "one_a", "feat: one a", "alice", t(1, 10))
    s["a2"] = _commit(path, "one_b", "feat: one b", "alice", t(1, 14))
    git(path, "checkout", "-q", "main")
    s["m1"] = _run(path, ["merge", "-q", "--no-ff", "-m", "Merge pull request #1", "f1"],
                   "alice", t(2, 11))  # fmt: skip
    git(path, "checkout", "-q", "-b", "f2")
    s["b1"] = _commit(path, "two_a", "feat: two a", "bob", t(2, 13))
    s["b2"] = _commit(path, "two_b", "feat: two b", "bob", t(2, 15))
    git(path, "checkout", "-q", "main")
    git(path, "merge", "-q", "--squash", "f2")
    s["s2"] = _run(path, ["commit", "-q", "-m", "feat: two (#2)"], "bob", t(3, 12))
    git(path, "checkout", "-q", "-b", "f3")
    s["r1"] = _commit(path, "three_a", "fix: three a", "carol", t(3, 15))
    s["r2"] = _commit(path, "three_b", "fix: three b", "carol", t(3, 16))
    git(path, "checkout", "-q", "main")
    for name, authored in (("r1", t(3, 15)), ("r2", t(3, 16))):  # a rebase merge: same
        # author, authored time and change, new commits
        s[f"{name}'"] = _run(path, ["cherry-pick", s[name]], "carol", authored, t(4, 10))
    git(path, "checkout", "-q", "-b", "f6")
    s["g1"] = _commit(path, "six", "feat: six", "frank", t(4, 10.5))
    git(path, "checkout", "-q", "main")
    s["m6"] = _run(path, ["merge", "-q", "--no-ff", "-m", "Merge pull request #6", "f6"],
                   "frank", t(4, 12))  # fmt: skip
    s["d1"] = _commit(path, "direct", "chore: direct", "alice", t(4, 13))
    s["s7"] = _commit(path, "deps", "build(deps): bump", "dependabot", t(4, 14))
    git(path, "checkout", "-q", "-b", "legacy", s["c0"])
    s["x1"] = _commit(path, "legacy", "legacy fix", "erin", t(4, 7))
    git(path, "checkout", "-q", "main")
    return s


def delivery_rows(
    s: dict[str, str], *, summaries: bool = True
) -> tuple[DeliveryRows, dict[int, str], dict[str, str]]:
    """The PRs, deployments and incidents of the module docstring (``summaries``: PR #3's
    commit events carry their summary and author email)."""
    rows = DeliveryRows()
    pr = {
        1: rows.pull_request(
            1, author=login("alice"), created=t(1, 15),
            commits=[(s["a1"], t(1, 10)), (s["a2"], t(1, 14))],
            reviews=[(login("bob"), t(2, 9))], merged=t(2, 11), merged_as=s["m1"],
        ),
        2: rows.pull_request(
            2, author=login("bob"), created=t(2, 16),
            commits=[(s["b1"], t(2, 13)), (s["b2"], t(2, 15))], ready=t(3, 9),
            reviews=[("login:github:renovate[bot]", t(3, 9.5)), (login("carol"), t(3, 10))],
            merged=t(3, 12), merged_as=s["s2"],
        ),
        3: rows.pull_request(
            3, author=login("carol"), created=t(3, 17),
            commits=[(s["r1"], t(3, 15)), (s["r2"], t(3, 16))],
            summaries={s["r1"]: ("fix: three a", "carol@example.com"),
                       s["r2"]: ("fix: three b", "carol@example.com")} if summaries else None,
            reviews=[(login("dave"), t(4, 9))], merged=t(4, 10),
        ),
        4: rows.pull_request(
            4, author=login("dave"), created=t(5, 8), commits=[("4a" * 20, t(5, 7))],
            reviews=[(login("erin"), t(5, 9))], merged=t(5, 10), merged_as=UNKNOWN_SHA_4,
        ),
        5: rows.pull_request(
            5, author=login("erin"), created=t(4, 8), commits=[(s["x1"], t(4, 7))],
            merged=t(4, 9), merged_as=s["x1"],
        ),
        6: rows.pull_request(
            6, author=login("frank"), created=t(4, 10.75), commits=[(s["g1"], t(4, 10.5))],
            merged=t(4, 12), merged_as=s["m6"],
        ),
        7: rows.pull_request(
            7, author="login:github:dependabot[bot]", author_is_bot=True, created=t(4, 13.5),
            commits=[("7a" * 20, t(4, 13))], reviews=[(login("bob"), t(4, 13.75))],
            merged=t(4, 14), merged_as=s["s7"],
        ),
        8: rows.pull_request(
            8, author=login("alice"), created=t(5, 12.5), commits=[("8a" * 20, t(5, 12.25))],
            merged=t(5, 13), merged_as=UNKNOWN_SHA_8,
        ),
    }  # fmt: skip
    rows.identities["login:github:renovate[bot]"] = True
    plan = [  # key, service, environment, sha, at, success
        ("P0", "api", "production", s["c0"], t(1, 12), True),
        ("W0", "web", "production", s["c0"], t(1, 12), True),
        ("S1", "api", "staging", s["m1"], t(2, 12), True),
        ("P1", "api", "production", s["s2"], t(3, 14), True),
        ("P2", "api", "production", s["s7"], t(4, 15), True),
        ("W1", "web", "Production", s["s7"], t(4, 16), True),
        ("PF", "api", "production", s["s7"], t(5, 11), False),
        ("P3", "api", "production", UNKNOWN_DEPLOY_SHA, t(5, 12), True),
    ]
    d = {
        key: rows.deployment(key, service=svc, environment=env, sha=sha, at=at, success=ok)
        for key, svc, env, sha, at, ok in plan
    }
    rows.incident("I1", service="api", opened=t(4, 16), resolved=t(4, 18))
    rows.incident("I2", service="web", opened=t(5, 9), resolved=t(5, 10.5), caused_by=d["W1"])
    rows.incident("I3", service="api", opened=t(5, 10), resolved=t(5, 11), environment="staging")
    rows.incident("I4", service="api", opened=t(5, 14))
    return rows, pr, d


def build(folder: Path, lake: Lake | None = None, *, summaries: bool = True) -> Fixture:
    """The repository ingested (``main``) and the delivery rows written, in one lake (a new
    one under ``folder`` unless given)."""
    repo = folder / "shop"
    shas = build_repo(repo)
    if lake is None:
        root = folder / "lake"
        root.mkdir()
        lake = Lake(root)
    ingest_repository(lake=lake, path=repo, rev="main", bots=DEFAULT_BOT_RULES,
                      progress=NoProgress())  # fmt: skip
    rows, pr, deployments = delivery_rows(shas, summaries=summaries)
    rows.write(lake)
    return Fixture(repo=repo, lake=lake, sha=shas, pr=pr, deployment=deployments)
