"""Do the tests named on the pages fail when the code they check is wrong?

    python tools/mutations.py [--group backprop|training|autodiff] [WORD ...]

Puts one mistake a learner would make into the package at a time (a missing
1/m, a sum over the wrong axis, a transposed gradient, a forgotten slope, a
loop that never reshuffles or resets its momentum, ...), runs the tests that
the pages name for that code, restores the file, and prints one line per
mistake: CAUGHT with the failing tests, or SURVIVED. It exits with status 1 if
any mistake survives, 2 if a mistake no longer applies to the source (the code
changed: update the list). WORDs keep only the mistakes whose name contains
one of them. The mistakes in the maths modules (activations, losses, init)
are in tools/mutations_math.py. Each file is restored even if a run is
interrupted. Takes a few minutes.
"""

import argparse
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]

BACKPROP_TESTS = [
    "tests/test_network.py",
    "tests/test_gradcheck.py",
    "tests/test_backprop_page.py::test_worked_example_matches_hand_written_loops",
]
TRAINING_TESTS = [
    "tests/test_train.py",
    "tests/test_optim.py",
    "tests/test_regularization.py",
    "tests/test_augment.py",
    "tests/test_plots.py",
]
# -x: one failing test is enough to call a mistake caught (hypothesis shrinks each one)
AUTODIFF_TESTS = ["-x", "tests/test_autodiff.py"]
NET, GRAD = "nnscratch/network.py", "nnscratch/gradcheck.py"
AD = "nnscratch/autodiff.py"
TRAIN, OPTIM = "nnscratch/train.py", "nnscratch/optim.py"

