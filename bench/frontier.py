"""The frontier: validation and test accuracy over hidden units and epochs.

Command (from the repository root):

    python bench/frontier.py --data ../shared/mnist

trains one seed of each point of a small grid (hidden units x epochs; ReLU, He
initialisation, cosine schedule, elastic and affine distortions, 5,000 images
held out), each exactly as `nnscratch train` would with the options the table
prints, and keeps every finished point in docs/results/frontier/points.json at
once, so an interrupted run resumes where it stopped (--again trains every point
anew). Then it writes docs/results/frontier/frontier.md: one row per point with
the validation accuracy the epoch was chosen on, the test accuracy (reported,
never chosen on) and the wall time. `--only 800x100` trains one point.
"""

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "docs" / "results" / "frontier"
HIDDEN = (256, 512, 800, 1024)
EPOCHS = (50, 100)
COMMON = {"activation": "relu", "lr_schedule": "cosine", "augment": "elastic"}
N_VAL = 5000


def grid():
    """{'800x100': (800, 100), ...} in the table's order."""
    return {f"{n_h}x{epochs}": (n_h, epochs) for n_h in HIDDEN for epochs in EPOCHS}


def command(n_h, epochs, seed):
    """The `nnscratch train` command that trains the same point."""
    return (f"nnscratch train --data ../shared/mnist --seed {seed} --n_h {n_h} "
            f"--activation relu --lr-schedule cosine --augment elastic "
            f"--epochs {epochs} --val {N_VAL}")


def train_point(data, n_h, epochs, seed):
    """One point: the run's record plus the best validation accuracy."""
    from nnscratch import TrainConfig
    from nnscratch.sweep import run_once

    config = TrainConfig(n_h=n_h, epochs=epochs, seed=seed, **COMMON)
    _, history, _, record = run_once(data, config, N_VAL)
    best = max(history, key=lambda r: r["val_accuracy"])
    return {**record, "n_h": n_h, "epochs": epochs,
            "val_accuracy": best["val_accuracy"], "val_loss": best["val_loss"],
            "command": command(n_h, epochs, seed)}


def table(points):
    """The points as a markdown table, in grid order."""
    lines = [
        "| hidden units | epochs | validation accuracy (chosen on) | chosen epoch "
        "| test accuracy | wall time (s) |",
        "|---:|---:|---:|---:|---:|---:|",
    ]
    for name in grid():
        if name in points:
            p = points[name]
            lines.append(
                f"| {p['n_h']} | {p['epochs']} | {p['val_accuracy']:.4f} | "
                f"{p['chosen_epoch']} | {p['test_accuracy']:.4f} | "
                f"{p['wall_seconds']:.0f} |")
    return "\n".join(lines) + "\n"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", required=True, help="folder with the four MNIST IDX files")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--only", choices=list(grid()), help="train this point only")
    parser.add_argument("--again", action="store_true", help="retrain finished points")
    args = parser.parse_args(argv)
    from nnscratch.cli import resolve_data
    from nnscratch.data import atomic_write_text

    data = resolve_data(args.data, progress=False, quiet=True)
    path = OUT / "points.json"
    points = json.loads(path.read_text()) if path.is_file() else {}
    for name, (n_h, epochs) in grid().items():
        if (args.only and name != args.only) or (name in points and not args.again):
            continue
        print(f"training {name}: {command(n_h, epochs, args.seed)}", flush=True)
        points[name] = train_point(data, n_h, epochs, args.seed)
        print(f"  test {points[name]['test_accuracy']:.4f}, "
              f"{points[name]['wall_seconds']:.0f} s", flush=True)
        OUT.mkdir(parents=True, exist_ok=True)
        atomic_write_text(path, json.dumps(points, indent=1) + "\n")
    text = table(points)
    atomic_write_text(OUT / "frontier.md", text)
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
