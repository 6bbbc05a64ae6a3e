"""The pure core of impact stories: sentences from templates, each traced to its evidence."""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tandem.why.stories import export
from tandem.why.stories.core import (
    GoalFacts,
    ItemFacts,
    KudosFacts,
    Reading,
    ResultFacts,
    StoryFacts,
    tell,
)
from tandem.why.stories.evidence import TEMPLATES, number, say
from tests.why.story_checks import check_story

START = dt.date(2014, 1, 1)
END = dt.date(2014, 3, 31)
GOAL = GoalFacts(id=7, title="Faster incident fixes", team="Beacon", starts_on=START, ends_on=END)


def at(day: int, hour: int = 0) -> dt.datetime:
    return dt.datetime(2014, 1, 1, hour, tzinfo=dt.UTC) + dt.timedelta(days=day)


def item(n: int, *, created: int, done: int, people: set[int], **extra: Any) -> ItemFacts:
    return ItemFacts(
        object_id=f"it:IM{n}",
        external_key=f"IM{n}",
        title=f"Incident {n} in release 2.{n}",
        item_type="Incident",
        source="it-incidents",
        created_at=at(created),
        done_at=at(done, 12),
        people=frozenset(people),
        goal_ids=extra.pop("goal_ids", (7,)),
        effort_days=extra.pop("effort_days", None),
    )


def result(
    before: float | None, after: float | None, *, better: str = "down", withheld: str | None = None
) -> ResultFacts:
    return ResultFacts(
        id=3,
        title="Incidents fixed within 5 days",
        metric="P85 cycle time of Incident items, 30-day window",
        unit="days",
        better=better,
        target=5.0,
        before=Reading(as_of=START - dt.timedelta(days=1), value=before, n=40),
        after=Reading(as_of=END, value=after, n=38, withheld=withheld),
    )


def as_json(facts: StoryFacts) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    story = tell(facts)
    return (
        [s.model_dump(mode="json") for s in story.sentences],
        [e.model_dump(mode="json") for e in story.evidence],
    )


FIVE = [
    item(1, created=0, done=40, people={1, 2}, effort_days=3.5),
    item(2, created=10, done=12, people={3}, effort_days=9.25),
    item(3, created=20, done=30, people={4, 5}, goal_ids=(7, 8, 9)),
]


def test_a_full_story_cites_its_evidence_and_states_its_numbers() -> None:
    facts = StoryFacts(
        goal=GOAL,
        start=START,
        end=END,
        items=tuple(FIVE),
        results=(result(8.43, 4.91),),
        kudos=(
            KudosFacts(
                id=11,
                given_on=dt.date(2014, 2, 3),
                what="Cut the triage queue",
                impact="Fixes start a day sooner",
                recipients=(1, 2),
            ),
            KudosFacts(
                id=12,
                given_on=dt.date(2014, 2, 5),
                what="Paired on the runbook",
                impact="Night calls halved",
                recipients=(1, 4),
            ),
        ),
        named={1: "Ana Lima", 4: "Bo Chen"},
    )
    sentences, evidence = as_json(facts)
    assert check_story(sentences, evidence) >= 8
    texts = [s["text"] for s in sentences]
    assert texts[0] == (
        "Between 2014-01-01 and 2014-03-31, Beacon worked towards the goal “Faster incident fixes”."
    )
    assert "3 items aligned to this goal were done in the period." in texts
    assert (
        "The longest-running was IM1 “Incident 1 in release 2.1”: 40.5 days from its first event "
        "to done on 2014-02-10." in texts
    )
    assert "The most effort went into IM2 “Incident 2 in release 2.2”: 9.2 effort days." in texts
    assert any(t.startswith("IM3 “Incident 3 in release 2.3” served 3 goals") for t in texts)
    assert any("improved from 8.4 to 4.9 days (target 5 days)" in t for t in texts)
    assert "2 kudos were linked to this goal in the period." in texts
    assert (
        "1 of them went to teammates who did not all agree to be named: it is counted, not told."
        in texts
    )
    assert (
        "On 2014-02-05, kudos to Ana Lima and Bo Chen: “Paired on the runbook” — "
        "“Night calls halved”." in texts
    )
    # the kudos to someone who did not agree leaves no id, day or text to find on the wall
    assert "Cut the triage queue" not in " ".join(texts) and "2014-02-03" not in " ".join(texts)
    ids = {e["id"] for e in evidence}
    assert "kudos:12" in ids and "kudos:11" not in ids
    counted = next(e for e in evidence if e["id"] == "kudos-count:7")
    assert counted["values"] == {"count": 2, "kudos": ["kudos:12"], "untold": 1}
    assert "kudos:11" not in json.dumps([sentences, evidence])
    assert texts[-1] == "Contributors: Ana Lima, Bo Chen and 3 others."


