"""Run one configuration over several seeds and summarise the spread.

Each run is a complete `nnscratch train`: optionally a seeded validation
hold-out with the best validation epoch kept, then one evaluation on the test
set. The summary gives mean and standard deviation over seeds, so a reader
sees how much of a difference between configurations is luck.
"""

import json
import time

import numpy as np

from .checks import check_memory, training_bytes
from .data import one_hot
from .fileio import staged_files
from .train import evaluate, split_validation, train

PROBE = 1000  # test images on which a sigmoid network's saturation is measured


def run_once(data, config, n_val=0, on_epoch=None):
    """Train one model; returns (params, history, test predictions, record).

    With `n_val` > 0 the test set is touched once, after training; without,
    it is evaluated every epoch as the write-up did, and the last epoch counts.
    """
    start = time.perf_counter()
    X, y = data.X_train, data.y_train
    check_memory(
        training_bytes(X.shape[0], config.n_h, 10, X.shape[1], config)
        + (2 * X.nbytes if config.augment != "none" else 0),
        f"training 784-{config.n_h}-10 with batches of "
        f"{min(config.batch_size, X.shape[1])} images",
        "lower --n_h or --batch_size",
    )
    if n_val:
        X, y, X_val, y_val = split_validation(X, y, n_val, config.seed)
        kwargs = {"X_val": X_val, "Y_val": one_hot(y_val)}
    else:
        kwargs = {"X_test": data.X_test, "Y_test": one_hot(data.y_test)}
    # the hidden units' saturation, on a fixed set of images: the first PROBE test images
    probe = data.X_test[:, :PROBE] if config.activation == "sigmoid" else None
    params, history = train(
        X, one_hot(y), config, X_probe=probe, on_epoch=on_epoch, **kwargs
    )
    test_loss, predictions = evaluate(
        data.X_test, one_hot(data.y_test), params, config.activation
    )
    record = {
        "seed": config.seed,
        "test_accuracy": float(np.mean(predictions == data.y_test)),
        "test_loss": test_loss,
        "chosen_epoch": (
            max(history, key=lambda r: r["val_accuracy"])["epoch"]
            if n_val
            else history[-1]["epoch"]
        ),
        "train_seconds": sum(r["seconds"] for r in history),
        "wall_seconds": time.perf_counter() - start,
    }
    return params, history, predictions, record


def summarise(runs):
    """Mean and sample standard deviation over the runs of a sweep."""
    acc = np.array([r["test_accuracy"] for r in runs])
    wall = np.array([r["wall_seconds"] for r in runs])
    return {
        "n_runs": len(runs),
        "test_accuracy_mean": float(acc.mean()),
        "test_accuracy_std": float(acc.std(ddof=1)) if len(acc) > 1 else 0.0,
        "test_accuracy_min": float(acc.min()),
        "test_accuracy_max": float(acc.max()),
        "wall_seconds_mean": float(wall.mean()),
        "wall_seconds_max": float(wall.max()),
    }


def markdown_table(sweep):
    """The sweep as a markdown table: one row per seed, then mean ± std."""
    s = sweep["summary"]
    lines = [
        f"Command: `{sweep['command']}`",
        "",
        "| seed | test accuracy | test loss | chosen epoch | wall time (s) |",
        "|---:|---:|---:|---:|---:|",
    ]
    for r in sweep["runs"]:
        lines.append(
            f"| {r['seed']} | {r['test_accuracy']:.4f} | {r['test_loss']:.4f} | "
            f"{r['chosen_epoch']} | {r['wall_seconds']:.1f} |"
        )
    lines.append(
        f"| **mean ± std** | "
        f"**{s['test_accuracy_mean']:.4f} ± {s['test_accuracy_std']:.4f}** | | | "
        f"{s['wall_seconds_mean']:.1f} (max {s['wall_seconds_max']:.1f}) |"
    )
    return "\n".join(lines) + "\n"


def plot_spread(sweep, path):
    """Accuracy per epoch: mean over seeds with a band of ± one standard deviation.

    `path` is a PNG file to write atomically, or a binary file open for writing.
    """
    from .plots import _finish, new_figure

    fig = new_figure(path, figsize=(7, 3.6))
    ax = fig.subplots()
    histories = sweep["histories"]
    epochs = [r["epoch"] for r in histories[0]]
    for split in ("train", "val", "test"):
        key = f"{split}_accuracy"
        if key not in histories[0][0]:
            continue
        curves = 100 * np.array([[r[key] for r in h] for h in histories])
        mean, std = curves.mean(axis=0), curves.std(axis=0)
        ax.plot(epochs, mean, label=split)
        ax.fill_between(epochs, mean - std, mean + std, alpha=0.3)
    ax.set(
        xlabel="epoch",
        ylabel="accuracy (%)",
        ylim=(95, 100.2),
        title=f"{sweep['name']}: mean of {len(histories)} seeds, "
        "band = ±1 standard deviation",
    )
    ax.grid(alpha=0.3)
    ax.legend(loc="lower right")
    if hasattr(path, "write"):  # an open file: write_sweep's temporary
        fig.savefig(path, format="png", dpi=120)
        return fig
    return _finish(fig, path)


def sweep_paths(out, name):
    """The three outputs of a sweep: NAME.json, NAME.md and NAME.png inside `out`."""
    return [out / f"{name}.{suffix}" for suffix in ("json", "md", "png")]


def write_sweep(out, sweep):
    """Write NAME.json, NAME.md and NAME.png into `out` as a unit.

    All three are written to temporaries first and renamed into place only
    when all three are complete: a failure before leaves the three old ones.
    """
    out.mkdir(parents=True, exist_ok=True)
    table = markdown_table(sweep)
    text = json.dumps(sweep, indent=1) + "\n"
    with staged_files(sweep_paths(out, sweep["name"])) as (json_tmp, md_tmp, png_tmp):
        json_tmp.write_bytes(text.encode("utf-8"))
        md_tmp.write_bytes(table.encode("utf-8"))
        with open(png_tmp, "wb") as f:
            plot_spread(sweep, f)
    return table
