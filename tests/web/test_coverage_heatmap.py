"""The coverage heatmap over the SYNTHETIC demo organisation: the service's numbers, nothing more.

Every cell must print the coverage service's answer (``/api/coverage/org``), a withheld cell and
a hidden team no figure at all. Withholding is forced on the demo cycle by freezing two more
teams into its roster: "Wide" (Atlas and one Beacon member: Atlas's aggregates minus Wide's
would reveal that one person, so the smaller, Atlas, is withheld) and "Tiny" (two members:
hidden).
"""

from __future__ import annotations

import doctest
import re
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from tandem.db.session import session_scope
from tandem.people.models import Membership, Team
from tandem.profile import frozen_roster
from tandem.review import service as review_service
from tandem.review.items import PRACTICE_IDS
from tandem.web import heatmap
from tandem.web.app import create_app
from tandem.web.heatmap import BAND_STARTS, heat_band
from tests.web.people_org import fresh
from tests.web.test_coverage_pages import Setup, as_user

MIN_SHOWN_PHRASE = re.compile(r"fewer than 5")  # the only figure a withheld cell may carry
DIGIT = re.compile(r"\d")


class _Cells(HTMLParser):
    """The heatmap's cells: (team, practice) → (text, attribute values, CSS classes).

    A hidden team's one cell is keyed (team, ``"hidden"``).
    """

    def __init__(self) -> None:
        super().__init__()
        self.cells: dict[tuple[str, str], tuple[str, str, set[str]]] = {}
        self._team: str | None = None
        self._key: tuple[str, str] | None = None
        self._text: list[str] = []
        self._attrs: list[str] = []
        self._classes: set[str] = set()
        self._depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "tr" and found.get("data-team"):
            self._team = found["data-team"]
        if tag == "td" and self._team is not None and self._key is None:
            hidden = "hidden" if found.get("data-hidden") else None
            practice = found.get("data-practice") or hidden
            if practice is not None:
                self._key = (self._team, practice)
                self._text, self._attrs, self._depth = [], [], 0
                self._classes = set((found.get("class") or "").split())
        if self._key is not None:
            self._depth += 1
            layout = ("class", "colspan")  # not figures
            self._attrs += [value or "" for name, value in attrs if name not in layout]

    def handle_endtag(self, tag: str) -> None:
        if self._key is None:
            if tag == "tr":
                self._team = None
            return
        self._depth -= 1
        if tag == "td" and self._depth == 0:
            text = " ".join("".join(self._text).split())
            self.cells[self._key] = (text, " ".join(self._attrs), self._classes)
            self._key = None

    def handle_data(self, data: str) -> None:
        if self._key is not None:
            self._text.append(data)


def cells_of(html: str) -> dict[tuple[str, str], tuple[str, str, set[str]]]:
    parser = _Cells()
    parser.feed(html)
    return parser.cells


