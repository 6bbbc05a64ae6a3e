"""The brief on a real workspace (the sepsis log, tests/web/how_fixtures.py): every figure in the
HTML is the service's own answer, withheld parts say why, hostile text stays text, the file asks
for nothing, and ``tandem brief`` and ``GET /why/brief`` write the same file."""

from __future__ import annotations

import dataclasses
import datetime as dt
import html as htmlmod
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tandem.brief.build import build_brief
from tandem.brief.render import render_brief
from tandem.brief.schemas import Brief
from tandem.brief.why import (
    GoalLine,
    HistoryPoint,
    KeyResultLine,
    StoryLine,
    StorySentence,
    VisionLine,
    WhySection,
    WinLine,
)
from tandem.db.session import session_scope
from tandem.flow import service as flow_service
from tandem.flow.bottlenecks import bottlenecks
from tandem.flow.engine import Filters, FlowEngine
from tandem.flow.mapping import StatusMapping
from tandem.people.models import Team
from tandem.web.app import create_app
from tandem.web.how.charts import duration
from tandem.web.how.sections import FORECAST_RUNS, FORECAST_SEED, HANDOFF_NAME
from tests.helpers import run_cli
from tests.web.conftest import sign_in_directly
from tests.web.how_fixtures import FlowOrg, alpha_filters, make_flow_org

FIRST, LAST = dt.date(2014, 1, 1), dt.date(2014, 12, 31)
HOSTILE = "</script><script>alert(1)</script>{{ 7*7 }}{% raw %}<img src=x onerror=alert(2)>"
FIGURE = re.compile(r'<span class="fig" data-figure="([^"]+)" data-value="([^"]*)">([^<]*)</span>')


@dataclass(frozen=True)
class Setup:
    flow: FlowOrg
    brief: Brief
    html: str


@pytest.fixture(scope="module")
def setup(tmp_path_factory: pytest.TempPathFactory) -> Setup:
    flow = make_flow_org(tmp_path_factory.mktemp("brief") / "ws")
    brief = build_brief(workspace=flow.workspace, team="Alpha", start=FIRST, end=LAST)
    return Setup(flow, brief, render_brief(brief))


def figures(html: str) -> dict[str, tuple[str, str]]:
    """``data-figure`` → (exact value, the words shown)."""
    return {name: (value, htmlmod.unescape(text)) for name, value, text in FIGURE.findall(html)}


def year(setup: Setup) -> Filters:
    return dataclasses.replace(
        alpha_filters(setup.flow),
        start=dt.datetime(2014, 1, 1, tzinfo=dt.UTC),
        end=dt.datetime(2015, 1, 1, tzinfo=dt.UTC),
    )


def test_flow_figures_are_the_flow_panels(setup: Setup) -> None:
    mapping = StatusMapping.from_settings(setup.flow.workspace.settings.flow)
    with FlowEngine(setup.flow.workspace.lake) as engine:
        panel = flow_service.flow_panel(engine=engine, filters=year(setup), mapping=mapping)
    shown = figures(setup.html)
    assert panel.cycle_time.n > 0 and panel.people is not None and panel.people >= 5
    for name in ("lead_time", "cycle_time"):
        timing = getattr(panel, name)
        assert int(shown[f"flow.{name}.n"][0]) == timing.n
        for p in ("p50", "p85", "p95"):
            seconds = getattr(timing, f"{p}_seconds")
            value, words = shown[f"flow.{name}.{p}_seconds"]
            assert float(value) == seconds
            assert words == duration(seconds)
    assert int(shown["flow.people"][0]) == panel.people
    for key in ("n", "done", "open", "canceled"):
        assert int(shown[f"flow.items.{key}"][0]) == getattr(panel.items, key)
    assert panel.throughput_per_day is not None and panel.throughput_withheld is None
    assert float(shown["flow.throughput_per_week"][0]) == panel.throughput_per_day * 7
    assert int(shown["flow.throughput_n"][0]) == panel.summary["throughput"]["n"]
    assert int(shown["flow.wip_now"][0]) == panel.wip_now
    efficiency = shown["flow.flow_efficiency"][0]
    assert (float(efficiency) if efficiency else None) == panel.flow_efficiency


