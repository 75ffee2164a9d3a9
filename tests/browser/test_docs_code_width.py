"""Code on the step pages fits the page: no code block scrolls sideways on a laptop.

The docs are built (strictly: tools/docs_hooks.py already refuses a line wider than its
block), served from a folder, and every step page is opened in Chromium at 1220 px wide: the
narrowest window where mkdocs-material shows both sidebars, so the narrowest code column a
laptop gets (wider windows show as many characters: the theme scales its fonts). Every tab
and fold is opened, and each `pre > code` block must show all of its lines: its scrollWidth
no wider than its clientWidth. Blocks that show what a program printed (`text`, `json`:
a token, a hash) are left out, as the build's check leaves them out.

`uv run nox -s browser` runs it; `-- --site site` checks docs already built into site/.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser

from tools.docs_hooks import UNCHECKED_LANGUAGES
from tools.steps import all_steps

LAPTOP = {"width": 1220, "height": 900}  # the narrowest width with both sidebars
# Every tab's content and every fold shown, as if the learner had opened each one.
SHOW_ALL = ".tabbed-set > .tabbed-content > .tabbed-block { display: block !important; }"
SCROLLING_BLOCKS = """
(unchecked) => {
  for (const fold of document.querySelectorAll("details")) fold.open = true;
  const found = [];
  for (const code of document.querySelectorAll("pre > code")) {
    const block = code.closest("[class*='language-']");
    const language = block
      ? [...block.classList].find((c) => c.startsWith("language-")).slice(9)
      : "";
    if (unchecked.includes(language) || code.scrollWidth <= code.clientWidth) continue;
    const title = block && block.querySelector(".filename");
    const lines = code.innerText.split("\\n");
    const widest = lines.reduce((a, b) => (b.length > a.length ? b : a), "");
    // A block in a tab: the tab's label (a diff's file, "Linux / macOS").
    const tab = code.closest(".tabbed-block");
    let label = "";
    if (tab) {
      const index = [...tab.parentElement.children].indexOf(tab);
      const labels = tab.closest(".tabbed-set").querySelectorAll(".tabbed-labels > label");
      label = labels[index] ? ` (tab ${labels[index].textContent.trim()})` : "";
    }
    const name = title ? title.textContent : lines[0].slice(0, 60);
    found.push(
      `${name}${label}: scrolls ` +
      `${code.scrollWidth - code.clientWidth} px; its widest line (${widest.length} ` +
      `characters): ${widest.trim().slice(0, 60)}`
    );
  }
  return found;
}
"""


@pytest.mark.parametrize("step", all_steps(), ids=lambda step: step.name)
def test_no_code_block_scrolls_sideways_on_a_laptop(browser: Browser, site_url: str, step):
    """At 1220 px, every code block of the step's page shows its lines whole."""
    page = browser.new_page(viewport=LAPTOP)
    try:
        page.goto(f"{site_url}/steps/{step.name}/", wait_until="load")
        page.add_style_tag(content=SHOW_ALL)
        scrolling = page.evaluate(SCROLLING_BLOCKS, sorted(UNCHECKED_LANGUAGES))
    finally:
        page.close()
    assert not scrolling, (
        f"docs/steps/{step.name}.md: {len(scrolling)} code block(s) scroll sideways at "
        f"{LAPTOP['width']} px:\n" + "\n".join(scrolling)
    )
