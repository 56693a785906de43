"""Tests for the corrections to the write-up that the package's unit tests do not
already cover.

Each test is named on the Corrections page next to the error it disproves.
"""

import subprocess
import sys

import numpy as np
import pytest

import nnscratch as nn
from nnscratch import (
    back_propagate,
    binary_cross_entropy_derivative,
    compute_loss,
    feed_forward,
    init_params,
    load_sample,
    numerical_gradient,
    precision_recall_f1,
    predict,
    relative_error,
    relu,
    sigmoid,
    softmax,
    softmax_jacobian,
    variance_measurements,
)


def test_diagonal_only_chain_rule_misses_the_softmax_gradient(rng):
    """Summing over the whole softmax Jacobian gives the gradient; its diagonal alone
    does not."""
    # dl/dz_i = sum_k dl/dy_k * dy_k/dz_i needs the whole Jacobian; its diagonal alone
    # is wrong
    z = rng.standard_normal(10)
    y = np.eye(10)[3]
    y_hat = softmax(z.reshape(-1, 1)).ravel()
    dl_dyhat = -y / y_hat
    J = softmax_jacobian(z)
    z_probe = z.copy()
    true = numerical_gradient(
        lambda: compute_loss(y.reshape(-1, 1), z_probe.reshape(-1, 1)), z_probe
    )
    assert relative_error(J.T @ dl_dyhat, true) < 1e-7
    assert relative_error(np.diag(J) * dl_dyhat, true) > 0.1


def test_factorised_binary_chain_is_nan_where_y_hat_minus_y_is_not():
    """At z = 40, y = 0 the factorised chain is inf * 0 = nan in float64; y_hat - y is
    1."""
    y_hat, y = sigmoid(np.array([40.0])), 0.0  # 1 - sigmoid(40) is 0 in float64
    with np.errstate(divide="ignore", invalid="ignore"):
        first = binary_cross_entropy_derivative(y, y_hat)
        factorised = first * y_hat * (1 - y_hat)
    assert np.isinf(first[0]) and (y_hat * (1 - y_hat))[0] == 0
    assert np.isnan(factorised[0])
    assert (y_hat - y)[0] == 1.0


def test_variance_figure_follows_the_corrected_formula_on_the_mnist_sample():
    """On real MNIST images the pooled Var(z) follows (7), not n Var(w) Var(x), in both
    layers."""
    layers = variance_measurements(load_sample().X_train[:, :2000], seed=1)
    first, hidden = layers["input layer"], layers["sigmoid hidden layer"]
    # the corrected prediction Var(w) sum E[x^2] matches what is measured ...
    assert first["measured"] == pytest.approx(first["corrected"], rel=0.05)
    assert hidden["measured"] == pytest.approx(hidden["corrected"], rel=0.12)
    # ... while n Var(w) Var(x) is too small: by 40% at the input, 40x or more at the
    # sigmoid layer
    assert first["measured"] > 1.4 * first["write-up"]
    assert hidden["measured"] > 30 * hidden["write-up"]
    # and the output variance is nowhere near the "normalised to 1" of the write-up
    assert first["measured"] < 0.2


def test_unscaled_pixels_would_saturate_the_sigmoid_layer():
    """Pixels in 0..255 put over 90% of hidden pre-activations beyond |z| = 5; in [0,
    1], <1%."""
    X = load_sample().X_train[:, :1000]
    params = init_params(rng=np.random.default_rng(0))
    saturated = {
        scale: float(np.mean(np.abs(feed_forward(X * scale, params)["Z1"]) > 5))
        for scale in (1, 255)
    }
    assert saturated[1] < 0.01 and saturated[255] > 0.9