def test_bottlenecks_and_forecast_are_the_services(setup: Setup) -> None:
    mapping = StatusMapping.from_settings(setup.flow.workspace.settings.flow)
    with FlowEngine(setup.flow.workspace.lake) as engine:
        ranked = bottlenecks(engine, year(setup), limit=10).to_dict()["bottlenecks"]
        forecast = flow_service.forecast(
            engine=engine, filters=year(setup), mapping=mapping, items=10, history_days=90,
            runs=FORECAST_RUNS, seed=FORECAST_SEED,
        ).report  # fmt: skip
    shown = figures(setup.html)
    assert ranked
    for i, item in enumerate(ranked[:5]):
        assert float(shown[f"bottleneck.{i}.impact_seconds"][0]) == item["impact_seconds"]
        assert int(shown[f"bottleneck.{i}.count"][0]) == item["evidence"]["count"]
    assert "bottleneck.5.impact_seconds" not in shown  # the top five only
    for name, entry in forecast["percentiles"].items():
        assert shown[f"forecast.{name}.days"][0] == str(entry["days"])
    assert int(shown["forecast.items"][0]) == 10


def test_handoffs_are_never_named(setup: Setup) -> None:
    rows = setup.brief.how.bottlenecks.value
    assert rows is not None
    handoffs = [row for row in rows.rows if row.kind == "handoff"]
    assert all(row.name == HANDOFF_NAME for row in handoffs)
    assert "account:sepsis:" not in setup.html  # no identity of anyone


def test_every_chart_is_inline_svg(setup: Setup) -> None:
    charts = re.findall(r'<figure class="chart" data-chart="([^"]+)">(.*?)</figure>', setup.html,
                        re.S)  # fmt: skip
    names = [name for name, _ in charts]
    assert {"timing", "throughput", "forecast"} <= set(names)
    for _, body in charts:
        assert body.lstrip().startswith("<svg")


def test_the_file_asks_for_nothing_and_stays_small(setup: Setup) -> None:
    html = setup.html
    lowered = html.lower()
    assert "<script" not in lowered
    assert not re.search(r"\b(src|href)\s*=", lowered)
    assert "url(" not in lowered and "@import" not in lowered
    assert re.search(r"https?://", lowered.replace("http://www.w3.org/2000/svg", "")) is None
    assert 5_000 < len(html.encode()) < 300_000


def test_print_layout_is_a4_with_a_page_per_section(setup: Setup) -> None:
    assert "@page { size: A4" in setup.html
    print_css = setup.html.split("@media print", 1)[1].split("</style>", 1)[0]
    assert "section.part { break-before: page" in print_css
    assert setup.html.count('<section class="part"') == 3


def test_header_names_team_period_and_data_day(setup: Setup) -> None:
    header = setup.brief.header
    assert (header.start, header.end) == (FIRST, LAST)
    assert header.as_of == dt.date(2015, 6, 5)  # the sepsis log's last event, never today
    assert 'data-header="period">2014-01-01 to 2014-12-31' in setup.html
    assert 'data-header="as-of">2015-06-05' in setup.html


def test_a_team_under_five_people_gets_a_brief_with_reasons(setup: Setup) -> None:
    for team in ("Beta", "Gamma"):
        brief = build_brief(workspace=setup.flow.workspace, team=team, start=FIRST, end=LAST)
        html = render_brief(brief)
        for part in (brief.how.flow, brief.how.bottlenecks, brief.how.forecast):
            assert part.state == "withheld" and part.value is None
            assert "5 people" in (part.reason or "")
        assert not any(name.startswith(("flow.", "bottleneck.", "forecast.")) for name in
                       figures(html))  # fmt: skip
        left_out = html.split('id="left-out"', 1)[1].split("</aside>", 1)[0]
        assert "Flow" in left_out and "Forecast" in left_out and "5 people" in left_out


def test_default_period_is_the_last_90_days_of_the_data(setup: Setup) -> None:
    brief = build_brief(workspace=setup.flow.workspace, team="Alpha")
    assert brief.header.end == dt.date(2015, 6, 5)
    assert brief.header.start == dt.date(2015, 6, 5) - dt.timedelta(days=89)
    # nobody of Alpha worked in those days: withheld, with the count of people behind it
    assert brief.how.flow.state == "withheld"


def test_no_people_section_without_a_closed_cycle(setup: Setup) -> None:
    for part in (setup.brief.people.coverage, setup.brief.people.duos, setup.brief.people.plans):
        assert part.state == "not_set_up"
    assert setup.brief.why.state == "not_set_up"
    assert "Not set up yet" in setup.html


