"""Merge-based change flow and deployment frequency on real git repositories (hand-computed)."""

from __future__ import annotations

import datetime as dt
import subprocess
from pathlib import Path

import pytest

from tandem.delivery.changes import GitSelection, change_flow, repo_changes
from tandem.delivery.rework import rework
from tandem.errors import InputError
from tandem.flow.engine import Filters
from tandem.flow.service import TooFewPeopleError
from tandem.lake import Lake
from tandem.settings import GitDeploymentSettings
from tandem.sources.bots import DEFAULT_BOT_RULES
from tandem.sources.git import ingest_repository
from tests.delivery import gitflow_repos as repos
from tests.delivery.gitflow_repos import BOB, CAROL, DAVE, ERIN, FRANK, key

DAY = 86_400.0
HOUR = 3_600.0


def ingest(lake: Lake, path: Path, rev: str | None = None, **rule: str | None) -> None:
    ingest_repository(
        lake=lake,
        path=path,
        rev=rev,
        bots=DEFAULT_BOT_RULES,
        deployments=GitDeploymentSettings(**rule),  # type: ignore[arg-type]
    )


def new_lake(root: Path) -> Lake:
    root.mkdir()
    return Lake(root)


@pytest.fixture(scope="module")
def merges(tmp_path_factory: pytest.TempPathFactory) -> tuple[Lake, repos.Built]:
    """The merge repository, main and its release branch ingested (v1.0 sits on the branch)."""
    base = tmp_path_factory.mktemp("changes")
    built = repos.build_merges(base / "repo")
    lake = new_lake(base / "lake")
    ingest(lake, built.path)
    ingest(lake, built.path, rev="release-1.0")
    return lake, built


def test_each_merge_is_a_change_with_its_stages(merges: tuple[Lake, repos.Built]) -> None:
    lake, built = merges
    found = repo_changes(lake, str(built.path), GitSelection())
    assert (found.ref, found.mode) == ("HEAD", "merges")
    by_sha = {c.sha: c for c in found.changes}
    s = built.shas
    # the four merges; D1 and G (direct pushes on main) are not changes when merges exist
    assert list(by_sha) == [s["M1"], s["M2"], s["M3"], s["M4"]]
    utc = dt.UTC
    m1 = by_sha[s["M1"]]
    assert m1.commits == 2 and m1.authors == {key(BOB), key(CAROL)}
    assert m1.first_at == dt.datetime(2024, 1, 2, 9, tzinfo=utc)  # F1a, the earliest authored
    # v1.0 sits on release-1.0 (off the main line) and reaches M1: M1's first release
    assert m1.released_at == dt.datetime(2024, 1, 5, 12, tzinfo=utc)  # v1.0's tagger date
    assert m1.deployed_at == dt.datetime(2024, 1, 5, 12, tzinfo=utc)
    m2 = by_sha[s["M2"]]
    assert m2.authors == {key(DAVE), key(ERIN)}
    assert m2.released_at == dt.datetime(2024, 1, 12, 10, tzinfo=utc)  # rc-2 (lightweight, D1)
    assert m2.deployed_at == dt.datetime(2024, 1, 20, 10, tzinfo=utc)  # v1.1: rc-2 deploys not
    m4 = by_sha[s["M4"]]
    assert (m4.released_at, m4.deployed_at) == (None, None)


def test_percentiles_of_the_stages(merges: tuple[Lake, repos.Built]) -> None:
    lake, _ = merges
    report = change_flow(lake=lake, selection=GitSelection())
    assert report["changes"] == 4 and report["people"] is None  # all work data: no check
    # coding = merge − first commit: M1 2 d 3 h, M2 2 d, M3 1 d, M4 1 d
    # sorted [1 d, 1 d, 2 d, 2 d 3 h]: P50 = (1 d + 2 d) / 2; P85 at rank 2.55 = 2 d + 0.55·3 h
    coding = report["coding"]
    assert coding["n"] == 4
    assert coding["p50_seconds"] == pytest.approx(1.5 * DAY)
    assert coding["p85_seconds"] == pytest.approx(2 * DAY + 0.55 * 3 * HOUR)
    assert coding["p95_seconds"] == pytest.approx(2 * DAY + 0.85 * 3 * HOUR)
    # release wait: M1 → v1.0 1 d, M2 → rc-2 2 d, M3 → v1.1 4 d; M4 has none yet
    wait = report["release_wait"]
    assert wait["n"] == 3 and report["not_released"] == 1
    assert wait["p50_seconds"] == pytest.approx(2 * DAY)
    assert wait["p85_seconds"] == pytest.approx(2 * DAY + 0.7 * 2 * DAY)  # rank 1.7
    # lead time = first production deployment − first commit: M1 01-02 09:00 → v1.0 01-05 12:00
    # (3 d 3 h), M2 01-08 10:00 → v1.1 01-20 10:00 (12 d), M3 01-15 → v1.1 (5 d)
    lead = report["lead_time"]
    assert lead["n"] == 3 and report["not_deployed"] == 1
    assert lead["p50_seconds"] == pytest.approx(5 * DAY)
    assert lead["mean_seconds"] == pytest.approx((3 * DAY + 3 * HOUR + 12 * DAY + 5 * DAY) / 3)


