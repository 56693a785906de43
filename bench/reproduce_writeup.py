"""Reproduce the write-up's configuration on the full official MNIST split.

    python bench/reproduce_writeup.py --data ../shared/mnist

runs `nnscratch train` with the write-up's hyper-parameters (lr 0.5, beta 0.9,
batch 64, 50 epochs, 64 sigmoid hidden units) and writes its outputs, plus a
`summary.md` table quoted by README and the site and the confusion matrix's counts
(`confusion.json`, from which the site draws the matrix for phones), into
docs/results/writeup/, and moves the trained model to docs/results/models/writeup.npz.
Every number in that table is read back from the run's own output files.
"""

import argparse
import json
import platform
import shlex
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]


def cpu_model():
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def test_predictions(model_path, data):
    """(true labels, predicted labels) of the saved model on the test set."""
    from nnscratch import evaluate, load_data, load_model, one_hot

    params, hyper = load_model(model_path)
    d = load_data(data)
    _, predictions = evaluate(d.X_test, one_hot(d.y_test), params, hyper["activation"])
    return d.y_test, predictions


def weighted_scores(y_true, predictions):
    """Support-weighted precision, recall and F1 on the test set."""
    from nnscratch import precision_recall_f1

    p, r, f, support = precision_recall_f1(y_true, predictions)
    w = support / support.sum()
    return w @ p, w @ r, w @ f


def write_confusion(path, y_true, predictions):
    """The confusion matrix's counts as JSON, so that the site can draw confusion.png
    again (its phone variant) without reading the test set."""
    from nnscratch import confusion_matrix
    from nnscratch.data import atomic_write_text

    counts = confusion_matrix(y_true, predictions).tolist()
    text = json.dumps({"rows": "true class", "columns": "predicted class",
                       "counts": counts}) + "\n"
    atomic_write_text(path, text.replace("], [", "],\n  ["))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", required=True, help="folder with the four official IDX files")
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "results" / "writeup")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--model", type=Path,
                        default=ROOT / "docs" / "results" / "models" / "writeup.npz",
                        help="where the trained model is moved (default: %(default)s)")
    args = parser.parse_args(argv)

    command = ["nnscratch", "train", "--data", args.data, "--seed", str(args.seed),
               "--out", str(args.out), "--quiet"]
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "nnscratch", *command[1:]], check=True,
                   stdout=subprocess.DEVNULL)
    wall = time.perf_counter() - start

    history = json.loads((args.out / "history.json").read_text())
    y_true, predictions = test_predictions(args.out / "model.npz", args.data)
    weighted = weighted_scores(y_true, predictions)
    write_confusion(args.out / "confusion.json", y_true, predictions)
    best = max(history, key=lambda r: r["test_accuracy"])
    shown = " ".join(shlex.quote(c) for c in command).replace(str(ROOT) + "/", "")
    rows = [
        ("command", f"`{shown}`"),
        ("configuration", "784-64-10, sigmoid, lr 0.5, beta 0.9, batch 64, 50 epochs"),
        ("test accuracy after epoch 50", f"{history[-1]['test_accuracy']:.4f}"),
        ("weighted precision / recall / F1", " / ".join(f"{v:.4f}" for v in weighted)),
        ("best test accuracy over the 50 epochs", f"{best['test_accuracy']:.4f} (epoch {best['epoch']})"),
        ("test loss, lowest / last", f"{min(r['test_loss'] for r in history):.4f} / {history[-1]['test_loss']:.4f}"),
        ("training time (sum of epochs)", f"{sum(r['seconds'] for r in history):.1f} s"),
        ("wall time of the command", f"{wall:.1f} s"),
        ("machine", f"{cpu_model()}, Python {platform.python_version()}, NumPy {np.__version__}"),
    ]
    table = "| quantity | value |\n|---|---|\n" + "".join(f"| {k} | {v} |\n" for k, v in rows)
    (args.out / "summary.md").write_text(table)
    # the trained model is committed (about 200 kB): the Inside page draws from it
    args.model.parent.mkdir(parents=True, exist_ok=True)
    (args.out / "model.npz").replace(args.model)
    print(table)


if __name__ == "__main__":
    main()
