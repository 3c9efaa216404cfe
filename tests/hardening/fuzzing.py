"""What the fuzz tests share: hostile values, mutations of real files, and the bounds every example is held to.

Each example runs inside `Bounds.example`, which fails it when it takes longer than MAX_SECONDS or makes Python
allocate more than MAX_MEGABYTES at its peak, and keeps the figures (examples, slowest, largest peak) per target.
FORUMGRADER_FUZZ_EXAMPLES sets how many examples each target runs (the suite's default is modest), and
FORUMGRADER_FUZZ_REPORT names a JSON file the figures are written to (tests/bench/bench_fuzz.py reads it).
"""

from __future__ import annotations

import csv
import io
import json
import os
import time
import tracemalloc
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from hypothesis import strategies as st

EXAMPLES = int(os.environ.get("FORUMGRADER_FUZZ_EXAMPLES", "20"))
MAX_SECONDS = 20.0  # one example, on a shared two-core machine: the slowest real input takes about a second
MAX_MEGABYTES = 256.0
REPORT = os.environ.get("FORUMGRADER_FUZZ_REPORT", "")

# Values that broke something once, or that parsers, databases and spreadsheets treat specially.
HOSTILE_TEXT = [
    "",
    " ",
    "\x00",
    "a\x00b",
    '=HYPERLINK("http://evil.example")',
    "<script>alert(1)</script>",
    "9" * 30,
    "12345678901234567890",
    "-1",
    "1e400",
    "-1e400",
    "nan",
    "inf",
    "NaN",
    "0x10",
    "\u00b2",
    "\u0661\u0662",
    "\u202e",
    "\ufeff",
    "ß" * 5000,
    "../../etc/passwd",
    "{{7*7}}",
    "'; DROP TABLE post; --",
    "\r\n",
    "10.1000/x\u00a0y",
    "9999-12-31T23:59:59-12:00",
    "0001-01-01T00:00:00+14:00",
]
TEXT = st.one_of(
    st.sampled_from(HOSTILE_TEXT),
    st.text(alphabet=st.characters(exclude_categories=("Cs",)), max_size=60),
    st.integers(min_value=-(10**25), max_value=10**25).map(str),
    st.floats().map(repr),
)
NUMBERS = st.one_of(
    st.integers(min_value=-(10**30), max_value=10**30),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([0, -1, 2**31, 2**63, 10**19, 1e308, -0.0]),
)
JSON_VALUES = st.recursive(
    st.one_of(st.none(), st.booleans(), NUMBERS, TEXT, st.just("\ud800")),  # JSON escapes the lone surrogate
    lambda children: st.lists(children, max_size=3) | st.dictionaries(TEXT, children, max_size=3),
    max_leaves=8,
)


@dataclass
class Figures:
    """How one fuzz target went: examples run, the slowest, the largest peak of memory."""

    examples: int = 0
    slowest: float = 0.0
    peak_megabytes: float = 0.0


@dataclass
class Bounds:
    """Hold examples to MAX_SECONDS and MAX_MEGABYTES, keeping the figures of each target."""

    figures: dict[str, Figures] = field(default_factory=dict)

    @contextmanager
    def example(self, target: str) -> Iterator[None]:
        """Run one example of a target within the bounds (tracemalloc must be on)."""
        tracemalloc.reset_peak()
        started = time.perf_counter()
        yield
        took = time.perf_counter() - started
        peak = tracemalloc.get_traced_memory()[1] / 1024 / 1024
        figures = self.figures.setdefault(target, Figures())
        figures.examples += 1
        figures.slowest = max(figures.slowest, took)
        figures.peak_megabytes = max(figures.peak_megabytes, peak)
        assert took < MAX_SECONDS, f"{target}: one example took {took:.1f} s"
        assert peak < MAX_MEGABYTES, f"{target}: one example peaked at {peak:.0f} MB"

    def write(self) -> None:
        """Write the figures where FORUMGRADER_FUZZ_REPORT says, if it does."""
        if REPORT:
            with open(REPORT, "w", encoding="utf-8") as out:
                json.dump({name: vars(figures) for name, figures in self.figures.items()}, out, indent=2)


def mutate_json(data: bytes, draw: st.DrawFn) -> bytes:
    """Replace one value somewhere in a JSON document with a hostile one (NaN and Infinity written as Python does)."""
    tree = json.loads(data)
    paths: list[list[Any]] = []

    def walk(node: Any, path: list[Any]) -> None:
        paths.append(path)
        children = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else ()
        for key, child in children:
            if len(paths) < 2000:
                walk(child, [*path, key])

    walk(tree, [])
    path = draw(st.sampled_from(paths))
    value = draw(JSON_VALUES)
    if not path:
        return json.dumps(value).encode()
    parent = tree
    for key in path[:-1]:
        parent = parent[key]
    parent[path[-1]] = value
    return json.dumps(tree).encode()


def mutate_csv(data: bytes, draw: st.DrawFn) -> bytes:
    """Replace one cell of a CSV (the header included) with hostile text, or add or drop a cell."""
    rows = list(csv.reader(io.StringIO(data.decode("utf-8"))))
    row = draw(st.integers(min_value=0, max_value=len(rows) - 1))
    column = draw(st.integers(min_value=0, max_value=max(0, len(rows[row]) - 1)))
    action = draw(st.sampled_from(["replace", "add", "drop"]))
    if action == "replace" and rows[row]:
        rows[row][column] = draw(TEXT)
    elif action == "add":
        rows[row].insert(column, draw(TEXT))
    elif rows[row]:
        del rows[row][column]
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return out.getvalue().encode("utf-8")


def mutate_bytes(data: bytes, draw: st.DrawFn) -> bytes:
    """Cut, flip, insert or delete bytes anywhere."""
    if not data:
        return draw(st.binary(max_size=64))
    at = draw(st.integers(min_value=0, max_value=len(data) - 1))
    action = draw(st.sampled_from(["cut", "flip", "insert", "delete"]))
    if action == "cut":
        return data[:at]
    if action == "flip":
        return data[:at] + bytes([data[at] ^ draw(st.integers(min_value=1, max_value=255))]) + data[at + 1 :]
    if action == "insert":
        return data[:at] + draw(st.binary(min_size=1, max_size=64)) + data[at:]
    return data[:at] + data[at + draw(st.integers(min_value=1, max_value=64)) :]


def mutate_archive(data: bytes, draw: st.DrawFn) -> bytes:
    """Change one part of a zip archive (its bytes, or hostile text in its XML), or the archive's own bytes."""
    if draw(st.booleans()):
        return mutate_bytes(data, draw)
    source = zipfile.ZipFile(io.BytesIO(data))
    names = source.namelist()
    chosen = draw(st.sampled_from(names))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for name in names:
            content = source.read(name)
            if name == chosen:
                content = mutate_bytes(content, draw) if draw(st.booleans()) else _hostile_xml_text(content, draw)
            target.writestr(name, content)
    return out.getvalue()


def _hostile_xml_text(content: bytes, draw: st.DrawFn) -> bytes:
    """Put hostile text (XML-escaped, as Office would write it) between two tags of an XML part."""
    text = content.decode("utf-8", errors="replace")
    gaps = [at for at, char in enumerate(text) if char == ">"][:500]
    if not gaps:
        return content
    at = draw(st.sampled_from(gaps)) + 1
    value = draw(TEXT).replace("&", "&amp;").replace("<", "&lt;").replace("\x00", "")
    return (text[:at] + value + text[at:]).encode("utf-8")
