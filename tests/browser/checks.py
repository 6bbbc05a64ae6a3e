"""What the browser tests measure on a page: labelled controls, contrast, horizontal scroll."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import Page

CONTROL_ROLES = frozenset(
    {
        "button",
        "checkbox",
        "combobox",
        "listbox",
        "radio",
        "searchbox",
        "slider",
        "spinbutton",
        "switch",
        "textbox",
    }
)
MIN_CONTRAST = 4.5  # WCAG AA, normal text
MIN_CONTRAST_LARGE = 3.0  # WCAG AA, large text (24 px, or 18.66 px bold)

_UNLABELLED_JS = """
() => Array.from(document.querySelectorAll(
    'input:not([type=hidden]), select, textarea'
  )).filter((el) => {
    const byLabel = el.labels && Array.from(el.labels).some((l) => l.textContent.trim());
    const byAria = (el.getAttribute('aria-label') || '').trim();
    const ids = (el.getAttribute('aria-labelledby') || '').split(/\\s+/).filter(Boolean);
    const byRef = ids.some((id) => {
      const ref = document.getElementById(id);
      return ref && ref.textContent.trim();
    });
    return !(byLabel || byAria || byRef);
  }).map((el) => el.outerHTML.slice(0, 200))
"""

# The contrast of text against the background it is drawn on: colours from computed styles,
# the background composed from the element's ancestors (semi-transparent layers blended over
# white). Body text and buttons must reach 4.5:1; other text 4.5:1, or 3:1 when large.
_CONTRAST_JS = """
() => {
  const parse = (value) => {
    const m = value.match(/rgba?\\(([^)]+)\\)/);
    if (!m) return null;
    const p = m[1].split(/[\\s,\\/]+/).filter(Boolean).map(Number);
    return { r: p[0], g: p[1], b: p[2], a: p.length > 3 ? p[3] : 1 };
  };
  const blend = (top, bottom) => ({
    r: top.r * top.a + bottom.r * (1 - top.a),
    g: top.g * top.a + bottom.g * (1 - top.a),
    b: top.b * top.a + bottom.b * (1 - top.a),
    a: 1,
  });
  const channel = (v) => {
    v /= 255;
    return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4);
  };
  const luminance = (c) => 0.2126 * channel(c.r) + 0.7152 * channel(c.g) + 0.0722 * channel(c.b);
  const background = (el) => {
    const layers = [];
    for (let e = el; e; e = e.parentElement) {
      const style = getComputedStyle(e);
      if (style.backgroundImage && style.backgroundImage !== 'none') return null;
      const c = parse(style.backgroundColor);
      if (c && c.a > 0) {
        layers.push(c);
        if (c.a >= 1) break;
      }
    }
    let bg = { r: 255, g: 255, b: 255, a: 1 };
    for (const layer of layers.reverse()) bg = blend(layer, bg);
    return bg;
  };
  const ratio = (el) => {
    const bg = background(el);
    const fg0 = parse(getComputedStyle(el).color);
    if (!bg || !fg0) return null;
    const fg = blend(fg0, bg);
    const [hi, lo] = [luminance(fg), luminance(bg)].sort((a, b) => b - a);
    return (hi + 0.05) / (lo + 0.05);
  };
  const visible = (el) => {
    const style = getComputedStyle(el);
    if (style.visibility === 'hidden' || style.display === 'none' || +style.opacity === 0) {
      return false;
    }
    const box = el.getBoundingClientRect();
    return box.width > 1 && box.height > 1 && box.right > 0 && box.bottom > 0;
  };
  const ownText = (el) => Array.from(el.childNodes)
    .filter((n) => n.nodeType === Node.TEXT_NODE)
    .map((n) => n.textContent.trim())
    .join(' ')
    .trim();
  const large = (el) => {
    const style = getComputedStyle(el);
    const size = parseFloat(style.fontSize);
    return size >= 24 || (size >= 18.66 && +style.fontWeight >= 700);
  };
  const checked = [];
  const failures = [];
  const check = (el, what, strict) => {
    if (!visible(el) || el.closest('svg, .vega-embed')) return;
    const r = ratio(el);
    if (r === null) return;
    checked.push(what);
    const needed = strict || !large(el) ? 4.5 : 3.0;
    if (r + 1e-6 < needed) {
      failures.push({ what, text: (el.textContent || '').trim().slice(0, 60),
                      ratio: Math.round(r * 100) / 100, needed });
    }
  };
  check(document.body, 'body', true);
  document.querySelectorAll('button, [role=button], input[type=submit]')
    .forEach((el) => check(el, 'button', true));
  document.querySelectorAll('body *').forEach((el) => {
    if (['SCRIPT', 'STYLE', 'BUTTON', 'OPTION'].includes(el.tagName)) return;
    if (el.classList.contains('skip-link')) return;  // off-screen until focused
    if (ownText(el)) check(el, el.tagName.toLowerCase(), false);
  });
  return { checked: checked.length, failures };
}
"""


def unlabelled_controls(page: Page) -> list[str]:
    """Form controls without an accessible name: by the DOM (label, aria) and by Chromium's tree."""
    missing: list[str] = list(page.evaluate(_UNLABELLED_JS))
    cdp = page.context.new_cdp_session(page)
    try:
        tree: dict[str, Any] = cdp.send("Accessibility.getFullAXTree")
    finally:
        cdp.detach()
    for node in tree["nodes"]:
        if node.get("ignored"):
            continue
        role = node.get("role", {}).get("value")
        name = str(node.get("name", {}).get("value", "")).strip()
        if role in CONTROL_ROLES and not name:
            missing.append(f"{role} (accessibility tree node {node.get('nodeId')})")
    return missing


def contrast_failures(page: Page) -> dict[str, Any]:
    """``{"checked": n, "failures": [...]}``: text below the WCAG AA contrast on its background."""
    result: dict[str, Any] = page.evaluate(_CONTRAST_JS)
    return result


SETTLE_LAYOUT = """async () => {
  const frame = () => new Promise((done) => requestAnimationFrame(() => done()));
  let width = -1;
  while (width !== document.documentElement.scrollWidth) {
    width = document.documentElement.scrollWidth;
    await frame(); await frame();
  }
}"""


def settle_layout(page: Page) -> None:
    """Wait until the page's width stops changing from one pair of frames to the next (a
    condition, not a clock: after a viewport change responsive charts re-measure)."""
    page.evaluate(SETTLE_LAYOUT)


def horizontal_overflow(page: Page) -> int:
    """How many CSS pixels the page is wider than the viewport (0: no horizontal scroll)."""
    return int(page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth"))
