"""What the demo's people do in the browser: assess, rate, share, confirm a duo, get refused.

Each test signs in through the real form in its own browser context; the demo workspace and the
server are shared by the session, so the tests that write (answers, a shared report, a duo) each
write something no other test reads back.
"""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.browser.conftest import ACCOUNTS, BROWSER_TESTS, Contexts, DemoIds

pytestmark = BROWSER_TESTS


def _active_type(page: Page) -> str:
    return str(page.evaluate("() => document.activeElement.type || document.activeElement.tagName"))


def _refused(page: Page, path: str) -> None:
    response = page.goto(path)
    assert response is not None and response.status == 403, (path, response and response.status)
    expect(page.locator("main h1")).to_contain_text("403")
    expect(page.get_by_role("alert")).not_to_be_empty()


def test_a_member_takes_the_self_assessment_with_the_keyboard(contexts: Contexts) -> None:
    page = contexts.signed_in("member")
    page.goto("/people/rate")
    page.get_by_role("link", name=re.compile("the form about yourself")).click()
    expect(page.locator("main h1")).to_contain_text("self-assessment")
    practice = page.locator("fieldset.people-practice").first
    items = practice.locator("fieldset.people-item")
    count = items.count()
    assert count >= 1

    # Tab from the top of the page to the first answer, then answer the practice's items by
    # keyboard only: Space picks the focused choice, an arrow moves to the next, Tab goes on.
    page.locator("main h1").click()
    for _ in range(40):
        page.keyboard.press("Tab")
        if _active_type(page) == "radio":
            break
    else:
        raise AssertionError("Tab never reached an answer")
    for _ in range(count):
        page.keyboard.press("Space")
        page.keyboard.press("ArrowRight")
        page.keyboard.press("Tab")
    for index in range(count):
        assert items.nth(index).locator("input[type=radio]:checked").get_attribute("value") == "2"

    page.get_by_role("button", name="Save answers").focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.get_by_role("status")).to_contain_text(f"{count} of")
    form = page.request.get("/api/people/me/assessment").json()
    answered = {
        i["id"]: i["answer"] for p in form["practices"] for i in p["items"] if i["answered"]
    }
    assert len(answered) >= count
    assert set(answered.values()) == {2}


def test_a_member_rates_a_colleague(contexts: Contexts) -> None:
    page = contexts.signed_in("member")
    page.goto("/people/rate")
    colleague = page.locator("tbody tr").filter(has_not_text="Yourself").first
    name = colleague.locator("th").inner_text()
    colleague.get_by_role("link").click()
    expect(page.locator("main h1")).to_contain_text(f"Rate {name}")
    first_item = page.locator("fieldset.people-item").first
    first_item.get_by_role("radio").nth(3).check()
    page.get_by_role("button", name="Save answers").click()
    expect(page.get_by_role("status")).to_contain_text("Saved: 1 new")


def test_a_profile_is_its_owners_until_they_share_it_with_their_manager(
    contexts: Contexts, demo_ids: DemoIds
) -> None:
    member_id = demo_ids.people[ACCOUNTS["member"]]
    leader = contexts.signed_in("leader")  # the member's line manager in the demo
    _refused(leader, f"/people/{member_id}")

    member = contexts.signed_in("member")
    member.goto("/people/me", wait_until="networkidle")
    expect(member.locator("main h1")).to_be_visible()
    expect(member.locator(".vega-embed svg, .vega-embed canvas").first).to_be_visible()
    member.get_by_role("button", name="Share my report with my manager").click()
    expect(member.get_by_role("button", name="Stop sharing with my manager")).to_be_visible()

    response = leader.goto(f"/people/{member_id}", wait_until="networkidle")
    assert response is not None and response.status == 200
    expect(leader.get_by_role("note")).to_contain_text("shared this report with you")


def test_a_member_is_refused_other_teams_and_other_people(
    contexts: Contexts, demo_ids: DemoIds
) -> None:
    page = contexts.signed_in("member")
    _refused(page, f"/how?team={demo_ids.teams['Atlas']}")
    _refused(page, f"/people/{demo_ids.people[ACCOUNTS['director']]}")
    _refused(page, "/admin")
    _refused(page, "/coverage/org")


def test_a_manager_is_refused_another_teams_flow_and_duos_and_the_admin_pages(
    contexts: Contexts, demo_ids: DemoIds
) -> None:
    page = contexts.signed_in("manager")
    _refused(page, f"/how?team={demo_ids.teams['Compass']}")
    _refused(page, f"/duos?team_id={demo_ids.teams['Compass']}")
    _refused(page, "/admin")


def test_the_leader_and_the_manager_see_their_team_filled_with_the_demo_data(
    contexts: Contexts,
) -> None:
    for role in ("leader", "manager"):
        page = contexts.signed_in(role)
        page.goto("/how", wait_until="networkidle")
        expect(page.locator("main h1")).to_contain_text("Beacon")
        expect(page.locator("main")).to_contain_text("items done per week", ignore_case=True)
        expect(page.locator("main")).not_to_contain_text("Nobody in team")
        page.goto("/coverage", wait_until="networkidle")
        expect(page.locator("main h1")).to_contain_text("Beacon")


def test_the_leader_confirms_a_duo(contexts: Contexts) -> None:
    page = contexts.signed_in("leader")
    page.goto("/duos")
    pair = page.locator("article.people-duo").first
    names = pair.locator("h3").inner_text().split(" score")[0].strip().split(" + ")
    pair.get_by_label("Tie-breaker").fill("the leader decides delivery dates; the manager, hiring")
    pair.get_by_role("button", name=re.compile("^Confirm ")).click()
    confirmed = page.locator("#confirmed-section")
    for name in names:
        expect(confirmed.locator("tbody")).to_contain_text(name)
    expect(confirmed).to_contain_text("the leader decides delivery dates")
    expect(confirmed).to_contain_text("pending")  # until both partners accept
    notice = page.locator("#duo-confirmed")
    expect(notice).to_contain_text("Duo confirmed")
    expect(notice).to_contain_text("disagree and cannot settle it themselves")
