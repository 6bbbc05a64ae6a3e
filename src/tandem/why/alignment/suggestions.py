"""Suggested links: unaligned work items whose text is close to a goal's (a person decides).

Each unaligned item of the team's window (title, and description when the source has one) is
scored against each goal (title, why and key-result titles) by the cosine of the chosen
encoder (:mod:`tandem.why.alignment.encoders`): the dependency-free TF-IDF of
:mod:`tandem.why.alignment.similarity`, or the MiniLM sentence model of the optional extra
(:mod:`tandem.why.alignment.minilm`). The best goal scoring at least ``min_score`` (by default
the encoder's own floor: the two scales differ) is suggested, with its score and the words that
matched (the TF-IDF's shared words, whichever encoder scored). Every answer names its encoder.
A pair a person rejected is never suggested again (the next best goal may be). Suggestions are
recommendations only: nothing is linked until a person accepts
(:func:`tandem.why.alignment.service.decide`).
"""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict
from sqlalchemy.orm import Session

from tandem.errors import InputError
from tandem.flow.engine import FlowEngine
from tandem.flow.mapping import StatusMapping
from tandem.flow.service import MIN_PEOPLE, shortfall
from tandem.why.alignment import encoders, lake, service
from tandem.why.alignment.rules import align
from tandem.why.alignment.similarity import Match, cosine_scores, tfidf_matches
from tandem.why.goals.models import Goal
from tandem.why.scope import find_team, require_window, team_filters, withheld_text

LIMIT = 50


class Suggestion(BaseModel):
    """One unaligned item and the goal its text is closest to."""

    model_config = ConfigDict(frozen=True)

    object_id: str
    external_key: str
    title: str
    goal_id: int
    goal_title: str
    score: float  # cosine, 0–1
    words: tuple[str, ...]  # the shared words, strongest first


class Suggestions(BaseModel):
    """The suggestions of a window, best first."""

    model_config = ConfigDict(frozen=True)

    encoder: str  # "minilm" or "tfidf": what scored (see tandem.why.alignment.encoders)
    method: str  # the encoder's name in words
    min_score: float
    unaligned: int  # unaligned items considered
    suggestions: list[Suggestion]
    withheld: str | None = None  # why there is none: fewer than 5 people behind the items


def goal_text(goal: Goal) -> str:
    """What a goal is compared on: its title, its why and its key results' titles."""
    return "\n".join([goal.title, goal.why or "", *(kr.title for kr in goal.key_results)])


def suggest(
    *,
    session: Session,
    engine: FlowEngine,
    team_id: int,
    mapping: StatusMapping,
    start: dt.datetime | None = None,
    end: dt.datetime | None = None,
    min_score: float | None = None,
    limit: int = LIMIT,
    min_people: int = MIN_PEOPLE,
    encoder: str = "auto",
    cached: service.ItemCache | None = None,
) -> Suggestions:
    """Suggested links for the team's unaligned items in ``[start, end)``, best first (ties:
    object id, then goal id), at most ``limit``; withheld (none, with the reason) when fewer
    than ``min_people`` people worked on the window's items, as the balance is. The window's
    items are read through ``cached`` when given (the balance of the same page reads them).

    ``encoder`` is ``auto`` (MiniLM when the extra is installed, else TF-IDF), ``minilm`` (an
    error naming how to install it when it is not) or ``tfidf``; ``min_score`` defaults to the
    chosen encoder's floor (:data:`tandem.why.alignment.encoders.MIN_SCORES`)."""
    chosen = encoders.resolve(encoder)
    if min_score is None:
        min_score = encoders.MIN_SCORES[chosen]
    if not 0 <= min_score <= 1:
        raise InputError("a score between 0 and 1", field="min_score")
    if limit < 1:
        raise InputError("at least 1", field="limit")
    require_window(start, end, what="team alignment answers")
    team = find_team(session, team_id)
    filters = lake.window_filters(team_filters(session, team), start, end)
    _, withheld = shortfall(engine=engine, filters=filters, min_people=min_people)
    if withheld is not None:  # the items of a team this small are one person's work
        return Suggestions(
            encoder=chosen,
            method=encoders.METHODS[chosen],
            min_score=min_score,
            unaligned=0,
            suggestions=[],
            withheld=withheld_text(f"team {team.name}", "alignment", min_people),
        )
    items = service.window_items(engine, filters, mapping, cached)
    goals = service.team_goals(session, team_id)
    goal_ids = [goal.id for goal in goals]
    decisions = service.team_decisions(session, goal_ids)
    aligned = align(
        (item.signals for item in items), service.team_rules(session, goal_ids), decisions
    )
    unaligned = [item for item in items if item.signals.object_id not in aligned]
    texts = [f"{item.signals.title}\n{item.description}" for item in unaligned]
    goal_texts = [goal_text(goal) for goal in goals]
    matches = tfidf_matches(texts, goal_texts)
    if chosen != "tfidf" and texts and goal_texts:  # the model's scores, the shared words kept
        scores = cosine_scores(encoders.encoder(chosen), texts, goal_texts)
        matches = [
            [
                Match(round(max(0.0, float(score)), 6), match.words)
                for score, match in zip(row, found, strict=True)
            ]
            for row, found in zip(scores, matches, strict=True)
        ]
    found: list[Suggestion] = []
    for item, row in zip(unaligned, matches, strict=True):
        ranked = sorted(
            (
                (match, goal)
                for match, goal in zip(row, goals, strict=True)
                if match.score >= min_score
                and match.score > 0
                and (item.signals.object_id, goal.id) not in decisions
            ),
            key=lambda pair: (-pair[0].score, pair[1].id),
        )
        if ranked:
            match, goal = ranked[0]
            found.append(
                Suggestion(
                    object_id=item.signals.object_id,
                    external_key=item.external_key,
                    title=item.signals.title,
                    goal_id=goal.id,
                    goal_title=goal.title,
                    score=match.score,
                    words=match.words,
                )
            )
    found.sort(key=lambda s: (-s.score, s.object_id, s.goal_id))
    return Suggestions(
        encoder=chosen,
        method=encoders.METHODS[chosen],
        min_score=min_score,
        unaligned=len(unaligned),
        suggestions=found[:limit],
    )
