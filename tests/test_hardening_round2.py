"""Hardening, round two (issue 19): device nodes and FIFOs as targets and inputs,
content a user makes inside --out during a run, sweep's three outputs as a unit,
models that claim more than `train` accepts, deep JSON, float32 overflow, redirect
loops, Ctrl-C from the first line of the entry point, the memory budget and `~`.

Device nodes and FIFOs are made in a temporary folder, never the machine's own;
interrupts are sent at named points (an import, a destructor), never on a timer."""

import errno
import io
import json
import os
import signal
import stat
import subprocess
import sys
import threading
import zipfile
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import numpy as np
import pytest

from nnscratch import DataError, ModelFileError, load_hdf5, load_model, save_model
from nnscratch.cli import main
from nnscratch.data import verify_folder
from nnscratch.download import default_data_dir, download_mnist, fetch_file
from nnscratch.fileio import OutputError, staged_folder
from test_download import DIGESTS, GZ, QuietServer
from test_hardening_models import good_params, npy_bytes

MEMORY_ENV = "NNSCRATCH_MEMORY"


# --- helpers --------------------------------------------------------------------------
class Hung(Exception):
    """A read that should have been refused at once blocked instead."""


@pytest.fixture
def no_hang():
    """Fail (instead of hanging the suite) if the test blocks for more than 20 s."""

    def hung(signum, frame):
        raise Hung("blocked for 20 s: a FIFO was opened instead of refused")

    previous = signal.signal(signal.SIGALRM, hung)
    signal.alarm(20)
    yield
    signal.alarm(0)
    signal.signal(signal.SIGALRM, previous)


def make_device(path):
    """A character device like /dev/null (1, 3) at `path`, or skip where not allowed."""
    try:
        os.mknod(path, stat.S_IFCHR | 0o666, os.makedev(1, 3))
    except PermissionError:
        pytest.skip("mknod is not permitted here (needs CAP_MKNOD)")
    return path


def make_node(kind, path):
    if kind == "fifo":
        os.mkfifo(path)
        return path
    return make_device(path)


def model_file(tmp_path, n_h=8, dtype=np.float32, name="model.npz", **hyper):
    path = tmp_path / name
    params = good_params(dtype)
    if n_h != 8:
        rng = np.random.default_rng(5)
        params = {
            "W1": (rng.standard_normal((n_h, 784)) * 0.05).astype(dtype),
            "b1": np.zeros((n_h, 1), dtype),
            "W2": rng.standard_normal((10, n_h)).astype(dtype),
            "b2": np.zeros((10, 1), dtype),
        }
    save_model(path, params, {"activation": "sigmoid", **hyper})
    return path


def raw_model(path, params, hyper_text='{"activation": "sigmoid"}'):
    """A model archive written member by member, bypassing save_model's checks."""
    with zipfile.ZipFile(path, "w") as z:
        for k, v in params.items():
            z.writestr(f"{k}.npy", npy_bytes(v))
        z.writestr("format_version.npy", npy_bytes(np.array(1)))
        z.writestr("hyperparameters.npy", npy_bytes(np.array(hyper_text)))
    return path


def one_error_line(capsys):
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("nnscratch: error: "), err
    return err


# --- 1. a device node or FIFO as an output target -------------------------------------
@pytest.mark.parametrize("kind", ["fifo", "device"])
@pytest.mark.parametrize("command", ["export", "export-hdf5"])
def test_an_output_that_is_a_device_or_fifo_is_refused(kind, command, tmp_path, capsys):
    target = make_node(kind, tmp_path / "X")
    argv = (
        ["export", str(model_file(tmp_path)), str(target)]
        if command == "export"
        else ["data", "export-hdf5", str(target), "--data", "sample"]
    )
    assert main(argv) == 2
    err = one_error_line(capsys)
    assert f"{target}: is a {'FIFO' if kind == 'fifo' else 'character device'}" in err
    mode = os.lstat(target).st_mode
    assert (stat.S_ISFIFO if kind == "fifo" else stat.S_ISCHR)(mode)
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []


