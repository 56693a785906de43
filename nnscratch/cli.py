"""Command line: `nnscratch train`, `evaluate`, `export`, `sweep` and `data ...`."""

import argparse
import errno
import json
import os
import re
import shlex
import sys
import time
from dataclasses import fields
from pathlib import Path

from . import __version__
from .data import (
    FILES,
    DataError,
    export_hdf5,
    load_data,
    load_idx_split,
    make_sample,
    one_hot,
    verify_folder,
)
from .checks import MEMORY_ENV
from .download import DATA_ENV, MIRRORS_ENV, default_data_dir, download_mnist
from .fileio import (
    OutputError,
    atomic_write_text,
    check_output_files,
    check_output_folder,
    staged_folder,
)
from .exercises.cli import add_exercise_commands
from .metrics import classification_report, confusion_matrix
from .model_io import ModelFileError, load_model, save_model
from .network import HIDDEN_ACTIVATIONS
from .optim import LR_SCHEDULES
from .train import AUGMENTATIONS, TrainConfig, evaluate

TEST_FILES = ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte")
SAFE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,99}")
MAX_SEEDS = 1000
USER_ERRORS = (DataError, ModelFileError, OutputError, ValueError, OSError)


def build_parser():
    parser = argparse.ArgumentParser(
        prog="nnscratch", description="A 784-n_h-10 network in NumPy, trained on MNIST."
    )
    parser.add_argument(
        "--version", action="version", version=f"%(prog)s {__version__}"
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = commands.add_parser(
        "train", help="train a network and write model, history, report, figures"
    )
    _add_train_options(p)
    p.add_argument(
        "--out",
        type=Path,
        default=Path("run"),
        help="output folder (default %(default)s)",
    )
    p.add_argument(
        "--quiet",
        action="store_true",
        help="print only the final summary line (errors still go to stderr)",
    )
    p.set_defaults(func=cmd_train)

    p = commands.add_parser(
        "sweep", help="train one configuration over several seeds; write a table"
    )
    _add_train_options(p)
    p.add_argument(
        "--seeds",
        type=int,
        default=5,
        help=f"number of seeds, 0..N-1, at most {MAX_SEEDS} (default %(default)s)",
    )
    p.add_argument(
        "--name",
        default="sweep",
        help="base name of the output files (default %(default)s)",
    )
    p.add_argument(
        "--out",
        type=Path,
        default=Path("sweeps"),
        help="output folder (default %(default)s)",
    )
    p.set_defaults(func=cmd_sweep)

    p = commands.add_parser(
        "evaluate", help="print the classification report of a saved model"
    )
    p.add_argument("model", type=Path, help="model.npz written by 'nnscratch train'")
    _add_data_argument(p)
    p.add_argument("--quiet", action="store_true", help="print only the summary line")
    p.set_defaults(func=cmd_evaluate)

    p = commands.add_parser(
        "export", help="write a trained model as JSON for the draw-a-digit page"
    )
    p.add_argument("model", type=Path, help="model.npz written by 'nnscratch train'")
    p.add_argument(
        "out", type=Path, help="JSON file to write, e.g. docs/assets/draw/model.json"
    )
    p.add_argument(
        "--dtype",
        choices=("float32", "float16"),
        default="float32",
        help="stored precision; float16 only if probabilities move by <= 1e-3 "
        "(default %(default)s)",
    )
    p.set_defaults(func=cmd_export)

    data = commands.add_parser(
        "data",
        help="MNIST files: download, verify, export to HDF5, make the shipped sample",
    ).add_subparsers(dest="data_command", required=True, metavar="DATA_COMMAND")
    p = data.add_parser(
        "download", help="fetch the four official files into the cache, verified"
    )
    p.add_argument(
        "--dir",
        type=Path,
        default=None,
        help=f"cache folder (default ${DATA_ENV}, else ~/.cache/nnscratch/mnist)",
    )
    p.add_argument(
        "--mirror",
        action="append",
        default=None,
        metavar="URL",
        help=(
            f"base URL to try, in order; repeat for several (default ${MIRRORS_ENV}, "
            "space-separated, else two public mirrors)"
        ),
    )
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.set_defaults(func=cmd_download)
    p = data.add_parser("verify", help="check the SHA-256 of the four files")
    p.add_argument(
        "dir",
        type=Path,
        nargs="?",
        default=None,
        help=f"folder to check (default the cache: ${DATA_ENV} or "
        "~/.cache/nnscratch/mnist)",
    )
    p.set_defaults(func=cmd_verify)
    p = data.add_parser(
        "export-hdf5", help="write the data in the write-up's HDF5 layout"
    )
    p.add_argument("out", type=Path, help="HDF5 file to write, e.g. mnist.hdf5")
    _add_data_argument(p)
    p.set_defaults(func=cmd_export_hdf5)
    p = data.add_parser(
        "make-sample", help="rebuild the shipped sample from the official files"
    )
    p.add_argument(
        "folder", type=Path, help="folder holding the four official IDX files"
    )
    p.add_argument(
        "--out", type=Path, default=Path(__file__).with_name("mnist_sample.npz")
    )
    p.add_argument("--seed", type=int, default=0)
    p.set_defaults(func=cmd_make_sample)
    add_exercise_commands(commands)
    return parser


def _add_train_options(p):
    defaults = TrainConfig()
    p.add_argument(
        "--lr",
        type=float,
        default=defaults.lr,
        help="learning rate (default %(default)s)",
    )
    p.add_argument(
        "--epochs",
        type=int,
        default=defaults.epochs,
        help="epochs (default %(default)s)",
    )
    p.add_argument(
        "--n_h",
        "--n-h",
        dest="n_h",
        type=int,
        default=defaults.n_h,
        help="hidden units (default %(default)s)",
    )
    p.add_argument(
        "--beta",
        type=float,
        default=defaults.beta,
        help="momentum (default %(default)s)",
    )
    p.add_argument(
        "--batch_size",
        "--batch-size",
        dest="batch_size",
        type=int,
        default=defaults.batch_size,
        help="mini-batch size (default %(default)s)",
    )
    p.add_argument(
        "--activation",
        choices=HIDDEN_ACTIVATIONS,
        default=defaults.activation,
        help="hidden activation; relu uses He initialisation (default %(default)s)",
    )
    p.add_argument(
        "--seed",
        type=int,
        default=defaults.seed,
        help="random seed (default %(default)s)",
    )
    p.add_argument(
        "--weight-decay",
        "--weight_decay",
        dest="weight_decay",
        type=float,
        default=defaults.weight_decay,
        help="L2 penalty lambda on W1, W2 (default %(default)s)",
    )
    p.add_argument(
        "--dropout",
        type=float,
        default=defaults.dropout,
        help="drop probability of each hidden unit in training (default %(default)s)",
    )
    p.add_argument(
        "--lr-schedule",
        "--lr_schedule",
        dest="lr_schedule",
        choices=LR_SCHEDULES,
        default=defaults.lr_schedule,
        help="learning-rate schedule (default %(default)s)",
    )
    p.add_argument(
        "--augment",
        choices=AUGMENTATIONS,
        default=defaults.augment,
        help="random distortions of the training images each epoch "
        "(default %(default)s)",
    )
    for name, what in (
        ("elastic-alpha", "scale alpha of the elastic field, pixels"),
        ("elastic-kappa", "width kappa of the elastic field's smoothing, pixels"),
        ("max-degrees", "largest rotation of the affine distortion, degrees"),
        ("max-shift", "largest shift of the affine distortion, pixels"),
        ("max-scale", "largest |scale - 1| of the affine distortion"),
    ):
        field = name.replace("-", "_")
        p.add_argument(
            f"--{name}",
            dest=field,
            type=float,
            default=getattr(defaults, field),
            help=f"{what} (default %(default)s)",
        )
    p.add_argument(
        "--val",
        type=int,
        default=0,
        metavar="N",
        help=(
            "hold out N training images (seeded) to choose the best epoch; "
            "the test set is then "
            "used once, at the end (default: no hold-out, test evaluated every epoch)"
        ),
    )
    _add_data_argument(p)


def _config(args, seed=None):
    """The `TrainConfig` of the parsed options (each option is named as its field)."""
    options = {f.name: getattr(args, f.name) for f in fields(TrainConfig)}
    return TrainConfig(**{**options, "seed": args.seed if seed is None else seed})


def _add_data_argument(p):
    p.add_argument(
        "--data",
        default=None,
        help=(
            "a folder of MNIST IDX files, an HDF5 file in the write-up's layout, "
            "or 'sample' "
            "(default: the cache folder, $NNSCRATCH_DATA or ~/.cache/nnscratch/mnist)"
        ),
    )


def resolve_data(source, progress=True, files=None, quiet=False):
    """Load --data SOURCE; without it, the cache folder, downloading what is missing.

    A cached file whose size or modification time changed since it was
    verified is checked again and fetched again if its digest is wrong.
    `files` (name -> SHA-256 of the decompressed bytes) is the table the
    cache is checked against; tests pass their own.
    """
    if source is not None:
        return load_data(source)
    folder = _fill_cache(FILES if files is None else files, progress, quiet)
    return load_data(folder)


def resolve_test_data(source, progress=True, files=None, quiet=False):
    """(X_test, y_test) of --data SOURCE; from the cache, only the two test files."""
    if source is not None:
        data = load_data(source)
        return data.X_test, data.y_test
    files = FILES if files is None else files
    folder = _fill_cache({n: files[n] for n in TEST_FILES}, progress, quiet)
    return load_idx_split(folder, "t10k")


def _fill_cache(files, progress, quiet):
    folder = default_data_dir()
    log = None if quiet else (lambda line: print(line, file=sys.stderr))
    try:
        download_mnist(folder, files=files, progress=progress and not quiet, log=log)
    except DataError as e:
        raise DataError(
            f"the cache folder {folder} lacks verified MNIST files and downloading "
            f"failed ({e}); set ${DATA_ENV} to a folder holding "
            f"{', '.join(n + '.gz' for n in files)}, pass --data FOLDER, "
            "or use --data sample"
        ) from None
    return folder


def _show_progress(quiet):
    """A progress bar only for a person watching: not with --quiet, not into a file."""
    return not quiet and sys.stderr.isatty()


def cmd_train(args):
    config = _config(args)
    # before the data and the training; creates nothing
    check_output_folder(args.out)
    data = resolve_data(
        args.data, progress=_show_progress(args.quiet), quiet=args.quiet
    )
    from .sweep import run_once

    with staged_folder(args.out) as (folder, result):
        params, history, predictions, record = run_once(
            data, config, args.val, _epoch_printer(config.epochs, args.quiet)
        )
        report = classification_report(data.y_test, predictions)
        hyper = {**config.to_dict(), "val": args.val}
        write_outputs(folder, params, hyper, history, data.y_test, predictions, report)
    if not args.quiet:
        print(report, end="")
    print(
        train_summary(
            history,
            record,
            args.val,
            args.out,
            result["replaced"],
        )
    )
    return 0


def _epoch_printer(epochs, quiet):
    """The on_epoch callback: a line per epoch (none if quiet), a bar on a terminal."""
    if quiet:
        return None
    from tqdm import tqdm

    bar = tqdm(
        total=epochs,
        unit="epoch",
        file=sys.stderr,
        leave=False,
        disable=not _show_progress(quiet),
    )

    def on_epoch(r):
        bar.update(1)
        scores = ", ".join(
            f"{split} loss {r[f'{split}_loss']:.4f}, "
            f"{split} accuracy {r[f'{split}_accuracy']:.4f}"
            for split in ("train", "val", "test")
            if f"{split}_loss" in r
        )
        bar.write(
            f"epoch {r['epoch']:3d}: {scores}, {r['seconds']:.2f} s", file=sys.stdout
        )
        if r["epoch"] == epochs:
            bar.close()

    return on_epoch


def train_summary(history, record, n_val, out, replaced):
    """The last line of `nnscratch train`: accuracy, best epoch, time, folder.

    The time is the training time, the sum of the epochs' `seconds` in
    history.json (evaluation, loading and figures not included).
    """
    seconds = sum(r["seconds"] for r in history)
    accuracy = f"test accuracy {record['test_accuracy']:.4f}"
    if n_val:
        best = f"chose epoch {record['chosen_epoch']} by validation accuracy"
    else:
        top = max(history, key=lambda r: r["test_accuracy"])
        best = f"best {top['test_accuracy']:.4f} at epoch {top['epoch']}"
    epochs = len(history)
    wrote = f"replaced the earlier run in {out}/" if replaced else f"wrote {out}/"
    return (
        f"{accuracy} ({best}), {epochs} epoch{'s' * (epochs != 1)} in {seconds:.1f} s, "
        f"{wrote}"
    )


def cmd_sweep(args):
    # before anything else: a typo in --seeds must not cost a week of training
    if not 1 <= args.seeds <= MAX_SEEDS:
        raise ValueError(
            f"--seeds must be at least 1 and at most {MAX_SEEDS}; got {args.seeds}"
        )
    from .sweep import run_once, summarise, sweep_paths, write_sweep

    if not SAFE_NAME.fullmatch(args.name):
        raise ValueError(
            f"--name must be letters, digits, '.', '_' or '-', starting with a "
            f"letter or digit (it names files inside --out); got {args.name!r}"
        )
    if args.out.exists() and not args.out.is_dir():
        raise OutputError(
            errno.ENOTDIR,
            f"{args.out}: is not a folder; give --out a folder for the sweep's files",
        )
    check_output_files(sweep_paths(args.out, args.name))  # before any training
    configs = [_config(args, seed) for seed in range(args.seeds)]
    data = resolve_data(args.data)
    runs, histories = [], []
    for config in configs:
        _, history, _, record = run_once(data, config, args.val)
        runs.append(record)
        histories.append(history)
        print(
            f"seed {config.seed}: test accuracy {record['test_accuracy']:.4f} "
            f"(epoch {record['chosen_epoch']}), {record['wall_seconds']:.1f} s",
            flush=True,
        )
    sweep = {
        "name": args.name,
        "command": "nnscratch " + shlex.join(map(_printable, args.argv)),
        "config": {
            **configs[0].to_dict(),
            "seed": f"0..{args.seeds - 1}",
            "val": args.val,
        },
        "summary": summarise(runs),
        "runs": runs,
        "histories": histories,
    }
    _draw_to_files()
    print(write_sweep(args.out, sweep), end="")
    return 0


def _printable(arg):
    """`arg` as UTF-8 text: bytes that are not UTF-8 (file names) become \\xNN."""
    return os.fsencode(arg).decode("utf-8", "backslashreplace")


def _draw_to_files():
    """The command line draws into files only: matplotlib's Agg, whatever the desktop.

    Only the command does this; importing `nnscratch.plots` leaves the backend alone.
    """
    import matplotlib

    matplotlib.use("Agg")


def write_outputs(out, params, hyperparameters, history, y_test, predictions, report):
    """Write the five outputs of a run into the folder `out`."""
    _draw_to_files()
    from .plots import plot_confusion, plot_history

    save_model(out / "model.npz", params, hyperparameters)
    atomic_write_text(
        out / "history.json", json.dumps(history, indent=1, allow_nan=False) + "\n"
    )
    atomic_write_text(out / "report.txt", report)
    plot_history(history, out / "curves.png")
    plot_confusion(confusion_matrix(y_test, predictions), out / "confusion.png")


def cmd_evaluate(args):
    params, hyper = load_model(args.model)
    X_test, y_test = resolve_test_data(
        args.data, progress=_show_progress(args.quiet), quiet=args.quiet
    )
    if params["W1"].shape[1] != X_test.shape[0] or params["W2"].shape[0] != 10:
        raise ValueError(
            f"{args.model}: the model is {params['W1'].shape[1]}-"
            f"{params['W1'].shape[0]}-{params['W2'].shape[0]}; the data needs "
            f"{X_test.shape[0]} inputs and 10 classes"
        )
    start = time.perf_counter()
    _, predictions = evaluate(X_test, one_hot(y_test), params, hyper["activation"])
    if not args.quiet:
        print(classification_report(y_test, predictions), end="")
    accuracy = float((predictions == y_test).mean())
    print(
        f"test accuracy {accuracy:.4f} on {len(y_test)} images, "
        f"{time.perf_counter() - start:.1f} s, model {args.model}"
    )
    return 0


def cmd_export(args):
    from .export import export_model

    deviation = export_model(args.model, args.out, args.dtype)
    note = (
        f" (float16: probabilities within {deviation:.1e} of float32 on the sample)"
        if args.dtype == "float16"
        else ""
    )
    print(f"wrote {args.out}{note}")
    return 0


def cmd_download(args):
    folder = args.dir or default_data_dir()
    fetched = download_mnist(
        folder, mirrors=args.mirror, progress=not args.quiet, log=print
    )
    if fetched:
        print(
            f"{folder}: downloaded {len(fetched)} of {len(FILES)} files; all verified"
        )
    else:
        print(
            f"{folder}: all {len(FILES)} files already cached and verified; "
            "nothing downloaded"
        )
    return 0


def cmd_verify(args):
    folder = args.dir or default_data_dir()
    problems = verify_folder(folder)
    for name, problem in problems.items():
        print(f"ok   {name}" if problem is None else f"BAD  {problem}")
    bad = [name for name, problem in problems.items() if problem]
    if bad:
        raise DataError(
            f"{folder}: {len(bad)} of {len(FILES)} files failed verification "
            f"({', '.join(bad)}); fetch them again with "
            f"'nnscratch data download --dir {folder}'"
        )
    print(f"{folder}: all {len(FILES)} files match the official SHA-256")
    return 0


def cmd_export_hdf5(args):
    data = resolve_data(args.data)
    export_hdf5(data, args.out)
    print(
        f"wrote {args.out}: x_train {data.X_train.shape[::-1]}, "
        f"x_test {data.X_test.shape[::-1]} "
        "float32 in [0, 1]; y_train, y_test (m, 1) uint8"
    )
    return 0


def cmd_make_sample(args):
    make_sample(args.folder, args.out, seed=args.seed)
    print(f"wrote {args.out}")
    return 0


def main(argv=None):
    argv = sys.argv[1:] if argv is None else list(argv)
    args = build_parser().parse_args(argv)
    args.argv = argv  # recorded by `sweep` as the command that reproduces its table
    try:
        return args.func(args)
    except USER_ERRORS as e:
        print(f"nnscratch: error: {e}", file=sys.stderr)
        return 2
    except MemoryError:
        print(
            "nnscratch: error: out of memory; lower --n_h or --batch_size, free some "
            f"memory, or set ${MEMORY_ENV} to what this machine can give so that "
            "nnscratch refuses first",
            file=sys.stderr,
        )
        return 2
    except KeyboardInterrupt:
        print("nnscratch: interrupted", file=sys.stderr)
        return 130
