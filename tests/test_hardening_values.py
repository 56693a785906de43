"""Unknown or inconsistent values are errors that say what was expected, never silent
defaults."""

import json

import numpy as np
import pytest

import nnscratch as nn
from nnscratch.cli import main
from nnscratch.train import TrainingDiverged


@pytest.fixture(scope="module")
def batch():
    rng = np.random.default_rng(0)
    params = nn.init_params(784, 8, 10, rng=rng)
    X = rng.random((784, 5), dtype=np.float32)
    Y = nn.one_hot(np.array([0, 1, 2, 3, 4]))
    return X, Y, params


def test_feed_forward_rejects_a_flat_example_and_rows_for_columns(batch):
    """A (784,) vector or a (m, 784) batch is refused with the column convention and the
    fix, instead of broadcasting to a garbage (8, 8) or (8, 784) Z1."""
    X, _, params = batch
    with pytest.raises(
        ValueError,
        match=r"\(784, m\), one column per example; got \(784,\): "
        r"pass X.reshape\(784, 1\)",
    ):
        nn.feed_forward(X[:, 0], params)
    with pytest.raises(ValueError, match=r"got \(5, 784\): pass X.T"):
        nn.feed_forward(X.T, params)


@pytest.mark.parametrize(
    "bad,needle",
    [
        (lambda X: (X * 255).astype(np.uint8), "must hold floats .* got uint8"),
        (lambda X: X[:, :0], r"X is empty: shape \(784, 0\)"),
    ],
)
def test_feed_forward_rejects_integer_and_empty_inputs(batch, bad, needle):
    """uint8 pixels and an empty batch are named, with the fix for the first."""
    X, _, params = batch
    with pytest.raises(ValueError, match=needle):
        nn.feed_forward(bad(X), params)


def test_back_propagate_rejects_labels_and_a_wrong_m(batch):
    """Integer labels of shape (m,) or targets for another m are refused, not
    broadcast."""
    X, Y, params = batch
    cache = nn.feed_forward(X, params)
    with pytest.raises(
        ValueError,
        match=r"one-hot targets of shape \(10, 5\); got labels .* "
        r"nnscratch.one_hot",
    ):
        nn.back_propagate(X, np.arange(5), params, cache)
    with pytest.raises(
        ValueError,
        match=r"Y must have shape \(10, 5\) to match 5 examples; " r"got \(10, 4\)",
    ):
        nn.back_propagate(X, Y[:, :4], params, cache)
    with pytest.raises(ValueError, match="cache does not belong to this X"):
        nn.back_propagate(X[:, :3], Y[:, :3], params, cache)


@pytest.mark.parametrize(
    "call",
    [
        lambda X, Y, p: nn.feed_forward(X, p, "tanh"),
        lambda X, Y, p: nn.back_propagate(X, Y, p, nn.feed_forward(X, p), "tanh"),
        lambda X, Y, p: nn.evaluate(X, Y, p, "tanh"),
        lambda X, Y, p: nn.predict(X, p, "tanh"),
        lambda X, Y, p: nn.TrainConfig(activation="tanh"),
    ],
)
def test_an_unknown_activation_is_refused_everywhere_it_enters(batch, call):
    """ "tanh" (or any other name) raises instead of silently running ReLU."""
    X, Y, params = batch
    with pytest.raises(
        ValueError, match="activation must be one of sigmoid, relu; got 'tanh'"
    ):
        call(X, Y, params)


@pytest.mark.parametrize(
    "field,value,needle",
    [
        ("lr", float("inf"), r"lr must be in \(0, 100\]; got inf"),
        ("lr", float("nan"), r"lr must be in \(0, 100\]; got nan"),
        ("lr", 1e300, r"lr must be in \(0, 100\]; got 1e\+300"),
        ("weight_decay", float("inf"), r"weight_decay must be in \[0, 10\]; got inf"),
        ("epochs", True, "epochs must be an integer; got True"),
        ("epochs", 2.0, "epochs must be an integer; got 2.0"),
        ("seed", -1, "seed must be in"),
        ("beta", 1.0, r"beta must be in \[0, 1\); got 1.0"),
        ("lr", "0.5", "lr must be a number; got '0.5'"),
        ("augment", "rotate", "augment must be one of none, affine, elastic"),
    ],
)
def test_train_config_refuses_non_finite_absurd_and_mistyped_values(
    field, value, needle
):
    """Each bad hyper-parameter is refused when the config is made, naming the field."""
    with pytest.raises(ValueError, match=needle):
        nn.TrainConfig(**{field: value})


