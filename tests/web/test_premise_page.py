"""The premise page and ``/api/premise``: the service's shown answer, aggregates only.

Over the SYNTHETIC demo organisation (32 people: the high-on-both count is 4, withheld) plus
a SYNTHETIC cycle of 60 people written into the same workspace (every count shown), and a
workspace of 6 SYNTHETIC people (too few: no numbers at all).
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from tandem.accounts import service as accounts_service
from tandem.db.session import session_scope
from tandem.profile import premise as premise_service
from tandem.profile.premise_shown import premise_page
from tandem.web.app import create_app
from tests.helpers import new_workspace
from tests.profile.test_service import write_synthetic
from tests.web.conftest import PASSWORD, sign_in_directly
from tests.web.people_org import fresh
from tests.web.test_coverage_pages import Setup, as_user

BIG, SMALL = "synthetic-60", "synthetic-6"
DIGITS = re.compile(r"\d+(?:\.\d+)?")


@pytest.fixture
def setup(tmp_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Setup:
    workspace, org = fresh(tmp_path, tmp_path_factory)
    with session_scope(workspace.engine) as session:
        write_synthetic(session, cycle=BIG, n_people=60, seed=4)
    return workspace, org


@pytest.fixture
def small(tmp_path: Path) -> Iterator[TestClient]:
    """A workspace of 6 SYNTHETIC people in one closed cycle, and a director."""
    workspace = new_workspace(tmp_path / "small")
    with session_scope(workspace.engine) as session:
        write_synthetic(session, cycle=SMALL, n_people=6, seed=1)
        accounts_service.add_user(
            session=session, email="director@example.org", password=PASSWORD, role="director"
        )
    with TestClient(create_app(workspace)) as test_client:
        sign_in_directly(test_client, workspace, "director@example.org")
        yield test_client


@pytest.fixture
def client(setup: Setup) -> Iterator[TestClient]:
    with TestClient(create_app(setup[0])) as test_client:
        yield test_client


def main_of(page: str) -> str:
    """The page's main content as text (tags dropped)."""
    main = page[page.index('<main id="main"') : page.index("</main>")]
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", main)).split())


def section(page: str, table_id: str) -> str:
    start = page.index(f'id="{table_id}"')
    return page[start : page.index("</table>", start)]


def test_the_page_is_the_services_answer(client: TestClient, setup: Setup) -> None:
    workspace, _ = setup
    as_user(client, setup, "director")
    body = client.get(f"/api/premise?cycle={BIG}").json()
    with session_scope(workspace.engine) as session:
        expected = premise_page(session=session, cycle=BIG)
    assert body == expected.model_dump(mode="json")
    assert body["enough_data"] and body["both_high"]["withheld_because"] is None
    page = client.get(f"/premise?cycle={BIG}").text
    assert expected.verdict_text in page.replace("&#39;", "'")
    both = section(page, "premise-both-high")
    for cell, value in expected.both_high.table.items():  # type: ignore[union-attr]
        shown = f"{value:g}" if isinstance(value, float) else value
        assert re.search(rf'data-cell="{cell}">{re.escape(shown)}<', both), (cell, value)
    rows = section(page, "premise-correlations")
    for row in expected.correlations:
        assert row.ci95 is not None
        cells = f"<td>{row.r:.2f}</td><td>{row.ci95[0]:.2f} to {row.ci95[1]:.2f}</td>"
        assert cells in rows, row.key
    # the forest chart draws the same rows, and nothing per person
    spec = json.loads(page.split('id="premise-chart-spec">')[1].split("</script>")[0])
    drawn = spec["data"]["values"]
    assert [(d["r"], d["lo"], d["hi"]) for d in drawn] == [
        (c.r, *(c.ci95 or (None, None))) for c in expected.correlations
    ]
    leaning = section(page, "premise-leaning")
    for name, count in expected.leaning.counts.items():  # type: ignore[union-attr]
        assert f'data-leaning="{name}"><th scope="row">{name}</th><td>{count}</td>' in leaning


def test_a_count_under_five_shows_no_figure_that_gives_it_back(
    client: TestClient, setup: Setup
) -> None:
    workspace, org = setup
    with session_scope(workspace.engine) as session:
        raw = premise_service.premise(session=session, cycle=org.cycle)
    assert raw.both_high.observed is not None and raw.both_high.ratio is not None
    both_count = raw.both_high.observed * raw.both_high.n
    assert 0 < both_count < 5  # the demo: 4 of 32 high on both
    as_user(client, setup, "admin")
    body = client.get(f"/api/premise?cycle={org.cycle}").json()
    assert set(body["both_high"]["table"].values()) == {"suppressed"}
    assert body["both_high"]["observed"] == body["both_high"]["ratio"] == "suppressed"
    page = client.get(f"/premise?cycle={org.cycle}").text
    counts = section(page, "premise-both-high").split("<tbody>")[1]
    assert not re.search(r"\d", re.sub(r"<[^>]+>", " ", counts))
    assert "withheld" in section(page, "premise-both-high")
    text = main_of(page)
    assert f"{raw.both_high.ratio:.2f}" not in text  # the ratio would give the count back
    low, high = raw.both_high.observed_ci95 or (0.0, 0.0)
    assert f"{low:.0%} to {high:.0%}" not in text
    assert "withheld" in text


def test_a_small_cohort_gets_not_enough_data_and_no_numbers(small: TestClient) -> None:
    client = small
    body = client.get(f"/api/premise?cycle={SMALL}").json()
    assert body["enough_data"] is False and body["verdict"] == "not enough data"
    assert (body["correlations"], body["both_high"], body["leaning"]) == ([], None, None)
    text = main_of(client.get(f"/premise?cycle={SMALL}").text).replace(SMALL, "")
    assert "Not enough data" in text
    # the floors are the only figures: no n, no count, no correlation of six people
    assert set(DIGITS.findall(text)) == {"10", "5"}, text


def test_only_directors_and_admins_may_read_it(client: TestClient, setup: Setup) -> None:
    for role in ("leader", "manager", "member"):
        as_user(client, setup, role)
        assert client.get("/premise").status_code == 403
        assert client.get("/api/premise").status_code == 403
        assert 'href="/premise"' not in client.get("/").text
    for role in ("director", "admin"):
        as_user(client, setup, role)
        assert client.get("/api/premise").status_code == 200
        assert 'href="/premise"' in client.get("/").text
    client.cookies.clear()
    assert client.get("/api/premise").status_code == 401


def test_the_cycle_selector_lists_the_closed_cycles(client: TestClient, setup: Setup) -> None:
    _, org = setup
    as_user(client, setup, "director")
    page = client.get("/premise").text
    # the default is the latest closed cycle, as in `tandem people premise`
    assert f'<option value="{BIG}" selected>' in page
    assert f'<option value="{org.cycle}">' in page
    assert org.open_cycle not in page  # its results are locked
    locked = client.get(f"/api/premise?cycle={org.open_cycle}")
    assert locked.status_code >= 400 and "locked" in locked.json()["error"]["message"]
