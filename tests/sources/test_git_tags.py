"""Tags become releases, and the [git.deployments] rule makes production deployments."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest

from tandem.errors import InputError
from tandem.lake import Lake
from tandem.settings import GitDeploymentSettings, load_settings
from tandem.sources.bots import DEFAULT_BOT_RULES
from tandem.sources.contracts import GitIngestReport
from tandem.sources.git import ingest_repository
from tests.delivery import gitflow_repos as repos

UTC = dt.UTC


def ingest(lake: Lake, path: Path, **rule: Any) -> GitIngestReport:
    return ingest_repository(
        lake=lake,
        path=path,
        rev=None,
        bots=DEFAULT_BOT_RULES,
        deployments=GitDeploymentSettings(**rule),
    )


def rows(lake: Lake, sql: str) -> list[tuple[Any, ...]]:
    con = lake.connect()
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


@pytest.fixture
def lake(tmp_path: Path) -> Lake:
    (tmp_path / "lake").mkdir()
    return Lake(tmp_path / "lake")


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> repos.Built:
    return repos.build_merges(tmp_path_factory.mktemp("tags") / "repo")


def test_tags_are_releases_at_their_dates(lake: Lake, built: repos.Built) -> None:
    report = ingest(lake, built.path)
    repo = str(built.path)
    assert (report.tags, report.deployments) == (4, 3)  # v0.1, v1.0, v1.1 match; rc-2 not
    found = rows(
        lake,
        "SELECT o.object_id, o.source, o.attributes, e.activity, e.timestamp FROM objects o "
        "JOIN events e USING (object_id) WHERE o.object_type = 'release' ORDER BY 1",
    )
    by_tag = {
        json.loads(a)["tag"]: (oid, src, json.loads(a), act, ts) for oid, src, a, act, ts in found
    }
    assert sorted(by_tag) == ["rc-2", "v0.1", "v1.0", "v1.1"]
    oid, source, attributes, activity, at = by_tag["v1.1"]
    assert (oid, source, activity) == (f"@release:git:{repo}:v1.1", f"git:{repo}", "released")
    assert at == dt.datetime(2024, 1, 20, 10, tzinfo=UTC)  # annotated: the tagger date
    assert attributes == {
        "tag": "v1.1", "sha": built.shas["M3"], "name": "Release v1.1", "annotated": True
    }  # fmt: skip
    # lightweight: its commit's date; v1.0 peels to H on the release branch
    assert by_tag["rc-2"][4] == dt.datetime(2024, 1, 12, 10, tzinfo=UTC)
    assert by_tag["rc-2"][2]["sha"] == built.shas["D1"]
    assert by_tag["v1.0"][2]["sha"] == built.shas["H"]


def test_matching_tags_are_production_deployments(lake: Lake, built: repos.Built) -> None:
    ingest(lake, built.path)
    repo = str(built.path)
    found = rows(
        lake,
        "SELECT o.object_id, o.attributes, e.activity, e.timestamp, r.to_object FROM objects o "
        "JOIN events e USING (object_id) JOIN relations r ON r.from_object = o.object_id "
        "WHERE o.object_type = 'deployment' AND r.kind = 'deploys' ORDER BY 1",
    )
    assert [r[0] for r in found] == [
        f"@deployment:git:{repo}:{tag}" for tag in ("v0.1", "v1.0", "v1.1")
    ]
    _, attributes, activity, at, target = found[2]
    assert json.loads(attributes) == {
        "environment": "production", "service": "repo", "sha": built.shas["M3"],
        "ref": "v1.1", "status": "success", "url": None, "rule": "tag",
    }  # fmt: skip
    assert (activity, at, target) == (
        "deployed", dt.datetime(2024, 1, 20, 10, tzinfo=UTC), f"@commit:{built.shas['M3']}"
    )  # fmt: skip


def test_an_empty_pattern_makes_no_deployments(lake: Lake, built: repos.Built) -> None:
    report = ingest(lake, built.path, tag_pattern="")
    assert report.deployments == 0
    assert rows(lake, "SELECT count(*) FROM objects WHERE object_type = 'deployment'") == [(0,)]


def test_re_ingest_adds_nothing_and_new_tags_are_added(tmp_path: Path, lake: Lake) -> None:
    built = repos.build_squash(tmp_path / "repo")
    first = ingest(lake, built.path)
    assert first.objects_added == 2  # v2.0: a release and a deployment
    before = {
        t: rows(lake, f"SELECT * FROM {t} ORDER BY ALL") for t in ("objects", "events", "relations")
    }
    again = ingest(lake, built.path)
    assert again.objects_added == 0
    assert before == {t: rows(lake, f"SELECT * FROM {t} ORDER BY ALL") for t in before}
    repos.annotated_tag(
        repos.Repo(built.path), "v2.1", built.shas["S3"], "2024-03-07T00:00:00+00:00"
    )
    third = ingest(lake, built.path)
    assert third.objects_added == 2 and third.commits_added == 0
    assert rows(lake, "SELECT count(*) FROM events") == [(4,)]


def test_a_deploy_branch_is_read_incrementally(tmp_path: Path, lake: Lake) -> None:
    built = repos.build_squash(tmp_path / "repo")
    repos.git(built.path, "branch", "production", built.shas["S2"])
    report = ingest(lake, built.path, branch="production")
    assert report.deployments == 2  # S2 and its first parent S1; the tag v2.0 deploys nothing
    keys = rows(
        lake, "SELECT external_key FROM objects WHERE object_type = 'deployment' ORDER BY 1"
    )
    assert keys == sorted([(built.shas["S1"],), (built.shas["S2"],)])
    assert ingest(lake, built.path, branch="production").deployments == 0  # nothing new
    repos.git(built.path, "branch", "-f", "production", built.shas["S3"])
    assert ingest(lake, built.path, branch="production").deployments == 1  # S3 only


def test_a_missing_deploy_branch_names_the_setting(tmp_path: Path, lake: Lake) -> None:
    built = repos.build_squash(tmp_path / "repo")
    with pytest.raises(InputError, match=r"git\.deployments\.branch") as caught:
        ingest(lake, built.path, branch="production")
    assert "no branch 'production'" in caught.value.message
    assert rows(lake, "SELECT count(*) FROM commits") == [(0,)]  # nothing half-written


def test_a_tag_of_a_tree_is_skipped(tmp_path: Path, lake: Lake) -> None:
    built = repos.build_squash(tmp_path / "repo")
    tree = repos.git(built.path, "rev-parse", "HEAD^{tree}").strip()
    repos.git(built.path, "tag", "tree-tag", tree)
    assert ingest(lake, built.path).tags == 1  # v2.0 only


def test_a_bad_tag_pattern_in_tandem_toml_names_the_field(tmp_path: Path) -> None:
    (tmp_path / "tandem.toml").write_text('[git.deployments]\ntag_pattern = "v(("\n')
    with pytest.raises(InputError, match=r"git\.deployments\.tag_pattern"):
        load_settings(tmp_path)
    (tmp_path / "tandem.toml").write_text('[git.deployments]\nbranch = "production"\n')
    assert load_settings(tmp_path).git.deployments.branch == "production"
