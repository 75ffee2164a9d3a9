"""The docs' diagrams draw without internet, readable in both colour schemes, and the 3.5 MB
mermaid script is loaded only by the pages that draw one.

This builds the docs site (`mkdocs build --strict`, into a temporary folder), serves it on
127.0.0.1 and opens every page in Chromium, in the light and in the dark scheme, with every
request to another host aborted. A page whose HTML holds a ```mermaid block
(`<pre class="mermaid">`) must load docs/javascripts/mermaid.min.js from the site itself (not
from a CDN) and turn each block into an SVG diagram, with no mermaid error, labels drawn at
13 px or more on a 1280 px wide window, and arrows that stand out from the page's background.
Any other page must not ask for mermaid at all (overrides/main.html decides). Run it with
`uv run nox -s browser`.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page

from tests.browser.offline import block_internet

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"
MERMAID_BLOCK = '<pre class="mermaid">'  # what pymdownx.superfences makes of a ```mermaid block
MERMAID_SCRIPT = "javascripts/mermaid.min.js"
SCHEMES = ("light", "dark")
TIMEOUT_S = 15.0  # the longest a page may take to draw its diagrams; polled, not slept
VIEWPORT = {"width": 1280, "height": 900}  # a laptop: the text column is 688 px wide
MIN_LABEL_PX = 13.0  # a diagram wider than the column is shrunk to fit, its labels with it
MIN_CONTRAST = 3.0  # WCAG's minimum for lines and shapes against what surrounds them
# Every page of the site, by its source: docs/steps/04-database.md is served at steps/04-database/.
PAGES = sorted(
    path.relative_to(DOCS).with_suffix("").as_posix().removesuffix("index")
    for path in DOCS.rglob("*.md")
)

# mkdocs-material draws each diagram into a *closed* shadow root, which no test can look into.
# For this test only, shadow roots are made open; nothing else on the page changes.
OPEN_SHADOW_ROOTS = """
const attachShadow = Element.prototype.attachShadow;
Element.prototype.attachShadow = function (init) {
  return attachShadow.call(this, { ...init, mode: "open" });
};
"""

# Each drawn diagram: its kind (mermaid's own name, "error" for a syntax error), its text, the
# size of its smallest label as drawn, and the lowest contrast of a line or arrowhead against
# the page's background.
DIAGRAMS = """() => {
  const rgba = (color) => {
    const [r, g, b, a = 1] = color.match(/[\\d.]+/g).map(Number);
    return { r, g, b, a };
  };
  const luminance = ({ r, g, b }) => {
    const [R, G, B] = [r, g, b].map((v) => {
      v /= 255;
      return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * R + 0.7152 * G + 0.0722 * B;
  };
  const background = rgba(getComputedStyle(document.body).backgroundColor);
  const contrast = (color) => {
    const c = rgba(color);
    const seen = {  // a half-transparent colour, as it shows over the background
      r: c.r * c.a + background.r * (1 - c.a),
      g: c.g * c.a + background.g * (1 - c.a),
      b: c.b * c.a + background.b * (1 - c.a),
    };
    const [hi, lo] = [luminance(seen), luminance(background)].sort((x, y) => y - x);
    return (hi + 0.05) / (lo + 0.05);
  };
  const paint = (element) => {
    const style = getComputedStyle(element);
    return style.fill !== "none" ? style.fill : style.stroke;
  };
  return Array.from(document.querySelectorAll("div.mermaid"), (div) => {
    const svg = div.shadowRoot?.querySelector("svg");
    if (!svg) return null;
    const scale = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
    let smallest = Infinity;
    // Every label, not the step numbers of a sequence diagram (digits in a small circle).
    for (const element of svg.querySelectorAll("text, tspan, foreignObject *")) {
      if (element.closest(".sequenceNumber")) continue;
      const own = Array.from(element.childNodes).some(
        (node) => node.nodeType === Node.TEXT_NODE && node.textContent.trim(),
      );
      const size = parseFloat(getComputedStyle(element).fontSize) * scale;
      if (own) smallest = Math.min(smallest, size);
    }
    let faintest = { contrast: Infinity, what: "" };
    const note = (what, color) => {
      if (!color || color === "none") return;
      const value = contrast(color);
      if (value < faintest.contrast) faintest = { contrast: value, what: `${what} (${color})` };
    };
    for (const line of svg.querySelectorAll("[marker-end], [marker-start]")) {
      // (A sequence diagram's step number hangs on a line of length 0: only its circle shows.)
      const box = line.getBBox();
      if (box.width || box.height) {
        note(`line ${line.getAttribute("class") ?? line.tagName}`, getComputedStyle(line).stroke);
      }
      for (const attribute of ["marker-end", "marker-start"]) {
        const id = line.getAttribute(attribute)?.match(/url\\(#(.+)\\)/)?.[1];
        const marker = id && svg.getElementById(id);
        for (const shape of marker ? marker.querySelectorAll("path, circle") : []) {
          note(`arrowhead #${id}`, paint(shape));
        }
      }
    }
    return {
      kind: svg.getAttribute("aria-roledescription"),
      text: svg.textContent,
      smallestLabel: smallest,
      faintest,
    };
  });
}"""


@pytest.mark.parametrize("page_path", PAGES, ids=lambda path: path.rstrip("/") or "home")
def test_diagrams_draw_offline_and_mermaid_loads_only_where_needed(
    browser: Browser, site: Path, site_url: str, page_path: str
):
    """Each ```mermaid block becomes a readable SVG; mermaid.min.js only on those pages."""
    expected = (site / page_path / "index.html").read_text(encoding="utf-8").count(MERMAID_BLOCK)
    # The colour scheme changes only how diagrams look: a page without any is opened once.
    for scheme in SCHEMES if expected else SCHEMES[:1]:
        check_page(browser, site_url, page_path, expected, scheme)


def check_page(browser: Browser, site_url: str, page_path: str, expected: int, scheme: str):
    """Open the page in `scheme` ("light" or "dark"), internet blocked, and check what the
    module's docstring says of a page with `expected` ```mermaid blocks (0: none).
    Raises AssertionError, naming the page, the scheme and what is wrong."""
    context = browser.new_context(viewport=VIEWPORT, color_scheme=scheme)
    blocked = block_internet(context)
    context.add_init_script(OPEN_SHADOW_ROOTS)
    page = context.new_page()
    requested: list[str] = []
    errors: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    page.on("pageerror", lambda error: errors.append(str(error)))
    try:
        page.goto(f"{site_url}/{page_path}", wait_until="load")
        diagrams = wait_for_diagrams(page, expected, errors)
        # Scripts load before "load": any mermaid request has been made by now.
        mermaid = [url for url in requested if "mermaid" in url.rsplit("/", 1)[-1]]
    finally:
        context.close()
    shown = f"{page_path or 'home'} ({scheme})"

    if not expected:
        assert not mermaid, (
            f"{shown} draws no diagram, yet asked for {mermaid}: the 3.5 MB script belongs "
            f"only on pages with a ```mermaid block (overrides/main.html)"
        )
    else:
        assert f"{site_url}/{MERMAID_SCRIPT}" in mermaid, (
            f"{shown} has {expected} ```mermaid block(s), but did not load {MERMAID_SCRIPT} "
            f"from the site (it asked for {mermaid}; blocked: {blocked})"
        )
        assert len(diagrams) == expected and all(diagrams), (
            f"{shown}: {expected} ```mermaid block(s), but {len(diagrams)} drawn as SVG "
            f"within {TIMEOUT_S:.0f} s (page errors: {errors})"
        )
        for number, diagram in enumerate(diagrams, start=1):
            assert diagram["kind"] != "error" and "Syntax error" not in diagram["text"], (
                f"{shown}, diagram {number}: mermaid could not read it: {diagram['text']!r}"
            )
            assert diagram["smallestLabel"] >= MIN_LABEL_PX, (
                f"{shown}, diagram {number}: its smallest label is drawn at "
                f"{diagram['smallestLabel']:.1f} px on a {VIEWPORT['width']} px wide window "
                f"(at least {MIN_LABEL_PX:.0f}): the diagram is too wide for the text column "
                f"and is shrunk to fit. Shorten its labels, break them with <br>, or lay it "
                f"out top-down (flowchart TD)"
            )
            faintest = diagram["faintest"]
            assert faintest["contrast"] >= MIN_CONTRAST, (
                f"{shown}, diagram {number}: {faintest['what']} has a contrast of "
                f"{faintest['contrast']:.1f}:1 with the page (at least {MIN_CONTRAST:.0f}:1): "
                f"see docs/javascripts/mermaid-config.js"
            )
    assert not blocked, f"{shown} asked for files on the internet: {blocked}"
    assert not errors, f"{shown} raised errors: {errors}"


def wait_for_diagrams(page: Page, expected: int, errors: list[str]) -> list[dict | None]:
    """The page's drawn diagrams (DIAGRAMS), once `expected` are drawn, an error is raised, or
    TIMEOUT_S has passed. A page without ```mermaid blocks: right away."""
    deadline = time.monotonic() + TIMEOUT_S
    while True:
        diagrams = page.evaluate(DIAGRAMS)
        if len(diagrams) >= expected and all(diagrams):
            return diagrams
        if errors or time.monotonic() > deadline:
            return diagrams
        page.wait_for_timeout(100)
