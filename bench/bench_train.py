"""Training speed of nnscratch beside its references, measured in one run.

Command (from the repository root):

    python bench/bench_train.py                  # print the table
    python bench/bench_train.py --write-docs     # ... and write docs/results/bench/

`--write-docs` writes two files: `table.md`, the short table the Results page
shows (each loop's seconds per epoch and its time relative to nnscratch's), and
`raw.md`, this script's whole output (every thread count, GFLOP/s, the goals).

What it measures, all in the same process, one contender after the other in
interleaved rounds so that a change in the machine's load hits them alike:

* the float32 GEMM peak: a 2048 x 2048 x 2048 product on 1 and 2 threads;
* the epoch's GEMMs alone: the five matrix products of every mini-batch at
  their real shapes, reading each batch from a pre-shuffled copy of the data,
  with nothing else (no gather, activation, softmax or update);
* `nnscratch.train_epoch`, the readable training loop the site documents;
* the PyTorch CPU reference (`torch_reference.py`), if torch is installed;
* the write-up's procedure (`writeup_baseline.py`) and nnscratch's full
  reproduction (`nnscratch.train` with a train and test evaluation after
  every epoch), timed per epoch over a few epochs: 50 epochs take 50 times
  as long, so the ratio is the same.

Each contender runs at 1 and 2 BLAS threads (PyTorch: intra-op threads) and
is reported at its best. Times are wall-clock medians of the timed epochs
after one warm-up epoch. Needs the MNIST files (`--data FOLDER`, else the
nnscratch cache folder, else ../shared/mnist); without them it times random
data of the same shape and says so.
"""

import argparse
import os
import platform
import statistics
import sys
import time
from pathlib import Path

import numpy as np
from threadpoolctl import threadpool_info, threadpool_limits

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

import nnscratch  # noqa: E402
from nnscratch import TrainConfig, init_params, init_velocity, one_hot, train, train_epoch  # noqa: E402
from nnscratch.data import DataError, Dataset, atomic_write_text, load_idx_folder  # noqa: E402
from nnscratch.train import batch_slices  # noqa: E402

import writeup_baseline  # noqa: E402

try:
    import torch
    import torch_reference
except ImportError:  # the optional `bench` extra is not installed
    torch = None

DOCS_TABLE = ROOT / "docs" / "results" / "bench" / "table.md"  # on the Results page
DOCS_RAW = ROOT / "docs" / "results" / "bench" / "raw.md"  # the whole output, kept
THREADS = (1, 2)
GOALS = {"torch": 0.5, "gemm": 1.5, "writeup": 4.0}


# ---------------------------------------------------------------- data

def find_data(source):
    """MNIST as a `Dataset`, and a note saying where it came from."""
    candidates = [Path(source)] if source else []
    if not source:
        cache = os.environ.get("NNSCRATCH_DATA") or Path.home() / ".cache" / "nnscratch" / "mnist"
        candidates += [Path(cache), ROOT.parent / "shared" / "mnist",
                       ROOT.parent.parent / "shared" / "mnist"]  # from a worktree
    for folder in candidates:
        if folder.is_dir():
            try:
                return load_idx_folder(folder), f"MNIST from {folder}"
            except DataError:
                if source:
                    raise
    if source:
        raise DataError(f"{source}: no such folder; pass --data FOLDER holding the four MNIST IDX files")
    rng = np.random.default_rng(0)
    data = Dataset(rng.random((784, 60000), dtype=np.float32), rng.integers(0, 10, 60000),
                   rng.random((784, 10000), dtype=np.float32), rng.integers(0, 10, 10000))
    return data, "random data of MNIST's shape (no MNIST files found; timings barely depend on values)"


# ---------------------------------------------------------------- workloads

def flops_per_epoch(m, n_x=784, n_h=64, K=10):
    """Multiply-adds x 2 of one training epoch: forward 2(n_x n_h + n_h K), backward dW1, dW2, dA1."""
    return m * (2 * (n_x * n_h + n_h * K) + 2 * (n_h * n_x + 2 * n_h * K))


def eval_flops(m, n_x=784, n_h=64, K=10):
    return m * 2 * (n_x * n_h + n_h * K)


def gemm_peak(threads, n=2048, reps=5):
    """GFLOP/s of an n^3 float32 product, the best of `reps` (a peak, so not the median)."""
    rng = np.random.default_rng(0)
    A, B = rng.random((n, n), dtype=np.float32), rng.random((n, n), dtype=np.float32)
    C = np.empty_like(A)
    with threadpool_limits(threads, user_api="blas"):
        np.matmul(A, B, out=C)
        times = []
        for _ in range(reps):
            start = time.perf_counter()
            np.matmul(A, B, out=C)
            times.append(time.perf_counter() - start)
    return 2 * n**3 / min(times) / 1e9