def test_worse_and_held_follow_the_better_direction() -> None:
    up = result(2.0, 3.0, better="up")
    down = result(2.0, 3.0, better="down")
    same = result(4.04, 3.96)
    for facts_result, word in ((up, "improved"), (down, "worsened"), (same, "held at 4")):
        sentences, evidence = as_json(
            StoryFacts(goal=GOAL, start=START, end=END, results=(facts_result,))
        )
        check_story(sentences, evidence)
        assert any(word in s["text"] for s in sentences), word


def test_a_withheld_value_is_said_withheld_and_no_change_is_guessed() -> None:
    reason = "withheld: the work of team Beacon comes from 3 people"
    sentences, evidence = as_json(
        StoryFacts(goal=GOAL, start=START, end=END, results=(result(6.0, None, withheld=reason),))
    )
    check_story(sentences, evidence)
    [kr] = [s for s in sentences if s["template"].startswith("kr_")]
    assert kr["template"] == "kr_withheld"
    assert "at its end is withheld" in kr["text"]
    assert "6" not in kr["text"]  # the known value is not used to suggest a change
    after = next(e for e in evidence if e["id"] == "metric:3:2014-03-31")
    assert after["values"]["value"] is None and after["values"]["withheld"] == reason
    sentences, _ = as_json(
        StoryFacts(goal=GOAL, start=START, end=END, results=(result(None, 2.0),))
    )
    assert any(s["template"] == "kr_unknown" for s in sentences)


def test_below_the_floor_nothing_is_counted_and_no_item_singled_out() -> None:
    few = (item(1, created=0, done=5, people={1, 2}), item(2, created=1, done=9, people={3}))
    sentences, evidence = as_json(
        StoryFacts(goal=GOAL, start=START, end=END, items=few, named={2: "Cy Park"})
    )
    check_story(sentences, evidence)
    templates = [s["template"] for s in sentences]
    assert "done_withheld" in templates and "longest" not in templates
    assert templates[-1] == "people_team_named"
    assert sentences[-1]["text"] == "Cy Park contributed, with the rest of the team."
    text = " ".join(s["text"] for s in sentences)
    assert not re.search(r"\b2 items\b|\b3 people\b", text)
    work = next(e for e in evidence if e["id"] == "work:7")
    people = next(e for e in evidence if e["id"] == "people:7")
    # nor does the evidence carry the counts or the items
    assert work["values"]["count"] is None and "items" not in work["values"]
    assert people["values"]["count"] is None and people["values"]["others"] is None
    assert not any(e["kind"] == "item" for e in evidence)
    sentences, _ = as_json(StoryFacts(goal=GOAL, start=START, end=END, items=few))
    assert sentences[-1]["text"] == "The team did this work together."


def test_who_is_not_named_is_counted_never_named() -> None:
    sentences, evidence = as_json(
        StoryFacts(
            goal=GOAL,
            start=START,
            end=END,
            items=tuple(FIVE),
            kudos=(KudosFacts(id=1, given_on=START, what="w", impact="i", recipients=(3,)),),
        )
    )
    check_story(sentences, evidence)
    assert sentences[-1]["text"] == "5 people of the team contributed; none chose to be named."
    assert not any(s["template"] == "kudos" for s in sentences)
    assert any(s["template"] == "kudos_untold_one" for s in sentences)
    named = {e["id"]: e["values"].get("named") for e in evidence}
    assert named["people:7"] == [] and "kudos:1" not in named


