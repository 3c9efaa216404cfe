"""Benchmark the offline citation analysis: typical posts per second, and time on pathological inputs.

Run: python tests/bench/bench_citations.py [--posts N]
"""

from __future__ import annotations

import argparse
import random
import time

from forumgrader.citations import analyse
from forumgrader.citations.doi import doi_mentions
from forumgrader.citations.entries import parse_entry
from forumgrader.citations.names import is_surname
from forumgrader.citations.text import fold

CACHES = (parse_entry, doi_mentions, is_surname, fold)

FAMILIES = [
    "Luna",
    "Salas",
    "D'Agostino",
    "Ito",
    "Leppänen",
    "O'Neil",
    "Kiecolt-Glaser",
    "de la Rie",
    "Smith",
    "Nguyen",
    "Müller",
    "Walker",
    "Brown",
    "Garcia",
    "Okafor",
    "Kim",
]
WORDS = [
    "therapy",
    "clients",
    "culture",
    "stress",
    "brain",
    "support",
    "evidence",
    "practice",
    "research",
    "family",
    "treatment",
    "change",
    "health",
    "social",
    "outcomes",
    "group",
    "session",
    "trust",
    "recovery",
    "approach",
    "model",
    "learning",
    "patients",
    "care",
]
JOURNALS = [
    "Journal of Counseling Psychology",
    "Psychological Bulletin",
    "Clinical Psychology Review",
    "BMC Health Services Research",
    "Journal of Affective Disorders",
]


def _sentence(rng: random.Random, n: int) -> str:
    words = [rng.choice(WORDS) for _ in range(n)]
    return " ".join(words).capitalize()


def _reference(rng: random.Random, authors: list[str], year: int) -> str:
    names = [f"{a}, {rng.choice('ABCDEFGHJKLMNPRST')}. {rng.choice('ABCDEFGHJKLMNPRST')}." for a in authors]
    listed = names[0] if len(names) == 1 else ", ".join(names[:-1]) + ", & " + names[-1]
    title = _sentence(rng, 8)
    volume, issue, first = rng.randint(1, 90), rng.randint(1, 12), rng.randint(1, 900)
    doi = f"https://doi.org/10.{rng.randint(1000, 9999)}/{rng.randint(10**6, 10**7)}"
    return f"{listed} ({year}). {title}. {rng.choice(JOURNALS)}, {volume}({issue}), {first}-{first + 15}. {doi}"


def typical_post(rng: random.Random) -> str:
    """Return a post of about 400 words citing 4 works, with its reference list."""
    works = []
    for _ in range(4):
        works.append((rng.sample(FAMILIES, rng.choice([1, 2, 3, 4])), rng.randint(1995, 2024)))
    paragraphs = []
    for p in range(4):
        sentences = []
        for s in range(5):
            text = _sentence(rng, 16)
            if s % 2 == 0:
                authors, year = works[(p + s) % 4]
                if len(authors) >= 3:
                    cite = f"({authors[0]} et al., {year})"
                elif len(authors) == 2:
                    cite = f"({authors[0]} & {authors[1]}, {year})"
                else:
                    cite = f"({authors[0]}, {year})"
                if s == 2:
                    who = {1: authors[0], 2: " and ".join(authors[:2])}.get(len(authors), f"{authors[0]} et al.")
                    text = f"{who} ({year}) says {text.lower()}"
                else:
                    text = f"{text} {cite}"
            sentences.append(text + ".")
        paragraphs.append(" ".join(sentences))
    references = sorted(_reference(rng, a, y) for a, y in works)
    return "\n\n".join(paragraphs) + "\n\nReferences\n\n" + "\n\n".join(references) + "\n"


def pathological() -> dict[str, str]:
    """Return inputs that make careless regexes or scanners blow up."""
    rng = random.Random(7)
    tokens = "the of Smith (2020) and Luna, A. (2019). Title. Journal, 1(2), 3-4. et al. & ( ) ; , doi:10.1/x"
    tokens_list = tokens.split(" ")
    return {
        "100 KB without newlines": " ".join(rng.choice(tokens_list) for _ in range(30000))[:100_000],
        "5,000 nested parentheses": "(" * 5000 + "Luna, 2020" + ")" * 5000,
        "5,000 unbalanced parentheses": "(Luna, " * 5000,
        '100 KB of "(a, "': "(a, " * 25_000,
        '100 KB of "Smith, J. "': "Smith, J. " * 10_000,
        "100 KB of capitalised words": "Aa Bb " * 16_000 + "(2020)",
        "100 KB one word": "A" * 100_000 + " (2020)",
        "8,000 narrative citations": "Smith (2020) " * 8000,
        "2,200 references on one line": "References " + "Smith, J. (2020). Title. Journal, 1(2), 3-4. " * 2200,
        "1,800 references, one per line": "References\n" + "Smith, J., & Bo, K. (2020). T. J, 1(2), 3-4.\n" * 1800,
        "100 KB DOI": "doi:10.1000/" + "a" * 100_000,
    }


def main() -> None:
    """Print posts analysed per second and the time taken on each pathological input."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--posts", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=5, help="timing rounds; the best and the median are shown")
    args = parser.parse_args()
    rng = random.Random(42)
    posts = [typical_post(rng) for _ in range(args.posts)]
    words = sum(len(p.split()) for p in posts) / len(posts)
    references = sum(len(analyse(post).references) for post in posts)  # also warms up compiled patterns
    rounds = []
    for _ in range(args.rounds):
        for cache in CACHES:  # each round starts cold: no post is analysed twice as far as the caches know
            cache.cache_clear()
        start = time.process_time()  # CPU time of this process: other work on the machine does not count
        for post in posts:
            analyse(post)
        rounds.append(time.process_time() - start)
    best, median = min(rounds), sorted(rounds)[len(rounds) // 2]
    print(f"typical posts: {len(posts)} posts of ~{words:.0f} words, {references / len(posts):.1f} references each")
    print(
        f"  {len(posts) / best:,.0f} posts/second on one core, best of {len(rounds)} rounds "
        f"({best / len(posts) * 1000:.2f} ms per post; median round {len(posts) / median:,.0f} posts/second)"
    )
    print("pathological inputs:")
    for name, text in pathological().items():
        for cache in CACHES:
            cache.cache_clear()
        start = time.process_time()
        analyse(text)
        print(f"  {name:34s} {len(text):>8,d} chars  {(time.process_time() - start) * 1000:8.1f} ms")


if __name__ == "__main__":
    main()