@pytest.fixture
def setup(tmp_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Setup:
    return fresh(tmp_path, tmp_path_factory)


@pytest.fixture
def client(setup: Setup) -> Iterator[TestClient]:
    with TestClient(create_app(setup[0])) as test_client:
        yield test_client


def freeze_wide_and_tiny(setup: Setup) -> None:
    """Freeze teams Wide (Atlas + one Beacon member) and Tiny (two members) into the demo cycle."""
    workspace, org = setup
    with session_scope(workspace.engine) as session:
        wide = Team(name="Wide")
        session.add(wide)
        session.flush()
        atlas = session.scalars(
            select(Membership.person_id).where(Membership.team_id == org.team_ids["Atlas"])
        ).all()
        members = [*atlas, org.person_ids["outsider"]]
        session.add_all(Membership(person_id=p, team_id=wide.id) for p in members)
        session.flush()
        cycle = review_service.get_cycle(session=session, name=org.cycle)
        frozen_roster.freeze(session=session, cycle=cycle)


def assert_cells_are_the_service_answer(html: str, body: dict[str, object]) -> None:
    cells = cells_of(html)
    teams = body["teams"]
    assert isinstance(teams, list)
    for team in teams:
        name = team["team"]
        if not team["shown"]:
            text, attrs, _ = cells[(name, "hidden")]
            assert "hidden" in text
            assert not DIGIT.search(MIN_SHOWN_PHRASE.sub("", f"{text} {attrs}")), (name, text)
            assert not any(key[0] == name and key[1] != "hidden" for key in cells)
            continue
        for practice in PRACTICE_IDS:
            cell = team["practices"][practice]
            text, attrs, classes = cells[(name, practice)]
            if cell["mean"] == "suppressed":
                assert "heat-suppressed" in classes and "fewer than 5" in attrs
                assert not DIGIT.search(MIN_SHOWN_PHRASE.sub("", f"{text} {attrs}")), text
                continue
            gap = {"gap": " · gap", "uncertain": " · ?"}.get(cell["call"], "")
            assert text == f"{cell['mean']:.1f} {cell['covering']} of {cell['scored']}{gap}"
            assert f"heat-{heat_band(cell['mean'])}" in classes
            assert ("heat-gap" in classes) == (cell["call"] == "gap")


def test_the_heatmap_is_the_services_answer(client: TestClient, setup: Setup) -> None:
    as_user(client, setup, "director")
    body = client.get("/api/coverage/org").json()
    page = client.get("/coverage/org")
    assert page.status_code == 200
    cells = cells_of(page.text)
    assert len(cells) == 4 * len(PRACTICE_IDS)  # the demo's four teams, all shown
    assert_cells_are_the_service_answer(page.text, body)
    # leader practices first, then manager practices, as the column groups say
    assert page.text.index('scope="colgroup" colspan="5">Leader side') < page.text.index(
        "Manager side"
    )
    assert 'class="heat-scale"' in page.text and "4.2 and above" in page.text
    assert "Chiara" not in page.text  # aggregates only


def test_withheld_cells_and_hidden_teams_show_no_figure(client: TestClient, setup: Setup) -> None:
    as_user(client, setup, "director")
    before = client.get("/api/coverage/org").json()
    atlas_before = {t["team"]: t for t in before["teams"]}["Atlas"]
    freeze_wide_and_tiny(setup)
    body = client.get("/api/coverage/org").json()
    teams = {t["team"]: t for t in body["teams"]}
    assert teams["Tiny"]["shown"] is False and teams["Wide"]["shown"] is True
    # Atlas is one person smaller than Wide: every Atlas cell is withheld (complementary)
    assert all(p["mean"] == "suppressed" for p in teams["Atlas"]["practices"].values())
    html = client.get("/coverage/org").text
    assert_cells_are_the_service_answer(html, body)
    # Atlas's former figures appear nowhere in its row: not as text, not in an attribute
    row = html[html.index('<tr data-team="Atlas">') : html.index('<tr data-team="Beacon">')]
    for practice in PRACTICE_IDS:
        assert f"{atlas_before['practices'][practice]['mean']:.1f}" not in row
    assert not DIGIT.search(MIN_SHOWN_PHRASE.sub("", re.sub(r"<[^>]+>", " ", row)))
    tiny = html[html.index('<tr data-team="Tiny">') :]
    tiny = re.sub(r"<[^>]+>", " ", tiny[: tiny.index("</tr>")])
    assert "hidden" in tiny and not DIGIT.search(MIN_SHOWN_PHRASE.sub("", tiny))


def test_the_team_page_draws_its_own_aggregates_only(client: TestClient, setup: Setup) -> None:
    as_user(client, setup, "manager")
    body = client.get("/api/coverage").json()
    html = client.get("/coverage").text
    cells = cells_of(html)
    assert {team for team, _ in cells} == {"Atlas"}  # one row: the team, never its members
    org_like = {"teams": [{"team": "Atlas", "shown": True, "practices": body["practices"]}]}
    assert_cells_are_the_service_answer(html, org_like)


def test_only_directors_and_admins_see_the_heatmap(client: TestClient, setup: Setup) -> None:
    for role in ("leader", "manager", "member"):
        as_user(client, setup, role)
        assert client.get("/coverage/org").status_code == 403
    client.cookies.clear()
    anonymous = client.get("/coverage/org", follow_redirects=False)
    assert anonymous.status_code in (302, 303) and "/login" in anonymous.headers["location"]
    as_user(client, setup, "admin")
    assert 'class="heatmap"' in client.get("/coverage/org").text


def test_the_bands_cover_the_scale_in_order() -> None:
    means = [1.0, 2.7, 2.8, 2.9, 3.0, 3.9, 4.0, 4.1, 4.2, 5.0]
    bands = [heat_band(m) for m in means]
    assert bands == sorted(bands) and bands[0] == 0 and bands[-1] == len(BAND_STARTS)
    assert heat_band(3.9) < heat_band(4.0)  # the cover threshold starts a band


def test_the_cycle_selector_lists_closed_cycles(client: TestClient, setup: Setup) -> None:
    workspace, org = setup
    as_user(client, setup, "director")
    html = client.get("/coverage/org").text
    assert 'name="cycle"' not in html  # one closed cycle (the open one's results are locked)
    with session_scope(workspace.engine) as session:
        review_service.close_cycle(session=session, name=org.open_cycle)
    html = client.get(f"/coverage/org?cycle={org.cycle}").text
    assert f'<option value="{org.cycle}" selected>' in html
    assert f'<option value="{org.open_cycle}">' in html


def test_the_docstring_examples_hold() -> None:
    assert doctest.testmod(heatmap).failed == 0