# --- 2. what the user makes inside --out during a run is never deleted ----------------
def train_args(out):
    return [
        "train", "--data", "sample", "--n_h", "4", "--epochs", "1",
        "--batch_size", "256", "--out", str(out), "--quiet",
    ]  # fmt: skip


def during_the_run(monkeypatch, action):
    """Run `action` while the run writes its outputs (after training, before the
    swap)."""
    import nnscratch.cli as cli

    original = cli.write_outputs

    def writing(*args, **kwargs):
        original(*args, **kwargs)
        action()

    monkeypatch.setattr(cli, "write_outputs", writing)


def test_a_folder_made_inside_out_during_a_run_is_kept(tmp_path, monkeypatch, capsys):
    out = tmp_path / "out"
    out.mkdir()
    (out / "model.npz").write_text("the earlier run")
    draft = out / "thesis" / "ch1" / "draft.tex"

    def user():
        draft.parent.mkdir(parents=True)
        draft.write_text("x")

    during_the_run(monkeypatch, user)
    assert main(train_args(out)) == 2
    err = one_error_line(capsys)
    assert draft.read_text() == "x"
    kept = [p for p in tmp_path.iterdir() if p.name.startswith("out.new")]
    assert len(kept) == 1 and not kept[0].name.startswith(".")
    assert str(kept[0]) in err and "thesis" in err
    assert (kept[0] / "model.npz").is_file() and (kept[0] / "confusion.png").is_file()
    load_model(kept[0] / "model.npz")
    assert (out / "model.npz").read_text() == "the earlier run"  # left as it was


def test_a_file_made_at_the_out_path_during_a_run_is_kept(
    tmp_path, monkeypatch, capsys
):
    out = tmp_path / "out"
    during_the_run(monkeypatch, lambda: out.write_text("mine"))
    assert main(train_args(out)) == 2
    err = one_error_line(capsys)
    assert out.read_text() == "mine"
    kept = [p for p in tmp_path.iterdir() if p.name.startswith("out.new")]
    assert len(kept) == 1 and str(kept[0]) in err
    load_model(kept[0] / "model.npz")
    # the next run refuses the file at --out up front and deletes nothing
    monkeypatch.undo()
    assert main(train_args(out)) == 2 and out.read_text() == "mine"


def test_content_made_between_the_last_check_and_the_swap_is_swapped_back(
    tmp_path, monkeypatch
):
    """The check before the swap can be overtaken: what is found in the earlier folder
    after the swap puts it back, and the new run is kept beside it."""
    import nnscratch.fileio as fileio

    out = tmp_path / "out"
    out.mkdir()
    (out / "model.npz").write_text("old")
    original = fileio.exchange

    def late(a, b):
        (Path(b) / "late").mkdir()
        (Path(b) / "late" / "notes.txt").write_text("late")
        return original(a, b)

    monkeypatch.setattr(fileio, "exchange", late)
    with pytest.raises(OutputError, match="late") as caught:
        with staged_folder(out) as (folder, _):
            (folder / "model.npz").write_text("new")
    assert (out / "late" / "notes.txt").read_text() == "late"
    assert (out / "model.npz").read_text() == "old"
    kept = [p for p in tmp_path.iterdir() if p.name.startswith("out.new")]
    assert len(kept) == 1 and (kept[0] / "model.npz").read_text() == "new"
    assert str(kept[0]) in str(caught.value)


