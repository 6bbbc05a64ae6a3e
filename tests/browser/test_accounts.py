"""Signing in as each demo role, a wrong password, signing out, and keyboard navigation."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import ACCOUNTS, BROWSER_TESTS, Contexts, sign_in

pytestmark = BROWSER_TESTS

ROLES = ("admin", "director", "leader", "manager", "member")


@pytest.mark.parametrize("role", ROLES)
def test_each_demo_role_signs_in_sees_who_they_are_and_signs_out(
    role: str, contexts: Contexts
) -> None:
    page = contexts.new().new_page()
    sign_in(page, role)
    assert urlsplit(page.url).path == "/"
    expect(page.locator(".site-header .badge")).to_contain_text(role)
    me = page.request.get("/api/me")
    assert me.ok
    assert me.json()["role"] == role
    assert me.json()["email"] == ACCOUNTS[role]

    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url("**/login")
    assert page.request.get("/api/me").status == 401
    page.goto("/")
    assert urlsplit(page.url).path == "/login"  # signed out: home sends you to sign in


def test_a_wrong_password_is_refused_with_an_announced_message(contexts: Contexts) -> None:
    page = contexts.new().new_page()
    page.goto("/login")
    page.get_by_label("Email").fill(ACCOUNTS["member"])
    page.get_by_label("Password").fill("not the demo password")
    page.get_by_role("button", name="Sign in").click()
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("wrong")
    assert page.get_by_label("Email").get_attribute("aria-describedby") == "login-error"


def _focused(page: Page) -> dict[str, str]:
    result: dict[str, str] = page.evaluate(
        """() => {
          const el = document.activeElement;
          const style = getComputedStyle(el);
          const box = el.getBoundingClientRect();
          return {
            tag: el.tagName.toLowerCase(), text: (el.textContent || '').trim(),
            id: el.id, inNav: String(!!el.closest('nav[aria-label="Main"]')),
            outline: style.outlineStyle + ' ' + style.outlineWidth,
            onScreen: String(box.bottom > 0 && box.top < innerHeight && box.width > 0),
          };
        }"""
    )
    return result


def _focus_is_visible(focused: dict[str, str]) -> bool:
    style, width = focused["outline"].split(" ")
    return style != "none" and float(width.removesuffix("px")) >= 2


def test_tab_reaches_the_skip_link_then_the_main_nav_with_visible_focus(
    as_role: Callable[[str], Page],
) -> None:
    page = as_role("leader")
    page.goto("/")
    page.keyboard.press("Tab")
    first = _focused(page)
    assert first["text"] == "Skip to content"
    assert first["onScreen"] == "true", "the skip link shows when focused"
    assert _focus_is_visible(first), first

    page.keyboard.press("Enter")
    assert _focused(page)["id"] == "main", "the skip link moves focus to the content"

    page.goto("/")
    for _ in range(10):
        page.keyboard.press("Tab")
        focused = _focused(page)
        if focused["inNav"] == "true":
            break
    else:
        pytest.fail("ten Tabs did not reach the main navigation")
    assert _focus_is_visible(focused), focused


def test_the_sign_in_form_works_with_the_keyboard_alone(contexts: Contexts) -> None:
    page = contexts.new().new_page()
    page.goto("/login")
    page.keyboard.press("Tab")  # skip link
    while _focused(page)["id"] != "email":
        page.keyboard.press("Tab")
    page.keyboard.type(ACCOUNTS["manager"])
    page.keyboard.press("Tab")
    assert _focused(page)["id"] == "password"
    page.keyboard.type("demo-manager-password")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert urlsplit(page.url).path == "/"
