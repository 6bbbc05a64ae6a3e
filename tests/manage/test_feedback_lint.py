"""The feedback lint: trait words (with inflections, by whole word), absolutes, missing parts."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tandem.manage.feedback.lint import ABSOLUTES, TRAIT_WORDS, inflections, lint


def rules(**parts: str) -> list[tuple[str, str, str]]:
    base = {"situation": "At Monday's stand-up", "behaviour": "", "impact": "x"}
    base.update(parts)
    return [(f.field, f.rule, f.text) for f in lint(**base) if f.rule in ("trait", "absolute")]


def test_a_trait_word_is_flagged_with_its_span_and_a_suggestion() -> None:
    text = "You were rude to the customer on the call"
    [finding] = [f for f in lint(situation="s", behaviour=text, impact="i") if f.rule == "trait"]
    assert (finding.field, finding.start, finding.end) == ("behaviour", 9, 13)
    assert text[finding.start : finding.end] == "rude"
    assert "describe what they did" in finding.suggestion
    assert "10 minutes late" in finding.suggestion


@pytest.mark.parametrize(
    ("text", "word"),
    [
        ("You answered rudely", "rudely"),
        ("the laziness showed", "laziness"),
        ("you acted lazily", "lazily"),
        ("that was Careless", "Careless"),
        ("written carelessly", "carelessly"),
        ("SLOPPY work", "SLOPPY"),
        ("some arrogance there", "arrogance"),
        ("clear incompetence", "incompetence"),
        ("a passive-aggressive reply", "passive-aggressive"),
        ("you are difficult.", "difficult"),
    ],
)
def test_inflections_and_any_case_are_flagged(text: str, word: str) -> None:
    assert rules(behaviour=text) == [("behaviour", "trait", word)]


@pytest.mark.parametrize(
    "text",
    [
        "you scared nobody-else",  # not a trait: "scare" is not "care"less
        "the rudder moved",  # rud… is not rude
        "we met in the lobby",
        "an aggressively-priced plan",  # hyphenated compounds are not the word alone
        "you took careful notes",
    ],
)
def test_words_that_only_contain_a_trait_are_not_flagged(text: str) -> None:
    assert [r for r in rules(behaviour=text) if r[1] == "trait"] == []


@pytest.mark.parametrize(
    ("text", "word"),
    [
        ("you are always late", "always"),
        ("you never reply", "never"),
        ("every  time we plan", "every  time"),
        ("Constantly interrupting", "Constantly"),
        ("late all the time", "all the time"),
    ],
)
def test_absolutes_are_flagged(text: str, word: str) -> None:
    assert rules(behaviour=text) == [("behaviour", "absolute", word)]


def test_missing_behaviour_and_impact_are_flagged() -> None:
    found = lint(situation="Monday", behaviour="late", impact="  ")
    assert [f.rule for f in found] == ["missing_behaviour", "missing_impact"]
    assert all(f.suggestion for f in found)


def test_good_feedback_has_no_findings() -> None:
    assert (
        lint(
            situation="In Monday's stand-up",
            behaviour="You arrived 10 minutes late and the round started without you",
            impact="We repeated the blockers and ran over by a quarter of an hour",
            intent="I'd like us to start on time",
        )
        == []
    )


def test_every_part_is_linted_in_order() -> None:
    found = rules(situation="always on Fridays", impact="a sloppy result", intent="never again")
    assert found == [
        ("situation", "absolute", "always"),
        ("impact", "trait", "sloppy"),
        ("intent", "absolute", "never"),
    ]


def test_every_listed_word_and_inflection_is_found() -> None:
    for word in TRAIT_WORDS:
        for form in inflections(word):
            assert rules(behaviour=f"it was {form} indeed")[0][2] == form, form
    for word in ABSOLUTES:
        assert rules(behaviour=f"it was {word} so")[0][2] == word, word


@given(st.text(max_size=200))
def test_spans_point_at_the_flagged_text(text: str) -> None:
    for finding in lint(situation=text, behaviour=text, impact=text, intent=text):
        assert text[finding.start : finding.end] == finding.text
