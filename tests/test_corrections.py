"""Tests for the corrections to the write-up that the package's unit tests do not already cover.

Each test is named on the Corrections page next to the error it disproves.
"""

import subprocess
import sys

import numpy as np
import pytest

from conftest import REPO
from nnscratch import (binary_cross_entropy_derivative, compute_loss, feed_forward, init_params,
                       load_sample, numerical_gradient, precision_recall_f1, predict,
                       relative_error, sigmoid, softmax, softmax_jacobian)


def test_diagonal_only_chain_rule_misses_the_softmax_gradient(rng):
    # dl/dz_i = sum_k dl/dy_k * dy_k/dz_i needs the whole Jacobian; its diagonal alone is wrong
    z = rng.standard_normal(10)
    y = np.eye(10)[3]
    y_hat = softmax(z.reshape(-1, 1)).ravel()
    dl_dyhat = -y / y_hat
    J = softmax_jacobian(z)
    z_probe = z.copy()
    true = numerical_gradient(lambda: compute_loss(y.reshape(-1, 1), z_probe.reshape(-1, 1)), z_probe)
    assert relative_error(J.T @ dl_dyhat, true) < 1e-7
    assert relative_error(np.diag(J) * dl_dyhat, true) > 0.1


def test_factorised_binary_chain_is_nan_where_y_hat_minus_y_is_not():
    # (y_hat - y) / (y_hat (1 - y_hat)) * y_hat (1 - y_hat) at z = 40: 1 - sigmoid(40) is 0 in float64
    y_hat, y = sigmoid(np.array([40.0])), 0.0
    with np.errstate(divide="ignore", invalid="ignore"):
        factorised = binary_cross_entropy_derivative(y, y_hat) * y_hat * (1 - y_hat)
    assert np.isnan(factorised[0])
    assert (y_hat - y)[0] == 1.0


def test_variance_figure_follows_the_corrected_formula_on_the_mnist_sample():
    sys.path.insert(0, str(REPO / "hooks"))
    try:
        from figures import variance_measurements
    finally:
        sys.path.remove(str(REPO / "hooks"))
    layers = variance_measurements(load_sample().X_train[:, :2000], seed=1)
    first, hidden = layers["input layer"], layers["sigmoid hidden layer"]
    # the corrected prediction Var(w) sum E[x^2] matches what is measured ...
    assert first["measured"] == pytest.approx(first["corrected"], rel=0.05)
    assert hidden["measured"] == pytest.approx(hidden["corrected"], rel=0.12)
    # ... while n Var(w) Var(x) is too small: by 40% at the input, 40x or more at the sigmoid layer
    assert first["measured"] > 1.4 * first["write-up"]
    assert hidden["measured"] > 30 * hidden["write-up"]
    # and the output variance is nowhere near the "normalised to 1" of the write-up
    assert first["measured"] < 0.2


def test_unscaled_pixels_would_saturate_the_sigmoid_layer():
    X = load_sample().X_train[:, :1000]
    params = init_params(rng=np.random.default_rng(0))
    saturated = {scale: float(np.mean(np.abs(feed_forward(X * scale, params)["Z1"]) > 5))
                 for scale in (1, 255)}
    assert saturated[1] < 0.01 and saturated[255] > 0.9


def test_importing_and_training_read_no_command_line():
    # the write-up parsed sys.argv at import time, which dies under pytest and in Jupyter
    code = ("import nnscratch as nn; d = nn.load_sample(); "
            "nn.train(d.X_train[:, :200], nn.one_hot(d.y_train[:200]), nn.TrainConfig(epochs=1))")
    result = subprocess.run([sys.executable, "-c", code, "-f", "kernel.json", "-q", "tests/"],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_weighted_precision_is_not_accuracy():
    # 100 examples per class; 10 of each class 1..9 are predicted as 0
    y_true = np.repeat(np.arange(10), 100)
    y_pred = y_true.copy()
    for k in range(1, 10):
        y_pred[k * 100:k * 100 + 10] = 0
    accuracy = np.mean(y_true == y_pred)
    precision, _, _, support = precision_recall_f1(y_true, y_pred)
    weighted_precision = float(precision @ support / support.sum())
    assert accuracy == pytest.approx(0.91)
    assert weighted_precision == pytest.approx(0.1 * 100 / 190 + 0.9, rel=1e-12)
    assert weighted_precision - accuracy > 0.04


def test_a_prediction_is_the_argmax_not_a_threshold():
    # with ten classes no probability need exceed 0.5; the prediction is still defined
    params = {"W1": np.eye(3), "b1": np.zeros((3, 1)), "W2": np.eye(3), "b2": np.zeros((3, 1))}
    X = np.array([[0.2], [0.4], [0.1]])
    assert softmax(params["W2"] @ sigmoid(X)).max() < 0.5
    assert predict(X, params)[0] == 1