def why_input(title: str, vision: str) -> WhySection:
    return WhySection.of(
        vision=VisionLine(statement=vision, postcard="SYNTHETIC postcard"),
        goals=[
            GoalLine(
                title=title,
                starts_on=FIRST,
                ends_on=LAST,
                progress=0.4,
                track="at_risk",
                key_results=[
                    KeyResultLine(
                        title=title,
                        metric="P85 cycle time, 30-day window",
                        unit="days",
                        direction="down",
                        baseline=12.0,
                        target=5.0,
                        value=9.2,
                        n=31,
                        progress=0.4,
                        history=[
                            HistoryPoint(day=dt.date(2014, 10, 1), value=12.0),
                            HistoryPoint(day=dt.date(2014, 11, 1), value=None, withheld="few"),
                            HistoryPoint(day=dt.date(2014, 12, 1), value=9.2),
                        ],
                    )
                ],
            )
        ],
        stories=[
            StoryLine(
                title=title,
                sentences=[StorySentence(text=title, evidence=["@item:42", "metric:cycle"])],
            )
        ],
        wins=[WinLine(title=title, text=title, kind="kudos", day=LAST)],
    )


def test_why_renders_from_its_typed_input(setup: Setup) -> None:
    brief = setup.brief.model_copy(update={"why": why_input("Faster fixes", "We ship calmly")})
    html = render_brief(brief)
    shown = figures(html)
    assert float(shown["why.kr.0.0.value"][0]) == 9.2
    assert float(shown["why.kr.0.0.progress"][0]) == 0.4
    assert shown["why.goal.0.progress"][1] == "40 %"
    assert "[evidence: @item:42, metric:cycle]" in html
    assert 'data-chart="kr-0-0"><svg' in html
    assert "Why" not in [name for name, _ in brief.withheld()]


def test_hostile_team_name_and_goal_title_stay_text(setup: Setup) -> None:
    with session_scope(setup.flow.workspace.engine) as session:
        team = session.get(Team, setup.flow.org.other_team_id)
        assert team is not None
        original, team.name = team.name, HOSTILE
    try:
        brief = build_brief(
            workspace=setup.flow.workspace,
            team=setup.flow.org.other_team_id,
            start=FIRST,
            end=LAST,
            why=why_input(HOSTILE, HOSTILE),
        )
        html = render_brief(brief)
    finally:
        with session_scope(setup.flow.workspace.engine) as session:
            found = session.get(Team, setup.flow.org.other_team_id)
            assert found is not None
            found.name = original
    lowered = html.lower()
    assert "<script" not in lowered and "<img" not in lowered
    assert "onerror=alert" not in lowered.replace("&lt;img src=x onerror=alert", "")
    assert "&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "{{ 7*7 }}" in html and "49" not in html.split("<body>", 1)[1].split("<h2>", 1)[0]
    assert html.count(htmlmod.escape(HOSTILE, quote=False)) >= 5  # title, header, goal, KR, story


def test_cli_writes_the_file_and_prints_the_sections(setup: Setup, tmp_path: Path) -> None:
    out = tmp_path / "brief.html"
    result = run_cli("brief", "--team", "Alpha", "-o", out, "--from", "2014-01-01", "--to",
                     "2014-12-31", "--json", "--workspace", setup.flow.workspace.root)  # fmt: skip
    assert result.exit_code == 0, result.stderr
    data: dict[str, Any] = result.json()
    assert data["file"] == str(out) and out.is_file()
    assert (
        data["how"]["flow"]["value"]["cycle_time"]
        == setup.brief.how.flow.value.model_dump(mode="json")["cycle_time"]
    )  # type: ignore[union-attr]
    assert {w["part"] for w in data["withheld"]} >= {"Why", "Coverage"}
    text = out.read_text(encoding="utf-8")
    assert (
        figures(text)["flow.cycle_time.p85_seconds"]
        == figures(setup.html)["flow.cycle_time.p85_seconds"]
    )