def epoch_gemms(X, params, rng, batch_size):
    """One epoch's five GEMMs per batch at their real shapes, nothing else."""
    X_shuffled = np.asfortranarray(X[:, rng.permutation(X.shape[1])])
    W1, W2 = params["W1"], params["W2"]
    n_h, K = W1.shape[0], W2.shape[0]
    A1 = rng.random((n_h, batch_size), dtype=np.float32)
    dZ2 = rng.random((K, batch_size), dtype=np.float32)
    dZ1 = rng.random((n_h, batch_size), dtype=np.float32)

    def run():
        for s in batch_slices(X.shape[1], batch_size):
            X_batch, mb = X_shuffled[:, s], s.stop - s.start
            W1 @ X_batch                    # Z1 (n_h, mb)
            W2 @ A1[:, :mb]                 # Z2 (K, mb)
            dZ2[:, :mb] @ A1[:, :mb].T      # dW2 (K, n_h)
            W2.T @ dZ2[:, :mb]              # dA1 (n_h, mb)
            dZ1[:, :mb] @ X_batch.T         # dW1 (n_h, n_x)
    return run


def nnscratch_epoch(X, Y, config):
    rng = np.random.default_rng(config.seed)
    params = init_params(X.shape[0], config.n_h, Y.shape[0], rng=rng)
    velocity = init_velocity(params)
    X_cols, Y_cols = np.asfortranarray(X), np.asfortranarray(Y)  # as `train` arranges them
    return lambda: train_epoch(X_cols, Y_cols, params, velocity, config, rng)


def torch_epoch(X, y, config):
    params = init_params(X.shape[0], config.n_h, 10, rng=np.random.default_rng(config.seed))
    epoch, _ = torch_reference.make_epoch(np.ascontiguousarray(X.T), y, params, lr=config.lr,
                                          beta=config.beta, batch_size=config.batch_size,
                                          seed=config.seed)
    return epoch


def set_threads(n):
    limiter = threadpool_limits(n)
    if torch is not None:
        torch.set_num_threads(n)
    return limiter


def interleaved(contenders, epochs):
    """{(name, threads): [seconds, ...]}: warm-up, then `epochs` rounds of one epoch each."""
    times = {}
    for threads in THREADS:
        with set_threads(threads):
            for run in contenders.values():
                run()  # warm-up
            for _ in range(epochs):
                for name, run in contenders.items():
                    start = time.perf_counter()
                    run()
                    times.setdefault((name, threads), []).append(time.perf_counter() - start)
    return times


def full_runs(data, config, epochs):
    """Per-epoch seconds of the full reproductions (training + evaluation after every epoch).

    The two alternate epoch by epoch: `train`'s per-epoch callback runs one
    epoch of the write-up's procedure, and that time is left out of ours.
    """
    Y_train, Y_test = one_hot(data.y_train), one_hot(data.y_test)
    times = {}
    for threads in THREADS:
        with set_threads(threads):
            baseline = writeup_baseline.epochs(data.X_train, data.y_train, data.X_test, data.y_test,
                                               seed=config.seed)
            ours, theirs, resumed = [], [], [None]

            def on_epoch(record):
                if resumed[0] is not None:  # our epoch 1 (with setup) is the warm-up
                    ours.append(time.perf_counter() - resumed[0])
                with np.errstate(all="ignore"):  # its unshifted softmax and log(0) may warn
                    theirs.append(next(baseline))
                resumed[0] = time.perf_counter()

            train(data.X_train, Y_train, TrainConfig(epochs=epochs + 1, seed=config.seed),
                  X_test=data.X_test, Y_test=Y_test, on_epoch=on_epoch)
            theirs = theirs[1:]  # its first epoch is the warm-up
            times[("ours_full", threads)] = ours
            times[("writeup_full", threads)] = [r["train_seconds"] + r["eval_seconds"] for r in theirs]
            times[("writeup_train", threads)] = [r["train_seconds"] for r in theirs]
    return times


# ---------------------------------------------------------------- report

def best(times, name):
    """(median seconds, threads) at the best thread count."""
    medians = {t: statistics.median(v) for (n, t), v in times.items() if n == name}
    threads = min(medians, key=medians.get)
    return medians[threads], threads


def machine():
    cpu = platform.processor() or platform.machine()
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    blas = [f"{i.get('internal_api')} {i.get('version')} ({i.get('architecture')}, "
            f"{i.get('threading_layer', '')})".replace(", )", ")")
            for i in threadpool_info() if i.get("user_api") == "blas"]
    env = " ".join(f"{k}={os.environ[k]}" for k in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")
                   if k in os.environ)
    return {
        "CPU": f"{cpu}, {os.cpu_count()} logical cores",
        "Python": platform.python_version(),
        "NumPy": f"{np.__version__}; BLAS: {'; '.join(blas) or 'unknown'}" + (f"; {env}" if env else ""),
        "PyTorch": torch.__version__ if torch is not None else "not installed (column skipped)",
        "nnscratch": nnscratch.__version__,
    }


