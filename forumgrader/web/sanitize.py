"""Post bodies come from LMS exports and students: shown only through an allow-list, so nothing in them runs."""

from __future__ import annotations

import nh3
from markupsafe import Markup

TAGS = frozenset(
    {
        "p", "br", "hr", "div", "span",
        "em", "strong", "i", "b", "u", "s", "small", "mark", "abbr", "cite", "q", "dfn", "del", "ins",
        "sub", "sup", "code", "pre", "kbd", "samp", "var",
        "blockquote", "ul", "ol", "li", "dl", "dt", "dd",
        "h2", "h3", "h4", "h5", "h6",
        "a",
        "table", "caption", "colgroup", "col", "thead", "tbody", "tfoot", "tr", "th", "td",
    }
)  # fmt: skip
ATTRIBUTES = {
    "a": {"href", "title"},
    "abbr": {"title"},
    "th": {"colspan", "rowspan", "scope"},
    "td": {"colspan", "rowspan"},
    "ol": {"start"},
}
URL_SCHEMES = frozenset({"http", "https", "mailto"})
LINK_REL = "noopener noreferrer nofollow"
DROPPED_WITH_CONTENT = frozenset({"script", "style", "template", "iframe", "object", "embed", "svg", "math"})


def clean_html(html: str) -> str:
    """Keep only the allowed tags and attributes; links only to http, https and mailto addresses."""
    return nh3.clean(
        html,
        tags=set(TAGS),
        clean_content_tags=set(DROPPED_WITH_CONTENT),
        attributes={tag: set(names) for tag, names in ATTRIBUTES.items()},
        url_schemes=set(URL_SCHEMES),
        link_rel=LINK_REL,
        url_relative="deny",  # a relative link in an export points into the LMS, not here
        strip_comments=True,
    )


def safe_html(html: str | None) -> Markup:
    """Return a post body cleaned and marked safe for a template (the `|safe_html` filter)."""
    return Markup(clean_html(html or ""))  # cleaned by nh3 just above
