"""Which comments a reader sees: groups of 3 commenters, 4 with the reader inside (pure rules)."""

from __future__ import annotations

import itertools

from tandem.profile.comments import StoredComment, practice_comments


def made(*specs: tuple[int, str, str]) -> list[StoredComment]:
    return [StoredComment(rater, relation, "vision", text) for rater, relation, text in specs]


def shown(comments: list[StoredComment], viewer: int | None = None) -> dict[str, list[str]]:
    groups = practice_comments(comments, "vision", salt="7:42", viewer=viewer)
    return {g.group: sorted(g.texts) for g in groups}


def test_a_group_needs_three_commenters_and_smaller_groups_are_pooled() -> None:
    three_peers = made((1, "peer", "a"), (2, "peer", "b"), (3, "peer", "c"))
    assert shown(three_peers) == {"peer": ["a", "b", "c"]}
    assert shown(three_peers[:2]) == {}  # 2 peers: hidden, the pool of 2 too
    with_others = [*three_peers[:2], *made((9, "manager", "m"), (5, "report", "r"))]
    assert shown(with_others) == {"others": ["a", "b", "m", "r"]}


def test_a_single_manager_is_never_shown_alone() -> None:
    assert shown(made((9, "manager", "only the manager"))) == {}
    peers = made((1, "peer", "a"), (2, "peer", "b"), (3, "peer", "c"))
    # the manager's comment waits in the pool: with nobody else in it, it stays hidden
    assert shown([*peers, *made((9, "manager", "m"))]) == {"peer": ["a", "b", "c"]}


def test_a_reader_inside_a_group_needs_one_more() -> None:
    pool = made((9, "manager", "m"), (5, "report", "r1"), (6, "report", "r2"))
    assert shown(pool) == {"others": ["m", "r1", "r2"]}  # the ratee reads 3
    # the manager it is shared with wrote one of the 3: the other two would be the two reports'
    assert shown(pool, viewer=9) == {}
    assert shown([*pool, *made((7, "peer", "p"))], viewer=9) == {"others": ["m", "p", "r1", "r2"]}
    peers = made((1, "peer", "a"), (2, "peer", "b"), (3, "peer", "c"))
    assert shown(peers, viewer=2) == {}
    assert shown(peers, viewer=4) == {"peer": ["a", "b", "c"]}  # a reader outside the group


def test_empty_texts_and_the_ratees_own_relation_count_for_nothing() -> None:
    comments = made((1, "peer", "a"), (2, "peer", "b"), (3, "peer", ""), (4, "self", "me"))
    assert shown(comments) == {}


def test_the_order_depends_on_the_texts_only_never_on_raters_or_input_order() -> None:
    texts = ["first written", "second", "third", "fourth"]
    orders = set()
    for raters in itertools.permutations([11, 12, 13, 14]):
        comments = [
            StoredComment(r, "peer", "vision", t) for r, t in zip(raters, texts, strict=True)
        ]
        for arranged in (comments, comments[::-1]):
            groups = practice_comments(arranged, "vision", salt="7:42")
            orders.add(groups[0].texts)
    assert len(orders) == 1
    order = orders.pop()
    # neither the writing order nor the rater order, and another practice has its own order
    assert order != tuple(texts)
    other = [
        StoredComment(r, "peer", "process", t) for r, t in zip([11, 12, 13, 14], texts, strict=True)
    ]
    orders_by_practice = {
        practice_comments(other, "process", salt=salt)[0].texts for salt in ("7:42", "8:42")
    }
    assert len(orders_by_practice | {order}) > 1