def build_table(times, peaks, m, m_eval):
    gemm, gemm_t = best(times, "gemm")
    ours, ours_t = best(times, "ours")
    torch_s = best(times, "torch") if ("torch", 1) in times else None
    wu_train, wu_train_t = best(times, "writeup_train")
    full, full_t = best(times, "ours_full")
    wu_full, wu_full_t = best(times, "writeup_full")
    train_flop, full_flop = flops_per_epoch(m), flops_per_epoch(m) + eval_flops(m_eval)

    def row(label, seconds, threads, flop, vs_baseline=None, compare=True):
        gflops = flop / seconds / 1e9
        cells = [label, str(threads), f"{seconds:.3f}", f"{m / seconds:,.0f}", f"{gflops:.1f}",
                 f"{gflops / peaks[threads]:.0%}"]
        cells.append(f"{seconds / torch_s[0]:.2f}" if compare and torch_s else "—")
        cells.append(f"{seconds / gemm:.2f}" if compare else "—")
        cells.append(f"{vs_baseline / seconds:.1f}x" if vs_baseline else "—")
        return cells

    rows = [
        row("epoch's GEMMs alone (real shapes)", gemm, gemm_t, train_flop, wu_train),
        row("**nnscratch `train_epoch`**", ours, ours_t, train_flop, wu_train),
    ]
    if torch_s:
        rows.append(row("PyTorch reference (autograd, same loop)", *torch_s, train_flop, wu_train))
    rows += [
        row("write-up's procedure, training only", wu_train, wu_train_t, train_flop, None),
        row("**nnscratch `train()`** + eval every epoch", full, full_t, full_flop, wu_full, False),
        row("write-up's procedure + eval every epoch", wu_full, wu_full_t, full_flop, None, False),
    ]
    header = ["", "threads", "s/epoch", "examples/s", "GFLOP/s", "of GEMM peak",
              "× PyTorch", "× GEMM-only", "speed-up over write-up"]
    same = {t: statistics.median(times[("ours", t)]) / statistics.median(times[("gemm", t)])
            for t in THREADS}
    goals = [
        ("nnscratch / GEMM-only time per epoch (each at its best thread count; at the same count: "
         + ", ".join(f"{same[t]:.2f} on {t}" for t in THREADS) + ")", ours / gemm, "<=",
         GOALS["gemm"]),
        ("write-up / nnscratch, 50 epochs with per-epoch evaluation", wu_full / full, ">=",
         GOALS["writeup"]),
    ]
    if torch_s:
        goals.insert(0, ("nnscratch / PyTorch time per epoch", ours / torch_s[0], "<=", GOALS["torch"]))
    return header, rows, goals


READER_ROWS = (  # (key in `times`, what a reader is told was timed)
    ("ours", "nnscratch `train_epoch`"),
    ("torch", "PyTorch CPU, the same loop with autograd"),
    ("writeup_train", "the write-up's procedure, re-implemented"),
    ("gemm", "the matrix products alone"),
)


def reader_table(medians, info):
    """The Results page's table: seconds per epoch at each loop's best thread count.

    Args:
        medians: {(name, threads): median seconds per epoch}.
        info: machine description from `machine()`, with the command.
    """
    def fastest(name):
        return min((s, t) for (n, t), s in medians.items() if n == name)

    ours = fastest("ours")[0]
    lines = ["| loop timed | s per epoch | time ÷ nnscratch's |", "|---|---:|---:|"]
    for name, label in READER_ROWS:
        if any(n == name for n, _ in medians):
            seconds, threads = fastest(name)
            lines.append(f"| {label} ({threads} thread{'s' * (threads > 1)}) "
                         f"| {seconds:.3f} | {seconds / ours:.2f} |")
    full, wu_full = fastest("ours_full")[0], fastest("writeup_full")[0]
    lines += ["", "With the evaluation of the training and test sets after every "
              f"epoch, as in a full 50-epoch run: nnscratch {full:.3f} s per epoch, "
              f"the write-up's procedure {wu_full:.3f} s, {wu_full / full:.1f} times "
              "as long.", "",
              f"Measured on: {info['CPU']}; Python {info['Python']}; "
              f"NumPy {info['NumPy'].split(';')[0]}; PyTorch {info['PyTorch']}. "
              f"Command: {info['Command']}."]
    return "\n".join(lines) + "\n"