def test_deployment_frequency_from_tags(merges: tuple[Lake, repos.Built]) -> None:
    lake, _ = merges
    freq = change_flow(lake=lake, selection=GitSelection())["deployment_frequency"]
    # v0.1 (01-01), v1.0 (01-05), v1.1 (01-20); rc-2 does not match the pattern
    assert (freq["deployments"], freq["days"], freq["window_days"]) == (3, 3, 20)
    assert freq["per_week"] == pytest.approx(3 / (20 / 7))
    assert freq["weekly"] == [
        {"week": "2024-W01", "days": 2},
        {"week": "2024-W02", "days": 0},
        {"week": "2024-W03", "days": 1},
    ]


def test_a_window_selects_changes_by_merge_time(merges: tuple[Lake, repos.Built]) -> None:
    lake, _ = merges
    window = GitSelection(
        start=dt.datetime(2024, 1, 8, tzinfo=dt.UTC), end=dt.datetime(2024, 1, 22, tzinfo=dt.UTC)
    )
    report = change_flow(lake=lake, selection=window)
    assert report["changes"] == 2  # M2 (01-10) and M3 (01-16)
    assert report["coding"]["p50_seconds"] == pytest.approx(1.5 * DAY)
    freq = report["deployment_frequency"]
    # one deployment day (01-20) in 14 days
    assert (freq["days"], freq["window_days"], freq["per_week"]) == (1, 14, pytest.approx(0.5))


TEAM = (key(BOB), key(CAROL), key(DAVE), key(ERIN), key(FRANK))


def test_a_team_sees_its_changes_from_five_people_on(merges: tuple[Lake, repos.Built]) -> None:
    lake, _ = merges
    team = GitSelection(people=TEAM, team_people={k: k for k in TEAM})
    report = change_flow(lake=lake, selection=team)
    assert report["changes"] == 3 and report["people"] == 5  # M4 is Alice's alone
    four = GitSelection(people=TEAM[:4], team_people={k: k for k in TEAM[:4]})
    with pytest.raises(TooFewPeopleError, match="from fewer than 5 people"):
        change_flow(lake=lake, selection=four)


def test_a_narrow_window_cannot_single_out_a_team_member(merges: tuple[Lake, repos.Built]) -> None:
    """The attack: a window around one merge would give its two authors' coding time. A team
    window under a week is refused outright (naming the window); a week holding one member's
    merge is withheld."""
    lake, _ = merges

    def team(start: int, end: int) -> GitSelection:
        return GitSelection(
            people=TEAM,
            team_people={k: k for k in TEAM},
            start=dt.datetime(2024, 1, start, tzinfo=dt.UTC),
            end=dt.datetime(2024, 1, end, tzinfo=dt.UTC),
        )

    with pytest.raises(InputError, match="window 2024-01-16 to 2024-01-16 is 1 day") as refused:
        change_flow(lake=lake, selection=team(16, 17))
    assert refused.value.field == "window"
    with pytest.raises(TooFewPeopleError, match="from fewer than 5 people"):
        change_flow(lake=lake, selection=team(15, 22))


def test_two_identities_of_one_person_count_once(merges: tuple[Lake, repos.Built]) -> None:
    lake, _ = merges
    same = {**{k: k for k in TEAM}, key(FRANK): key(ERIN)}  # Frank's key is Erin's person
    with pytest.raises(TooFewPeopleError, match="from fewer than 5 people"):
        change_flow(lake=lake, selection=GitSelection(people=TEAM, team_people=same))


