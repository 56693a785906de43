"""Dropout, L2 weight decay, learning-rate schedules and validation hold-out."""

import json

import numpy as np
import pytest

from nnscratch import (
    back_propagate,
    compute_loss,
    feed_forward,
    load_sample,
    numerical_gradient,
    one_hot,
    relative_error,
)
from nnscratch.cli import main
from nnscratch.network import dropout_mask
from nnscratch.optim import add_weight_decay, learning_rate
from nnscratch.sweep import markdown_table, summarise
from nnscratch.train import TrainConfig, evaluate, split_validation, train


@pytest.mark.parametrize("activation", ["sigmoid", "relu"])
@pytest.mark.parametrize("name", ["W1", "b1", "W2", "b2"])
def test_dropout_gradients_match_central_differences_for_a_fixed_mask(
    small_net, activation, name
):
    """With a fixed mask, every gradient matches central differences (float64)."""
    X, Y, params = small_net
    mask = dropout_mask((5, X.shape[1]), 0.4, np.random.default_rng(3), np.float64)
    assert 0 < (mask == 0).sum() < mask.size

    def loss():
        return compute_loss(Y, feed_forward(X, params, activation, mask)["Z2"])

    grads = back_propagate(
        X, Y, params, feed_forward(X, params, activation, mask), activation
    )
    assert (
        relative_error(grads["d" + name], numerical_gradient(loss, params[name])) < 1e-7
    )


def test_dropout_mask_drops_p_and_keeps_the_mean():
    """The mask holds 0 and 1 / (1 - p), drops a fraction p and has mean 1."""
    M = dropout_mask((256, 1000), 0.3, np.random.default_rng(0))
    assert M.dtype == np.float32
    assert set(np.unique(M)) == {0.0, np.float32(1 / 0.7)}
    assert (M == 0).mean() == pytest.approx(0.3, abs=0.01)
    assert M.mean() == pytest.approx(1.0, abs=0.01)


@pytest.mark.parametrize("name", ["W1", "b1", "W2", "b2"])
def test_weight_decay_gradient_matches_the_penalised_loss(small_net, name):
    """Weight decay's gradients match central differences of the penalised loss."""
    X, Y, params = small_net
    lam = 0.03

    def loss():
        penalty = lam / 2 * (np.sum(params["W1"] ** 2) + np.sum(params["W2"] ** 2))
        return compute_loss(Y, feed_forward(X, params)["Z2"]) + penalty

    grads = back_propagate(X, Y, params, feed_forward(X, params))
    add_weight_decay(grads, params, lam)
    assert (
        relative_error(grads["d" + name], numerical_gradient(loss, params[name])) < 1e-7
    )


def test_learning_rate_schedules():
    """Constant, step (after E/2 and 3E/4) and cosine give the page's rates."""
    assert [learning_rate(e, 0.5, 8, "constant") for e in (1, 8)] == [0.5, 0.5]
    assert [learning_rate(e, 1.0, 8, "step") for e in range(1, 9)] == pytest.approx(
        [1, 1, 1, 1, 0.1, 0.1, 0.01, 0.01]
    )
    cosine = [learning_rate(e, 1.0, 10, "cosine") for e in range(1, 11)]
    assert cosine[0] == 1.0 and cosine[5] == pytest.approx(0.5)
    assert all(a > b > 0 for a, b in zip(cosine, cosine[1:]))
    with pytest.raises(ValueError, match="schedule"):
        learning_rate(1, 0.1, 10, "linear")


def test_split_validation_is_disjoint_complete_and_seeded():
    """The hold-out and the rest are disjoint, cover all, and depend on the seed."""
    X = np.arange(20, dtype=np.float32).reshape(1, 20)
    y = np.arange(20)
    Xt, yt, Xv, yv = split_validation(X, y, 5, seed=3)
    assert len(yv) == 5 and len(yt) == 15
    assert sorted(np.concatenate([yt, yv])) == list(range(20))
    assert np.array_equal(Xv[0], yv)
    assert np.array_equal(split_validation(X, y, 5, seed=3)[3], yv)
    assert not np.array_equal(split_validation(X, y, 5, seed=4)[3], yv)
    with pytest.raises(ValueError, match="--val"):
        split_validation(X, y, 20, seed=0)


@pytest.fixture(scope="module")
def sample():
    return load_sample()


def test_training_with_validation_returns_the_best_epoch(sample):
    """With a validation set, train returns the best epoch's parameters."""
    X, y, Xv, yv = split_validation(
        sample.X_train[:, :1500], sample.y_train[:1500], 300, seed=0
    )
    config = TrainConfig(
        epochs=4, lr=2.0, n_h=16, seed=0
    )  # a large step makes accuracy jumpy
    params, history = train(X, one_hot(y), config, X_val=Xv, Y_val=one_hot(yv))
    best = max(history, key=lambda r: r["val_accuracy"])
    _, predictions = evaluate(Xv, one_hot(yv), params)
    assert np.mean(predictions == yv) == pytest.approx(best["val_accuracy"])
    assert all("val_loss" in r and "test_loss" not in r for r in history)


