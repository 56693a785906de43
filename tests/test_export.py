"""`nnscratch export` and the model file of the draw-a-digit page."""

import base64
import hashlib
import json
from pathlib import Path

import numpy as np
import pytest

from nnscratch import feed_forward, load_sample, save_model
from nnscratch.cli import main
from nnscratch.export import (
    FLOAT16_TOLERANCE,
    float16_deviation,
    read_web_model,
    web_model,
)
from nnscratch.network import predict

ASSETS = Path(__file__).resolve().parents[1] / "docs" / "assets" / "draw"
PAGE_MODEL = ASSETS / "model.json"


@pytest.fixture
def model_npz(tmp_path, rng):
    params = {
        "W1": rng.standard_normal((16, 784)).astype(np.float32) * 0.05,
        "b1": rng.standard_normal((16, 1)).astype(np.float32),
        "W2": rng.standard_normal((10, 16)).astype(np.float32),
        "b2": rng.standard_normal((10, 1)).astype(np.float32),
    }
    path = tmp_path / "model.npz"
    save_model(path, params, {"activation": "relu", "n_h": 16})
    return path, params


def test_export_round_trips_float32_exactly(model_npz, tmp_path, capsys):
    path, params = model_npz
    out = tmp_path / "web.json"
    assert main(["export", str(path), str(out)]) == 0
    assert f"wrote {out}" in capsys.readouterr().out
    loaded, activation = read_web_model(out)
    assert activation == "relu"
    for k, v in params.items():
        assert loaded[k].dtype == np.float32 and loaded[k].shape == v.shape
        np.testing.assert_array_equal(loaded[k], v)


def test_stored_bytes_are_little_endian_row_major():
    params = {
        "W1": np.arange(6, dtype=np.float32).reshape(2, 3),
        "b1": np.zeros((2, 1), np.float32),
        "W2": np.ones((1, 2), np.float32),
        "b2": np.zeros((1, 1), np.float32),
    }
    doc = web_model(params, "sigmoid")
    raw = base64.b64decode(doc["params"]["W1"])
    assert raw == np.array([0, 1, 2, 3, 4, 5], dtype="<f4").tobytes()
    assert doc["shapes"]["W1"] == [2, 3] and doc["byte_order"] == "little"


def test_float16_export_stays_within_tolerance_of_float32(model_npz, tmp_path):
    path, params = model_npz
    out32, out16 = tmp_path / "full.json", tmp_path / "half.json"
    assert main(["export", str(path), str(out32)]) == 0
    assert main(["export", str(path), str(out16), "--dtype", "float16"]) == 0
    half, activation = read_web_model(out16)
    X = load_sample().X_test
    p32 = feed_forward(X, params, activation)["A2"]
    p16 = feed_forward(X, half, activation)["A2"]
    assert 0 < np.abs(p16 - p32).max() <= FLOAT16_TOLERANCE
    assert out16.stat().st_size < 0.6 * out32.stat().st_size


def test_float16_decision_on_the_page_model_matches_an_independent_check(
    tmp_path, capsys
):
    """The page ships float32; whether float16 would do is measured, not assumed."""
    params, activation = read_web_model(PAGE_MODEL)
    npz = tmp_path / "page.npz"
    save_model(npz, params, {"activation": activation})
    X = load_sample().X_test
    rounded = {k: v.astype(np.float16).astype(np.float32) for k, v in params.items()}
    deviation = np.abs(
        feed_forward(X, rounded, activation)["A2"]
        - feed_forward(X, params, activation)["A2"]
    ).max()
    code = main(["export", str(npz), str(tmp_path / "half.json"), "--dtype", "float16"])
    assert code == (0 if deviation <= FLOAT16_TOLERANCE else 2)
    assert (tmp_path / "half.json").exists() == (code == 0)


