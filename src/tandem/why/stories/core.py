"""The pure core of impact stories: facts in, evidence and sentences out (no database, no lake).

:func:`tell` takes what the service gathered — the goal, the period, the aligned items done in
it with the team's people behind each, the key results measured at the period's start and end,
the kudos, and who agreed to be named — and returns the evidence list and the sentences, each
sentence a template of :mod:`.evidence` filled from the evidence it cites.

Rules (``docs/why.md``, "Impact stories"):

- **Notable items**: the longest-running item (first event → done; ties: earlier done, then key),
  the item with the most effort days (when the alignment's effort model gives any, and it is
  another item) and the item aligned to the most goals (when more than one, another item).
- **Key results** compare the value of the window ending the day before the period with the
  window ending on its last day; "improved" or "worsened" follows the metric's better
  direction; a withheld or missing value is said to be so and no change is stated.
- **People** (DESIGN §7): the contributors are the team's people behind the items done. Only
  those who agreed to be named are named; the others are counted ("and 3 others") when the
  work rests on at least ``min_people`` people, and below that neither the contributors nor
  the items are counted (nor notable items told), only "the team".
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from tandem.why.recognition.rules import tellable
from tandem.why.stories.evidence import Evidence, Sentence, Value, names, number, say

MAX_KUDOS_TOLD = 5
SHARE_UNITS = frozenset({"share"})


@dataclass(frozen=True)
class GoalFacts:
    """The goal a story is about."""

    id: int
    title: str
    team: str
    starts_on: dt.date
    ends_on: dt.date


@dataclass(frozen=True)
class ItemFacts:
    """An aligned item done in the period; ``people``: the team's people (ids) behind it."""

    object_id: str
    external_key: str
    title: str
    item_type: str | None
    source: str
    created_at: dt.datetime
    done_at: dt.datetime
    goal_ids: tuple[int, ...] = ()
    effort_days: float | None = None
    people: frozenset[int] = frozenset()

    @property
    def named(self) -> str:
        """``IM12 “Printer down”``, or the key alone for an item without a title of its own."""
        if not self.title or self.title == self.external_key:
            return self.external_key
        return f"{self.external_key} “{self.title}”"

    @property
    def running_days(self) -> float:
        """Days from the item's first event to done."""
        return (self.done_at - self.created_at).total_seconds() / 86_400


@dataclass(frozen=True)
class Reading:
    """A key result's value over the window ending on ``as_of`` (None: unknown or withheld)."""

    as_of: dt.date
    value: float | None
    n: int = 0
    withheld: str | None = None


@dataclass(frozen=True)
class ResultFacts:
    """A metric key result measured before and after the period."""

    id: int
    title: str
    metric: str  # the spec described, e.g. "P85 cycle time of Bug items, 30-day window"
    unit: str
    better: str  # down | up
    target: float
    before: Reading
    after: Reading


@dataclass(frozen=True)
class KudosFacts:
    """A kudos linked to the goal; ``recipients``: the people (ids) it recognises."""

    id: int
    given_on: dt.date
    what: str
    impact: str
    recipients: tuple[int, ...] = ()


@dataclass(frozen=True)
class StoryFacts:
    """Everything a story is told from."""

    goal: GoalFacts
    start: dt.date
    end: dt.date
    items: tuple[ItemFacts, ...] = ()
    results: tuple[ResultFacts, ...] = ()
    kudos: tuple[KudosFacts, ...] = ()
    named: dict[int, str] = field(default_factory=dict)  # person id → name, consenting only
    min_people: int = 5


@dataclass
class Story:
    """The sentences of a story and the evidence they cite (every cited id is in the list)."""

    sentences: list[Sentence] = field(default_factory=list)
    evidence: list[Evidence] = field(default_factory=list)

    def add(self, evidence: Evidence) -> str:
        """Add ``evidence`` once; its id."""
        if all(e.id != evidence.id for e in self.evidence):
            self.evidence.append(evidence)
        return evidence.id


def tell(facts: StoryFacts) -> Story:
    """The story of ``facts``: intro, work done, notable items, key results, kudos, people."""
    story = Story()
    goal = _goal_evidence(facts)
    goal_id = story.add(goal)
    story.sentences.append(
        say(
            "intro",
            [goal_id],
            start=facts.start.isoformat(),
            end=facts.end.isoformat(),
            team=facts.goal.team,
            goal=facts.goal.title,
        )
    )
    people = sorted({p for item in facts.items for p in item.people})
    enough = len(people) >= facts.min_people
    _work(story, facts, goal_id, enough=enough)
    if enough:
        _notable(story, facts)
    for result in facts.results:
        _result(story, result)
    _kudos(story, facts)
    _people(story, facts, people, enough=enough)
    return story


