"""A run's outputs change as a unit: kills, concurrent runs, a size limit and Ctrl-C
never mix two runs or leave a partial folder, and an unusable --out is refused before
any training."""

import hashlib
import io
import json
import os
import random
import resource
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from nnscratch import (
    classification_report,
    confusion_matrix,
    evaluate,
    load_model,
    load_sample,
)
from nnscratch import one_hot
from nnscratch.cli import main
from nnscratch.fileio import folder_lock, remove_stale

OUTPUTS = ("model.npz", "history.json", "report.txt", "curves.png", "confusion.png")


def train_argv(out, seed, epochs=1):
    return [
        sys.executable,
        "-m",
        "nnscratch",
        "train",
        "--data",
        "sample",
        "--n_h",
        "8",
        "--batch_size",
        "128",
        "--seed",
        str(seed),
        "--epochs",
        str(epochs),
        "--out",
        str(out),
        "--quiet",
    ]


def snapshot(folder):
    """name -> SHA-256 of every entry of `folder` (hidden ones included)."""
    return {
        p.name: hashlib.sha256(p.read_bytes()).hexdigest() if p.is_file() else "dir"
        for p in sorted(folder.iterdir())
    }


def png(draw, *args):
    """The PNG bytes nnscratch's plotting code gives for these arguments."""
    from nnscratch.plots import plot_confusion, plot_history  # noqa: F401

    buffer = io.BytesIO()
    fig = draw(*args)
    fig.savefig(buffer, format="png", dpi=120)
    import matplotlib.pyplot as plt

    plt.close(fig)
    return buffer.getvalue()


def assert_one_complete_run(folder):
    """All five outputs are there and come from one run: the model, the history, the
    report and both figures agree with each other (the figures are redrawn from the
    files)."""
    from nnscratch.plots import plot_confusion, plot_history

    assert sorted(p.name for p in folder.iterdir()) == sorted(OUTPUTS)
    params, hyper = load_model(folder / "model.npz")
    history = json.loads((folder / "history.json").read_text())
    assert [r["epoch"] for r in history] == list(range(1, hyper["epochs"] + 1))
    d = load_sample()
    loss, predictions = evaluate(
        d.X_test, one_hot(d.y_test), params, hyper["activation"]
    )
    assert history[-1]["test_loss"] == pytest.approx(loss, rel=1e-5)
    assert (folder / "report.txt").read_text() == classification_report(
        d.y_test, predictions
    )
    assert (folder / "curves.png").read_bytes() == png(plot_history, history)
    C = confusion_matrix(d.y_test, predictions)
    assert (folder / "confusion.png").read_bytes() == png(plot_confusion, C)
    return hyper["seed"]


def leftovers(parent):
    """Hidden temporaries or locks beside or inside the run folders of `parent`."""
    return [p for p in parent.rglob(".*")]


def dead_pid():
    process = subprocess.Popen(["true"])
    process.wait()
    return process.pid


@pytest.fixture
def old_run(tmp_path):
    """An earlier complete run (seed 1) in tmp_path/run, and the snapshot of its
    files."""
    out = tmp_path / "run"
    subprocess.run(train_argv(out, seed=1), check=True, capture_output=True)
    return out, snapshot(out)