def test_squash_history_falls_back_to_one_change_per_commit(tmp_path: Path) -> None:
    built = repos.build_squash(tmp_path / "repo")
    lake = new_lake(tmp_path / "lake")
    ingest(lake, built.path)
    found = repo_changes(lake, str(built.path), GitSelection())
    assert found.mode == "commits" and [c.sha for c in found.changes] == [
        built.shas[n] for n in ("S1", "S2", "S3")
    ]
    report = change_flow(lake=lake, selection=GitSelection(repos=("repo",)))
    # coding = committed − authored: S1 1 d, S2 2 h, S3 2 d → P50 1 d
    assert report["coding"]["p50_seconds"] == pytest.approx(DAY)
    # v2.0 (lightweight on S2, at S2's commit date 03-03 12:00): S1 waits 26 h, S2 0
    assert report["release_wait"]["n"] == 2
    assert report["release_wait"]["mean_seconds"] == pytest.approx(26 * HOUR / 2)
    # lead: S1 03-01 10:00 → 03-03 12:00 = 2 d 2 h; S2 2 h
    assert report["lead_time"]["mean_seconds"] == pytest.approx((2 * DAY + 4 * HOUR) / 2)


def test_a_deploy_branch_rule_gives_lead_time(tmp_path: Path) -> None:
    built = repos.build_squash(tmp_path / "repo")
    repos.git(built.path, "branch", "production", built.shas["S1"])
    lake = new_lake(tmp_path / "lake")
    ingest(lake, built.path, branch="production")
    report = change_flow(lake=lake, selection=GitSelection())
    # S1 deployed at its commit date 03-02 10:00: lead 1 d; the tag v2.0 is now a release only
    assert report["lead_time"]["n"] == 1
    assert report["lead_time"]["p50_seconds"] == pytest.approx(DAY)
    repos.git(built.path, "branch", "-f", "production", built.shas["S3"])
    ingest(lake, built.path, branch="production")
    report = change_flow(lake=lake, selection=GitSelection())
    # S2 and S3 deployed at their commit dates: leads 2 h and 2 d
    assert report["lead_time"]["n"] == 3
    assert report["lead_time"]["mean_seconds"] == pytest.approx((DAY + 2 * HOUR + 2 * DAY) / 3)
    assert report["deployment_frequency"]["days"] == 3


def test_an_unknown_repository_is_named(merges: tuple[Lake, repos.Built]) -> None:
    lake, _ = merges
    with pytest.raises(InputError, match="'nope' has no commits"):
        change_flow(lake=lake, selection=GitSelection(repos=("nope",)))


def test_the_projects_own_history(tmp_path: Path) -> None:
    """Smoke test: one change per main-line merge of this repository, as git counts them."""
    top = Path(__file__).resolve().parents[2]

    def count(*args: str) -> int:
        done = subprocess.run(["git", *args], cwd=top, capture_output=True, check=True, text=True)
        return int(done.stdout.strip())

    lake = new_lake(tmp_path / "lake")
    ingest_repository(lake=lake, path=top, rev=None, bots=DEFAULT_BOT_RULES)
    found = repo_changes(lake, str(top), GitSelection())
    merges = count("rev-list", "--count", "--first-parent", "--merges", "HEAD")
    # a merge whose branch holds no new commit is not a change
    empty = 0
    for sha in subprocess.run(
        ["git", "rev-list", "--first-parent", "--merges", "HEAD"],
        cwd=top, capture_output=True, check=True, text=True,
    ).stdout.split():  # fmt: skip
        empty += count("rev-list", "--count", f"{sha}^2", f"^{sha}^1") == 0
    if merges:
        assert found.mode == "merges" and len(found.changes) == merges - empty
        branch_commits = sum(c.commits for c in found.changes)
        expected = sum(
            count("rev-list", "--count", f"{c.sha}^2", f"^{c.sha}^1") for c in found.changes
        )
        assert branch_commits == expected
    else:
        assert len(found.changes) == count("rev-list", "--count", "--first-parent", "HEAD")
    # rework reads every file change of a non-merge commit: git's numstat lines
    numstat = subprocess.run(
        ["git", "log", "--no-merges", "--numstat", "-M", "--format=", "HEAD"],
        cwd=top, capture_output=True, check=True, text=True,
    ).stdout  # fmt: skip
    reworked = rework(lake=lake, selection=GitSelection())
    assert reworked["files"] == sum(1 for line in numstat.splitlines() if line.strip())
    assert 0 < reworked["rework_files"] < reworked["files"]


def test_flow_filters_name_repositories_by_their_git_source(
    merges: tuple[Lake, repos.Built],
) -> None:
    lake, built = merges
    own = GitSelection.from_filters(Filters(sources=(f"git:{built.path}", "jira:x")))
    assert own.repos == (str(built.path),)
    assert change_flow(lake=lake, selection=own)["changes"] == 4
    other = GitSelection.from_filters(Filters(sources=("jira:x",)))
    assert change_flow(lake=lake, selection=other)["changes"] == 0
    team = GitSelection.from_filters(Filters(teams={"T": TEAM}, team_people={}))
    assert team.people == tuple(sorted(TEAM))
