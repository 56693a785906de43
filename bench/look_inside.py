"""What a saved model gets wrong on the official test set, for the Inside page.

    python bench/look_inside.py --model docs/results/models/record.npz \\
        --data ../shared/mnist --out docs/results/inside/record

writes into OUT, both renamed into place only when both are complete:
- mistakes.npz: the misclassified test images, the most confident mistake first:
  images uint8 (k, 28, 28), index int64 (k,) (their place in the test set), label
  int64 (k,) and probabilities float32 (k, 10), the network's output for each;
  compressed, no object arrays (readable with allow_pickle=False);
- confusion.json: the confusion matrix's counts (rows = true class), the model file's
  name and SHA-256, so that a test can tell whether the model changed since.

The site draws the Inside page's figures from these files at build time; the full
test set is not needed there.
"""

import argparse
import json
import sys
from pathlib import Path

import numpy as np

from nnscratch import confusion_matrix, feed_forward, load_data, load_model
from nnscratch.data import file_sha256
from nnscratch.fileio import staged_files
from nnscratch.inside import mistake_arrays

ROOT = Path(__file__).resolve().parents[1]


def look_inside(model: Path, data: str, out: Path) -> dict:
    """Write OUT/mistakes.npz and OUT/confusion.json for `model` on `data`'s test
    set; return the confusion file's contents."""
    params, hyper = load_model(model)
    d = load_data(data)
    A2 = feed_forward(d.X_test, params, hyper["activation"])["A2"]
    mistakes = mistake_arrays(d.X_test, d.y_test, A2)
    counts = confusion_matrix(d.y_test, A2.argmax(axis=0), A2.shape[0])
    shown = model.resolve()
    name = shown.relative_to(ROOT) if shown.is_relative_to(ROOT) else shown
    confusion = {"model": str(name), "model_sha256": file_sha256(model),
                 "rows": "true class", "columns": "predicted class",
                 "counts": counts.tolist()}
    text = json.dumps(confusion).replace("], [", "],\n  [") + "\n"
    out.mkdir(parents=True, exist_ok=True)
    with staged_files([out / "mistakes.npz", out / "confusion.json"]) as (npz, js):
        with open(npz, "wb") as f:
            np.savez_compressed(f, **mistakes)
        js.write_text(text, encoding="utf-8")
    return confusion


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, required=True,
                        help="a model.npz written by nnscratch train")
    parser.add_argument("--data", required=True,
                        help="a folder with the four official IDX files (or 'sample')")
    parser.add_argument("--out", type=Path, required=True,
                        help="folder to write mistakes.npz and confusion.json into")
    args = parser.parse_args(argv)
    counts = np.array(look_inside(args.model, args.data, args.out)["counts"])
    wrong = counts.sum() - np.trace(counts)
    print(f"{args.model}: {wrong} of {counts.sum()} test images wrong "
          f"(accuracy {np.trace(counts) / counts.sum():.4f}); wrote {args.out}/")
    return 0


if __name__ == "__main__":
    sys.exit(main())
