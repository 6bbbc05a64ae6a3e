"""Hostile payloads: a connector either maps a payload or refuses it with one clear error.

Real recorded payloads (Jira: DevLake's Jira recording; GitHub: the ants and OpenBIC
recordings) are mutated field by field, seeded: a value replaced by another JSON type, a bad
timestamp, a list for an object. Whatever the mutation, mapping ends in rows or in an
``InputError`` naming the field — never a ``KeyError``/``AttributeError`` half-way through a page.
"""

from __future__ import annotations

import copy
import json
import random
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tandem.errors import InputError
from tandem.sources.bots import DEFAULT_BOT_RULES
from tandem.sources.github import shape as github_shape
from tandem.sources.github.mapping import Mapper
from tandem.sources.gitlab import shape as gitlab_shape
from tandem.sources.gitlab.mapping import Mapper as GitLabMapper
from tandem.sources.gitlab.mapping import Project as GitLabProject
from tandem.sources.jira.mapping import map_issues
from tandem.sources.replay.github import graphql_names
from tandem.sources.rows import LakeRows
from tandem.sources.shape import PayloadShapeError, check
from tests.sources import jira_raw
from tests.sources.recorded import OPENBIC, raw

ODD_VALUES: tuple[Any, ...] = (
    None, 0, -1, 1.5, True, "", "x", "2020-13-45T99:00:00Z", [], [1], {}, {"a": 1},
)  # fmt: skip
MUTATIONS = 400


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    if prefix:
        yield prefix
    if isinstance(value, dict):
        for key, inner in value.items():
            yield from _paths(inner, (*prefix, key))
    elif isinstance(value, list):
        for index, inner in enumerate(value[:3]):
            yield from _paths(inner, (*prefix, index))


def _mutated(payloads: list[Any], rng: random.Random) -> Any:
    payload = copy.deepcopy(rng.choice(payloads))
    paths = list(_paths(payload))
    for _ in range(rng.randint(1, 3)):
        if not paths:
            break
        *parents, last = rng.choice(paths)
        target = payload
        try:
            for part in parents:
                target = target[part]
            target[last] = copy.deepcopy(rng.choice(ODD_VALUES))
        except (KeyError, IndexError, TypeError):
            continue  # an earlier mutation replaced a parent
    return payload


def _fuzz(payloads: list[Any], apply: Callable[[Any], None], seed: int) -> tuple[int, int]:
    """(mapped, refused) over seeded mutations; anything but an InputError fails the test."""
    rng = random.Random(seed)
    mapped = refused = 0
    for _ in range(MUTATIONS):
        payload = _mutated(payloads, rng)
        try:
            apply(payload)
        except InputError as error:
            assert error.field, f"a refusal without its field: {error.message}"
            refused += 1
        else:
            mapped += 1
    return mapped, refused


def test_recorded_jira_issues_pass_and_mutated_ones_map_or_name_their_field() -> None:
    issues = jira_raw.issues()
    map_issues(issues)  # the real payloads all have the shape
    mapped, refused = _fuzz(issues[:50], lambda issue: map_issues([issue]), seed=12)
    assert mapped and refused  # both outcomes happen: the check refuses only what it must


def test_a_jira_refusal_names_the_issue_and_the_field_path() -> None:
    issue = copy.deepcopy(jira_raw.issues()[0])
    issue["fields"]["status"] = ["Done"]
    with pytest.raises(PayloadShapeError) as caught:
        map_issues([issue])
    assert caught.value.field == "fields.status"
    assert issue["key"] in caught.value.message
    assert caught.value.status == 502  # the source's answer was bad, not the user's request


def _github(endpoint: str, mapper: Mapper) -> Callable[[Any], None]:
    rows = LakeRows()
    calls: dict[str, Callable[[Any], object]] = {
        "pulls": lambda item: mapper.pull_request(rows, item),
        "pr_commits": lambda item: mapper.pr_commit(rows, 1, item),
        "pr_reviews": lambda item: mapper.pr_review(rows, 1, item),
        "issues": lambda item: mapper.issue(rows, item),
        "issue_events": lambda item: (
            mapper.issue(rows, item["issue"]) if (item.get("issue") or {}).get("number") else None,
            mapper.issue_event(rows, item, is_pr=False),
        ),
        "runs": lambda item: mapper.run(rows, item),
        "issue_comments": lambda item: mapper.pr_comment(rows, 1, item),
        "review_comments": lambda item: mapper.pr_comment(rows, 1, item),
    }

    def apply(item: Any) -> None:
        check(github_shape.LISTED[endpoint], item, what=endpoint)
        calls[endpoint](item)

    return apply