# (group, name, file, exact text, its replacement)
MISTAKES = [
    ("backprop", "missing 1/m", NET,
     'dZ2 = (cache["A2"] - Y) / m', 'dZ2 = (cache["A2"] - Y)'),
    ("backprop", "db2 summed over axis 0", NET,
     "db2 = dZ2.sum(axis=1, keepdims=True)", "db2 = dZ2.sum(axis=0, keepdims=True)"),
    ("backprop", "db1 summed over axis 0", NET,
     "db1 = dZ1.sum(axis=1, keepdims=True)", "db1 = dZ1.sum(axis=0, keepdims=True)"),
    ("backprop", "db2 without keepdims", NET,
     "db2 = dZ2.sum(axis=1, keepdims=True)", "db2 = dZ2.sum(axis=1)"),
    ("backprop", "dW2 transposed", NET,
     'dW2 = dZ2 @ cache.get("D1", A1).T', 'dW2 = cache.get("D1", A1) @ dZ2.T'),
    ("backprop", "dW1 transposed", NET, "dW1 = dZ1 @ X.T", "dW1 = X @ dZ1.T"),
    ("backprop", "sigma' forgotten in dZ1", NET,
     "dZ1 = dA1 * A1 * (1 - A1)", "dZ1 = dA1"),
    ("backprop", "sigma' from Z1 instead of A1", NET,
     "dZ1 = dA1 * A1 * (1 - A1)", 'dZ1 = dA1 * cache["Z1"] * (1 - cache["Z1"])'),
    ("backprop", "dW2 uses Z1 instead of A1", NET,
     'dW2 = dZ2 @ cache.get("D1", A1).T', 'dW2 = dZ2 @ cache["Z1"].T'),
    ("backprop", "relu slope forgotten", NET,
     'dZ1 = dA1 * (cache["Z1"] > 0)', "dZ1 = dA1"),
    ("backprop", "forward: bias b1 forgotten", NET,
     'Z1 = params["W1"] @ X + params["b1"]', 'Z1 = params["W1"] @ X'),
    ("backprop", "forward: Z2 reads Z1 instead of A1", NET,
     'params["W2"] @ cache.get("D1", A1)', 'params["W2"] @ cache.get("D1", Z1)'),
    ("backprop", "forward: softmax over the rows", NET,
     "softmax(Z2)", "softmax(Z2.T).T"),
    ("backprop", "numerical gradient divides by h, not 2h", GRAD,
     "(f_plus - f_minus) / (2 * h)", "(f_plus - f_minus) / h"),
    ("backprop", "numerical gradient: x not restored", GRAD,
     "        x[i] = saved\n", ""),
    ("training", "never reshuffles", TRAIN,
     "order = rng.permutation(m)", "order = np.arange(m)"),
    ("training", "same order every epoch", TRAIN,
     "order = rng.permutation(m)",
     "order = np.random.default_rng(config.seed).permutation(m)"),
    ("training", "velocity zeroed in train_epoch", TRAIN,
     "    order = rng.permutation(m)",
     "    order = rng.permutation(m)\n"
     "    velocity.update({k: v * 0 for k, v in velocity.items()})"),
    ("training", "velocity reset every epoch in train()", TRAIN,
     "        lr = learning_rate(epoch,",
     "        velocity = init_velocity(params)\n        lr = learning_rate(epoch,"),
    ("training", "schedule computed but not passed to train_epoch", TRAIN,
     "train_epoch(X_epoch, Y_cols, params, velocity, config, rng, lr)",
     "train_epoch(X_epoch, Y_cols, params, velocity, config, rng)"),
    ("training", "labels not shuffled with the images", TRAIN,
     "Y[:, order[s]]", "Y[:, s]"),
    ("training", "train_epoch ignores its lr argument", TRAIN,
     "lr = config.lr if lr is None else lr", "lr = config.lr"),
    ("training", "dropout mask shared across examples", TRAIN,
     "(config.n_h, s.stop - s.start)", "(config.n_h, 1)"),
    ("training", "momentum: wrong sign", OPTIM,
     "        theta -= lr * v  # (2)", "        theta += lr * v  # (2)"),
    ("training", "classical momentum: wrong sign", OPTIM,
     "        theta -= lr * v  # (4)", "        theta += lr * v  # (4)"),
    ("training", "momentum: missing (1 - beta)", OPTIM,
     '        v += (1 - beta) * grads["d" + name]', '        v += grads["d" + name]'),
    ("training", "weight decay on biases too", OPTIM,
     'for name in ("W1", "W2"):', "for name in params:"),
    ("training", "weight decay halved", OPTIM,
     'grads["d" + name] += weight_decay * params[name]',
     'grads["d" + name] += weight_decay / 2 * params[name]'),
    ("training", "step schedule off by one", OPTIM,
     "((epoch > e_1) + (epoch > e_2))", "((epoch >= e_1) + (epoch >= e_2))"),
    ("training", "cosine schedule off by one", OPTIM,
     "math.cos(math.pi * (epoch - 1) / epochs)", "math.cos(math.pi * epoch / epochs)"),
    ("training", "dropout not rescaled", NET,
     "/ np.dtype(dtype).type(1 - p)", "* 1"),
    # the learner's mistakes in an autodiff engine (Automatic differentiation page)
    ("autodiff", "engine: a fork overwrites instead of adding", AD,
     "t.grad = g if t.grad is None else t.grad + g", "t.grad = g"),
    ("autodiff", "engine: broadcast gradient not summed back", AD,
     "        g = _sum_to(g, t.data.shape)", "        pass"),
    ("autodiff", "engine: @ rule transposed", AD,
     "_accumulate(a, g @ b.data.T)", "_accumulate(a, b.data @ g.T)"),
    ("autodiff", "engine: softmax Jacobian's diagonal only", AD,
     "A * (g - (A * g).sum(axis=axis, keepdims=True))", "A * (1 - A) * g"),
    ("autodiff", "engine: sweep in forward topological order", AD,
     "for node in reversed(order):", "for node in order:"),
    ("autodiff", "engine: multiply does not swap its inputs", AD,
     "_accumulate(a, g * b.data)", "_accumulate(a, g * a.data)"),
    ("autodiff", "engine: subtraction keeps the sign", AD,
     "_accumulate(b, -g)  # (5)", "_accumulate(b, g)  # (5)"),
    ("autodiff", "engine: gradient computed for X too", AD,
     "        if b.requires_grad:\n            _accumulate(b, a.data.T @ g)",
     "        if True:\n            _accumulate(b, a.data.T @ g)"),
    ("autodiff", "engine: sigmoid slope forgotten", AD, "g * A * (1 - A)", "g"),
    ("autodiff", "engine: tanh slope 1 - A", AD, "g * (1 - A * A)", "g * (1 - A)"),
    ("autodiff", "engine: mean without 1/n", AD, "_spread(g / count,", "_spread(g,"),
    ("autodiff", "engine: cross-entropy without 1/m", AD,
     "(A - Y) / m * g", "(A - Y) * g"),
    ("autodiff", "engine: cross-entropy ignores the gradient from above", AD,
     "(A - Y) / m * g", "(A - Y) / m"),
    ("autodiff", "engine: intermediates' gradients not reset", AD,
     "            node.grad = None", "            pass"),
]
TESTS = {"backprop": BACKPROP_TESTS, "training": TRAINING_TESTS,
         "autodiff": AUTODIFF_TESTS}


def run_tests(tests: list[str]) -> list[str]:
    """Names of the tests that fail, running `tests` in a fresh pytest."""
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
         "-o", "addopts=", *tests],
        cwd=REPO, capture_output=True, text=True,
    )
    return [
        line.split(" ")[1].split("::")[-1]
        for line in result.stdout.splitlines()
        if line.startswith("FAILED ")
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--group", choices=sorted(TESTS))
    parser.add_argument("words", nargs="*")
    args = parser.parse_args(argv)
    survived = stale = 0
    for group, name, file, old, new in MISTAKES:
        if args.group and group != args.group:
            continue
        if args.words and not any(w in name for w in args.words):
            continue
        path = REPO / file
        source = path.read_text()
        if source.count(old) != 1:
            print(f"{name:48s} NOT APPLICABLE: the text is not once in {file}")
            stale += 1
            continue
        try:
            path.write_text(source.replace(old, new))
            failed = run_tests(TESTS[group])
        finally:
            path.write_text(source)
        survived += not failed
        shown = ", ".join(failed[:2]) + (f" and {len(failed) - 2} more" * (len(failed) > 2))
        verdict = f"CAUGHT by {shown}" if failed else "SURVIVED"
        print(f"{name:48s} {verdict}", flush=True)
    return 2 if stale else 1 if survived else 0


if __name__ == "__main__":
    sys.exit(main())
