"""AnyStyle's labelled references (its parser XML): each reference's parts with their labels, and a stable split.

The training script (tools/train_reference_model.py), the parse-accuracy benchmark and the tests read the same data
through this module, so that they agree on the words, the labels and which references are held out.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from xml.etree import ElementTree

from forumgrader.citations.text import normalise

PARTS = ("train", "dev", "test")


@dataclass(frozen=True, slots=True)
class LabelledReference:
    """One labelled reference: where it comes from and its parts, (label, text), in the order written."""

    source: str  # the file it comes from: "core", "gold", "good", "ugly" or "bad"
    parts: tuple[tuple[str, str], ...]

    @property
    def text(self) -> str:
        """Return the reference as written: its parts joined by spaces."""
        return " ".join(text for _, text in self.parts)

    @property
    def split(self) -> str:
        """Return the part of the data the reference belongs to: "train", "dev" or "test"."""
        return split_of(self.text)

    def labelled_words(self) -> tuple[list[str], list[str]]:
        """Return the words as the labeller sees them, each with its label.

        A reference whose only title is labelled as a container ("container-title" and no "title" or "journal": the
        way ugly.xml often labels a whole book) has that part labelled as its title, as the other files do.
        """
        labels = {label for label, _ in self.parts}
        book = "container-title" in labels and not labels & {"title", "journal"}
        words, out = [], []
        for label, text in self.parts:
            for word in normalise(text).split():
                words.append(word)
                out.append("title" if book and label == "container-title" else label)
        return words, out


def split_of(text: str) -> str:
    """Return the part a reference text belongs to, from a hash of it: 80% train, 10% dev, 10% test."""
    bucket = int(hashlib.sha256(text.encode("utf-8")).hexdigest()[:8], 16) % 10
    return "test" if bucket == 0 else "dev" if bucket == 1 else "train"


def read(path: Path) -> list[LabelledReference]:
    """Read one AnyStyle parser file (<dataset><sequence><author>...</author>...</sequence></dataset>)."""
    root = ElementTree.parse(path).getroot()
    references = []
    for sequence in root:
        parts = tuple((part.tag, " ".join((part.text or "").split())) for part in sequence)
        parts = tuple((label, text) for label, text in parts if text)
        if parts:
            references.append(LabelledReference(path.stem, parts))
    return references


def read_all(folder: Path, part: str | None = None) -> list[LabelledReference]:
    """Read every parser file of a folder, in name order; only one part of the split when `part` is given."""
    references = [r for path in sorted(folder.glob("*.xml")) for r in read(path)]
    return [r for r in references if part is None or r.split == part]