GITHUB_TABLES = {
    "pulls": "api_pull_requests",
    "pr_commits": "api_pull_request_commits",
    "pr_reviews": "api_pull_request_reviews",
    "issues": "api_issues",
    "issue_events": "api_events",
    "runs": "api_runs",
    "issue_comments": "api_comments",
    "review_comments": "api_pull_request_review_comments",
}


@pytest.mark.parametrize("endpoint", sorted(GITHUB_TABLES))
def test_recorded_github_items_pass_and_mutated_ones_map_or_name_their_field(
    endpoint: str,
) -> None:
    items = [item for _, item in raw(GITHUB_TABLES[endpoint])][:60]
    assert items, f"no recorded {endpoint}"
    mapper = Mapper(source="github:o/r", repo="o/r", bots=DEFAULT_BOT_RULES)
    apply = _github(endpoint, mapper)
    for item in items:
        apply(item)  # the real payloads all have the shape
    mapped, refused = _fuzz(items, apply, seed=13)
    assert mapped and refused


def test_mutated_graphql_deployments_map_or_name_their_field() -> None:
    nodes = [graphql_names(item) for _, item in raw("graphql_deployment", OPENBIC)][:60]
    assert nodes
    mapper = Mapper(source="github:o/r", repo="o/r", bots=DEFAULT_BOT_RULES)
    rows = LakeRows()

    def apply(node: Any) -> None:
        check(github_shape.Deployment, node, what="a deployment")
        mapper.graphql_deployment(rows, node)

    for node in nodes:
        apply(node)
    mapped, refused = _fuzz(nodes, apply, seed=14)
    assert mapped and refused


GITLAB = Path(__file__).parent / "gitlab" / "fixtures"


def _gitlab_load(name: str) -> Any:
    return json.loads((GITLAB / name).read_text(encoding="utf-8"))


def _gitlab_cases() -> dict[str, tuple[list[Any], Callable[[GitLabMapper, Any], None]]]:
    """Per kind: the recorded payloads (with the sub-resources the sync fetches) and the call
    the sync makes — the same checks, then the mapper."""
    commits = _gitlab_load("merge_request_commits.json")
    approvals = _gitlab_load("merge_request_approvals.json")
    notes = _gitlab_load("merge_request_notes.json")
    events = _gitlab_load("issue_state_events.json")

    def merge_request(mapper: GitLabMapper, case: Any) -> None:
        check(dict[str, Any], case, what="the case")
        check(gitlab_shape.MergeRequest, case["mr"], what="mr")
        check(list[gitlab_shape.Commit], case["commits"], what="commits")
        check(gitlab_shape.Approvals, case["approvals"], what="approvals")
        check(list[gitlab_shape.Note], case["notes"], what="notes")
        mapper.merge_request(
            case["mr"], commits=case["commits"], approvals=case["approvals"], notes=case["notes"]
        )

    def issue(mapper: GitLabMapper, case: Any) -> None:
        check(dict[str, Any], case, what="the case")
        check(gitlab_shape.Issue, case["issue"], what="issue")
        check(list[gitlab_shape.StateEvent], case["events"], what="events")
        mapper.issue(case["issue"], state_events=case["events"])

    def listed(kind: str) -> Callable[[GitLabMapper, Any], None]:
        def apply(mapper: GitLabMapper, item: Any) -> None:
            check(gitlab_shape.LISTED[kind], item, what=kind)
            getattr(mapper, kind.removesuffix("s"))(item)

        return apply

    mrs = [
        {
            "mr": mr,
            "commits": commits.get(str(mr["iid"]), []),
            "approvals": approvals.get(str(mr["iid"]), {}),
            "notes": notes.get(str(mr["iid"]), []),
        }
        for mr in _gitlab_load("merge_requests.json")
    ]
    issues = [
        {"issue": item, "events": events.get(str(item["iid"]), [])}
        for item in _gitlab_load("issues.json")
    ]
    return {
        "merge_requests": (mrs, merge_request),
        "issues": (issues, issue),
        **{
            kind: (_gitlab_load(f"{kind}.json"), listed(kind))
            for kind in ("deployments", "pipelines", "releases")
        },
    }


@pytest.mark.parametrize(
    "kind", ["merge_requests", "issues", "deployments", "pipelines", "releases"]
)
def test_recorded_gitlab_items_pass_and_mutated_ones_map_or_name_their_field(kind: str) -> None:
    payloads, call = _gitlab_cases()[kind]
    assert payloads

    def apply(payload: Any) -> None:
        call(
            GitLabMapper(GitLabProject(source="gitlab:o/r", path="o/r"), DEFAULT_BOT_RULES), payload
        )

    for payload in payloads:
        apply(payload)
    mapped, refused = _fuzz(payloads, apply, seed=15)
    assert mapped and refused
