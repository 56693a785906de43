import json
import re
import subprocess
import sys

import numpy as np
import pytest

from nnscratch import load_model, save_model
from nnscratch.cli import main
from nnscratch.data import FILES
from nnscratch.model_io import ModelFileError


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    out = tmp_path_factory.mktemp("run")
    code = main(
        [
            "train",
            "--data",
            "sample",
            "--epochs",
            "2",
            "--n-h",
            "16",
            "--batch_size",
            "128",
            "--seed",
            "5",
            "--out",
            str(out),
            "--quiet",
        ]
    )
    assert code == 0
    return out


def test_train_writes_every_output(trained):
    """`train` writes model, history, report and both figures, with the options it was
    given."""
    for name in (
        "model.npz",
        "history.json",
        "report.txt",
        "curves.png",
        "confusion.png",
    ):
        assert (trained / name).stat().st_size > 0
    history = json.loads((trained / "history.json").read_text())
    assert [r["epoch"] for r in history] == [1, 2]
    assert {"train_loss", "test_loss", "test_accuracy", "seconds"} <= set(history[0])
    params, hyper = load_model(trained / "model.npz")
    assert params["W1"].shape == (16, 784)
    assert hyper["n_h"] == 16 and hyper["batch_size"] == 128 and hyper["seed"] == 5
    assert "weighted avg" in (trained / "report.txt").read_text()
    assert (trained / "curves.png").read_bytes()[:4] == b"\x89PNG"


def test_evaluate_prints_the_report(trained, capsys):
    """`evaluate` prints the same report `train` wrote, then one summary line."""
    assert main(["evaluate", str(trained / "model.npz"), "--data", "sample"]) == 0
    out = capsys.readouterr().out
    report = (trained / "report.txt").read_text()
    assert out.startswith(report)
    summary = out[len(report) :]
    assert summary.count("\n") == 1
    assert summary.startswith("test accuracy ") and "on 1000 images" in summary
    assert f"model {trained / 'model.npz'}" in summary


@pytest.mark.parametrize(
    "argv,needle",
    [
        (
            ["train", "--data", "/no/such/place", "--epochs", "1"],
            "no such file or folder",
        ),
        (
            ["train", "--data", "sample", "--epochs", "0"],
            "epochs must be a positive integer",
        ),
        (["train", "--data", "sample", "--beta", "1.5"], "beta must be in [0, 1)"),
        (["evaluate", "/no/model.npz", "--data", "sample"], "no such model file"),
    ],
)
def test_user_errors_exit_2_with_one_line(argv, needle, capsys, tmp_path):
    """Each user mistake ends with exit 2 and one line naming it, never a traceback."""
    assert main(argv + (["--out", str(tmp_path)] if argv[0] == "train" else [])) == 2
    err = capsys.readouterr().err
    assert needle in err and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1


def test_bad_usage_exits_2():
    """An option value outside its choices is argparse's usage error, exit 2."""
    with pytest.raises(SystemExit) as e:
        main(["train", "--activation", "tanh"])
    assert e.value.code == 2


def test_no_data_and_empty_cache_names_the_variable_and_the_sample(
    tmp_path, monkeypatch, capsys
):
    """Offline with an empty cache, `train` names the variable, the files and --data
    sample."""
    monkeypatch.setenv("NNSCRATCH_DATA", str(tmp_path / "empty"))
    assert main(["train", "--epochs", "1", "--out", str(tmp_path / "o")]) == 2
    err = capsys.readouterr().err
    assert (
        "NNSCRATCH_DATA" in err
        and "--data sample" in err
        and "Connection refused" in err
    )
    assert all(f"{name}.gz" in err for name in FILES) and len(err.splitlines()) == 1
    assert not (tmp_path / "o").exists()


def test_python_dash_m_works(tmp_path):
    """`python -m nnscratch` runs the same command line."""
    result = subprocess.run(
        [sys.executable, "-m", "nnscratch", "--version"], capture_output=True, text=True
    )
    assert result.returncode == 0 and "nnscratch" in result.stdout


def test_model_file_is_never_unpickled(tmp_path):
    """A model holding a Python object is refused, never unpickled."""
    path = tmp_path / "evil.npz"
    np.savez(path, W1=np.array([object()], dtype=object))
    with pytest.raises(ModelFileError):
        load_model(path)