@pytest.mark.parametrize(
    "options",
    [
        {"dropout": 0.2},
        {"weight_decay": 1e-3},
        {"lr_schedule": "cosine"},
        {"augment": "affine"},
        {"augment": "elastic", "activation": "relu"},
    ],
)
def test_each_option_trains_and_is_reproducible(sample, options):
    """Each option trains (loss falls) and repeats bit for bit with its seed."""
    X, Y = sample.X_train[:, :1000], one_hot(sample.y_train[:1000])
    config = TrainConfig(epochs=3, n_h=32, seed=1, **options)
    a, history = train(X, Y, config)
    b, _ = train(X, Y, config)
    assert all(np.array_equal(a[k], b[k]) for k in a)
    assert history[-1]["train_loss"] < history[0]["train_loss"]
    assert history[-1]["train_accuracy"] > 0.5


def test_options_change_the_result(sample):
    """Each option changes the parameters (cosine's first epoch excepted)."""
    X, Y = sample.X_train[:, :500], one_hot(sample.y_train[:500])
    base, _ = train(X, Y, TrainConfig(epochs=1, n_h=16))
    for options in (
        {"dropout": 0.2},
        {"weight_decay": 1e-2},
        {"lr_schedule": "cosine", "epochs": 1},
        {"augment": "affine"},
    ):
        changed, _ = train(X, Y, TrainConfig(**{"epochs": 1, "n_h": 16, **options}))
        if (
            options.get("lr_schedule") == "cosine"
        ):  # cosine's first epoch runs at the full rate
            assert np.array_equal(changed["W1"], base["W1"])
        else:
            assert not np.array_equal(changed["W1"], base["W1"]), options


def test_summary_statistics_and_table():
    """A sweep's mean, standard deviation and table come from its runs."""
    runs = [
        {
            "seed": s,
            "test_accuracy": a,
            "test_loss": 0.1,
            "chosen_epoch": 3,
            "wall_seconds": w,
        }
        for s, a, w in ((0, 0.98, 10.0), (1, 0.99, 12.0), (2, 0.985, 11.0))
    ]
    s = summarise(runs)
    assert s["test_accuracy_mean"] == pytest.approx(0.985)
    assert s["test_accuracy_std"] == pytest.approx(0.005)
    assert s["wall_seconds_max"] == 12.0
    table = markdown_table({"command": "nnscratch sweep x", "summary": s, "runs": runs})
    assert "0.9850 ± 0.0050" in table and table.count("\n| ") == 5


@pytest.mark.slow(reason="trains through the command line, figures included")
def test_cli_train_with_val_and_options(tmp_path, capsys):
    """nnscratch train accepts --val and every option and writes its run."""
    out = tmp_path / "run"
    assert (
        main(
            [
                "train",
                "--data",
                "sample",
                "--epochs",
                "1",
                "--n-h",
                "16",
                "--val",
                "500",
                "--dropout",
                "0.1",
                "--weight-decay",
                "1e-4",
                "--lr-schedule",
                "step",
                "--augment",
                "affine",
                "--out",
                str(out),
                "--quiet",
            ]
        )
        == 0
    )
    history = json.loads((out / "history.json").read_text())
    assert {"val_loss", "val_accuracy", "lr"} <= set(
        history[0]
    ) and "test_loss" not in history[0]
    assert "chose epoch" in capsys.readouterr().out


def test_cli_sweep_writes_json_table_and_plot(tmp_path, capsys):
    """nnscratch sweep writes its JSON, markdown table and plot."""
    out = tmp_path / "sweeps"
    argv = [
        "sweep",
        "--data",
        "sample",
        "--epochs",
        "1",
        "--n-h",
        "8",
        "--seeds",
        "2",
        "--val",
        "500",
        "--name",
        "tiny",
        "--out",
        str(out),
    ]
    assert main(argv) == 0
    sweep = json.loads((out / "tiny.json").read_text())
    assert sweep["command"] == "nnscratch " + " ".join(
        argv
    )  # the table says how to reproduce it
    assert sweep["config"]["n_h"] == 8 and sweep["config"]["val"] == 500
    assert [r["seed"] for r in sweep["runs"]] == [0, 1]
    assert sweep["runs"][0]["test_accuracy"] != sweep["runs"][1]["test_accuracy"]
    assert (out / "tiny.png").read_bytes()[:4] == b"\x89PNG"
    assert "mean ± std" in (out / "tiny.md").read_text()


@pytest.mark.parametrize(
    "argv,needle",
    [
        (
            ["train", "--data", "sample", "--val", "5000"],
            "--val must be between 1 and 4999",
        ),
        (
            ["train", "--data", "sample", "--dropout", "1.0"],
            "dropout must be in [0, 1)",
        ),
        (["sweep", "--data", "sample", "--seeds", "0"], "--seeds must be at least 1"),
    ],
)
def test_bad_options_exit_2(argv, needle, tmp_path, capsys):
    """A bad option ends with exit status 2 and a message naming it."""
    assert main(argv + ["--out", str(tmp_path)]) == 2
    assert needle in capsys.readouterr().err