def test_train_refuses_half_a_split_and_mismatched_sizes(batch):
    """X_val without Y_val, and Y_train for another m, are named before any training."""
    X, Y, _ = batch
    config = nn.TrainConfig(epochs=1, n_h=4)
    with pytest.raises(
        ValueError, match="X_val given without Y_val: pass both or neither"
    ):
        nn.train(X, Y, config, X_val=X)
    with pytest.raises(
        ValueError, match=r"Y_train must have shape \(10, 5\) to match 5"
    ):
        nn.train(X, Y[:, :3], config)
    with pytest.raises(ValueError, match=r"X_test must have shape \(784, m\)"):
        nn.train(X, Y, config, X_test=X[:100], Y_test=Y)


def test_a_diverging_run_stops_with_one_message_and_no_warning():
    """lr 100 with weight decay 10 overflows to NaN: train raises TrainingDiverged
    naming the epoch and the fix (pytest turns any RuntimeWarning into a failure
    here)."""
    d = nn.load_sample()
    config = nn.TrainConfig(lr=100, weight_decay=10, epochs=3, n_h=16)
    with pytest.raises(
        TrainingDiverged, match=r"diverged in epoch \d: the training loss is nan"
    ):
        nn.train(d.X_train[:, :1000], nn.one_hot(d.y_train[:1000]), config)


@pytest.mark.parametrize(
    "options,needle",
    [
        (["--lr", "inf"], "lr must be in (0, 100]; got inf"),
        (["--lr", "1e300"], "lr must be in (0, 100]; got 1e+300"),
        (["--weight-decay", "inf"], "weight_decay must be in [0, 10]; got inf"),
        (["--seed", "-1"], "seed must be in [0, 4294967295]; got -1"),
        (
            ["--lr", "100", "--weight-decay", "10", "--epochs", "3"],
            "training diverged in epoch",
        ),
        (["--val", "6000"], "--val must be between 1 and 4999"),
    ],
)
def test_cli_refuses_bad_hyperparameters_with_one_line_and_leaves_no_out(
    options, needle, tmp_path, capsys
):
    """Bad or diverging hyper-parameters end with exit 2, one line, and no --out
    folder."""
    out = tmp_path / "a" / "run"
    argv = [
        "train",
        "--data",
        "sample",
        "--n_h",
        "16",
        "--out",
        str(out),
        "--quiet",
        *options,
    ]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert needle in err and len(err.splitlines()) == 1 and "Traceback" not in err
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("name", ["../escaped", "", ".hidden", "a/b", "sweep\n"])
def test_sweep_refuses_names_that_leave_out_or_hide_files(name, tmp_path, capsys):
    """A --name that is empty, hidden or a path is refused before any training."""
    out = tmp_path / "sweeps"
    assert (
        main(
            [
                "sweep",
                "--data",
                "sample",
                "--seeds",
                "1",
                "--name",
                name,
                "--out",
                str(out),
            ]
        )
        == 2
    )
    err = capsys.readouterr().err
    assert "--name must be" in err and len(err.splitlines()) == 1
    assert list(tmp_path.iterdir()) == []


@pytest.mark.slow(reason="trains through the command line, figures included")
def test_history_json_is_strict_json(tmp_path):
    """history.json never holds NaN or Infinity, which strict JSON readers reject."""
    out = tmp_path / "run"
    assert (
        main(
            [
                "train",
                "--data",
                "sample",
                "--epochs",
                "1",
                "--n_h",
                "8",
                "--out",
                str(out),
                "--quiet",
            ]
        )
        == 0
    )
    json.loads(
        (out / "history.json").read_text(),
        parse_constant=lambda c: pytest.fail(f"history.json holds {c}"),
    )
