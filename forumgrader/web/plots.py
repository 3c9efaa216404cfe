"""Plots drawn on the server as inline SVG: no chart library and no script, and every plot comes with its numbers.

Colours come from the stylesheet (classes, never inline styles: the Content-Security-Policy forbids them); each
verdict segment also carries its icon, and each plot a one-sentence summary and a table, so nothing rests on colour.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup

from forumgrader.store.dashboard import TopicVerdicts
from forumgrader.web.verdicts import RETRACTED, VERDICTS

WIDTH, HEIGHT = 400, 220
LEFT, RIGHT, TOP, BOTTOM = 36, 8, 14, 40
PLOTTED_VERDICTS = ("verified", "mismatch", "wrong_doi", "broken_doi", "not_found", "not_indexed", "unchecked")
# how a sentence names the references of each verdict ("3 verified, 1 with a broken DOI")
IN_WORDS = {
    "verified": "verified",
    "mismatch": "with details that differ",
    "wrong_doi": "with another work's DOI",
    "broken_doi": "with a broken DOI",
    "not_found": "not found",
    "not_indexed": "not indexed",
    "unchecked": "not checked yet",
}
STACKED_WIDTH = 760


@dataclass(frozen=True, slots=True)
class Bar:
    """One column of a histogram, or one segment of a stacked bar."""

    label: str
    value: int
    css: str = "plot-bar"
    icon: str = ""
    tick: str = ""  # what the axis shows under a column, when shorter than the label


@dataclass(frozen=True, slots=True)
class Plot:
    """A drawn plot, what it says in one sentence, and its numbers as a table."""

    id: str
    title: str
    summary: str
    svg: Markup
    head: tuple[str, ...]
    rows: list[tuple[str, ...]]
    wide: bool = False  # drawn across the whole row


def _step(largest: int) -> int:
    """Return a tick step of 1, 2 or 5 times a power of ten giving at most five ticks."""
    if largest <= 5:
        return 1
    power: int = 10 ** int(math.log10(largest / 5))
    return next(step * power for step in (1, 2, 5, 10) if largest / (step * power) <= 5)


def _svg(plot_id: str, title: str, summary: str, width: int, height: int, parts: list[Markup]) -> Markup:
    head = Markup(
        '<svg class="plot-svg" viewBox="0 0 {w} {h}" role="img" aria-labelledby="{id}-title {id}-desc" '
        'xmlns="http://www.w3.org/2000/svg"><title id="{id}-title">{title}</title><desc id="{id}-desc">{desc}</desc>'
    ).format(w=width, h=height, id=plot_id, title=title, desc=summary)
    return head + Markup("").join(parts) + Markup("</svg>")


def histogram(plot_id: str, title: str, summary: str, bars: Sequence[Bar], *, unit: str, axis: str) -> Markup:
    """Draw columns over labelled bins, with a value above each, ticks on the left and an axis title below."""
    largest = max([bar.value for bar in bars] + [1])
    step = _step(largest)
    top = step * math.ceil(largest / step)
    inner_w, inner_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    parts: list[Markup] = []
    for tick in range(0, top + 1, step):
        y = TOP + inner_h - inner_h * tick / top
        parts.append(
            Markup(
                '<line class="plot-grid" x1="{x1}" x2="{x2}" y1="{y:.1f}" y2="{y:.1f}"/>'
                '<text class="plot-tick" x="{tx}" y="{ty:.1f}" text-anchor="end">{tick}</text>'
            ).format(x1=LEFT, x2=WIDTH - RIGHT, y=y, tx=LEFT - 6, ty=y + 4, tick=tick)
        )
    width = inner_w / max(len(bars), 1)
    for number, bar in enumerate(bars):
        height = inner_h * bar.value / top
        x, y = LEFT + number * width, TOP + inner_h - height
        parts.append(
            Markup(
                "<g><title>{label}: {value} {unit}</title>"
                '<rect class="{css}" x="{x:.1f}" y="{y:.1f}" width="{w:.1f}" height="{h:.1f}"/>'
                '<text class="plot-value" x="{cx:.1f}" y="{vy:.1f}" text-anchor="middle">{shown}</text>'
                '<text class="plot-tick" x="{cx:.1f}" y="{ly:.1f}" text-anchor="middle">{tick}</text></g>'
            ).format(
                label=bar.label,
                value=bar.value,
                unit=unit,
                css=bar.css,
                x=x + 2,
                y=y,
                w=max(width - 4, 1),
                h=height,
                cx=x + width / 2,
                vy=y - 4,
                shown=bar.value or "",
                ly=TOP + inner_h + 16,
                tick=bar.tick or bar.label,
            )
        )
    parts.append(
        Markup('<text class="plot-axis" x="{x:.1f}" y="{y}" text-anchor="middle">{axis}</text>').format(
            x=LEFT + inner_w / 2, y=HEIGHT - 4, axis=axis
        )
    )
    return _svg(plot_id, title, summary, WIDTH, HEIGHT, parts)


def stacked(plot_id: str, title: str, summary: str, rows: Sequence[tuple[str, bool, Sequence[Bar], str]]) -> Markup:
    """Draw one horizontal bar per row, cut into segments; rows are (label, emphasised, segments, note at the end)."""
    label_w, row_h, note_w = 230, 30, 80
    height = TOP + row_h * max(len(rows), 1) + 8
    largest = max([sum(bar.value for bar in bars) for _, _, bars, _ in rows] + [1])
    inner_w = STACKED_WIDTH - label_w - note_w
    parts: list[Markup] = []
    for number, (label, emphasised, bars, note) in enumerate(rows):
        y = TOP + number * row_h
        short = label if len(label) <= 28 else label[:27] + "…"
        parts.append(
            Markup(
                '<text class="plot-label{em}" x="{x}" y="{y}" text-anchor="end"><title>{label}</title>{short}</text>'
            ).format(
                em=" plot-emphasis" if emphasised else "", x=label_w - 8, y=y + row_h / 2 + 2, label=label, short=short
            )
        )
        x = float(label_w)
        for bar in bars:
            if not bar.value:
                continue
            width = inner_w * bar.value / largest
            icon = (
                Markup('<text class="plot-icon" x="{x:.1f}" y="{y:.1f}" text-anchor="middle">{icon}</text>').format(
                    x=x + width / 2, y=y + row_h / 2 + 1, icon=bar.icon
                )
                if bar.icon and width >= 16
                else Markup("")
            )
            parts.append(
                Markup(
                    '<g><title>{label}: {value}</title><rect class="{css}" x="{x:.1f}" y="{y}" '
                    'width="{w:.1f}" height="{h}"/>{icon}</g>'
                ).format(label=bar.label, value=bar.value, css=bar.css, x=x, y=y + 4, w=width, h=row_h - 12, icon=icon)
            )
            x += width
        parts.append(
            Markup('<text class="plot-value" x="{x:.1f}" y="{y}">{note}</text>').format(
                x=x + 6, y=y + row_h / 2 + 2, note=note
            )
        )
    return _svg(plot_id, title, summary, STACKED_WIDTH, height, parts)


def _plural(count: int, one: str, many: str | None = None) -> str:
    return f"{count} {one if count == 1 else many or one + 's'}"


def score_distribution(percents: Sequence[float], ungraded: int = 0) -> Plot:
    """Plot the students' scores in bins of ten percentage points."""
    bins = [0] * 10
    for percent in percents:
        bins[min(int(percent // 10), 9)] += 1
    labels = [f"{10 * n}–{10 * n + 9}" if n < 9 else "90–100" for n in range(10)]
    bars = [Bar(label, count, tick=label.split("–")[0]) for label, count in zip(labels, bins, strict=True)]
    if percents:
        summary = (
            f"{_plural(len(percents), 'student')} graded: median {statistics.median(percents):.0f}%, "
            f"lowest {min(percents):.0f}%, highest {max(percents):.0f}%."
        )
    else:
        summary = "No student has a grade yet."
    if ungraded:
        summary += f" {_plural(ungraded, 'student')} not graded yet."
    svg = histogram(
        "plot-scores", "Score distribution", summary, bars, unit="students", axis="Score (% of points, in tens)"
    )
    return Plot(
        "plot-scores",
        "Score distribution",
        summary,
        svg,
        ("Score (%)", "Students"),
        [(bar.label, str(bar.value)) for bar in bars],
    )


def sources_per_post(counts: dict[int, int]) -> Plot:
    """Plot how many posts list 0, 1, 2… references."""
    cap = max(6, min(max(counts, default=0), 9))
    bins = [counts.get(n, 0) for n in range(cap)] + [sum(v for k, v in counts.items() if k >= cap)]
    labels = [str(n) for n in range(cap)] + [f"{cap}+"]
    bars = [Bar(label, count, "plot-bar plot-bar-sources") for label, count in zip(labels, bins, strict=True)]
    posts = sum(counts.values())
    if posts:
        listed = [k for k, v in sorted(counts.items()) for _ in range(v)]
        summary = (
            f"{_plural(posts, 'post')}: median {statistics.median(listed):g} sources per post; "
            f"{_plural(counts.get(0, 0), 'post lists', 'posts list')} none."
        )
    else:
        summary = "No posts yet."
    svg = histogram("plot-sources", "Sources per post", summary, bars, unit="posts", axis="References listed in a post")
    return Plot(
        "plot-sources",
        "Sources per post",
        summary,
        svg,
        ("References in the post", "Posts"),
        [(bar.label, str(bar.value)) for bar in bars],
    )


def verdicts_per_topic(topics: Sequence[TopicVerdicts], current: int) -> Plot:
    """Plot each topic's references cut by verdict, this topic emphasised, retractions noted at the end."""
    rows = []
    for topic in topics:
        bars = [
            Bar(VERDICTS[v].label, topic.counts.get(v, 0), f"plot-verdict plot-{v.replace('_', '-')}", VERDICTS[v].icon)
            for v in PLOTTED_VERDICTS
        ]
        retracted = topic.counts.get("retracted", 0)
        total = sum(bar.value for bar in bars)
        note = f"{total}" + (f" · {RETRACTED.icon} {retracted}" if retracted else "")
        rows.append(
            (
                topic.title,
                topic.topic_id == current,
                bars,
                note,
            )
        )
    this = next((topic for topic in topics if topic.topic_id == current), None)
    shown = [(IN_WORDS[v], this.counts.get(v, 0)) for v in PLOTTED_VERDICTS] if this else []
    said = ", ".join(f"{count} {label}" for label, count in shown if count)
    total = sum(count for _label, count in shown)
    summary = f"This topic: {_plural(total, 'reference')}" + (f" ({said})." if said else ".")
    if this and this.counts.get("retracted"):
        summary += f" {_plural(this.counts['retracted'], 'record')} retracted."
    if len(topics) > 1:
        summary += f" The course has {len(topics)} topics, each drawn as one bar."
    svg = stacked("plot-verdicts", "Verdicts per topic", summary, rows)
    head = ("Topic", *(VERDICTS[v].label for v in PLOTTED_VERDICTS), RETRACTED.label)
    table = [
        (topic.title, *(str(topic.counts.get(v, 0)) for v in PLOTTED_VERDICTS), str(topic.counts.get("retracted", 0)))
        for topic in topics
    ]
    return Plot("plot-verdicts", "Verdicts per topic", summary, svg, head, table, wide=True)