def test_importing_and_training_read_no_command_line():
    """Importing and training work under foreign command-line arguments (pytest,
    Jupyter)."""
    # the write-up parsed sys.argv at import time, which dies under pytest and in
    # Jupyter
    code = (
        "import nnscratch as nn; d = nn.load_sample(); "
        "nn.train(d.X_train[:, :200], nn.one_hot(d.y_train[:200]), "
        "nn.TrainConfig(epochs=1))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code, "-f", "kernel.json", "-q", "tests/"],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr


def test_weighted_precision_is_not_accuracy():
    """A classifier with accuracy 0.91 can have a weighted precision above 0.95."""
    # 100 examples per class; 10 of each class 1..9 are predicted as 0
    y_true = np.repeat(np.arange(10), 100)
    y_pred = y_true.copy()
    for k in range(1, 10):
        y_pred[k * 100 : k * 100 + 10] = 0
    accuracy = np.mean(y_true == y_pred)
    precision, _, _, support = precision_recall_f1(y_true, y_pred)
    weighted_precision = float(precision @ support / support.sum())
    assert accuracy == pytest.approx(0.91)
    assert weighted_precision == pytest.approx(0.1 * 100 / 190 + 0.9, rel=1e-12)
    assert weighted_precision - accuracy > 0.04


def test_a_prediction_is_the_argmax_not_a_threshold():
    """With ten classes the prediction is the most probable one, even below 0.5."""
    # with ten classes no probability need exceed 0.5; the prediction is still defined
    params = {
        "W1": np.eye(3),
        "b1": np.zeros((3, 1)),
        "W2": np.eye(3),
        "b2": np.zeros((3, 1)),
    }
    X = np.array([[0.2], [0.4], [0.1]])
    assert softmax(params["W2"] @ sigmoid(X)).max() < 0.5
    assert predict(X, params)[0] == 1


# the write-up's results table: precision, recall, f1-score and support per class, as
# printed
WRITEUP_TABLE = [
    (0.99, 0.98, 0.98, 997),
    (0.99, 0.99, 0.99, 1138),
    (0.98, 0.98, 0.98, 1032),
    (0.98, 0.97, 0.97, 1019),
    (0.98, 0.98, 0.98, 984),
    (0.97, 0.98, 0.97, 883),
    (0.98, 0.98, 0.98, 953),
    (0.97, 0.98, 0.98, 1017),
    (0.98, 0.98, 0.98, 974),
    (0.96, 0.97, 0.97, 1003),
]
TEST_SET_COUNTS = [
    980,
    1135,
    1032,
    1010,
    982,
    892,
    958,
    1028,
    974,
    1009,
]  # official 10k


def _whole_true_positives(precision, recall, f1, predicted, true):
    """Every whole TP for which TP/predicted, TP/true and the F1 print as given."""
    shown = "{:.2f}".format
    return [
        tp
        for tp in range(min(predicted, true) + 1)
        if shown(tp / predicted) == shown(precision)
        and shown(tp / true) == shown(recall)
        and shown(2 * tp / (predicted + true)) == shown(f1)
    ]


def test_the_results_table_fits_whole_numbers_only_with_precision_and_recall_swapped():
    """The table's support is the prediction count, and only swapped columns fit whole
    TPs."""
    support = [row[3] for row in WRITEUP_TABLE]
    assert sum(support) == sum(TEST_SET_COUNTS) == 10_000 and support != TEST_SET_COUNTS
    as_labelled, swapped = [], []
    for (p, r, f, s), n in zip(WRITEUP_TABLE, TEST_SET_COUNTS):
        # support s counts predictions; "precision" = TP/s and "recall" = TP/n as
        # labelled
        as_labelled.append(_whole_true_positives(p, r, f, predicted=s, true=n))
        # swapped, as classification_report(predictions, labels) prints them
        swapped.append(_whole_true_positives(r, p, f, predicted=s, true=n))
    assert [k for k, tps in enumerate(as_labelled) if not tps] == [0, 3, 5, 7, 9]
    assert all(swapped) and swapped[0] == [973]
    # taking the support as the true count and the prediction count as unknown, every
    # row
    # fits: so whole numbers alone do not refute the table; the true counts do
    for p, r, f, s in WRITEUP_TABLE:
        assert any(
            _whole_true_positives(p, r, f, predicted=q, true=s)
            for q in range(int(0.9 * s), int(1.1 * s))
        )


def test_units_do_not_share_one_output_distribution_at_initialisation():
    """Behind the sigmoid layer, unit means spread far more than one unit varies over
    images."""
    X = load_sample().X_train[:, :2000]
    hidden = variance_measurements(X, seed=3)["sigmoid hidden layer"]
    assert hidden["between units"] > 20 * hidden["within a unit"]
    # the same in the network itself: its ten initial logits are per-class offsets
    Z2 = feed_forward(X, init_params(rng=np.random.default_rng(0)))["Z2"]
    assert Z2.mean(axis=1).std() > 3 * Z2.std(axis=1).mean()


def test_the_output_layer_is_a_softmax_not_a_sigmoid():
    """The output columns are softmax(Z2) and sum to 1; sigmoid(Z2) would not."""
    X = load_sample().X_train[:, :50]
    cache = feed_forward(X, init_params(rng=np.random.default_rng(0)))
    assert np.allclose(cache["A2"], softmax(cache["Z2"]), rtol=1e-6, atol=0)
    assert np.allclose(cache["A2"].sum(axis=0), 1, rtol=1e-6)
    assert np.all(np.abs(sigmoid(cache["Z2"]).sum(axis=0) - 1) > 2)


def test_relu_with_c_1_halves_the_second_moment_at_every_layer(rng):
    """With ReLU and c = 1, E[z^2] halves at each layer (1/1024 after ten); c = 2 keeps
    it."""
    n, m = 256, 2000
    for c, expected in ((1.0, 0.5**10), (2.0, 1.0)):
        Z = rng.standard_normal((n, m))
        for _ in range(10):
            Z = rng.standard_normal((n, n)) * np.sqrt(c / n) @ relu(Z)
        assert expected / 2 < np.mean(Z**2) < expected * 2  # finite width: within 2x
    assert nn.init.SCALE_NUMERATOR["relu"] == 2.0


def test_one_step_is_a_mini_batch_mean_with_moving_average_momentum(rng):
    """A step moves by -lr (1 - beta) times the mean gradient over the batch, not one
    example."""
    m = 64
    X = rng.random((784, m))
    Y = nn.one_hot(rng.integers(0, 10, m), dtype=np.float64)
    start = init_params(rng=np.random.default_rng(0), dtype=np.float64)
    params = {k: v.copy() for k, v in start.items()}
    config = nn.TrainConfig(lr=0.5, beta=0.9, batch_size=m)
    nn.train_epoch(
        X, Y, params, nn.init_velocity(params), config, np.random.default_rng(1)
    )
    per_example = [
        back_propagate(X[:, [j]], Y[:, [j]], start, feed_forward(X[:, [j]], start))
        for j in range(m)
    ]
    for name in start:
        mean_gradient = np.mean([g["d" + name] for g in per_example], axis=0)
        step = params[name] - start[name]
        assert np.allclose(
            step, -0.5 * (1 - 0.9) * mean_gradient, rtol=1e-9, atol=1e-15
        )


def test_training_is_reproducible_from_its_seed_whatever_the_global_random_state():
    """Two runs with one seed give identical weights even if NumPy's global state
    differs."""
    data = load_sample()
    X, Y = data.X_train[:, :300], nn.one_hot(data.y_train[:300])
    config = nn.TrainConfig(epochs=2, seed=5)
    runs = []
    for global_seed in (1, 2):
        np.random.seed(
            global_seed
        )  # the write-up's unseeded permutation reads this state
        runs.append(nn.train(X, Y, config)[0])
    assert all(np.array_equal(runs[0][k], runs[1][k]) for k in runs[0])
    other = nn.train(X, Y, nn.TrainConfig(epochs=2, seed=6))[0]
    assert not np.array_equal(runs[0]["W1"], other["W1"])


def test_the_relu_halves_the_second_moment_only_for_symmetric_weights(rng):
    """Corrections item 8 and the he-factor exercise: relu keeps half of E[z^2] when the
    weights are symmetric about 0, not when they only have mean 0 (a centred
    exponential keeps about 0.74 of it in a one-input unit)."""
    n, m = 1, 400_000
    a = np.ones((n, m))  # positive inputs, as relu outputs are
    for draw, kept in (
        (lambda s: rng.standard_normal(s), 0.5),  # symmetric
        (lambda s: rng.uniform(-1, 1, s), 0.5),  # symmetric
        (lambda s: rng.exponential(1.0, s) - 1.0, 2 / np.e),  # mean 0, skewed
    ):
        z = np.sum(draw((n, m)) * a, axis=0)
        assert np.mean(relu(z) ** 2) / np.mean(z**2) == pytest.approx(kept, abs=0.01)