@pytest.mark.slow(reason="trains a run in a subprocess first, then races it")
def test_kill_9_at_random_moments_leaves_the_old_run_or_the_new_one(old_run):
    """Five `kill -9` at random moments of a second run never leave a mixed, partial or
    missing folder: each time it is the old run byte for byte or a complete new run; the
    next run then removes every temporary the killed ones left."""
    out, old = old_run
    start = time.monotonic()
    subprocess.run(
        train_argv(out.parent / "timing", seed=2), check=True, capture_output=True
    )
    duration = time.monotonic() - start
    draw = random.Random(13)  # the same delays on every run of the test
    outcomes = []
    for _ in range(5):
        process = subprocess.Popen(
            train_argv(out, seed=2),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        time.sleep(draw.uniform(0.5, 1.1) * duration)
        process.send_signal(signal.SIGKILL)
        process.wait()
        current = snapshot(out)
        if current == old:
            outcomes.append("old")
        else:
            assert assert_one_complete_run(out) == 2
            outcomes.append("new")
            old = current
    subprocess.run(train_argv(out, seed=3), check=True, capture_output=True)
    assert assert_one_complete_run(out) == 3
    assert leftovers(out.parent) == []
    print("outcomes of the kills:", outcomes)


@pytest.mark.slow(reason="trains a run in a subprocess first, then races it")
def test_two_concurrent_runs_into_one_folder_never_mix(old_run):
    """Two runs started together into one --out: one wins, the other is refused with
    exit 2 and one line (or runs after it), and the folder holds one complete run."""
    out, _ = old_run
    processes = [
        subprocess.Popen(
            train_argv(out, seed=s, epochs=4),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for s in (4, 5)
    ]
    results = [(p.wait(timeout=300), p.stderr.read()) for p in processes]
    for p in processes:
        p.stdout.close()
        p.stderr.close()
    assert 0 in [code for code, _ in results]
    for code, err in results:
        assert code == 0 or (
            code == 2
            and "another nnscratch process is writing" in err
            and len(err.splitlines()) == 1
        )
    assert assert_one_complete_run(out) in (4, 5)
    assert leftovers(out.parent) == []


@pytest.mark.slow(reason="trains a run first, then replaces or keeps it")
def test_a_held_lock_refuses_the_run_before_training(old_run, monkeypatch, capsys):
    """While another process holds the folder, `train` exits 2 at once and changes
    nothing."""
    out, old = old_run
    monkeypatch.setattr(
        "nnscratch.sweep.run_once", lambda *a, **k: pytest.fail("trained")
    )
    with folder_lock(out):
        assert main(["train", "--data", "sample", "--out", str(out), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert f"{out}: another nnscratch process is writing this folder now" in err
    assert snapshot(out) == old and leftovers(out.parent) == []


@pytest.mark.slow(reason="trains a run first, then replaces or keeps it")
def test_a_file_size_limit_names_the_path_and_keeps_the_old_run(old_run):
    """Under `ulimit -f` big enough for the model but not for a figure, `train` exits 2
    with one line naming the folder and the reason ([Errno 27]), and the earlier run is
    left exactly as it was."""
    out, old = old_run

    def limit():
        resource.setrlimit(resource.RLIMIT_FSIZE, (35_000, 35_000))

    result = subprocess.run(
        train_argv(out, seed=2), preexec_fn=limit, capture_output=True, text=True
    )
    assert result.returncode == 2, result.stderr
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert f"[Errno 27] cannot write {out} (File too large)" in result.stderr
    assert snapshot(out) == old and leftovers(out.parent) == []


@pytest.mark.slow(reason="trains a run first, then replaces or keeps it")
def test_ctrl_c_during_training_leaves_the_old_run(old_run, monkeypatch, capsys):
    """An interrupt during training exits 130 and leaves neither staging folder nor
    change."""
    out, old = old_run

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr("nnscratch.sweep.run_once", interrupted)
    assert main(["train", "--data", "sample", "--out", str(out), "--quiet"]) == 130
    assert capsys.readouterr().err == "nnscratch: interrupted\n"
    assert snapshot(out) == old and leftovers(out.parent) == []


@pytest.mark.parametrize(
    "make,needle",
    [
        (
            lambda t: (t / "file").write_text("x") and t / "file" / "run",
            "is not a folder",
        ),
        (
            lambda t: (t / "run.txt").write_text("x") and t / "run.txt",
            "is not a folder",
        ),
        (
            lambda t: (t / "proj" / "src").mkdir(parents=True) or t / "proj",
            "holds the folder(s) src",
        ),
        (
            lambda t: (t / "real").mkdir()
            or (t / "link").symlink_to(t / "real")
            or t / "link",
            "is a symbolic link",
        ),
        (lambda t: t / "sub" / "..", "give --out a folder of its own"),
    ],
)
def test_an_unusable_out_is_refused_before_training(
    make, needle, tmp_path, monkeypatch, capsys
):
    """--out inside a file, naming a file, holding sub-folders (which a swap would
    delete), a symbolic link or `..` is refused with exit 2 before any data is loaded
    or training done, creating nothing."""
    out = make(tmp_path)
    before = sorted(tmp_path.rglob("*"))
    monkeypatch.setattr(
        "nnscratch.cli.resolve_data", lambda *a, **k: pytest.fail("loaded")
    )
    assert main(["train", "--data", "sample", "--out", str(out), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert needle in err and str(out) in err and len(err.splitlines()) == 1
    assert sorted(tmp_path.rglob("*")) == before


@pytest.mark.slow(reason="trains a run first, then replaces or keeps it")
def test_notes_kept_in_out_survive_a_new_run(old_run):
    """A file the user put beside a run (summary.md) is carried into the new run's
    folder."""
    out, _ = old_run
    (out / "summary.md").write_text("my notes\n")
    subprocess.run(train_argv(out, seed=2), check=True, capture_output=True)
    assert (out / "summary.md").read_text() == "my notes\n"
    assert (out / "model.npz").exists() and leftovers(out.parent) == []


def test_stale_temporaries_of_dead_processes_are_removed_and_live_ones_kept(tmp_path):
    """Temporaries named with a dead PID are removed (an interrupted swap's old folder
    is put back); those of a live process are never touched."""
    pid, mine = dead_pid(), os.getpid()
    (tmp_path / f".model.npz.{pid}.tmp").write_bytes(b"partial")
    (tmp_path / f".run.{pid}.new").mkdir()
    (
        tmp_path / f".other.{pid}.old"
    ).mkdir()  # `other` is missing: this was its earlier run
    (tmp_path / f".model.npz.{mine}.tmp").write_bytes(b"being written")
    (tmp_path / f".t10k-labels-idx1-ubyte.gz.{pid}.part").write_bytes(b"cut")
    removed = remove_stale(tmp_path)
    assert len(removed) == 4
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        f".model.npz.{mine}.tmp",
        "other",
    ]


def test_library_atomic_write_fsyncs_the_file_before_the_rename_and_the_folder_after(
    tmp_path, monkeypatch
):
    """The atomic writer flushes the temporary to disk, renames it, then flushes the
    folder."""
    from nnscratch import fileio

    events = []
    real_fsync, real_replace = os.fsync, os.replace
    monkeypatch.setattr(
        fileio.os,
        "fsync",
        lambda fd: (
            events.append(
                ("fsync", os.path.basename(os.readlink(f"/proc/self/fd/{fd}")))
            ),
            real_fsync(fd),
        ),
    )
    monkeypatch.setattr(
        fileio.os,
        "replace",
        lambda a, b: (events.append(("replace", Path(b).name)), real_replace(a, b)),
    )
    fileio.atomic_write_text(tmp_path / "x.txt", "hello")
    tmp = f".x.txt.{os.getpid()}.tmp"
    assert events == [("fsync", tmp), ("replace", "x.txt"), ("fsync", tmp_path.name)]
    assert (tmp_path / "x.txt").read_text() == "hello"
    assert np.array_equal(sorted(p.name for p in tmp_path.iterdir()), ["x.txt"])


def test_without_an_atomic_exchange_the_swap_uses_two_renames(tmp_path, monkeypatch):
    """Where the system cannot exchange two names (not Linux), replace_folder renames
    the old folder aside, puts the new one in place and removes the old: same result."""
    from nnscratch import fileio

    monkeypatch.setattr(fileio, "exchange", lambda a, b: False)
    final, new = tmp_path / "run", tmp_path / ".run.1.new"
    final.mkdir()
    (final / "model.npz").write_text("old")
    new.mkdir()
    (new / "model.npz").write_text("new")
    assert fileio.replace_folder(new, final) is True
    assert (final / "model.npz").read_text() == "new"
    assert [p.name for p in tmp_path.iterdir()] == ["run"]