def test_notes_linked_into_out_are_carried_and_other_non_files_refused_first(tmp_path):
    """A symbolic link to a note is carried into the new run as before (not mistaken
    for foreign content); a FIFO in --out is refused before the run, as a folder is."""
    out, note = tmp_path / "out", tmp_path / "note.md"
    out.mkdir()
    note.write_text("mine")
    (out / "model.npz").write_text("old")
    (out / "note.md").symlink_to(note)
    with staged_folder(out) as (folder, result):
        (folder / "model.npz").write_text("new")
    assert result["replaced"] and (out / "note.md").read_text() == "mine"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["note.md", "out"]
    os.mkfifo(out / "pipe")
    with pytest.raises(OutputError, match="not a plain file: pipe"):
        with staged_folder(out) as (folder, result):
            pytest.fail("ran with a FIFO in --out")
    assert stat.S_ISFIFO(os.lstat(out / "pipe").st_mode)


# --- 3. sweep -------------------------------------------------------------------------
def sweep_args(out, *more):
    return [
        "sweep", "--data", "sample", "--n_h", "4", "--epochs", "1", "--seeds", "1",
        "--batch_size", "256", "--name", "s3", "--out", str(out), *more,
    ]  # fmt: skip


def never_train(monkeypatch):
    def trained(*args, **kwargs):
        pytest.fail("trained before the arguments were checked")

    monkeypatch.setattr("nnscratch.sweep.run_once", trained)
    monkeypatch.setattr(
        "nnscratch.cli.resolve_data", lambda *a, **k: pytest.fail("loaded data")
    )


def test_sweep_seeds_are_at_most_1000_checked_first(tmp_path, monkeypatch, capsys):
    never_train(monkeypatch)
    assert main(sweep_args(tmp_path / "s", "--seeds", "100000000")) == 2
    err = one_error_line(capsys)
    assert "--seeds must be at least 1 and at most 1000; got 100000000" in err


@pytest.mark.parametrize("blocker", ["out_is_a_file", "md_is_a_folder", "png_is_fifo"])
def test_sweep_checks_every_output_path_before_training(
    blocker, tmp_path, monkeypatch, capsys
):
    never_train(monkeypatch)
    out = tmp_path / "s"
    if blocker == "out_is_a_file":
        out.write_text("x")
    else:
        out.mkdir()
        if blocker == "md_is_a_folder":
            (out / "s3.md").mkdir()
        else:
            os.mkfifo(out / "s3.png")
    assert main(sweep_args(out)) == 2
    one_error_line(capsys)


def test_sweep_writes_its_three_outputs_as_a_unit(tmp_path, monkeypatch, capsys):
    out = tmp_path / "s"
    out.mkdir()
    for suffix in ("json", "md", "png"):
        (out / f"s3.{suffix}").write_text("old")

    def full(*args, **kwargs):
        raise OSError(errno.EFBIG, "File too large")

    monkeypatch.setattr("nnscratch.sweep.plot_spread", full)
    assert main(sweep_args(out)) == 2
    err = one_error_line(capsys)
    names = ", ".join(f"{out}/s3.{suffix}" for suffix in ("json", "md", "png"))
    assert f"cannot write {names} (File too large)" in err
    assert {p.name: p.read_text() for p in out.iterdir()} == {
        "s3.json": "old", "s3.md": "old", "s3.png": "old"
    }  # fmt: skip


def test_a_non_utf8_argument_is_written_to_all_three(tmp_path, capsys):
    out = Path(os.fsdecode(bytes(tmp_path) + b"/s\xff"))
    assert main(sweep_args(out)) == 0
    md = (out / "s3.md").read_text(encoding="utf-8")
    doc = json.loads((out / "s3.json").read_text(encoding="utf-8"))
    assert "\\xff" in md and "\\xff" in doc["command"]
    assert (out / "s3.png").read_bytes().startswith(b"\x89PNG")


