import json
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
    code = main(["train", "--data", "sample", "--epochs", "2", "--n-h", "16",
                 "--batch_size", "128", "--seed", "5", "--out", str(out), "--quiet"])
    assert code == 0
    return out


def test_train_writes_every_output(trained):
    for name in ("model.npz", "history.json", "report.txt", "curves.png", "confusion.png"):
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
    assert main(["evaluate", str(trained / "model.npz"), "--data", "sample"]) == 0
    out = capsys.readouterr().out
    assert out == (trained / "report.txt").read_text()


@pytest.mark.parametrize("argv,needle", [
    (["train", "--data", "/no/such/place", "--epochs", "1"], "no such file or folder"),
    (["train", "--data", "sample", "--epochs", "0"], "epochs must be a positive integer"),
    (["train", "--data", "sample", "--beta", "1.5"], "beta must be in [0, 1)"),
    (["evaluate", "/no/model.npz", "--data", "sample"], "no such model file"),
])
def test_user_errors_exit_2_with_one_line(argv, needle, capsys, tmp_path):
    assert main(argv + (["--out", str(tmp_path)] if argv[0] == "train" else [])) == 2
    err = capsys.readouterr().err
    assert needle in err and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1


def test_bad_usage_exits_2():
    with pytest.raises(SystemExit) as e:
        main(["train", "--activation", "tanh"])
    assert e.value.code == 2


def test_no_data_and_empty_cache_names_the_variable_and_the_sample(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("NNSCRATCH_DATA", str(tmp_path / "empty"))
    assert main(["train", "--epochs", "1", "--out", str(tmp_path / "o")]) == 2
    err = capsys.readouterr().err
    assert "NNSCRATCH_DATA" in err and "--data sample" in err and "Connection refused" in err
    assert all(f"{name}.gz" in err for name in FILES) and len(err.splitlines()) == 1
    assert not (tmp_path / "o").exists()


def test_python_dash_m_works(tmp_path):
    result = subprocess.run([sys.executable, "-m", "nnscratch", "--version"],
                            capture_output=True, text=True)
    assert result.returncode == 0 and "nnscratch" in result.stdout


def test_model_file_is_never_unpickled(tmp_path):
    path = tmp_path / "evil.npz"
    np.savez(path, W1=np.array([object()], dtype=object))
    with pytest.raises(ModelFileError):
        load_model(path)


def test_model_round_trip_and_version_check(tmp_path):
    params = {"W1": np.ones((3, 4), np.float32), "b1": np.zeros((3, 1), np.float32),
              "W2": np.ones((2, 3), np.float32), "b2": np.zeros((2, 1), np.float32)}
    save_model(tmp_path / "m.npz", params, {"lr": 0.5, "activation": "relu"})
    loaded, hyper = load_model(tmp_path / "m.npz")
    assert hyper == {"lr": 0.5, "activation": "relu"} and all(np.array_equal(loaded[k], params[k]) for k in params)
    z = dict(np.load(tmp_path / "m.npz"))
    z["format_version"] = np.array(99)
    np.savez(tmp_path / "m2.npz", **z)
    with pytest.raises(ModelFileError, match="version 99"):
        load_model(tmp_path / "m2.npz")
    assert not list(tmp_path.glob(".*.tmp"))


def test_data_verify_names_the_wrong_file_and_exits_2(tmp_path, capsys):
    from test_data import make_folder  # synthetic IDX files: right format, wrong digests

    make_folder(tmp_path)
    (tmp_path / "t10k-labels-idx1-ubyte.gz").unlink()
    assert main(["data", "verify", str(tmp_path)]) == 2
    captured = capsys.readouterr()
    assert "BAD  train-images-idx3-ubyte.gz: SHA-256" in captured.out
    assert "BAD  t10k-labels-idx1-ubyte.gz: missing" in captured.out
    assert captured.err.count("\n") == 1 and "4 of 4 files failed verification" in captured.err


def test_export_hdf5_then_data_hdf5_gives_the_same_report(trained, tmp_path, capsys):
    out = tmp_path / "sample.hdf5"
    assert main(["data", "export-hdf5", str(out), "--data", "sample"]) == 0
    assert "wrote" in capsys.readouterr().out
    assert main(["evaluate", str(trained / "model.npz"), "--data", str(out)]) == 0
    assert capsys.readouterr().out == (trained / "report.txt").read_text()
    assert [p.name for p in tmp_path.iterdir()] == ["sample.hdf5"]  # no temporary file left
