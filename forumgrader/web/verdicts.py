"""How verdicts look on a page: a label and an icon beside the colour, never colour alone; gentle words for learners."""

from __future__ import annotations

from dataclasses import dataclass

from forumgrader.crossref.model import Verdict


@dataclass(frozen=True, slots=True)
class VerdictLook:
    """A verdict's label for staff, its label for the student whose reference it is, and its icon."""

    label: str
    learner_label: str
    icon: str

    def css(self, verdict: str) -> str:
        """Return the CSS classes of a badge for this verdict."""
        return f"verdict verdict-{verdict.replace('_', '-')}"


VERDICTS: dict[str, VerdictLook] = {
    Verdict.VERIFIED: VerdictLook("Verified", "Found, and the details match", "✓"),
    Verdict.MISMATCH: VerdictLook("Details differ", "Found, but some details differ", "≠"),
    Verdict.WRONG_DOI: VerdictLook("DOI points to another work", "The DOI leads to a different work", "↷"),
    Verdict.BROKEN_DOI: VerdictLook("DOI does not resolve", "We could not open this DOI", "!"),
    Verdict.NOT_FOUND: VerdictLook("Not found in Crossref", "We could not find this article", "?"),
    Verdict.NOT_INDEXED: VerdictLook("Not indexed", "Not in Crossref (usual for books and web pages)", "○"),
    Verdict.UNCHECKED: VerdictLook("Not checked yet", "Not checked yet", "…"),
}
RETRACTED = VerdictLook("Retracted", "This work was retracted", "⊘")