# --- 4. models that claim more than train accepts -------------------------------------
def test_a_model_with_n_h_beyond_the_limit_is_refused_before_its_data(tmp_path):
    """70,000 hidden units (train accepts up to 65,536), a consistent 1 MB archive."""
    n_h = 70_000
    path = tmp_path / "big.npz"
    header = io.BytesIO()
    np.lib.format.write_array_header_1_0(
        header, {"descr": "<f4", "fortran_order": False, "shape": (n_h, 784)}
    )
    params = {"b1": np.zeros((n_h, 1), np.float32), "b2": np.zeros((10, 1), np.float32)}
    params["W2"] = np.zeros((10, n_h), np.float32)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as z:
        with z.open("W1.npy", "w", force_zip64=True) as f:
            f.write(header.getvalue())
            row_block = bytes(784 * 4 * 1000)
            for _ in range(n_h // 1000):
                f.write(row_block)
        for k, v in params.items():
            z.writestr(f"{k}.npy", npy_bytes(v))
        z.writestr("format_version.npy", npy_bytes(np.array(1)))
        z.writestr("hyperparameters.npy", npy_bytes(np.array('{"activation":"relu"}')))
    assert path.stat().st_size < 2_000_000
    with pytest.raises(ModelFileError, match="n_h = 70000; train accepts 1 to 65536"):
        load_model(path)


def test_a_model_with_n_h_0_is_refused(tmp_path, capsys):
    params = {
        "W1": np.zeros((0, 784), np.float32),
        "b1": np.zeros((0, 1), np.float32),
        "W2": np.zeros((10, 0), np.float32),
        "b2": np.zeros((10, 1), np.float32),
    }
    path = raw_model(tmp_path / "m.npz", params)
    with pytest.raises(ModelFileError, match="n_h = 0"):
        load_model(path)
    assert main(["export", str(path), str(tmp_path / "m.json")]) == 2
    one_error_line(capsys)
    assert not (tmp_path / "m.json").exists()


def test_the_n_h_limit_is_train_s_own(tmp_path):
    """65,536 hidden units (train's largest) pass the header check, 65,537 do not; and
    save_model refuses what load_model would."""
    from nnscratch.checks import LIMITS
    from nnscratch.model_io import _check_dimensions

    assert LIMITS["n_h"] == (1, 65_536)
    largest = {"W1": (65_536, 784), "b1": (65_536, 1), "W2": (10, 65_536)}
    for name, shape in largest.items():
        _check_dimensions("m.npz", name, shape)
    with pytest.raises(ModelFileError, match="n_h = 65537"):
        _check_dimensions("m.npz", "W2", (10, 65_537))
    empty = {k: v[:0] if k in ("W1", "b1") else v[:, :0] if k == "W2" else v
             for k, v in good_params().items()}  # fmt: skip
    with pytest.raises(ValueError, match="n_h must be 1 to 65536"):
        save_model(tmp_path / "m.npz", empty, {"activation": "sigmoid"})
    assert not (tmp_path / "m.npz").exists()


def test_export_beyond_the_memory_budget_is_refused(tmp_path, monkeypatch, capsys):
    path = model_file(tmp_path, n_h=512)
    monkeypatch.setenv(MEMORY_ENV, "1M")
    assert main(["export", str(path), str(tmp_path / "m.json")]) == 2
    err = one_error_line(capsys)
    assert MEMORY_ENV in err and "memory" in err
    assert not (tmp_path / "m.json").exists()
    monkeypatch.setenv(MEMORY_ENV, "64M")
    assert main(["export", str(path), str(tmp_path / "m.json")]) == 0


def test_evaluation_shrinks_its_chunks_to_the_budget(tmp_path, monkeypatch, capsys):
    import importlib

    from nnscratch import evaluate, load_sample, one_hot

    train_module = importlib.import_module("nnscratch.train")

    d = load_sample()
    params, _ = load_model(model_file(tmp_path, n_h=512))
    expected = evaluate(d.X_test, one_hot(d.y_test), params, "sigmoid")
    calls = []
    original = train_module.feed_forward

    def counted(X, *args, **kwargs):
        calls.append(X.shape[1])
        return original(X, *args, **kwargs)

    monkeypatch.setattr(train_module, "feed_forward", counted)
    monkeypatch.setenv(MEMORY_ENV, "1M")
    loss, predictions = evaluate(d.X_test, one_hot(d.y_test), params, "sigmoid")
    assert len(calls) > 1 and sum(calls) == d.X_test.shape[1]
    assert np.array_equal(predictions, expected[1])
    assert loss == pytest.approx(expected[0], rel=1e-6)


# --- 5. deeply nested JSON ------------------------------------------------------------
@pytest.mark.parametrize("command", ["evaluate", "export"])
def test_deeply_nested_hyperparameters_are_one_line(command, tmp_path, capsys):
    deep = '{"activation": "sigmoid", "x": ' + "[" * 30_000 + "]" * 30_000 + "}"
    path = raw_model(tmp_path / "m.npz", good_params(), deep)
    argv = (
        ["evaluate", str(path), "--data", "sample"]
        if command == "evaluate"
        else ["export", str(path), str(tmp_path / "m.json")]
    )
    assert main(argv) == 2
    assert "nested too deeply" in one_error_line(capsys)


def test_a_deeply_nested_cache_record_is_discarded_and_the_files_verified(tmp_path):
    name = "t10k-labels-idx1-ubyte"
    (tmp_path / f"{name}.gz").write_bytes(GZ[f"{name}.gz"])
    (tmp_path / ".verified.json").write_text("[" * 100_000 + "]" * 100_000)
    fetched = download_mnist(
        tmp_path, mirrors=["http://127.0.0.1:9/"], files={name: DIGESTS[name]},
        progress=False,
    )  # fmt: skip
    assert fetched == []
    record = json.loads((tmp_path / ".verified.json").read_text())
    assert record[name]["sha256"] == DIGESTS[name]


# --- 6. float32 export of weights beyond float32 --------------------------------------
def test_export_float32_refuses_weights_beyond_its_range(tmp_path, capsys):
    params = good_params(np.float64)
    params["W1"][0, 0] = 1e300
    path = tmp_path / "m.npz"
    save_model(path, params, {"activation": "sigmoid"})
    assert main(["export", str(path), str(tmp_path / "m.json")]) == 2
    err = one_error_line(capsys)
    assert "W1" in err and "float32" in err
    assert not (tmp_path / "m.json").exists()


# --- 7. readers refuse what is not a regular file -------------------------------------
@pytest.mark.parametrize("kind", ["fifo", "device"])
@pytest.mark.parametrize("command", ["evaluate", "export"])
def test_a_model_that_is_a_fifo_or_device_is_refused(
    kind, command, tmp_path, capsys, no_hang
):
    path = make_node(kind, tmp_path / "m.npz")
    argv = (
        ["evaluate", str(path), "--data", "sample"]
        if command == "evaluate"
        else ["export", str(path), str(tmp_path / "m.json")]
    )
    assert main(argv) == 2
    assert "not a regular file" in one_error_line(capsys)


def test_reading_an_exported_model_refuses_a_fifo(tmp_path, no_hang):
    from nnscratch.export import read_web_model

    os.mkfifo(tmp_path / "model.json")
    with pytest.raises(ValueError, match="is a FIFO, not a regular file"):
        read_web_model(tmp_path / "model.json")


def idx_folder(folder):
    from test_download import RAW

    folder.mkdir(exist_ok=True)
    for name, raw in RAW.items():
        (folder / name).write_bytes(raw)
    return folder


@pytest.mark.parametrize("kind", ["fifo", "device"])
def test_a_data_folder_file_that_is_a_fifo_or_device_is_refused(
    kind, tmp_path, capsys, no_hang
):
    folder = idx_folder(tmp_path / "d")
    (folder / "t10k-labels-idx1-ubyte").unlink()
    make_node(kind, folder / "t10k-labels-idx1-ubyte.gz")
    assert main(["evaluate", str(model_file(tmp_path)), "--data", str(folder)]) == 2
    assert "t10k-labels-idx1-ubyte.gz: is a" in one_error_line(capsys)
    problems = verify_folder(folder, DIGESTS)
    assert "not a regular file" in problems["t10k-labels-idx1-ubyte"]


@pytest.mark.parametrize("kind", ["fifo", "device"])
def test_an_hdf5_data_file_that_is_a_fifo_or_device_is_refused(
    kind, tmp_path, capsys, no_hang
):
    path = make_node(kind, tmp_path / "mnist.hdf5")
    assert main(["evaluate", str(model_file(tmp_path)), "--data", str(path)]) == 2
    assert "not a regular file" in one_error_line(capsys)


def test_a_cache_file_that_is_a_fifo_is_refused(tmp_path, monkeypatch, capsys, no_hang):
    folder = idx_folder(tmp_path / "cache")
    (folder / "t10k-images-idx3-ubyte").unlink()
    os.mkfifo(folder / "t10k-images-idx3-ubyte.gz")
    monkeypatch.setenv("NNSCRATCH_DATA", str(folder))
    assert main(["evaluate", str(model_file(tmp_path)), "--quiet"]) == 2
    assert "not a regular file" in one_error_line(capsys)
    assert stat.S_ISFIFO(os.lstat(folder / "t10k-images-idx3-ubyte.gz").st_mode)
    assert main(["data", "verify", str(folder)]) == 2
    assert "not a regular file" in capsys.readouterr().out


def test_a_cache_record_that_is_a_fifo_is_ignored(tmp_path, no_hang):
    name = "t10k-labels-idx1-ubyte"
    (tmp_path / f"{name}.gz").write_bytes(GZ[f"{name}.gz"])
    os.mkfifo(tmp_path / ".verified.json")
    files = {name: DIGESTS[name]}
    with pytest.raises(DataError, match="verified.json: is a FIFO"):
        download_mnist(tmp_path, mirrors=["http://127.0.0.1:9/"], files=files,
                       progress=False)  # fmt: skip


def test_a_file_mirror_that_is_a_fifo_fails_at_once(tmp_path, no_hang):
    name = "t10k-labels-idx1-ubyte"
    mirror = tmp_path / "mirror"
    mirror.mkdir()
    os.mkfifo(mirror / f"{name}.gz")
    with pytest.raises(DataError, match="not a regular file") as caught:
        fetch_file(
            name, DIGESTS[name], tmp_path, [mirror.as_uri() + "/"], progress=False
        )
    assert mirror.as_uri() in str(caught.value)


# --- 8. a redirect loop is one line naming the mirror ---------------------------------
class Loop(BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(302)
        self.send_header("Location", self.path)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


def test_a_redirect_loop_is_one_line_naming_the_mirror(tmp_path, capsys):
    httpd = QuietServer(("127.0.0.1", 0), Loop)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    mirror = f"http://127.0.0.1:{httpd.server_address[1]}/loop/"
    try:
        code = main(["data", "download", "--dir", str(tmp_path), "--mirror", mirror,
                     "--quiet"])  # fmt: skip
    finally:
        httpd.shutdown()
        httpd.server_close()
    assert code == 2
    err = one_error_line(capsys)
    assert mirror in err and "redirect" in err


# --- 9. Ctrl-C from the first line of the entry point ---------------------------------
ENTRY = """
import importlib.metadata, os, signal, sys
(entry,) = importlib.metadata.entry_points(group="console_scripts", name="nnscratch")
"""


def run_entry(script, *argv, cwd):
    result = subprocess.run(
        [sys.executable, "-c", ENTRY + script, *argv],
        capture_output=True, text=True, cwd=cwd, timeout=120,
    )  # fmt: skip
    return result


def test_ctrl_c_while_numpy_is_imported_is_one_line_and_130(tmp_path):
    """SIGINT at the moment the command's first heavy import starts."""
    script = """
class Trip:
    def find_spec(self, name, path=None, target=None):
        if name == "numpy":
            sys.meta_path.remove(self)
            os.kill(os.getpid(), signal.SIGINT)
        return None
sys.meta_path.insert(0, Trip())
sys.argv = ["nnscratch", "train", "--data", "sample", "--epochs", "1", "--out", "run"]
sys.exit(entry.load()())
"""
    result = run_entry(script, cwd=tmp_path)
    assert (result.returncode, result.stderr) == (130, "nnscratch: interrupted\n")
    assert list(tmp_path.iterdir()) == []


def test_ctrl_c_swallowed_by_a_destructor_still_writes_no_hdf5(tmp_path):
    """A KeyboardInterrupt raised inside a destructor is ignored by Python: the command
    must still stop before its output takes its final name."""
    script = """
import nnscratch.data as data
original = data.atomic_write_bytes
class Bomb:
    def __del__(self):
        os.kill(os.getpid(), signal.SIGINT)
        sum(range(1000))
def patched(out, image):
    Bomb()
    return original(out, image)
data.atomic_write_bytes = patched
sys.argv = ["nnscratch", "data", "export-hdf5", "mnist.hdf5", "--data", "sample"]
sys.exit(entry.load()())
"""
    result = run_entry(script, cwd=tmp_path)
    assert (result.returncode, result.stderr) == (130, "nnscratch: interrupted\n")
    assert list(tmp_path.iterdir()) == []


# --- 10. one memory budget ------------------------------------------------------------
def test_a_run_beyond_the_memory_budget_is_refused_before_training(
    tmp_path, monkeypatch, capsys
):
    monkeypatch.setenv(MEMORY_ENV, "64M")
    monkeypatch.setattr(
        "nnscratch.sweep.train", lambda *a, **k: pytest.fail("trained")
    )
    argv = train_args(tmp_path / "out")
    argv[argv.index("--n_h") + 1] = "65536"
    argv[argv.index("--batch_size") + 1] = "1000000"
    assert main(argv) == 2
    err = one_error_line(capsys)
    assert "memory budget" in err and MEMORY_ENV in err
    assert list(tmp_path.iterdir()) == []


def write_hdf5(path, m_train, written=True):
    import h5py

    with h5py.File(path, "w") as f:
        for split, m in (("train", m_train), ("test", 10)):
            x = f.create_dataset(
                f"x_{split}", (m, 784), "f4", chunks=(min(m, 1024), 784),
                compression="gzip", compression_opts=1,
            )  # fmt: skip
            y = f.create_dataset(f"y_{split}", (m, 1), "u1")
            if written or split == "test":
                x[...] = 0
                y[...] = 0
    return path


def test_an_hdf5_file_declaring_unwritten_rows_is_refused(tmp_path, capsys):
    """The issue's file: 1.5 million rows declared, none written; a few kB."""
    path = write_hdf5(tmp_path / "declares.hdf5", 1_500_000, written=False)
    assert path.stat().st_size < 400_000
    with pytest.raises(DataError, match="x_train.*never written"):
        load_hdf5(path)


def test_an_hdf5_file_beyond_the_memory_budget_is_refused(tmp_path, monkeypatch):
    path = write_hdf5(tmp_path / "big.hdf5", 6_000)
    monkeypatch.setenv(MEMORY_ENV, "16M")
    with pytest.raises(DataError, match="memory budget"):
        load_hdf5(path)
    monkeypatch.setenv(MEMORY_ENV, "1G")
    assert load_hdf5(path).X_train.shape == (784, 6_000)


def test_a_memory_error_anywhere_is_one_line_and_exit_2(tmp_path, monkeypatch, capsys):
    def exhausted(*args, **kwargs):
        raise MemoryError

    monkeypatch.setattr("nnscratch.sweep.run_once", exhausted)
    assert main(train_args(tmp_path / "out")) == 2
    assert "out of memory" in one_error_line(capsys)


def test_the_budget_comes_from_the_environment_or_the_system(monkeypatch, capsys):
    from nnscratch.checks import memory_budget

    monkeypatch.setenv(MEMORY_ENV, "64M")
    assert memory_budget() == 64 << 20
    monkeypatch.setenv(MEMORY_ENV, "12345")
    assert memory_budget() == 12345
    monkeypatch.setenv(MEMORY_ENV, "lots")
    with pytest.raises(ValueError, match=MEMORY_ENV):
        memory_budget()
    monkeypatch.delenv(MEMORY_ENV)
    total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    assert 0 < memory_budget() <= total


def test_the_memory_error_names_where_its_budget_came_from(monkeypatch):
    """Set by the variable, the refusal says so; from the system, it says that and
    names the variable that would set it."""
    from nnscratch.checks import MemoryBudgetError, check_memory

    monkeypatch.setenv(MEMORY_ENV, "1M")
    with pytest.raises(MemoryBudgetError) as set_here:
        check_memory(2 << 20, "the run", "ask for less")
    assert f"1.0 MiB (set by ${MEMORY_ENV}); ask for less" in str(set_here.value)
    monkeypatch.delenv(MEMORY_ENV)
    with pytest.raises(MemoryBudgetError) as system:
        check_memory(1 << 62, "the run", "ask for less")
    assert f"(what the system has available; ${MEMORY_ENV} sets it)" in str(
        system.value)


@pytest.mark.parametrize("version", ["v2", "v1"])
def test_a_cgroup_limit_bounds_the_budget(version, tmp_path):
    from nnscratch.checks import _cgroup_room

    membership = tmp_path / "cgroup"
    if version == "v2":
        membership.write_text("0::/job\n")
        folder, files = tmp_path / "job", ("memory.max", "memory.current")
    else:
        membership.write_text("5:cpu:/job\n4:memory:/job\n0::/\n")
        folder = tmp_path / "memory" / "job"
        files = ("memory.limit_in_bytes", "memory.usage_in_bytes")
    folder.mkdir(parents=True)
    (folder / files[0]).write_text("1000000\n")
    (folder / files[1]).write_text("400000\n")
    assert _cgroup_room(tmp_path, membership) == 600_000
    (folder / files[0]).write_text("max\n" if version == "v2" else f"{2**63 - 4096}\n")
    assert _cgroup_room(tmp_path, membership) is None


# --- 11. ~ in NNSCRATCH_DATA ----------------------------------------------------------
def test_a_leading_tilde_in_the_data_folder_is_the_home_folder(tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("NNSCRATCH_DATA", "~/mnist")
    assert default_data_dir() == tmp_path / "mnist"


@pytest.mark.parametrize("command", ["train", "sweep", "export", "export-hdf5"])
def test_every_command_renames_its_outputs_through_fileio(
    command, tmp_path, monkeypatch
):
    """The four writing commands commit through the same fileio functions: an interrupt
    noticed at fileio's last check before a rename leaves nothing behind."""
    import nnscratch.fileio as fileio

    (tmp_path / "in").mkdir()
    model = model_file(tmp_path / "in")
    out = tmp_path / "out"
    argv = {
        "train": train_args(out),
        "sweep": sweep_args(out),
        "export": ["export", str(model), str(out)],
        "export-hdf5": ["data", "export-hdf5", str(out), "--data", "sample"],
    }[command]
    checks = []

    def interrupted():
        checks.append(1)
        raise KeyboardInterrupt

    monkeypatch.setattr(fileio, "raise_if_interrupted", interrupted)
    assert main(argv) == 130
    assert checks
    assert sorted(p.name for p in tmp_path.iterdir()) in (["in"], ["in", "out"])
    if out.exists():  # sweep makes its folder first; nothing may be inside
        assert out.is_dir() and list(out.iterdir()) == []
