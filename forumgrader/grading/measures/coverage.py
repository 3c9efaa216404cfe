"""Coverage of the prompt: which parts of the discussion question a post answers, by fuzzy keyword groups."""

from __future__ import annotations

import re
import unicodedata

from rapidfuzz import fuzz, process

from forumgrader.grading.facts import PostFacts
from forumgrader.grading.measures.registry import Context, Measured, Scope, measure, not_assessed
from forumgrader.grading.rubric import PromptPart

_TOKEN = re.compile(r"[^\W_]+(?:['-][^\W_]+)*")


def fold(text: str) -> str:
    """Lower-case a text and drop its accents, so "Näppilä" meets "nappila"."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


class Phrases:
    """The runs of one to n words of a text, for matching keywords and key phrases."""

    def __init__(self, text: str) -> None:
        self.words = _TOKEN.findall(fold(text))
        self._runs: dict[int, set[str]] = {}

    def runs(self, size: int) -> set[str]:
        """Return every run of `size` consecutive words."""
        if size not in self._runs:
            self._runs[size] = {" ".join(self.words[i : i + size]) for i in range(len(self.words) - size + 1)}
        return self._runs[size]

    def has(self, keyword: str, threshold: float) -> bool:
        """Tell whether the keyword occurs: `stem*` as a prefix, anything else exactly or within the threshold."""
        wanted = " ".join(_TOKEN.findall(fold(keyword)))
        if not wanted:
            return False
        size = wanted.count(" ") + 1
        runs = self.runs(size)
        if keyword.rstrip().endswith("*"):
            return any(run.startswith(wanted) for run in runs)
        if wanted in runs:
            return True
        return process.extractOne(wanted, runs, scorer=fuzz.ratio, score_cutoff=threshold) is not None


def covered(part: PromptPart, phrases: Phrases, threshold: float) -> bool:
    """Tell whether every keyword group of a prompt part has a match."""
    return all(any(phrases.has(keyword, threshold) for keyword in group) for group in part.groups)


@measure("prompt_coverage", Scope.POST, "Share of the prompt's parts (the rubric's `prompt`) the post answers, 0 to 1.")
def prompt_coverage(post: PostFacts, context: Context, as_reply: bool) -> Measured:
    if not context.prompt:
        return not_assessed("the rubric names no parts of the prompt to look for", instructor=True)
    phrases = Phrases(post.text)
    missing = [part.name for part in context.prompt if not covered(part, phrases, context.prompt_threshold)]
    done = len(context.prompt) - len(missing)
    evidence = f"answers {done} of the {len(context.prompt)} parts of the prompt"
    if missing:
        evidence += f" (missing: {'; '.join(missing)})"
    return Measured(done / len(context.prompt), evidence)