def render(header, rows, goals, peaks, info, notes, markdown):
    lines = []
    if markdown:
        lines += ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
        lines += ["| " + " | ".join(r) + " |" for r in rows]
    else:
        widths = [max(len(str(c)) for c in col) for col in zip(header, *rows)]
        for r in [header, *rows]:
            lines.append("  ".join(str(c).replace("**", "").ljust(w) for c, w in zip(r, widths)))
    lines.append("")
    bullet = "- " if markdown else ""
    lines.append(f"{bullet}GEMM peak, float32 2048³, best of 10 (5 before, 5 after): " + ", ".join(
        f"{peaks[t]:.0f} GFLOP/s on {t} thread{'s' * (t > 1)}" for t in THREADS))
    for text, value, op, target in goals:
        met = value <= target if op == "<=" else value >= target
        lines.append(f"{bullet}Goal {text} {op} {target}: measured {value:.2f}, "
                     f"{'met' if met else 'NOT met'}")
    for key, value in info.items():
        lines.append(f"{bullet}{key}: {value}")
    for note in notes:
        lines.append(f"{bullet}{note}")
    return "\n".join(lines) + "\n"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", help="folder with the four MNIST IDX files")
    parser.add_argument("--epochs", type=int, default=7,
                        help="timed epochs per contender after one warm-up (default 7, at least 5)")
    parser.add_argument("--full-epochs", type=int, default=3,
                        help="timed epochs of each full reproduction after one warm-up (default 3)")
    parser.add_argument("--write-docs", action="store_true",
                        help=f"also write {DOCS_TABLE.relative_to(ROOT)} and raw.md beside it")
    args = parser.parse_args(argv)
    if args.epochs < 5 or args.full_epochs < 1:
        parser.error("--epochs must be at least 5 and --full-epochs at least 1")
    try:
        data, data_note = find_data(args.data)
    except DataError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    load_start = os.getloadavg()[0]
    config = TrainConfig()
    X, y = data.X_train, data.y_train
    Y = one_hot(y)
    peaks = {t: gemm_peak(t) for t in THREADS}
    contenders = {
        "gemm": epoch_gemms(X, init_params(rng=np.random.default_rng(1)), np.random.default_rng(2),
                            config.batch_size),
        "ours": nnscratch_epoch(X, Y, config),
    }
    if torch is not None:
        contenders["torch"] = torch_epoch(X, y, config)
    times = interleaved(contenders, args.epochs)
    times.update(full_runs(data, config, args.full_epochs))
    peaks = {t: max(peaks[t], gemm_peak(t)) for t in THREADS}  # once before, once after
    header, rows, goals = build_table(times, peaks, X.shape[1], X.shape[1] + data.X_test.shape[1])
    info = machine()
    info["Load average (1 min) at start / end"] = f"{load_start:.2f} / {os.getloadavg()[0]:.2f}"
    info["Command"] = "`python bench/bench_train.py" + "".join(" " + a for a in (argv or sys.argv[1:])) + "`"
    notes = [
        f"Data: {data_note}.",
        f"Times: wall-clock median of {args.epochs} epochs after a warm-up, contenders interleaved "
        f"round by round, each at its best thread count ({', '.join(map(str, THREADS))} tried). "
        f"Full reproductions: median of {args.full_epochs} epochs after the first, ours and the "
        "write-up's alternating epoch by epoch; "
        "50 epochs take 50 times as long, the ratio is the same.",
        "GFLOP/s counts the multiply-adds (x2) of the forward and backward GEMMs "
        f"({flops_per_epoch(X.shape[1]) / 1e9:.2f} GFLOP per training epoch; the full rows add "
        "the evaluation's forward passes).",
        "Per thread count (median s/epoch): " + "; ".join(
            f"{name} {t}: {statistics.median(v):.3f}" for (name, t), v in sorted(times.items())),
    ]
    if torch is None:
        notes.append("PyTorch is not installed (`pip install -e \".[bench]\"`), so its row and the "
                     "× PyTorch column are skipped.")
    print(render(header, rows, goals, peaks, info, notes, markdown=False), end="")
    if args.write_docs:
        DOCS_TABLE.parent.mkdir(parents=True, exist_ok=True)
        stamp = "<!-- generated by python bench/bench_train.py --write-docs; do not edit -->\n\n"
        raw = render(header, rows, goals, peaks, info, notes, markdown=True)
        atomic_write_text(DOCS_RAW, stamp + raw)
        medians = {key: statistics.median(v) for key, v in times.items()}
        atomic_write_text(DOCS_TABLE, stamp + reader_table(medians, info))
        print(f"wrote {DOCS_TABLE.relative_to(ROOT)} and {DOCS_RAW.name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
