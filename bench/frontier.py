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
never chosen on) and the wall time. `--only 800x100` trains one point; a second
table holds the variants (the elastic field alone, 800 units, 100 and 120
epochs, and 120 epochs of a smoother field, kappa 5). `--only NAME --adopt
FOLDER` takes a point from a finished `nnscratch train --out FOLDER` run of its
printed command instead of training it again (the hyper-parameters saved in
the run's model must be the point's; its wall time was not kept).
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
NO_AFFINE = {"max_degrees": 0.0, "max_shift": 0.0, "max_scale": 0.0}
# other distortions than the defaults
VARIANTS = {
    "800x100-elastic-only": {"n_h": 800, "epochs": 100, **NO_AFFINE},
    "800x120-elastic-only": {"n_h": 800, "epochs": 120, **NO_AFFINE},
    "800x120-kappa5": {"n_h": 800, "epochs": 120, **NO_AFFINE, "elastic_kappa": 5.0},
}


def points():
    """{name: options of the point beyond COMMON}, in the tables' order."""
    grid = {f"{n_h}x{epochs}": {"n_h": n_h, "epochs": epochs}
            for n_h in HIDDEN for epochs in EPOCHS}
    return {**grid, **VARIANTS}


def command(options, seed):
    """The `nnscratch train` command that trains the same point."""
    flags = "".join(f" --{key.replace('_', '-')} {value:g}"
                    for key, value in options.items())
    return (f"nnscratch train --data ../shared/mnist --seed {seed} "
            f"--activation relu --lr-schedule cosine --augment elastic "
            f"--val {N_VAL}{flags}")


def summary(options, seed, history, record):
    """A point: the run's record, its options, the best validation epoch's scores."""
    best = max(history, key=lambda r: r["val_accuracy"])
    return {**record, **options, "val_accuracy": best["val_accuracy"],
            "val_loss": best["val_loss"], "command": command(options, seed)}


def train_point(data, options, seed):
    """Train one point as its command would."""
    from nnscratch import TrainConfig
    from nnscratch.sweep import run_once

    config = TrainConfig(seed=seed, **COMMON, **options)
    _, history, _, record = run_once(data, config, N_VAL)
    return summary(options, seed, history, record)


def adopt(folder, data, options, seed):
    """The point from a finished `nnscratch train --out FOLDER` run of its command:
    its model's hyper-parameters must be the point's, all of them."""
    import json

    import numpy as np
    from nnscratch import TrainConfig, evaluate, load_model, one_hot

    params, hyper = load_model(folder / "model.npz")
    # a model saved before an option existed ran with that option's default
    hyper = {**TrainConfig().to_dict(), **hyper}
    expected = {**TrainConfig(seed=seed, **COMMON, **options).to_dict(), "val": N_VAL}
    if hyper != expected:
        wrong = sorted(k for k in {*hyper, *expected} if hyper.get(k) != expected.get(k))
        verb = "differs" if len(wrong) == 1 else "differ"
        raise SystemExit(f"{folder}/model.npz: not this point's run; its "
                         f"{', '.join(wrong)} {verb} from `{command(options, seed)}`")
    history = json.loads((folder / "history.json").read_text())
    loss, predictions = evaluate(data.X_test, one_hot(data.y_test), params, "relu")
    record = {"seed": seed, "test_accuracy": float(np.mean(predictions == data.y_test)),
              "test_loss": loss,
              "chosen_epoch": max(history, key=lambda r: r["val_accuracy"])["epoch"],
              "train_seconds": sum(r["seconds"] for r in history),
              "wall_seconds": None}  # not kept by the run
    return summary(options, seed, history, record)


def _seconds(p):
    return "–" if p["wall_seconds"] is None else f"{p['wall_seconds']:.0f}"


def table(done):
    """The finished points as two markdown tables: the grid, then the variants."""
    lines = [
        "| hidden units | epochs | validation accuracy (chosen on) | chosen epoch "
        "| test accuracy | wall time (s) |",
        "|---:|---:|---:|---:|---:|---:|",
    ]
    variants = [
        "",
        "| options | validation accuracy | chosen epoch "
        "| test accuracy | wall time (s) |",
        "|---|---:|---:|---:|---:|",
    ]
    for name, options in points().items():
        if name not in done:
            continue
        p = done[name]
        scores = (f"{p['val_accuracy']:.4f} | {p['chosen_epoch']} | "
                  f"{p['test_accuracy']:.4f} | {_seconds(p)} |")
        if name in VARIANTS:
            flags = command(VARIANTS[name], p["seed"]).split(f"--val {N_VAL}")[1]
            variants.append(f"| `{flags.strip()}` | {scores}")
        else:
            lines.append(f"| {p['n_h']} | {p['epochs']} | {scores}")
    return "\n".join(lines + (variants if len(variants) > 3 else [])) + "\n"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", required=True, help="folder with the four MNIST IDX files")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--only", choices=list(points()), help="train this point only")
    parser.add_argument("--again", action="store_true", help="retrain finished points")
    parser.add_argument("--adopt", type=Path, metavar="FOLDER",
                        help="take the --only point from this finished run of its command")
    args = parser.parse_args(argv)
    if args.adopt and not args.only:
        parser.error("--adopt needs --only NAME: the point the run is")
    from nnscratch.cli import resolve_data
    from nnscratch.data import atomic_write_text

    data = resolve_data(args.data, progress=False, quiet=True)
    path = OUT / "points.json"
    done = json.loads(path.read_text()) if path.is_file() else {}
    for name, options in points().items():
        if (args.only and name != args.only) or (name in done and not args.again):
            continue
        if args.adopt:
            done[name] = adopt(args.adopt, data, options, args.seed)
        else:
            print(f"training {name}: {command(options, args.seed)}", flush=True)
            done[name] = train_point(data, options, args.seed)
        print(f"  {name}: test {done[name]['test_accuracy']:.4f}", flush=True)
        OUT.mkdir(parents=True, exist_ok=True)
        atomic_write_text(path, json.dumps(done, indent=1) + "\n")
    text = table(done)
    atomic_write_text(OUT / "frontier.md", text)
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
