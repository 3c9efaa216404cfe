"""Build the reference labeller's model from AnyStyle's labelled references: the same bytes on every run.

Run from the repository root: python tools/train_reference_model.py [--check]

It trains a linear-chain CRF (CRFsuite, L-BFGS with L1 and L2 regularisation) on the train part of
data/anystyle/parser/*.xml (see forumgrader/citations/anystyle.py for the split; the dev part is for tuning, the test
part for tests/bench/bench_parsing.py only) and writes forumgrader/citations/data/reference-parser.crfsuite.
`--check` trains into a temporary file and fails unless it is byte for byte the shipped model.
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
from forumgrader.citations.learned import MODEL, label_words

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "data" / "anystyle" / "parser"
SHIPPED = ROOT / "forumgrader" / "citations" / "data" / MODEL
# Tuned on the dev part: the CRF is not sensitive to them (dev token accuracy within 0.5 points for c1 0.1..1,
# c2 0.01..1); the loss stops improving much after 150 iterations.
PARAMETERS = {"c1": 0.1, "c2": 0.01, "max_iterations": 150, "feature.possible_transitions": True}


def train(output: Path) -> None:
    """Train on the train part and write the model to `output`."""
    trainer = pycrfsuite.Trainer(verbose=False)
    references = anystyle.read_all(DATA, "train")
    for reference in references:
        words, labels = reference.labelled_words()
        trainer.append(token_features(words), labels)
    trainer.set_params(PARAMETERS)
    started = time.perf_counter()
    trainer.train(str(output))
    print(f"trained on {len(references)} references in {time.perf_counter() - started:.0f} s -> {output}")


def dev_accuracy() -> float:
    """Return the shipped model's share of words labelled right on the dev part."""
    right = total = 0
    for reference in anystyle.read_all(DATA, "dev"):
        words, labels = reference.labelled_words()
        right += sum(a == b for a, b in zip(label_words(words), labels, strict=True))
        total += len(labels)
    return right / total


def main() -> int:
    """Train the model (or check that training reproduces the shipped one)."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--check", action="store_true", help="fail unless training reproduces the shipped model")
    args = parser.parse_args()
    if args.check:
        with tempfile.TemporaryDirectory() as folder:
            built = Path(folder) / MODEL
            train(built)
            same = filecmp.cmp(built, SHIPPED, shallow=False)
        print("the shipped model is reproduced byte for byte" if same else "the shipped model differs from a rebuild")
        return 0 if same else 1
    SHIPPED.parent.mkdir(parents=True, exist_ok=True)
    train(SHIPPED)
    print(f"dev part: {dev_accuracy():.1%} of words labelled right")
    return 0


if __name__ == "__main__":
    sys.exit(main())