def test_cli_bad_input_writes_nothing(setup: Setup, tmp_path: Path) -> None:
    root = setup.flow.workspace.root
    cases = [
        (("--team", "Nope"), "no team named"),
        (("--team", "Alpha", "--to", "2014-13-01"), "--to"),
        (("--team", "Alpha", "--from", "2014-12-01", "--to", "2014-11-01"), "first day"),
        (("--team", "Alpha", "--for", "director"), "leader, manager"),
        # a team window under 7 days (two briefs a day apart would subtract to one person)
        (("--team", "Alpha", "--from", "2014-06-01", "--to", "2014-06-06"), "at least 7 days"),
    ]
    for args, message in cases:
        out = tmp_path / "brief.html"
        result = run_cli("brief", *args, "-o", out, "--workspace", root,
                         env={"COLUMNS": "200"})  # fmt: skip
        assert result.exit_code == 2, result.stdout
        assert message in result.stderr
        assert not out.exists()
    result = run_cli("brief", "--team", "Alpha", "-o", tmp_path / "brief.pdf", "-w", root)
    assert result.exit_code == 2 and "HTML" in result.stderr


@pytest.mark.parametrize(
    ("role", "people"), [("leader", True), ("member", False), ("director", False)]
)
def test_web_download_is_the_brief(setup: Setup, role: str, people: bool) -> None:
    app = create_app(setup.flow.workspace)
    with TestClient(app) as client:
        sign_in_directly(client, setup.flow.workspace, setup.flow.org.users[role])
        response = client.get("/why/brief", params={"team": setup.flow.org.own_team_id})
        assert response.status_code == 200, response.text
        assert response.headers["content-disposition"].startswith("attachment;")
        assert "<h1>Brief: Alpha</h1>" in response.text
        assert "<script" not in response.text.lower()
        reason = "for the team's leader and manager"
        assert (reason not in htmlmod.unescape(response.text)) is people
        other = client.get("/why/brief", params={"team": setup.flow.org.other_team_id})
        # a team role sees its own team only; a director any team, the people part withheld
        assert other.status_code == (200 if role == "director" else 403)


def test_the_why_slot_is_the_why_services_answer(tmp_path: Path) -> None:
    """Wired: the brief's vision, key results and stories are the goals and stories services'
    answers for the same day (the work data's last day), sentence for sentence."""
    from tandem.why.goals import service as goals
    from tandem.why.goals.metrics import parse_spec
    from tandem.why.stories.service import goal_story

    flow = make_flow_org(tmp_path / "ws")
    ws = flow.workspace
    with session_scope(ws.engine) as session:
        goals.set_vision(session=session, team="Alpha", statement="Patients leave sooner")
        goal = goals.add_goal(session=session, team="Alpha", title="Faster care",
                              starts_on="2014-06-01", ends_on="2015-06-30")  # fmt: skip
        goals.add_key_result(session=session, workspace=ws, team="Alpha", goal_id=goal.id,
                             title="P85 cycle time", target=3, baseline=5,
                             metric=parse_spec("cycle_time:p85,window=365"))  # fmt: skip
        goals.add_key_result(session=session, workspace=ws, team="Alpha", goal_id=goal.id,
                             title="Nurses trained", target=10, baseline=0,
                             direction="up")  # fmt: skip
        goals.add_key_result(session=session, workspace=ws, team="Alpha", goal_id=goal.id,
                             title="P50 lead time", target=1000, baseline=2000,
                             metric=parse_spec("lead_time:p50,window=365"))  # fmt: skip
    brief = build_brief(workspace=ws, team="Alpha", start=FIRST, end=LAST)
    assert brief.why.state == "shown" and brief.why.vision is not None
    assert brief.why.vision.statement == "Patients leave sooner"
    with session_scope(ws.engine) as session:
        answer = goals.team_goals(session=session, workspace=ws, team="Alpha",
                                  as_of=brief.header.as_of, history=False)  # fmt: skip
        with FlowEngine(ws.lake) as engine:
            story = goal_story(session=session, engine=engine, team="Alpha", goal_id=goal.id,
                               mapping=StatusMapping.from_settings(ws.settings.flow),
                               start=dt.date(2014, 6, 1), end=brief.header.as_of)  # fmt: skip
    [line] = brief.why.goals
    expected = answer.goals[0].key_results
    assert [kr.value for kr in line.key_results] == [kr.value for kr in expected]
    assert line.key_results[0].value is not None  # Alpha rests on ≥ 5 people
    assert [s.text for s in brief.why.stories[0].sentences] == [s.text for s in story.sentences]
    # the wins' achievements are read on the brief's own day, as its key results are
    reached = [w for w in brief.why.wins if w.kind == "key_result_reached"]
    assert [w.day for w in reached] == [brief.header.as_of] and "P50 lead time" in reached[0].text
    html = render_brief(brief)
    assert "Patients leave sooner" in html and story.sentences[0].text.split()[0] in html