def _goal_evidence(facts: StoryFacts) -> Evidence:
    goal = facts.goal
    return Evidence(
        id=f"goal:{goal.id}",
        kind="goal",
        label=f"Goal “{goal.title}” of team {goal.team}",
        values={
            "title": goal.title,
            "team": goal.team,
            "starts_on": goal.starts_on.isoformat(),
            "ends_on": goal.ends_on.isoformat(),
            "start": facts.start.isoformat(),
            "end": facts.end.isoformat(),
        },
    )


def _work(story: Story, facts: StoryFacts, goal_id: str, *, enough: bool) -> None:
    count = len(facts.items)
    values: dict[str, Value] = {"min_people": facts.min_people}
    if count == 0 or enough:
        values |= {"count": count, "items": [i.external_key for i in facts.items]}
    else:
        values |= {"count": None, "withheld": "the work rests on too few people to count it"}
    work = story.add(
        Evidence(
            id=f"work:{facts.goal.id}",
            kind="work",
            label="Items aligned to the goal and done in the period",
            values=values,
        )
    )
    if count == 0:
        story.sentences.append(say("done_none", [goal_id, work]))
    elif not enough:
        story.sentences.append(say("done_withheld", [goal_id, work], floor=str(facts.min_people)))
    elif count == 1:
        story.sentences.append(say("done_one", [goal_id, work]))
    else:
        story.sentences.append(say("done_many", [goal_id, work], count=str(count)))


def _item_evidence(item: ItemFacts) -> Evidence:
    return Evidence(
        id=f"item:{item.object_id}",
        kind="item",
        label=item.named,
        values={
            "key": item.external_key,
            "title": item.title,
            "item_type": item.item_type,
            "source": item.source,
            "created_on": item.created_at.date().isoformat(),
            "done_on": item.done_at.date().isoformat(),
            "running_days": round(item.running_days, 1),
            "effort_days": None if item.effort_days is None else round(item.effort_days, 1),
            "goals": len(item.goal_ids),
        },
    )


def _notable(story: Story, facts: StoryFacts) -> None:
    if not facts.items:
        return
    told: set[str] = set()
    longest = min(facts.items, key=lambda i: (-i.running_days, i.done_at, i.external_key))
    told.add(longest.object_id)
    ev = _item_evidence(longest)
    story.sentences.append(
        say(
            "longest",
            [story.add(ev)],
            item=longest.named,
            days=number(round(longest.running_days, 1)),
            done_on=longest.done_at.date().isoformat(),
        )
    )
    with_effort = [i for i in facts.items if i.effort_days is not None and i.effort_days > 0]
    if with_effort:
        most = min(with_effort, key=lambda i: (-(i.effort_days or 0.0), i.done_at, i.external_key))
        if most.object_id not in told:
            told.add(most.object_id)
            story.sentences.append(
                say(
                    "most_effort",
                    [story.add(_item_evidence(most))],
                    item=most.named,
                    effort=number(round(most.effort_days or 0.0, 1)),
                )
            )
    shared = [i for i in facts.items if len(i.goal_ids) > 1]
    if shared:
        widest = min(shared, key=lambda i: (-len(i.goal_ids), i.done_at, i.external_key))
        if widest.object_id not in told:
            story.sentences.append(
                say(
                    "most_goals",
                    [story.add(_item_evidence(widest))],
                    item=widest.named,
                    goals=str(len(widest.goal_ids)),
                )
            )


def _decimals(unit: str) -> int:
    return 2 if unit in SHARE_UNITS else 1


