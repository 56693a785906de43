"""Mini-batches and the loop's promises: shuffle, momentum, schedule, dropout."""

import importlib

import numpy as np
import pytest

from nnscratch import TrainConfig, batch_slices, load_sample, one_hot, train

# the module, not the function `nnscratch.train` re-exported under the same name
train_module = importlib.import_module("nnscratch.train")


@pytest.mark.parametrize(
    "m,batch", [(60000, 64), (65, 64), (64, 64), (1, 64), (130, 7)]
)
def test_batches_cover_every_index_once_and_none_is_empty(m, batch):
    """The batches cover 0..m-1 exactly once, none empty, ceil(m / batch) of them."""
    slices = batch_slices(m, batch)
    covered = np.concatenate([np.arange(m)[s] for s in slices])
    assert np.array_equal(covered, np.arange(m))
    assert all(s.stop > s.start for s in slices)
    assert len(slices) == -(-m // batch)


def test_the_write_ups_end_index_would_drop_an_example():
    """The write-up's end index m - 1 covers 59,999 of 60,000; batch_slices all."""
    # its end = min(begin + bs, m - 1) covers 59,999 of 60,000 examples
    m, bs = 60000, 64
    written = sum(min(b + bs, m - 1) - b for b in range(0, m, bs))
    assert written == m - 1
    assert sum(s.stop - s.start for s in batch_slices(m, bs)) == m


@pytest.fixture(scope="module")
def sample():
    return load_sample()


def test_training_on_the_sample_reaches_90_percent_in_a_few_epochs(sample):
    """Five epochs on the shipped sample reach 90% test accuracy and lower the loss."""
    _, history = train(
        sample.X_train,
        one_hot(sample.y_train),
        TrainConfig(epochs=5, seed=1),
        X_test=sample.X_test,
        Y_test=one_hot(sample.y_test),
    )
    assert history[-1]["test_accuracy"] >= 0.90
    assert history[-1]["train_loss"] < history[0]["train_loss"]
    assert set(history[0]) >= {
        "epoch",
        "train_loss",
        "test_loss",
        "test_accuracy",
        "seconds",
    }


def test_same_seed_gives_bit_identical_parameters(sample):
    """The same seed gives bit-identical float32 parameters; another seed does not."""
    X, Y = sample.X_train[:, :1000], one_hot(sample.y_train[:1000])
    a, _ = train(X, Y, TrainConfig(epochs=2, seed=3))
    b, _ = train(X, Y, TrainConfig(epochs=2, seed=3))
    c, _ = train(X, Y, TrainConfig(epochs=2, seed=4))
    assert all(np.array_equal(a[k], b[k]) for k in a)
    assert not np.array_equal(a["W1"], c["W1"])
    assert all(v.dtype == np.float32 for v in a.values())


def test_relu_training_runs_and_learns(sample):
    """A ReLU hidden layer trains past 80% training accuracy in two epochs."""
    X, Y = sample.X_train[:, :2000], one_hot(sample.y_train[:2000])
    _, history = train(X, Y, TrainConfig(epochs=2, activation="relu", lr=0.1, seed=0))
    assert history[-1]["train_accuracy"] > 0.8


@pytest.mark.parametrize(
    "field,value",
    [
        ("epochs", 0),
        ("batch_size", -1),
        ("lr", 0.0),
        ("beta", 1.0),
        ("activation", "tanh"),
        ("elastic_kappa", 0.0),
        ("elastic_alpha", -1.0),
        ("max_degrees", 181.0),
        ("max_shift", float("nan")),
        ("max_scale", 1.0),
    ],
)
def test_bad_config_is_named(field, value):
    """An invalid hyper-parameter raises a ValueError that names the field."""
    with pytest.raises(
        ValueError, match=field if field != "activation" else "activation"
    ):
        TrainConfig(**{field: value})


# --- the loop's promises (Training page, "The loop") ---------------------------------
# Each test watches the real `train()` through a thin wrapper around one function that
# `train_epoch` calls, so a loop that breaks a promise fails wherever the mistake sits
# (inside `train_epoch` or in `train()` around it).


def _indexed_data(m=40, n_x=3, seed=0):
    """Inputs whose first row is the column's own index / 64 (exact in float32)."""
    rng = np.random.default_rng(seed)
    X = rng.random((n_x, m), dtype=np.float32)
    X[0] = np.arange(m, dtype=np.float32) / 64
    return X, one_hot(rng.integers(0, 10, m))


def _record_batches(monkeypatch):
    """Wrap back_propagate in nnscratch.train; return the column indices per batch."""
    seen = []
    real = train_module.back_propagate

    def spy(X, Y, params, cache, activation="sigmoid"):
        seen.append(np.rint(X[0] * 64).astype(int))
        return real(X, Y, params, cache, activation)

    monkeypatch.setattr(train_module, "back_propagate", spy)
    return seen


def _epochs_of(seen, m, batch_size):
    per_epoch = -(-m // batch_size)
    assert len(seen) % per_epoch == 0
    return [
        np.concatenate(seen[i : i + per_epoch]) for i in range(0, len(seen), per_epoch)
    ]


def test_every_epoch_visits_each_example_once_in_a_fresh_random_order(monkeypatch):
    """Each epoch visits every column once, in a new order, never the stored one."""
    seen = _record_batches(monkeypatch)
    X, Y = _indexed_data(m=40)
    train(X, Y, TrainConfig(epochs=3, n_h=4, batch_size=8, seed=0))
    orders = _epochs_of(seen, 40, 8)
    assert len(orders) == 3
    for order in orders:
        assert np.array_equal(
            np.sort(order), np.arange(40)
        ), "an example skipped or repeated"
        assert not np.array_equal(
            order, np.arange(40)
        ), "the columns were never shuffled"
    for a in range(3):
        for b in range(a + 1, 3):
            same = np.array_equal(orders[a], orders[b])
            assert not same, f"epochs {a + 1} and {b + 1} share an order"


def test_momentum_buffers_carry_over_from_one_epoch_to_the_next(monkeypatch):
    """The first step of epoch 2 starts from epoch 1's velocity, not from zeros."""
    calls = []
    real = train_module.momentum_update

    def spy(params, grads, velocity, lr, beta):
        calls.append({k: float(np.abs(v).max()) for k, v in velocity.items()})
        return real(params, grads, velocity, lr, beta)

    monkeypatch.setattr(train_module, "momentum_update", spy)
    X, Y = _indexed_data(m=40)
    train(X, Y, TrainConfig(epochs=2, n_h=4, batch_size=8, seed=0))
    assert len(calls) == 10
    assert all(v == 0 for v in calls[0].values()), "the first step must start from zero"
    assert all(v > 0 for v in calls[5].values()), "velocity was reset between epochs"


@pytest.mark.parametrize("schedule", ["step", "cosine"])
def test_each_epoch_steps_with_its_scheduled_learning_rate(monkeypatch, schedule):
    """Every update of epoch e uses the scheduled rate for e, as the history records."""
    from nnscratch.optim import learning_rate

    used = []
    real = train_module.momentum_update

    def spy(params, grads, velocity, lr, beta):
        used.append(lr)
        return real(params, grads, velocity, lr, beta)

    monkeypatch.setattr(train_module, "momentum_update", spy)
    X, Y = _indexed_data(m=16)
    config = TrainConfig(epochs=4, n_h=4, batch_size=8, lr=0.5, lr_schedule=schedule)
    _, history = train(X, Y, config)
    expected = [learning_rate(e, 0.5, 4, schedule) for e in range(1, 5)]
    assert len(set(expected)) > 1
    assert used == pytest.approx(
        [rate for rate in expected for _ in range(2)], rel=1e-12
    )
    assert [r["lr"] for r in history] == pytest.approx(expected, rel=1e-12)


def test_dropout_draws_a_fresh_mask_per_unit_and_per_example(monkeypatch):
    """A batch's mask is (n_h, batch) and its columns differ: a mask per example."""
    masks = []
    real = train_module.feed_forward

    def spy(X, params, activation="sigmoid", mask=None):
        masks.append(mask)
        return real(X, params, activation, mask)

    monkeypatch.setattr(train_module, "feed_forward", spy)
    X, Y = _indexed_data(m=64)
    train(X, Y, TrainConfig(epochs=1, n_h=32, batch_size=32, dropout=0.5, seed=0))
    training_masks = [M for M in masks if M is not None]
    assert len(training_masks) == 2
    for M in training_masks:
        assert M.shape == (32, 32)
        assert (
            len({M[:, j].tobytes() for j in range(32)}) > 1
        ), "one mask shared by every example"
        assert (
            len({M[h].tobytes() for h in range(32)}) > 1
        ), "one mask shared by every unit"
    assert not np.array_equal(
        training_masks[0], training_masks[1]
    ), "the same mask every batch"


def test_saturated_shares_counts_strictly_beyond_each_threshold():
    """|z| > t, strictly, over every (unit, image) pair, for each threshold."""
    from nnscratch import saturated_shares

    Z = np.array([[0.0, -5.0, 5.5, -16.7], [16.64, 20.0, -4.9, 100.0]], np.float32)
    assert saturated_shares(Z) == {"5": 5 / 8, "16.64": 3 / 8}
    assert saturated_shares(Z, (1.0,)) == {"1": 7 / 8}


def test_float32_backprop_slope_is_zero_beyond_the_upper_threshold():
    """Past the upper threshold, A(1 - A) in float32, which back_propagate uses, is 0
    for z > 0 and below 6e-8 for z < 0; at the lower one the slope is 1/38 of its
    value at 0."""
    from nnscratch.activations import SATURATION_THRESHOLDS, sigmoid

    low, high = SATURATION_THRESHOLDS
    z = np.linspace(high, 60, 2001, dtype=np.float32)[1:]
    A, A_minus = sigmoid(z), sigmoid(-z)
    assert np.all(A * (1 - A) == 0)
    assert np.all(A_minus * (1 - A_minus) < 6e-8)
    slope = float(sigmoid(np.float64(low)) * sigmoid(np.float64(-low)))
    assert 0.25 / slope == pytest.approx(37.6, abs=0.05)


def test_history_records_saturation_of_a_sigmoid_network_on_the_probe(sample):
    """With X_probe, each epoch's record of a sigmoid network holds the shares of the
    probe's pre-activations beyond the thresholds, measured with that epoch's
    parameters; a ReLU network's records do not."""
    from nnscratch import feed_forward, saturated_shares

    X, Y = sample.X_train[:, :1000], one_hot(sample.y_train[:1000])
    probe = sample.X_test[:, :300]
    params, history = train(X, Y, TrainConfig(epochs=2, n_h=16, lr=5.0), X_probe=probe)
    last = saturated_shares(feed_forward(probe, params, "sigmoid")["Z1"])
    assert history[-1]["saturated"] == last
    assert history[0]["saturated"] != last  # measured after each epoch, not once
    assert last["5"] > 0  # lr 5 drives some units far out
    _, relu = train(X, Y, TrainConfig(epochs=1, activation="relu", lr=0.1),
                    X_probe=probe)
    assert "saturated" not in relu[0]


def test_distortion_options_reach_the_images_the_loop_trains_on(sample):
    """With every distortion set to zero the distorted copies are the images
    themselves, so training is bit-identical to training without distortions; one
    non-zero option (a shift, or only the elastic field) changes the result."""
    from dataclasses import replace

    X, Y = sample.X_train[:, :600], one_hot(sample.y_train[:600])
    plain, _ = train(X, Y, TrainConfig(epochs=2, n_h=8))
    still = TrainConfig(epochs=2, n_h=8, augment="elastic", elastic_alpha=0.0,
                        max_degrees=0.0, max_shift=0.0, max_scale=0.0)
    same, _ = train(X, Y, still)
    assert all(np.array_equal(plain[k], same[k]) for k in plain)
    for changed in (replace(still, max_shift=1.0), replace(still, elastic_alpha=5.0)):
        moved, _ = train(X, Y, changed)
        assert not np.array_equal(plain["W1"], moved["W1"])