def test_model_round_trip_and_version_check(tmp_path):
    """A saved model loads back exactly; another format version is refused by number."""
    params = {
        "W1": np.ones((3, 4), np.float32),
        "b1": np.zeros((3, 1), np.float32),
        "W2": np.ones((2, 3), np.float32),
        "b2": np.zeros((2, 1), np.float32),
    }
    save_model(tmp_path / "m.npz", params, {"lr": 0.5, "activation": "relu"})
    loaded, hyper = load_model(tmp_path / "m.npz")
    assert hyper == {"lr": 0.5, "activation": "relu"} and all(
        np.array_equal(loaded[k], params[k]) for k in params
    )
    z = dict(np.load(tmp_path / "m.npz"))
    z["format_version"] = np.array(99)
    np.savez(tmp_path / "m2.npz", **z)
    with pytest.raises(ModelFileError, match="version 99"):
        load_model(tmp_path / "m2.npz")
    assert not list(tmp_path.glob(".*.tmp"))


def test_data_verify_names_the_wrong_file_and_exits_2(tmp_path, capsys):
    """`data verify` lists each bad or missing file and exits 2 with one summary
    line."""
    from test_data import (
        make_folder,
    )  # synthetic IDX files: right format, wrong digests

    make_folder(tmp_path)
    (tmp_path / "t10k-labels-idx1-ubyte.gz").unlink()
    assert main(["data", "verify", str(tmp_path)]) == 2
    captured = capsys.readouterr()
    assert "BAD  train-images-idx3-ubyte.gz: SHA-256" in captured.out
    assert "BAD  t10k-labels-idx1-ubyte.gz: missing" in captured.out
    assert (
        captured.err.count("\n") == 1
        and "4 of 4 files failed verification" in captured.err
    )


def test_export_hdf5_then_data_hdf5_gives_the_same_report(trained, tmp_path, capsys):
    """The HDF5 export of the sample evaluates to the same report as the sample
    itself."""
    out = tmp_path / "sample.hdf5"
    assert main(["data", "export-hdf5", str(out), "--data", "sample"]) == 0
    assert "wrote" in capsys.readouterr().out
    assert main(["evaluate", str(trained / "model.npz"), "--data", str(out)]) == 0
    assert capsys.readouterr().out.startswith((trained / "report.txt").read_text())
    assert [p.name for p in tmp_path.iterdir()] == [
        "sample.hdf5"
    ]  # no temporary file left


# --- issue 11 section 8: summary line, --quiet, no bar in files, what evaluate fetches

SUMMARY = re.compile(
    r"test accuracy 0\.\d{4} \(best 0\.\d{4} at epoch [12]\), 2 epochs in "
    r"\d+\.\d s, (wrote|replaced the earlier run in) (?P<out>.+)/"
)


@pytest.mark.slow(reason="trains through the command line, figures included")
def test_train_ends_with_one_summary_line(tmp_path, capsys):
    """`train` prints epochs, the report, then one summary line naming accuracy, best
    epoch, epochs, time and the folder; a second run into the same folder says it
    replaced it."""
    out = tmp_path / "run"
    argv = [
        "train",
        "--data",
        "sample",
        "--epochs",
        "2",
        "--n_h",
        "8",
        "--out",
        str(out),
    ]
    assert main(argv) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("epoch   1: train loss") and "weighted avg" in "\n".join(
        lines
    )
    match = SUMMARY.fullmatch(lines[-1])
    assert (
        match
        and match["out"] == str(out)
        and lines[-1].split(", ")[-1] == f"wrote {out}/"
    )
    history = json.loads((out / "history.json").read_text())
    best = max(history, key=lambda r: r["test_accuracy"])
    assert f"2 epochs in {sum(r['seconds'] for r in history):.1f} s" in lines[-1]
    assert f"(best {best['test_accuracy']:.4f} at epoch {best['epoch']})" in lines[-1]
    assert main(argv + ["--quiet"]) == 0
    assert capsys.readouterr().out.endswith(f"replaced the earlier run in {out}/\n")


