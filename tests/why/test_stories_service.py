"""Impact stories from a real workspace: the sepsis log, a goal, a metric key result, kudos."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator

import pytest
from sqlalchemy.orm import Session

from tandem.accounts.errors import PermissionDeniedError
from tandem.audit import service as audit_service
from tandem.db.session import session_scope
from tandem.errors import InputError, NotFoundError
from tandem.flow.engine import FlowEngine
from tandem.flow.mapping import StatusMapping
from tandem.people.models import Person
from tandem.why.alignment.service import aligned_items
from tandem.why.goals.metrics import measure, spec_from
from tandem.why.scope import find_team, team_filters
from tandem.why.stories import service
from tandem.why.stories.consent import naming_consent, set_naming_consent
from tandem.why.stories.items import period_bounds
from tandem.why.stories.service import StoryOut
from tests.why.story_checks import check_story
from tests.why.story_fixtures import END, SPEC, START, StoryOrg, make_story_org


@pytest.fixture(scope="module")
def story_org(tmp_path_factory: pytest.TempPathFactory) -> StoryOrg:
    return make_story_org(tmp_path_factory.mktemp("stories") / "ws")


@pytest.fixture
def opened(story_org: StoryOrg) -> Iterator[tuple[Session, FlowEngine, StatusMapping]]:
    ws = story_org.flow.workspace
    with session_scope(ws.engine) as session, FlowEngine(ws.lake) as engine:
        yield session, engine, StatusMapping.from_settings(ws.settings.flow)
        session.rollback()


def _story(
    story_org: StoryOrg, opened: tuple[Session, FlowEngine, StatusMapping], **kw: object
) -> StoryOut:
    session, engine, mapping = opened
    args: dict[str, object] = {"team": story_org.flow.org.own_team_id, "goal_id": story_org.goal_id}
    return service.goal_story(session=session, engine=engine, mapping=mapping, **(args | kw))  # type: ignore[arg-type]


def test_every_sentence_is_traced_and_its_numbers_are_the_evidence(
    story_org: StoryOrg, opened: tuple[Session, FlowEngine, StatusMapping]
) -> None:
    story = _story(story_org, opened)
    data = story.model_dump(mode="json")
    assert check_story(data["sentences"], data["evidence"]) >= 6
    assert (story.start, story.end) == (START, END)  # the goal's own period by default
    templates = [s.template for s in story.sentences]
    assert templates[:2] == ["intro", "done_many"]
    assert "longest" in templates and "most_effort" in templates
    assert templates.count("kudos") == 1  # the July kudos lies after the period
    assert templates[-1] == "people_named_others"


def test_the_count_and_the_key_result_are_recomputed_independently(
    story_org: StoryOrg, opened: tuple[Session, FlowEngine, StatusMapping]
) -> None:
    session, engine, mapping = opened
    story = _story(story_org, opened)
    first, after = period_bounds(START, END)
    done = [
        i
        for i in aligned_items(
            session=session,
            engine=engine,
            team_id=story_org.flow.org.own_team_id,
            mapping=mapping,
            start=first,
            end=after,
        )
        if i.done_at is not None and first <= i.done_at < after and story_org.goal_id in i.goal_ids
    ]
    work = next(e for e in story.evidence if e.id == f"work:{story_org.goal_id}")
    assert work.values["count"] == len(done) > 100
    assert f"{len(done)} items aligned to this goal were done in the period." in story.markdown
    filters = team_filters(session, find_team(session, story_org.flow.org.own_team_id))
    for day in (START - dt.timedelta(days=1), END):
        own = measure(spec_from(SPEC), engine=engine, team=filters, mapping=mapping, as_of=day)
        ev = next(e for e in story.evidence if e.id == f"metric:{story_org.kr_id}:{day}")
        assert own.value is not None and ev.values["value"] == own.value


def test_only_people_who_agreed_are_named_anywhere(
    story_org: StoryOrg, opened: tuple[Session, FlowEngine, StatusMapping]
) -> None:
    session, _, _ = opened
    story = _story(story_org, opened)
    leader = session.get(Person, story_org.flow.org.person_ids["leader"])
    assert leader is not None
    answers = [story.markdown, story.html, json.dumps(story.model_dump(mode="json"))]
    for text in answers:
        assert leader.display_name in text
        for name in story_org.names.values():
            assert name not in text
        for pid in story_org.person_ids.values():  # nor by id
            assert f"person:{pid}" not in text
        assert "account:sepsis" not in text  # identity keys never leave the service
    kudos = next(s for s in story.sentences if s.template == "kudos")
    assert kudos.text.startswith("On 2014-04-03, kudos to The leader: “Led the incident review”")
    # the kudos to the leader and A (who never agreed) is counted only: nothing of it can be
    # looked up on the wall to learn that A was recognised
    assert any(s.template == "kudos_untold_one" for s in story.sentences)
    for text in answers:
        assert f"kudos:{story_org.kudos_id}" not in text
        assert "Untangled the release queue" not in text and "2014-04-02" not in text
    people = next(e for e in story.evidence if e.kind == "people")
    assert people.values["named"] == ["The leader"] and people.values["count"] == 7


def test_a_person_who_agrees_later_is_named(
    story_org: StoryOrg, opened: tuple[Session, FlowEngine, StatusMapping]
) -> None:
    session, _, _ = opened
    pid = story_org.person_ids["C"]
    set_naming_consent(session=session, person_id=pid, by_person_id=pid, named=True, actor="t")
    story = _story(story_org, opened)
    assert story_org.names["C"] in story.markdown and story_org.names["D"] not in story.markdown


def test_below_the_floor_a_story_counts_nothing(
    story_org: StoryOrg, opened: tuple[Session, FlowEngine, StatusMapping]
) -> None:
    story = _story(
        story_org, opened, team=story_org.flow.org.other_team_id, goal_id=story_org.beta_goal_id
    )
    data = story.model_dump(mode="json")
    check_story(data["sentences"], data["evidence"])
    templates = [s.template for s in story.sentences]
    assert "done_withheld" in templates and "people_team" in templates
    assert not {"done_many", "longest", "most_effort"} & set(templates)
    assert not any(e.kind == "item" for e in story.evidence)
    for name in (story_org.names["H"], story_org.names["I"]):
        assert name not in story.markdown + story.html


def test_another_teams_goal_and_a_bad_period_are_refused(
    story_org: StoryOrg, opened: tuple[Session, FlowEngine, StatusMapping]
) -> None:
    with pytest.raises(NotFoundError, match="has no goal"):
        _story(story_org, opened, goal_id=story_org.beta_goal_id)
    with pytest.raises(InputError, match="after its end") as error:
        _story(story_org, opened, start=END, end=START)
    assert error.value.field == "from"
    # a period under 7 days is a team window two stories could be subtracted over: refused
    with pytest.raises(InputError, match="at least 7 days") as narrow:
        _story(story_org, opened, start=START, end=START + dt.timedelta(days=5))
    assert narrow.value.field == "from"


def test_a_narrower_period_tells_fewer_items(
    story_org: StoryOrg, opened: tuple[Session, FlowEngine, StatusMapping]
) -> None:
    def count(story: StoryOut) -> int:
        value = next(e for e in story.evidence if e.kind == "work").values["count"]
        assert isinstance(value, int)
        return value

    whole = _story(story_org, opened)
    march = _story(story_org, opened, start=START, end=dt.date(2014, 3, 31))
    assert 0 < count(march) < count(whole)


# -- naming consent, on SQLite and PostgreSQL ----------------------------------------------------


def _person(session: Session, name: str) -> int:
    person = Person(display_name=name)
    session.add(person)
    session.flush()
    return person.id


def test_consent_is_the_persons_own_and_audited(db_session: Session) -> None:
    me, other = _person(db_session, "Me"), _person(db_session, "Other")
    assert naming_consent(session=db_session, person_id=me).named is False
    with pytest.raises(PermissionDeniedError, match="only the person"):
        set_naming_consent(
            session=db_session, person_id=other, by_person_id=me, named=True, actor="user:1"
        )
    with pytest.raises(PermissionDeniedError):
        set_naming_consent(
            session=db_session, person_id=me, by_person_id=None, named=True, actor="cli:x"
        )
    assert naming_consent(session=db_session, person_id=other).named is False
    for _ in range(2):  # the same choice twice is recorded once
        out = set_naming_consent(
            session=db_session, person_id=me, by_person_id=me, named=True, actor="user:1"
        )
        assert out.named is True and out.decided_at is not None
    set_naming_consent(
        session=db_session, person_id=me, by_person_id=me, named=False, actor="user:1"
    )
    events = audit_service.events(session=db_session, action="story.consent")
    assert [(e.subject_person_id, e.detail) for e in events if e.subject_person_id == me] == [
        (me, {"named": False}),
        (me, {"named": True}),
    ]
    assert naming_consent(session=db_session, person_id=me).named is False


def test_a_bot_cannot_be_named(db_session: Session) -> None:
    bot = Person(display_name="ci-bot", is_bot=True)
    db_session.add(bot)
    db_session.flush()
    with pytest.raises(InputError, match="bot"):
        set_naming_consent(
            session=db_session, person_id=bot.id, by_person_id=bot.id, named=True, actor="t"
        )


def test_forgetting_a_person_forgets_their_choice(db_session: Session) -> None:
    from sqlalchemy import func, select

    from tandem.people.privacy import forget_person
    from tandem.why.recognition.models import NamingConsent

    me = _person(db_session, "Forget Me")
    set_naming_consent(session=db_session, person_id=me, by_person_id=me, named=True, actor="t")
    forget_person(session=db_session, ref=str(me), actor="cli:t")
    db_session.expire_all()
    count = db_session.scalar(
        select(func.count()).select_from(NamingConsent).where(NamingConsent.person_id == me)
    )
    assert count == 0
