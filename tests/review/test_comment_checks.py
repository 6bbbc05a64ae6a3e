"""The warnings a rater gets before a comment that may give them away is saved (pure rules)."""

from __future__ import annotations

import pytest

from tandem.review.comment_checks import RosterNames, comment_warnings

ROSTER = RosterNames.of(["Anna Berg", "Bob Builder", "Jean-Luc Picard", "Will Smith", "Q"])


def rules(text: str) -> list[tuple[str, str]]:
    return [(w.rule, w.match) for w in comment_warnings(text, ROSTER, ratee="Anna Berg")]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Anna Berg sets a clear direction", [("name", "Anna Berg")]),
        ("anna sets a clear direction", [("name", "anna")]),  # any case
        ("Anna's plans are clear", [("name", "anna")]),  # a possessive
        ("BUILDER helped us", [("name", "builder")]),  # a surname alone
        ("Jean-Luc keeps us honest", [("name", "jean-luc")]),
        ("Annabel and Bobby are not on the roster", []),  # whole words only
        ("Q is a single letter: too short to check on its own", []),
    ],
)
def test_names_on_the_roster_are_flagged_as_whole_words(
    text: str, expected: list[tuple[str, str]]
) -> None:
    assert rules(text) == expected


def test_the_ratees_name_and_a_colleagues_are_told_apart() -> None:
    found = comment_warnings("Anna works well with Bob", ROSTER, ratee="Anna Berg")
    assert [w.message.split(",")[1].strip() for w in found] == [
        "the name of the person you rate: names can tell who wrote it (or whom it is about)",
        "a name on the roster: names can tell who wrote it (or whom it is about)",
    ]


def test_a_name_that_is_a_common_word_is_flagged_too_as_documented() -> None:
    # the rule is plain (case-insensitive, whole word): "will" matches Will Smith; it only warns
    assert rules("I will keep doing this") == [("name", "will")]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("write to me at sam.k@corp.example.com", [("email", "sam.k@corp.example.com")]),
        ("ask @samk on chat", [("handle", "@samk")]),
        ("As your manager I see it", [("relation", "As your manager")]),
        ("as a direct report I need more", [("relation", "as a direct report")]),
        ("I manage you, so I know", [("relation", "I manage you")]),
        ("you report to me and", [("relation", "you report to me")]),
        ("in our 1:1s you listen", [("relation", "our 1:1s")]),
        ("my team trusts you", [("relation", "my team")]),
        ("Your reports praise you", [("relation", "Your reports")]),
        ("Great vision.\nCheers, S", [("signature", "Cheers, S")]),
        ("Great vision.\n— S.", [("signature", "— S.")]),
        ("Clear goals, every quarter; keep going.", []),
        ("the team knows where we go", []),  # "the team" says nothing about the writer
    ],
)
def test_emails_handles_self_references_and_signatures_are_flagged(
    text: str, expected: list[tuple[str, str]]
) -> None:
    assert rules(text) == expected


def test_an_email_is_not_also_read_as_a_name_or_a_handle() -> None:
    assert rules("bob@example.com") == [("email", "bob@example.com")]


def test_each_match_is_reported_once() -> None:
    assert rules("Anna, Anna, ANNA") == [("name", "anna")]


SHORT_ROSTER = RosterNames.of(["Wei He", "An Tran", "Minh Do", "Anna Berg"])


def short_rules(text: str) -> list[tuple[str, str]]:
    return [(w.rule, w.match) for w in comment_warnings(text, SHORT_ROSTER, ratee="Anna Berg")]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # "he", "an", "do": among the commonest words, not read as a name part …
        ("He plans ahead and is an example to do well by", []),
        ("An idea: he could share the roadmap earlier.", []),
        ("Strengths:\n- He listens\n- An open door", []),
        # … unless written as a name, capitalised inside a sentence
        ("I asked An about it", [("name", "an")]),
        ("Ask He what he thinks", [("name", "he")]),
        # the whole name always flags, and longer parts as before
        ("Wei He runs the retros", [("name", "Wei He")]),
        ("he said an email from Tran helped", [("name", "tran")]),
        ("Minh is clear", [("name", "minh")]),
    ],
)
def test_a_two_letter_name_part_that_is_a_common_word_flags_only_as_a_name(
    text: str, expected: list[tuple[str, str]]
) -> None:
    assert short_rules(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Keep doing:\n- clear goals\n- honest feedback", []),  # a list's last item
        ("Keep doing:\n- Clear goals\n- Honest Feedback", []),  # capitalised items too
        ("Could improve:\n- delegating more", []),  # one item: not a name
        ("Could improve:\n- Good 1:1s", []),
        ("Great vision.\n- Sam", [("signature", "- Sam")]),
        ("Great vision.\n-- Sam B.", [("signature", "-- Sam B.")]),
        ("Keep doing:\n- clear goals\n\nThanks, S", [("signature", "Thanks, S")]),
    ],
)
def test_a_dash_line_is_a_signature_only_as_a_name_that_ends_no_list(
    text: str, expected: list[tuple[str, str]]
) -> None:
    assert rules(text) == expected