@pytest.mark.slow(reason="trains through the command line, figures included")
def test_quiet_prints_only_the_summary_line(tmp_path, capsys):
    """With --quiet, `train` and `evaluate` each print exactly one line and nothing on
    stderr."""
    out = tmp_path / "run"
    assert (
        main(
            [
                "train",
                "--data",
                "sample",
                "--epochs",
                "2",
                "--n_h",
                "8",
                "--out",
                str(out),
                "--quiet",
            ]
        )
        == 0
    )
    captured = capsys.readouterr()
    assert (
        SUMMARY.fullmatch(captured.out.rstrip("\n")) and captured.out.count("\n") == 1
    )
    assert captured.err == ""
    assert (
        main(["evaluate", str(out / "model.npz"), "--data", "sample", "--quiet"]) == 0
    )
    captured = capsys.readouterr()
    assert captured.out.startswith("test accuracy ") and captured.out.count("\n") == 1
    assert captured.err == ""


@pytest.mark.slow(reason="trains through the command line, figures included")
def test_no_progress_bar_when_output_goes_to_a_file(tmp_path):
    """Redirected to files, `train` writes plain lines: no carriage return anywhere."""
    with open(tmp_path / "out.txt", "w") as out, open(tmp_path / "err.txt", "w") as err:
        result = subprocess.run(
            [
                sys.executable,
                "-m",
                "nnscratch",
                "train",
                "--data",
                "sample",
                "--epochs",
                "2",
                "--n_h",
                "8",
                "--out",
                str(tmp_path / "run"),
            ],
            stdout=out,
            stderr=err,
        )
    assert result.returncode == 0
    text = (tmp_path / "out.txt").read_text() + (tmp_path / "err.txt").read_text()
    assert "\r" not in text and "epoch   2:" in text
    assert (tmp_path / "err.txt").read_text() == ""


def test_evaluate_without_data_fetches_only_the_two_test_files(
    tmp_path, monkeypatch, capsys
):
    """From an empty cache, `evaluate` downloads t10k images and labels, not the
    training files."""
    import test_download as td

    httpd = td.QuietServer(("127.0.0.1", 0), td.Handler)
    httpd.requests = []
    import threading

    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        monkeypatch.setenv("NNSCRATCH_DATA", str(tmp_path / "cache"))
        monkeypatch.setenv(
            "NNSCRATCH_MNIST_MIRRORS",
            f"http://127.0.0.1:{httpd.server_address[1]}/good/",
        )
        monkeypatch.setattr("nnscratch.cli.FILES", td.DIGESTS)
        params = {
            "W1": np.zeros((4, 784), np.float32),
            "b1": np.zeros((4, 1), np.float32),
            "W2": np.zeros((10, 4), np.float32),
            "b2": np.zeros((10, 1), np.float32),
        }
        save_model(tmp_path / "m.npz", params, {"activation": "sigmoid"})
        assert main(["evaluate", str(tmp_path / "m.npz"), "--quiet"]) == 0
    finally:
        httpd.shutdown()
        httpd.server_close()
    assert sorted(httpd.requests) == [
        "/good/t10k-images-idx3-ubyte.gz",
        "/good/t10k-labels-idx1-ubyte.gz",
    ]
    assert "on 5 images" in capsys.readouterr().out


@pytest.mark.slow(reason="starts a fresh Python that imports matplotlib")
def test_importing_plots_leaves_the_users_matplotlib_backend_alone():
    """A script that chose a backend keeps it after importing nnscratch.plots (a desktop
    script's plt.show() then shows its figures); only the command line picks Agg."""
    code = (
        "import matplotlib; matplotlib.use('svg'); import nnscratch.plots; "
        "print(matplotlib.get_backend())"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True
    )
    assert result.returncode == 0 and result.stdout.strip() == "svg"


def test_distortion_options_are_kept_in_the_model_file(tmp_path):
    """--elastic-alpha, --elastic-kappa and the affine limits reach the config: the
    model file's hyper-parameters hold them."""
    from nnscratch import load_model

    out = tmp_path / "run"
    argv = ["train", "--data", "sample", "--epochs", "1", "--n_h", "8", "--quiet",
            "--augment", "elastic", "--elastic-alpha", "20", "--elastic-kappa", "5",
            "--max-degrees", "0", "--max-shift", "1.5", "--max-scale", "0.05",
            "--out", str(out)]
    assert main(argv) == 0
    _, hyper = load_model(out / "model.npz")
    assert (hyper["elastic_alpha"], hyper["elastic_kappa"]) == (20.0, 5.0)
    assert (hyper["max_degrees"], hyper["max_shift"], hyper["max_scale"]) == (
        0.0, 1.5, 0.05)
