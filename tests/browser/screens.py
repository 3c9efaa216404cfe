"""What the page tests check on any page at any width: nothing scrolls sideways, and axe-core finds no violation."""

from __future__ import annotations

from typing import Any

from axe_playwright_python.sync_playwright import Axe

Page = Any
LAPTOP, PHONE, SMALL_PHONE = 1280, 390, 360
AXE_WIDTHS = (LAPTOP, PHONE)  # axe-core runs at these; the overflow check at every width
HEIGHT = {LAPTOP: 800, PHONE: 844, SMALL_PHONE: 740}

_axe = Axe()


def sideways(page: Page) -> str | None:
    """Say how far the page scrolls sideways and which elements stick out, or None when it does not."""
    return page.evaluate(
        """() => {
          const root = document.documentElement;
          if (root.scrollWidth <= root.clientWidth) return null;
          const out = [...document.querySelectorAll('body *')]
            .filter(el => el.getBoundingClientRect().right > root.clientWidth + 1)
            .filter(el => !el.parentElement.closest('[data-overflow-ok]'))
            .slice(0, 5).map(el => el.tagName.toLowerCase() + (el.className ? '.' + el.className : ''));
          return `${root.scrollWidth} px wide in ${root.clientWidth} px: ${out.join(', ')}`;
        }"""
    )


def violations(page: Page) -> list[str]:
    """Run axe-core on the page as it is now; list each violation with the elements it names."""
    found = _axe.run(page).response["violations"]
    return [f"{v['id']} ({v['impact']}): " + "; ".join(node["html"][:160] for node in v["nodes"][:4]) for v in found]


def problems_at(page: Page, width: int) -> list[str]:
    """Resize the page to `width` and list what is wrong there (sideways scrolling; axe's violations)."""
    page.set_viewport_size({"width": width, "height": HEIGHT[width]})
    found = []
    overflow = sideways(page)
    if overflow:
        found.append(f"scrolls sideways: {overflow}")
    if width in AXE_WIDTHS:
        found.extend(violations(page))
    return found
