"""Build the reference labeller's model from AnyStyle's labelled references: the same bytes on every run.

Run from the repository root: python tools/train_reference_model.py [--check]

It trains a linear-chain CRF (CRFsuite, L-BFGS with L1 and L2 regularisation) on the train and dev parts of
data/anystyle/parser/*.xml (see forumgrader/citations/anystyle.py for the split) and writes
forumgrader/citations/data/reference-parser.crfsuite. The features and parameters were chosen on the dev part with a
model trained on the train part alone (`--parts train` builds that one, and reports on dev); the test part is left
for tests/bench/bench_parsing.py. `--check` trains into a temporary file and fails unless it is byte for byte the
shipped model.
"""

from __future__ import annotations

import argparse
import filecmp
import sys
import tempfile
import time
from pathlib import Path

import pycrfsuite

from forumgrader.citations import anystyle
from forumgrader.citations.features import token_features
from forumgrader.citations.learned import MODEL

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "data" / "anystyle" / "parser"
SHIPPED = ROOT / "forumgrader" / "citations" / "data" / MODEL
# Tuned on the dev part: the CRF is not sensitive to them (dev token accuracy within 0.5 points for c1 0.1..1,
# c2 0.01..1); the loss stops improving much after 150 iterations.
PARAMETERS = {"c1": 0.1, "c2": 0.01, "max_iterations": 150, "feature.possible_transitions": True}
# ugly.xml labels less consistently than the other files (a book's title as its container, a director as an editor):
# the others count twice, which reads them better (dev: title +0.5, container +0.3 points) and ugly.xml no worse.
WEIGHTS = {"core": 2, "gold": 2, "good": 2, "bad": 2, "ugly": 1}


def train(output: Path, parts: tuple[str, ...] = ("train", "dev")) -> None:
    """Train on the given parts and write the model to `output`."""
    trainer = pycrfsuite.Trainer(verbose=False)
    references = [r for part in parts for r in anystyle.read_all(DATA, part)]
    for reference in references:
        words, labels = reference.labelled_words()
        features = token_features(words)
        for _ in range(WEIGHTS.get(reference.source, 1)):
            trainer.append(features, labels)
    trainer.set_params(PARAMETERS)
    started = time.perf_counter()
    trainer.train(str(output))
    print(f"trained on {len(references)} references in {time.perf_counter() - started:.0f} s -> {output}")


def dev_accuracy(model: Path) -> float:
    """Return a model's share of words labelled right on the dev part."""
    tagger = pycrfsuite.Tagger()
    tagger.open(str(model))
    right = total = 0
    for reference in anystyle.read_all(DATA, "dev"):
        words, labels = reference.labelled_words()
        right += sum(a == b for a, b in zip(tagger.tag(token_features(words)), labels, strict=True))
        total += len(labels)
    return right / total


def main() -> int:
    """Train the model (or check that training reproduces the shipped one)."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--check", action="store_true", help="fail unless training reproduces the shipped model")
    parser.add_argument("--parts", default="train,dev", help="parts to train on; with 'train' alone, writes OUTPUT")
    parser.add_argument("--output", type=Path, default=SHIPPED)
    args = parser.parse_args()
    parts = tuple(args.parts.split(","))
    if args.check:
        with tempfile.TemporaryDirectory() as folder:
            built = Path(folder) / MODEL
            train(built)
            same = filecmp.cmp(built, SHIPPED, shallow=False)
        print("the shipped model is reproduced byte for byte" if same else "the shipped model differs from a rebuild")
        return 0 if same else 1
    args.output.parent.mkdir(parents=True, exist_ok=True)
    train(args.output, parts)
    if "dev" not in parts:
        print(f"dev part: {dev_accuracy(args.output):.1%} of words labelled right")
    return 0


if __name__ == "__main__":
    sys.exit(main())