def test_float16_is_refused_when_it_moves_probabilities(model_npz, tmp_path, capsys):
    path, params = model_npz
    sharp = dict(
        params, b2=params["b2"] + 1000
    )  # float16 spacing near 1000 is 0.5: logits move
    assert (
        float16_deviation(sharp, load_sample().X_test[:, :200], "relu")
        > FLOAT16_TOLERANCE
    )
    save_model(path, sharp, {"activation": "relu"})
    out = tmp_path / "half.json"
    assert main(["export", str(path), str(out), "--dtype", "float16"]) == 2
    err = capsys.readouterr().err
    assert "float16 moves a probability" in err and "--dtype float32" in err
    assert list(tmp_path.iterdir()) == [path]


@pytest.mark.parametrize(
    "case,needle",
    [
        ("missing model", "no such model file"),
        ("missing folder", "no such folder"),
        ("out is a folder", "is a folder"),
        ("not 784 inputs", "the page needs 784-n_h-10"),
    ],
)
def test_export_user_errors_exit_2_with_one_line_and_write_nothing(
    case, needle, model_npz, tmp_path, capsys
):
    path, params = model_npz
    out = tmp_path / "web.json"
    if case == "missing model":
        path = tmp_path / "nope.npz"
    elif case == "missing folder":
        out = tmp_path / "no" / "web.json"
    elif case == "out is a folder":
        out = tmp_path
    else:
        save_model(path, dict(params, W1=params["W1"][:, :100]), {"activation": "relu"})
    before = sorted(tmp_path.rglob("*"))
    assert main(["export", str(path), str(out)]) == 2
    err = capsys.readouterr().err
    assert (
        needle in err and "Traceback" not in err and len(err.strip().splitlines()) == 1
    )
    assert sorted(tmp_path.rglob("*")) == before


@pytest.mark.parametrize(
    "mangle,needle",
    [
        (lambda d: d.update(format="other"), "not a nnscratch-web-model"),
        (lambda d: d["params"].update(b2=d["params"]["b2"][:-8]), "b2 holds"),
        (lambda d: d["params"].pop("W1"), "parameter W1 missing"),
        (lambda d: d.update(activation="tanh"), "activation 'tanh' unknown"),
    ],
)
def test_read_web_model_rejects_damaged_files(mangle, needle, model_npz, tmp_path):
    path, _ = model_npz
    out = tmp_path / "web.json"
    assert main(["export", str(path), str(out)]) == 0
    doc = json.loads(out.read_text())
    mangle(doc)
    out.write_text(json.dumps(doc))
    with pytest.raises(ValueError, match=needle):
        read_web_model(out)


def test_page_model_reaches_its_documented_accuracy_on_the_shipped_sample():
    """The committed page model, run through today's code, must still score what its
    provenance says."""
    provenance = json.loads((ASSETS / "model.provenance.json").read_text())
    assert (
        provenance["model_sha256"]
        == hashlib.sha256(PAGE_MODEL.read_bytes()).hexdigest()
    )
    params, activation = read_web_model(PAGE_MODEL)
    sample = load_sample()
    documented = provenance["test_accuracy_sample"]
    assert documented["total"] == sample.y_test.size
    correct = int(np.sum(predict(sample.X_test, params, activation) == sample.y_test))
    assert correct >= documented["correct"] >= 0.97 * documented["total"]


def test_page_digits_are_the_shipped_sample_test_images_with_their_labels():
    digits = json.loads((ASSETS / "digits.json").read_text())
    sample = load_sample()
    pixels = np.frombuffer(base64.b64decode(digits["pixels"]), dtype=np.uint8).reshape(
        -1, 784
    )
    index = np.array(digits["sample_index"])
    assert len(index) >= 20 and sorted(set(digits["labels"])) == list(range(10))
    np.testing.assert_array_equal(digits["labels"], sample.y_test[index])
    np.testing.assert_array_equal(pixels.T / np.float32(255), sample.X_test[:, index])
    assert "LeCun" in digits["credit"] and "CC BY-SA 3.0" in digits["credit"]
