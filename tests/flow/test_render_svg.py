"""The process map SVG: well-formed, escaped, complete, deterministic, honest about hiding."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from typing import Any

import pytest

from tandem.flow.render import render_process_map
from tandem.flow.render.text import escape, human_duration
from tests.flow.test_render_helpers import TRICKY, edge, random_dfg, small_dfg

SVG = "{http://www.w3.org/2000/svg}"


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg.encode("utf-8"))


def groups(root: ET.Element, kind: str) -> list[ET.Element]:
    return [g for g in root.iter(f"{SVG}g") if g.get("class", "").split()[:1] == [kind]]


def texts(root: ET.Element) -> list[str]:
    return [t.text or "" for t in root.iter(f"{SVG}text")]


@pytest.mark.parametrize("colour", ["frequency", "performance"])
def test_svg_is_well_formed_and_sized(colour: Any) -> None:
    picture = render_process_map(small_dfg(), colour=colour)
    root = parse(picture.svg)
    assert root.tag == f"{SVG}svg"
    width, height = float(root.get("width", 0)), float(root.get("height", 0))
    assert root.get("viewBox") == f"0 0 {width:.1f} {height:.1f}"
    assert 300 < width < 3000 and 300 < height < 3000
    assert root.find(f"{SVG}title") is not None
    assert "<script" not in picture.svg and "http://" not in picture.svg.replace(SVG[1:-1], "")


def test_every_activity_is_labelled_and_escaped() -> None:
    picture = render_process_map(small_dfg())
    root = parse(picture.svg)
    nodes = groups(root, "node")
    activities = [g.get("data-activity") for g in nodes if g.get("data-activity") is not None]
    assert sorted(activities) == sorted(["Open", "Triage", "Fix", TRICKY, "Test", "Close"])
    assert TRICKY in texts(root)
    assert escape(TRICKY) in picture.svg
    assert "&amp;" in picture.svg and "&lt;review&gt;" in picture.svg
    assert '"quick"' not in picture.svg  # quotes escaped, attributes stay intact
    for node in nodes:
        assert node.find(f"{SVG}title") is not None


def test_control_characters_cannot_break_the_document() -> None:
    dfg = {
        "cases": 1,
        "events": 2,
        "edges": [edge("a\x00b", "c\x1bd", 1)],
        "start_activities": {"a\x00b": 1},
        "end_activities": {"c\x1bd": 1},
    }
    parse(render_process_map(dfg).svg)


def test_one_edge_element_per_kept_path_each_with_a_hover_title() -> None:
    picture = render_process_map(small_dfg())
    root = parse(picture.svg)
    edges = groups(root, "edge")
    # 8 DFG arcs + ▶→Open + Close→■
    assert picture.edges == len(edges) == 10
    assert picture.hidden_edges == 0
    assert all(g.find(f"{SVG}title") is not None for g in edges)
    pairs = {(g.get("data-source"), g.get("data-target")) for g in edges}
    assert ("start", "Open") in pairs and ("Close", "end") in pairs and ("Fix", "Fix") in pairs
    back = [g for g in edges if "back" in g.get("class", "").split()]
    assert [(g.get("data-source"), g.get("data-target")) for g in back] == [("Test", "Fix")]


def test_frequency_mode_labels_counts() -> None:
    root = parse(render_process_map(small_dfg(), colour="frequency").svg)
    labels = texts(root)
    assert "100" in labels and "70" in labels and "15" in labels
    assert "3.2 h" not in labels


def test_performance_mode_labels_median_waits_and_colours_them() -> None:
    picture = render_process_map(small_dfg(), colour="performance")
    root = parse(picture.svg)
    labels = texts(root)
    for wait in ("3.2 h", "10 min", "4.0 d", "45 s", "2.0 h", "30 s", "2.5 d"):
        assert wait in labels
    strokes = {
        path.get("stroke")
        for g in groups(root, "edge")
        if g.get("class") == "edge"
        for path in g.iter(f"{SVG}path")
    }
    assert len(strokes) >= 3  # a colour scale, not one colour
    assert "Median wait" in picture.svg
    hover = [t.text or "" for g in groups(root, "edge") for t in g.iter(f"{SVG}title")]
    assert any("median 4.0 d" in text and "total wait" in text for text in hover)


def test_human_durations() -> None:
    assert human_duration(None) == "–"
    assert human_duration(0) == "0 s"
    assert human_duration(59) == "59 s"
    assert human_duration(90) == "1.5 min"
    assert human_duration(3600 * 3.2) == "3.2 h"
    assert human_duration(86400 * 4) == "4.0 d"
    assert human_duration(86400 * 45.4) == "45 d"


def test_hidden_paths_are_counted_and_captioned() -> None:
    dfg = random_dfg(40, fan_out=6)
    picture = render_process_map(dfg, max_edges=30)
    every = len(dfg["edges"]) + len(dfg["start_activities"]) + len(dfg["end_activities"])
    assert picture.hidden_edges > 0
    assert picture.edges + picture.hidden_edges == every
    assert picture.nodes == 40
    root = parse(picture.svg)
    assert len(groups(root, "edge")) == picture.edges
    caption = " ".join(texts(root))
    assert f"{picture.edges} of {every} paths shown" in caption
    assert f"{picture.hidden_edges} rarer paths hidden" in caption
    assert re.search(r"carry \d+\.\d % of all transitions", caption)


def test_same_input_gives_byte_identical_svg() -> None:
    dfg = random_dfg(30)
    first = render_process_map(dfg, colour="performance", max_edges=40).svg
    again = render_process_map(random_dfg(30), colour="performance", max_edges=40).svg
    assert first == again


def test_sixty_activities_render_fast_enough_to_serve() -> None:
    picture = render_process_map(random_dfg(60, fan_out=6), colour="performance", max_edges=120)
    parse(picture.svg)
    assert picture.nodes == 60
