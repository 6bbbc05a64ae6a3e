"""Alignment on a real lake (the recorded Jira projects): rules, decisions, suggestions and the
investment balance, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Iterator

import pytest
from sqlalchemy.orm import Session

from tandem.errors import ConflictError, InputError, NotFoundError
from tandem.flow.engine import FlowEngine
from tandem.flow.mapping import StatusMapping
from tandem.lake import Lake
from tandem.settings import FlowSettings
from tandem.why.alignment import encoders, minilm, service
from tandem.why.alignment.investment import investment_balance
from tandem.why.alignment.suggestions import suggest
from tandem.why.goals.models import Goal, KeyResult
from tests.sources import jira_raw
from tests.why.alignment_fixtures import DIRECT_PATHS, JiraLake, Teams, build_lake, make_teams

MAPPING = StatusMapping.from_settings(FlowSettings())


@pytest.fixture(scope="module")
def jira(tmp_path_factory: pytest.TempPathFactory) -> JiraLake:
    return build_lake(tmp_path_factory.mktemp("jira") / "lake")


@pytest.fixture
def engine(jira: JiraLake) -> Iterator[FlowEngine]:
    with FlowEngine(Lake(jira.root)) as opened:
        yield opened


@pytest.fixture
def teams(db_session: Session, jira: JiraLake) -> Teams:
    return make_teams(db_session, Lake(jira.root))


def _goal(
    session: Session, team_id: int, title: str, *, why: str = "", share: float | None = None
) -> Goal:
    goal = Goal(
        team_id=team_id,
        title=title,
        why=why,
        starts_on=dt.date(2020, 1, 1),
        ends_on=dt.date(2022, 12, 31),
        target_share=share,
    )
    session.add(goal)
    session.flush()
    return goal


def _items(session: Session, engine: FlowEngine, team_id: int) -> dict[str, service.AlignedItem]:
    found = service.aligned_items(session=session, engine=engine, team_id=team_id, mapping=MAPPING)
    return {item.external_key: item for item in found}


def test_every_rule_kind_matches_the_recorded_issues(
    db_session: Session, engine: FlowEngine, teams: Teams
) -> None:
    goals = {name: _goal(db_session, teams.alpha_id, name).id for name in "ABCDEF"}
    rules = {
        "A": ("label", "saas"),
        "B": ("parent", "EE-1"),
        "C": ("path", "frontend/**/*.js"),
        "D": ("keyword", "backend"),
        "E": ("item_type", "epic"),
        "F": ("path", "backend/**"),
    }
    made = {
        name: service.add_rule(
            session=db_session, team_id=teams.alpha_id, goal_id=goals[name], kind=k, pattern=p
        )
        for name, (k, p) in rules.items()
    }
    items = _items(db_session, engine, teams.alpha_id)
    by_goal = {
        name: sorted(key for key, item in items.items() if goals[name] in item.goal_ids)
        for name in goals
    }
    # expected from the recorded payloads themselves, for the items Alpha worked on
    raw = {issue["key"]: issue["fields"] for issue in jira_raw.issues()}
    labelled = sorted(k for k in items if "Saas" in (raw[k].get("labels") or []))
    children = sorted(k for k in items if (raw[k].get("parent") or {}).get("key") == "EE-1")
    assert len(labelled) >= 5 and len(children) >= 2
    assert by_goal["A"] == labelled
    assert by_goal["B"] == children
    assert by_goal["C"] == ["EE-16"]  # through the pull request that fixes it
    assert by_goal["D"] == ["EE-9"]  # "Common backend 拆分"
    assert by_goal["E"] == ["K5-4"]
    assert by_goal["F"] == ["EE-9"]  # a commit related to the item itself
    assert items["EE-9"].matched_by == (
        made["A"].reason,
        made["D"].reason,
        made["F"].reason,
    )
    assert all(not key.startswith("@") for key in items)
    assert DIRECT_PATHS  # the fixture's paths are what rule F matched


def test_a_source_rule_and_the_window(
    db_session: Session, engine: FlowEngine, teams: Teams
) -> None:
    goal = _goal(db_session, teams.alpha_id, "K5 work")
    k5 = next(item.source for item in _items(db_session, engine, teams.alpha_id).values()
              if item.external_key.startswith("K5"))  # fmt: skip
    service.add_rule(
        session=db_session, team_id=teams.alpha_id, goal_id=goal.id, kind="source", pattern=k5
    )
    window = service.aligned_items(
        session=db_session, engine=engine, team_id=teams.alpha_id, mapping=MAPPING,
        start=dt.datetime(2022, 1, 1, tzinfo=dt.UTC), end=dt.datetime(2023, 1, 1, tzinfo=dt.UTC),
    )  # fmt: skip
    assert {item.external_key for item in window} == {"K5-2", "K5-3", "K5-4"}
    assert all(item.goal_ids == (goal.id,) for item in window)


def test_people_decisions_override_rules(
    db_session: Session, engine: FlowEngine, teams: Teams, jira: JiraLake
) -> None:
    saas = _goal(db_session, teams.alpha_id, "SaaS")
    other = _goal(db_session, teams.alpha_id, "Other")
    service.add_rule(
        session=db_session, team_id=teams.alpha_id, goal_id=saas.id, kind="label", pattern="Saas"
    )
    assert saas.id in _items(db_session, engine, teams.alpha_id)["EE-2"].goal_ids
    for goal, oid, decision in (
        (saas, jira.oid("EE-2"), "rejected"),
        (other, jira.oid("EE-14"), "accepted"),
    ):
        service.decide(session=db_session, engine=engine, team_id=teams.alpha_id, goal_id=goal.id,
                       object_id=oid, decision=decision, person_id=None)  # fmt: skip
    items = _items(db_session, engine, teams.alpha_id)
    assert items["EE-2"].goal_ids == ()
    assert items["EE-14"].goal_ids == (other.id,)
    assert items["EE-14"].matched_by == ("accepted by a person",)
    # a decision is changed, never duplicated
    service.decide(session=db_session, engine=engine, team_id=teams.alpha_id, goal_id=saas.id,
                   object_id=jira.oid("EE-2"), decision="accepted")  # fmt: skip
    decisions = service.list_decisions(session=db_session, team_id=teams.alpha_id)
    assert [(d.object_id, d.decision) for d in decisions if d.goal_id == saas.id] == [
        (jira.oid("EE-2"), "accepted")
    ]


def test_bad_input_is_refused_and_nothing_is_written(
    db_session: Session, engine: FlowEngine, teams: Teams, jira: JiraLake
) -> None:
    goal = _goal(db_session, teams.alpha_id, "Goal")
    theirs = _goal(db_session, teams.beta_id, "Beta's goal")
    add = service.add_rule
    with pytest.raises(InputError, match="never closed"):
        add(
            session=db_session, team_id=teams.alpha_id, goal_id=goal.id, kind="path", pattern="a/[b"
        )
    with pytest.raises(InputError, match="empty"):
        add(session=db_session, team_id=teams.alpha_id, goal_id=goal.id, kind="label", pattern=" ")
    with pytest.raises(NotFoundError, match="no goal 99999"):
        add(session=db_session, team_id=teams.alpha_id, goal_id=99999, kind="label", pattern="x")
    with pytest.raises(NotFoundError):  # another team's goal
        add(
            session=db_session, team_id=teams.alpha_id, goal_id=theirs.id, kind="label", pattern="x"
        )
    assert service.list_rules(session=db_session, team_id=teams.alpha_id) == []
    add(session=db_session, team_id=teams.alpha_id, goal_id=goal.id, kind="label", pattern="x")
    with pytest.raises(ConflictError, match="already has rule"):
        add(session=db_session, team_id=teams.alpha_id, goal_id=goal.id, kind="label", pattern="x")
    for oid in ("@pr:github:acme/web:7", "jira:nowhere:X-1", ""):
        with pytest.raises(NotFoundError, match="no work item"):
            service.decide(session=db_session, engine=engine, team_id=teams.alpha_id,
                           goal_id=goal.id, object_id=oid, decision="accepted")  # fmt: skip
    with pytest.raises(InputError, match="decision"):
        service.decide(session=db_session, engine=engine, team_id=teams.alpha_id,
                       goal_id=goal.id, object_id=jira.oid("EE-2"), decision="maybe")  # fmt: skip
    assert service.list_decisions(session=db_session, team_id=teams.alpha_id) == []
    rule = service.list_rules(session=db_session, team_id=teams.alpha_id)[0]
    with pytest.raises(NotFoundError):
        service.remove_rule(session=db_session, team_id=teams.beta_id, rule_id=rule.id)


def test_suggestions_show_score_and_words_and_are_deterministic(
    db_session: Session, engine: FlowEngine, teams: Teams, jira: JiraLake
) -> None:
    build = _goal(db_session, teams.alpha_id, "Faster builds", why="webpack builds are slow")
    db_session.add(KeyResult(goal_id=build.id, title="Split the common backend", kind="manual",
                             direction="up", target=1))  # fmt: skip
    _goal(db_session, teams.alpha_id, "Unrelated goal", why="nothing in common")
    db_session.flush()
    tfidf = {"encoder": "tfidf"}  # its shared words and floor (MiniLM: tests/why/test_minilm.py)
    first = suggest(session=db_session, engine=engine, team_id=teams.alpha_id, mapping=MAPPING,
                    **tfidf)  # fmt: skip
    again = suggest(session=db_session, engine=engine, team_id=teams.alpha_id, mapping=MAPPING,
                    **tfidf)  # fmt: skip
    assert first == again and (first.encoder, first.method) == ("tfidf", "tf-idf cosine")
    found = {s.external_key: s for s in first.suggestions}
    assert found["EE-16"].goal_id == build.id and "webpack" in found["EE-16"].words
    assert found["EE-9"].words == ("backend",) or "backend" in found["EE-9"].words
    assert all(0 < s.score <= 1 for s in first.suggestions)
    assert [s.score for s in first.suggestions] == sorted(
        (s.score for s in first.suggestions), reverse=True
    )
    # a rejected pair is not suggested again; an accepted item is aligned, so no longer suggested
    service.decide(session=db_session, engine=engine, team_id=teams.alpha_id, goal_id=build.id,
                   object_id=jira.oid("EE-16"), decision="rejected")  # fmt: skip
    service.decide(session=db_session, engine=engine, team_id=teams.alpha_id, goal_id=build.id,
                   object_id=jira.oid("EE-9"), decision="accepted")  # fmt: skip
    after = suggest(session=db_session, engine=engine, team_id=teams.alpha_id, mapping=MAPPING,
                    **tfidf)  # fmt: skip
    keys = {(s.external_key, s.goal_id) for s in after.suggestions}
    assert ("EE-16", build.id) not in keys and all(k != "EE-9" for k, _ in keys)
    assert after.unaligned == first.unaligned - 1


@pytest.mark.skipif(minilm.missing() is not None, reason=f"MiniLM: {minilm.missing()}")
def test_minilm_suggestions_use_its_floor_and_keep_the_decisions(
    db_session: Session, engine: FlowEngine, teams: Teams, jira: JiraLake
) -> None:
    build = _goal(db_session, teams.alpha_id, "Faster builds", why="webpack builds are slow")
    other = _goal(db_session, teams.alpha_id, "Hire two designers", why="grow the design team")
    first = suggest(session=db_session, engine=engine, team_id=teams.alpha_id, mapping=MAPPING,
                    encoder="minilm")  # fmt: skip
    assert (first.encoder, first.method) == ("minilm", "MiniLM-L6 embeddings cosine")
    assert first.min_score == encoders.MIN_SCORES["minilm"] == 0.3
    assert first == suggest(session=db_session, engine=engine, team_id=teams.alpha_id,
                            mapping=MAPPING, encoder="minilm")  # fmt: skip
    found = {s.external_key: s for s in first.suggestions}
    # the recorded items are Chinese; only the webpack one is close to a goal in meaning
    assert found["EE-16"].goal_id == build.id and "webpack" in found["EE-16"].words
    assert all(s.goal_id != other.id and 0.3 <= s.score <= 1 for s in first.suggestions)
    service.decide(session=db_session, engine=engine, team_id=teams.alpha_id, goal_id=build.id,
                   object_id=jira.oid("EE-16"), decision="rejected")  # fmt: skip
    after = suggest(session=db_session, engine=engine, team_id=teams.alpha_id, mapping=MAPPING,
                    encoder="minilm")  # fmt: skip
    assert ("EE-16", build.id) not in {(s.external_key, s.goal_id) for s in after.suggestions}
    # an explicit floor wins over the encoder's
    low = suggest(session=db_session, engine=engine, team_id=teams.alpha_id, mapping=MAPPING,
                  encoder="minilm", min_score=0.0)  # fmt: skip
    assert low.min_score == 0.0 and len(low.suggestions) > len(first.suggestions)
    # a team under 5 people: withheld whichever encoder, no item's text scored or shown
    _goal(db_session, teams.beta_id, "Faster builds", why="webpack builds are slow")
    small = suggest(session=db_session, engine=engine, team_id=teams.beta_id, mapping=MAPPING,
                    encoder="minilm", min_score=0.0)  # fmt: skip
    assert small.withheld is not None and small.suggestions == [] and small.unaligned == 0
    assert small.encoder == "minilm"


@pytest.mark.parametrize("model", ["active_days", "items"])
def test_the_balance_sums_to_100_percent_with_unaligned_work(
    db_session: Session, engine: FlowEngine, teams: Teams, jira: JiraLake, model: str
) -> None:
    saas = _goal(db_session, teams.alpha_id, "SaaS", share=0.5)
    sub = _goal(db_session, teams.alpha_id, "Subtasks", share=0.3)
    _goal(db_session, teams.alpha_id, "Starved", share=0.2)
    service.add_rule(
        session=db_session, team_id=teams.alpha_id, goal_id=saas.id, kind="label", pattern="saas"
    )
    service.add_rule(
        session=db_session, team_id=teams.alpha_id, goal_id=sub.id, kind="parent", pattern="EE-2"
    )
    service.add_rule(
        session=db_session, team_id=teams.alpha_id, goal_id=sub.id, kind="item_type", pattern="故事"
    )
    answer = investment_balance(session=db_session, engine=engine, team_id=teams.alpha_id,
                                mapping=MAPPING, model=model)  # fmt: skip
    assert answer.withheld is None and answer.people is not None and answer.people >= 5
    rows = {row.title: row for row in answer.rows}
    assert list(rows) == ["SaaS", "Subtasks", "Starved", "unaligned"]
    assert math.isclose(math.fsum(r.share or 0 for r in answer.rows), 1.0, abs_tol=1e-12)
    assert sum(round(r.percent * 10) for r in answer.rows if r.percent is not None) == 1000
    items = service.aligned_items(
        session=db_session, engine=engine, team_id=teams.alpha_id, mapping=MAPPING
    )
    effort = {i.object_id: (1.0 if model == "items" else i.effort_days) for i in items}
    # an item on two goals (a SaaS story: label and item type) is split in halves
    both = [i for i in items if set(i.goal_ids) == {saas.id, sub.id}]
    assert both
    expected_saas = math.fsum(
        effort[i.object_id] / len(i.goal_ids) for i in items if saas.id in i.goal_ids
    )
    assert math.isclose(rows["SaaS"].effort, expected_saas)
    unaligned = math.fsum(effort[i.object_id] for i in items if not i.goal_ids)
    assert unaligned > 0 and math.isclose(rows["unaligned"].effort, unaligned)
    assert rows["Starved"].effort == 0 and rows["Starved"].flagged
    assert answer.total_effort is not None and math.isclose(
        answer.total_effort, math.fsum(effort.values())
    )


def test_the_balance_is_withheld_below_five_people(
    db_session: Session, engine: FlowEngine, teams: Teams
) -> None:
    goal = _goal(db_session, teams.beta_id, "Beta goal", share=0.5)
    service.add_rule(
        session=db_session, team_id=teams.beta_id, goal_id=goal.id, kind="label", pattern="saas"
    )
    answer = investment_balance(
        session=db_session, engine=engine, team_id=teams.beta_id, mapping=MAPPING
    )
    assert answer.withheld is not None and "withheld" in answer.withheld
    assert answer.rows == [] and answer.total_effort is None and answer.items is None
    # Alpha in a window where fewer than 5 of its people worked: withheld too
    narrow = investment_balance(
        session=db_session, engine=engine, team_id=teams.alpha_id, mapping=MAPPING,
        start=dt.datetime(2022, 7, 1, tzinfo=dt.UTC), end=dt.datetime(2022, 8, 1, tzinfo=dt.UTC),
    )  # fmt: skip
    assert narrow.withheld is not None and narrow.rows == []
    # a withheld balance carries no count: not the people, not in the reason
    for held in (answer, narrow):
        assert held.people is None and held.items is None
        assert "fewer than 5 people" in (held.withheld or "")
        assert re.search(r"\b[0-4] (person|people)\b", held.withheld or "") is None
    with pytest.raises(InputError, match="model"):
        investment_balance(session=db_session, engine=engine, team_id=teams.alpha_id,
                           mapping=MAPPING, model="hours")  # fmt: skip


def test_a_team_window_under_seven_days_is_refused_not_widened(
    db_session: Session, engine: FlowEngine, teams: Teams
) -> None:
    day = dt.datetime(2022, 7, 1, tzinfo=dt.UTC)
    week = investment_balance(
        session=db_session, engine=engine, team_id=teams.alpha_id, mapping=MAPPING,
        start=day, end=day + dt.timedelta(days=7),
    )  # fmt: skip
    assert (week.start, week.end) == (day, day + dt.timedelta(days=7))
    now = dt.datetime.now(dt.UTC)
    for start, end in (
        (day, day + dt.timedelta(days=6, hours=23)),  # just under a week
        (day, day + dt.timedelta(days=1)),
        (now - dt.timedelta(days=2), None),  # an open end runs to now: 2 days
    ):
        with pytest.raises(InputError, match="at least 7 days") as caught:
            investment_balance(session=db_session, engine=engine, team_id=teams.alpha_id,
                               mapping=MAPPING, start=start, end=end)  # fmt: skip
        assert caught.value.field == "from"
        with pytest.raises(InputError, match="at least 7 days"):
            suggest(session=db_session, engine=engine, team_id=teams.alpha_id, mapping=MAPPING,
                    start=start, end=end)  # fmt: skip