def test_one_other_reads_as_one() -> None:
    sentences, evidence = as_json(
        StoryFacts(
            goal=GOAL,
            start=START,
            end=END,
            items=tuple(FIVE),
            named={1: "A", 2: "B", 3: "C", 4: "D"},
        )
    )
    check_story(sentences, evidence)
    assert sentences[-1]["text"] == "Contributors: A, B, C, D and 1 other."


def test_say_refuses_free_text_and_uncited_sentences() -> None:
    with pytest.raises(ValueError, match="not a story template"):
        say("anything", ["goal:1"])
    with pytest.raises(ValueError, match="needs"):
        say("done_many", ["work:1"], count="3", extra="x")
    with pytest.raises(ValueError, match="cite"):
        say("done_many", [], count="3")


def test_the_check_catches_a_number_that_is_not_evidence() -> None:
    sentences, evidence = as_json(StoryFacts(goal=GOAL, start=START, end=END, items=tuple(FIVE)))
    forged = [dict(s) for s in sentences]
    done = next(s for s in forged if s["template"] == "done_many")
    done["fields"] = {"count": "4"}
    done["text"] = TEMPLATES["done_many"].format(count="4")
    with pytest.raises(AssertionError, match="is no value"):
        check_story(forged, evidence)
    done["evidence"] = ["work:99"]
    with pytest.raises(AssertionError, match="not in the evidence"):
        check_story(forged, evidence)


@given(
    spans=st.lists(
        st.tuples(st.integers(0, 80), st.integers(0, 9), st.sets(st.integers(1, 9), max_size=3)),
        max_size=8,
    ),
    before=st.one_of(st.none(), st.floats(0, 1000, allow_nan=False)),
    after=st.one_of(st.none(), st.floats(0, 1000, allow_nan=False)),
    consenting=st.sets(st.integers(1, 9)),
)
def test_any_story_is_traceable(
    spans: list[tuple[int, int, set[int]]],
    before: float | None,
    after: float | None,
    consenting: set[int],
) -> None:
    items = tuple(
        item(n, created=c, done=c + d, people=p, effort_days=float(d) or None)
        for n, (c, d, p) in enumerate(spans)
    )
    facts = StoryFacts(
        goal=GOAL,
        start=START,
        end=END,
        items=items,
        results=(result(before, after),),
        named={p: f"Person {chr(64 + p)}" for p in consenting},
    )
    story = tell(facts)
    sentences = [s.model_dump(mode="json") for s in story.sentences]
    evidence = [e.model_dump(mode="json") for e in story.evidence]
    check_story(sentences, evidence)
    contributors = {p for i in items for p in i.people}
    text = " ".join(s["text"] for s in sentences)
    for p in contributors - consenting:
        assert f"Person {chr(64 + p)}" not in text
    if len(contributors) < 5:
        assert not any(s["template"] in ("done_many", "done_one", "longest") for s in sentences)


def test_exports_link_every_sentence_to_its_evidence() -> None:
    story = tell(
        StoryFacts(goal=GOAL, start=START, end=END, items=tuple(FIVE), named={1: "Ana <b>Lima</b>"})
    )
    md = export.markdown(
        title="T", subtitle="S", sentences=story.sentences, evidence=story.evidence
    )
    page = export.html(title="T", subtitle="S", sentences=story.sentences, evidence=story.evidence)
    order = export.numbering(story.sentences, story.evidence)
    for sentence in story.sentences:
        for ev in sentence.evidence:
            assert f"[^e{order[ev]}]" in md and f"\n[^e{order[ev]}]: `{ev}`" in md
            assert f'href="#ev-{order[ev]}"' in page and f'<li id="ev-{order[ev]}">' in page
    assert "<b>" not in page and "Ana &lt;b&gt;Lima&lt;/b&gt;" in page
    assert not re.search(r"(src|href)=\"(https?:)?//", page)  # nothing external


def test_number_formatting() -> None:
    assert number(3) == "3" and number(3.0) == "3" and number(2.345, 2) == "2.35"
