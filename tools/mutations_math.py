"""Do the tests of the maths modules catch the mistakes a learner would make?

    python tools/mutations_math.py

breaks activations.py, losses.py, init.py and variance.py one way at a time
(sigma' as z(1 - z) or sigma(1 - sigma), softmax without its max shift or over
the wrong axis, a diagonal-only Jacobian, a loss without 1/m or taking the log
of a softmax, c ignored, ...), runs the tests the pages name for that
function, restores the file, and prints which tests failed. It exits with
status 1 if some mistake leaves every one of its tests passing. Each file is
restored even if the run is interrupted.
"""

import pathlib
import subprocess
import sys

R = pathlib.Path(__file__).resolve().parents[1]
M = [
    (
        "sigma' as z(1-z)",
        "nnscratch/activations.py",
        "return sigmoid(z) * sigmoid(-z)  # (5)",
        "return z * (1 - z)  # (5)",
        [
            "tests/test_activations.py::test_sigmoid_derivative_matches_central_"
                "differences_on_minus30_to_30",
            "tests/test_activations.py::test_sigmoid_derivative_keeps_relative_"
                "precision_in_the_tail",
        ],
    ),
    (
        "sigma' as s(1-s)",
        "nnscratch/activations.py",
        "return sigmoid(z) * sigmoid(-z)  # (5)",
        "return sigmoid(z) * (1 - sigmoid(z))  # (5)",
        [
            "tests/test_activations.py::test_sigmoid_derivative_keeps_relative_"
                "precision_in_the_tail"
        ],
    ),
    (
        "sigma' as zeros",
        "nnscratch/activations.py",
        "return sigmoid(z) * sigmoid(-z)  # (5)",
        "return np.zeros_like(sigmoid(z))  # (5)",
        [
            "tests/test_activations.py::test_sigmoid_derivative_keeps_relative_"
                "precision_in_the_tail"
        ],
    ),
    (
        "sigmoid in float32 inside",
        "nnscratch/activations.py",
        "return 1 / (1 + np.exp(-z))  # (1)",
        "return (1 / (1 + np.exp(-z.astype(np.float32)))).astype(z.dtype)  # (1)",
        [
            "tests/test_activations.py::test_sigmoid_matches_the_textbook_formula_"
                "where_that_is_safe"
        ],
    ),
    (
        "softmax without max shift",
        "nnscratch/activations.py",
        "shifted = Z - Z.max(axis=0, keepdims=True)  # (2): z_k - max z",
        "shifted = Z  # (2): z_k - max z",
        [
            "tests/test_activations.py::test_softmax_is_shift_invariant_and_finite",
            "tests/test_activations.py::test_softmax_of_extreme_logits_has_no_nan",
            "tests/test_activations.py::test_softmax_float32_stays_float32_and_finite",
        ],
    ),
    (
        "softmax over the wrong axis",
        "nnscratch/activations.py",
        "return E / E.sum(axis=0, keepdims=True)  # (2): divide by their sum",
        "return E / E.sum(axis=1, keepdims=True)  # (2): divide by their sum",
        ["tests/test_activations.py::test_softmax_is_shift_invariant_and_finite"],
    ),
    (
        "diagonal-only Jacobian",
        "nnscratch/activations.py",
        "return np.diag(y_hat) - np.outer(y_hat, y_hat)  # (8)",
        "return np.diag(y_hat - y_hat**2)  # (8)",
        [
            "tests/test_activations.py::test_softmax_jacobian_matches_central_"
                "differences",
            "tests/test_corrections.py::test_diagonal_only_chain_rule_misses_the_"
                "softmax_gradient",
        ],
    ),
    (
        "loss without 1/m",
        "nnscratch/losses.py",
        "return -float(np.sum(Y * log_softmax(Z2))) / m  # (6)",
        "return -float(np.sum(Y * log_softmax(Z2)))  # (6)",
        [
            "tests/test_losses.py::test_softmax_cross_entropy_gradient_is_A2_minus_Y_"
                "over_m"
        ],
    ),
    (
        "log of softmax, no log-softmax",
        "nnscratch/losses.py",
        "return -float(np.sum(Y * log_softmax(Z2))) / m  # (6)",
        "from nnscratch.activations import softmax; return -float(np.sum(Y * np.log("
            "softmax(Z2)))) / m  # (6)",
        [
            "tests/test_losses.py::test_loss_of_extreme_logits_is_exact",
            "tests/test_losses.py::test_loss_is_finite_when_a_wrong_class_"
                "probability_underflows",
        ],
    ),
    (
        "log with clipping",
        "nnscratch/losses.py",
        "return -float(np.sum(Y * log_softmax(Z2))) / m  # (6)",
        "from nnscratch.activations import softmax; return -float(np.sum(Y * np.log("
            "np.clip(softmax(Z2), 1e-12, 1)))) / m  # (6)",
        ["tests/test_losses.py::test_loss_of_extreme_logits_is_exact"],
    ),
    (
        "init ignores c",
        "nnscratch/init.py",
        "c = SCALE_NUMERATOR[activation]  # (2)",
        "c = 1.0  # (2)",
        [
            "tests/test_init.py::test_init_scales_by_fan_in",
            "tests/test_init.py::test_he_factor_2_is_justified_after_relu_not_on_"
                "pixels",
        ],
    ),
    (
        "corrected prediction uses variance",
        "nnscratch/variance.py",
        '"corrected": var_w * np.sum(inputs**2) / m,  # (7)',
        '"corrected": var_w * np.sum(inputs.var(axis=1)),  # (7)',
        [
            "tests/test_corrections.py::test_variance_figure_follows_the_corrected_"
                "formula_on_the_mnist_sample",
            "tests/test_init.py::test_within_unit_variance_is_the_write_ups_formula_"
                "pooled_is_not",
        ],
    ),
    (
        "relu' at 0 is 1",
        "nnscratch/activations.py",
        "return (z > 0).astype(z.dtype)  # (7)",
        "return (z >= 0).astype(z.dtype)  # (7)",
        ["tests/test_activations.py::test_relu_and_its_derivative"],
    ),
    (
        "bce derivative sign",
        "nnscratch/losses.py",
        "return (y_hat - y) / (y_hat * (1 - y_hat))  # (12)",
        "return (y - y_hat) / (y_hat * (1 - y_hat))  # (12)",
        [
            "tests/test_losses.py::test_binary_cross_entropy_derivative_matches_"
                "central_differences",
            "tests/test_losses.py::test_binary_chain_rule_collapses_to_y_hat_minus_y",
        ],
    ),
]


def main():
    survivors = []
    for name, path, old, new, tests in M:
        f = R / path
        text = f.read_text()
        assert old in text, (name, old)
        f.write_text(text.replace(old, new))
        try:
            failed = []
            for t in tests:
                run = subprocess.run(
                    [
                        sys.executable,
                        "-m",
                        "pytest",
                        "-q",
                        "-x",
                        "-p",
                        "no:cacheprovider",
                        t,
                    ],
                    cwd=R,
                    capture_output=True,
                    text=True,
                )
                failed.append(run.returncode != 0)
        finally:
            f.write_text(text)
        verdict = "caught" if any(failed) else "NOT CAUGHT"
        print(f"{name}: {verdict} ({sum(failed)} of {len(tests)} named tests fail)")
        if not any(failed):
            survivors.append(name)
    return 1 if survivors else 0


if __name__ == "__main__":
    sys.exit(main())