def _result(story: Story, result: ResultFacts) -> None:
    places = _decimals(result.unit)
    kr = story.add(
        Evidence(
            id=f"kr:{result.id}",
            kind="kr",
            label=f"Key result “{result.title}”",
            values={
                "title": result.title,
                "metric": result.metric,
                "unit": result.unit,
                "better": result.better,
                "target": result.target,
            },
        )
    )
    ids = [kr]
    for reading, when in ((result.before, "before"), (result.after, "after")):
        ids.append(
            story.add(
                Evidence(
                    id=f"metric:{result.id}:{reading.as_of.isoformat()}",
                    kind="metric",
                    label=f"{result.metric} on {reading.as_of.isoformat()} ({when} the period)",
                    values={
                        "as_of": reading.as_of.isoformat(),
                        "value": reading.value,
                        "unit": result.unit,
                        "n": reading.n,
                        "withheld": reading.withheld,
                    },
                )
            )
        )
    common = {"kr": result.title, "metric": result.metric}
    missing = [
        (reading, when)
        for reading, when in ((result.before, "before the period"), (result.after, "at its end"))
        if reading.value is None
    ]
    if missing:
        reading, when = missing[0]
        if len(missing) == 2:
            when = "before the period and at its end"
        withheld = any(r.withheld for r, _ in missing)
        story.sentences.append(
            say("kr_withheld" if withheld else "kr_unknown", ids, **common, when=when)
        )
        return
    before = round(result.before.value or 0.0, places)
    after = round(result.after.value or 0.0, places)
    shown = {
        "unit": result.unit,
        "target": number(round(result.target, places), places),
        "after": number(after, places),
    }
    if before == after:
        story.sentences.append(say("kr_held", ids, **common, **shown))
        return
    lower = after < before
    improved = lower == (result.better == "down")
    template = "kr_improved" if improved else "kr_worsened"
    story.sentences.append(say(template, ids, **common, **shown, before=number(before, places)))


def _kudos(story: Story, facts: StoryFacts) -> None:
    """The kudos count, then the most recent kudos whose recipients all agreed to be named.

    A kudos to anyone who did not agree is counted only: its id, day and text would let a
    reader find it on the wall and so link that person (``docs/why.md``, "The naming rule").
    """
    count = len(facts.kudos)
    given = sorted(facts.kudos, key=lambda k: (k.given_on, k.id), reverse=True)
    told = [k for k in given if tellable(k.recipients, facts.named)]
    untold = count - len(told)
    aggregate = story.add(
        Evidence(
            id=f"kudos-count:{facts.goal.id}",
            kind="kudos-count",
            label="Kudos linked to the goal in the period",
            values={"count": count, "kudos": [f"kudos:{k.id}" for k in told], "untold": untold},
        )
    )
    if count == 0:
        story.sentences.append(say("kudos_none", [aggregate]))
        return
    if count == 1:
        story.sentences.append(say("kudos_one", [aggregate]))
    else:
        story.sentences.append(say("kudos_many", [aggregate], count=str(count)))
    if untold == 1:
        story.sentences.append(say("kudos_untold_one", [aggregate]))
    elif untold:
        story.sentences.append(say("kudos_untold_many", [aggregate], count=str(untold)))
    for kudos in told[:MAX_KUDOS_TOLD]:
        named = sorted(facts.named[p] for p in kudos.recipients)
        ev = story.add(
            Evidence(
                id=f"kudos:{kudos.id}",
                kind="kudos",
                label=f"Kudos of {kudos.given_on.isoformat()}",
                values={
                    "given_on": kudos.given_on.isoformat(),
                    "what": kudos.what,
                    "impact": kudos.impact,
                    "named": named,
                },
            )
        )
        story.sentences.append(
            say(
                "kudos",
                [ev],
                given_on=kudos.given_on.isoformat(),
                recipients=names(named),
                what=kudos.what,
                impact=kudos.impact,
            )
        )


def _people(story: Story, facts: StoryFacts, people: list[int], *, enough: bool) -> None:
    if not people:
        return
    named = sorted(facts.named[p] for p in people if p in facts.named)
    others = len(people) - len(named)
    values: dict[str, Value] = {"named": named, "min_people": facts.min_people}
    if enough:
        values |= {"count": len(people), "others": others}
    else:
        values |= {"count": None, "others": None}
    ev = story.add(
        Evidence(
            id=f"people:{facts.goal.id}",
            kind="people",
            label="Contributors who agreed to be named, and how many others",
            values=values,
        )
    )
    if not enough:
        if named:
            story.sentences.append(say("people_team_named", [ev], names=names(named)))
        else:
            story.sentences.append(say("people_team", [ev]))
    elif not named:
        story.sentences.append(say("people_counted", [ev], count=str(len(people))))
    elif others == 1:
        story.sentences.append(say("people_named_other", [ev], names=", ".join(named)))
    elif others:
        story.sentences.append(
            say("people_named_others", [ev], names=", ".join(named), others=str(others))
        )
    else:
        story.sentences.append(say("people_named", [ev], names=names(named)))
