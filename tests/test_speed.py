"""What the fast training path promises: dtypes, layouts, threads, chunks. No timing
here."""

import importlib
import sys
from pathlib import Path

import numpy as np
import pytest
from threadpoolctl import threadpool_limits

from nnscratch import (
    TrainConfig,
    back_propagate,
    evaluate,
    feed_forward,
    init_params,
    sigmoid,
    init_velocity,
    load_sample,
    one_hot,
    train,
    train_epoch,
)

train_module = importlib.import_module(
    "nnscratch.train"
)  # the module, not the function
BENCH = Path(__file__).resolve().parent.parent / "bench"


@pytest.fixture(scope="module")
def small():
    s = load_sample()
    return s.X_train[:, :1000], s.y_train[:1000]


def _one_epoch(X, Y, threads=1):
    rng = np.random.default_rng(7)
    params = init_params(rng=rng)
    velocity = init_velocity(params)
    with threadpool_limits(threads, user_api="blas"):
        train_epoch(X, Y, params, velocity, TrainConfig(), rng)
    return params


def test_training_is_float32_end_to_end_even_with_float64_labels(small, monkeypatch):
    """Parameters, gradients and velocities stay float32 even when the labels come in
    as float64."""
    X, y = small
    seen = []

    def spy_update(params, grads, velocity, lr, beta):
        seen.extend([*params.values(), *grads.values(), *velocity.values()])
        return momentum_update(params, grads, velocity, lr, beta)

    def spy_back(X_batch, Y_batch, params, cache, activation):
        seen.extend([X_batch, Y_batch, *cache.values()])
        return back_propagate(X_batch, Y_batch, params, cache, activation)

    momentum_update = train_module.momentum_update
    monkeypatch.setattr(train_module, "momentum_update", spy_update)
    monkeypatch.setattr(train_module, "back_propagate", spy_back)
    Y64 = np.eye(10)[:, y]  # the write-up's float64 one-hot labels
    params, _ = train(X, Y64, TrainConfig(epochs=1))
    assert len(seen) > 100
    assert {a.dtype for a in seen} == {np.dtype(np.float32)}
    assert all(p.dtype == np.float32 for p in params.values())


@pytest.mark.parametrize("augment", ["none", "elastic"])
def test_train_hands_its_epochs_example_contiguous_data(small, monkeypatch, augment):
    # a C-ordered X would make every mini-batch gather read 784 scattered floats per
    # example
    """train gives train_epoch data with each example contiguous in memory (Fortran
    order)."""
    X, y = small
    layouts = []
    real_epoch = train_module.train_epoch

    def spy_epoch(X_epoch, Y_epoch, *args, **kwargs):
        layouts.append((X_epoch.flags.f_contiguous, Y_epoch.flags.f_contiguous))
        return real_epoch(X_epoch, Y_epoch, *args, **kwargs)

    monkeypatch.setattr(train_module, "train_epoch", spy_epoch)
    train(
        np.ascontiguousarray(X),
        np.ascontiguousarray(one_hot(y)),
        TrainConfig(epochs=2, augment=augment),
    )
    assert layouts == [(True, True), (True, True)]


def test_memory_layout_of_the_data_does_not_change_a_single_bit(small):
    """C- or Fortran-ordered data give bit-identical parameters after an epoch."""
    X, y = small
    Y = one_hot(y)
    a = _one_epoch(np.ascontiguousarray(X), np.ascontiguousarray(Y))
    b = _one_epoch(np.asfortranarray(X), np.asfortranarray(Y))
    assert all(np.array_equal(a[k], b[k]) for k in a)


def test_two_blas_threads_agree_with_one_to_float32_rounding(small):
    # OpenBLAS may split a product differently on two threads, which changes
    # the last bits; after an epoch the parameters still agree to ~1e-7.
    """One or two BLAS threads give the same parameters up to float32 rounding."""
    X, y = small
    X, Y = np.asfortranarray(X), np.asfortranarray(one_hot(y))
    a, b = _one_epoch(X, Y, threads=1), _one_epoch(X, Y, threads=2)
    for k in a:
        assert np.allclose(a[k], b[k], rtol=1e-5, atol=1e-6), k


def test_train_pins_its_threads_so_the_callers_limit_changes_nothing(small):
    """train pins its BLAS threads, so the caller's thread limit does not change a bit.
    """
    X, y = small
    runs = []
    for threads in (1, 2):
        with threadpool_limits(threads, user_api="blas"):
            runs.append(train(X, one_hot(y), TrainConfig(epochs=1, seed=5))[0])
    assert all(np.array_equal(runs[0][k], runs[1][k]) for k in runs[0])


@pytest.mark.parametrize("chunk", [1, 7, 250, 999])
def test_evaluation_in_chunks_equals_one_big_pass(small, chunk):
    """Evaluating in chunks gives the same predictions and loss as one pass over all
    examples."""
    X, y = small
    Y = one_hot(y)
    params = init_params(rng=np.random.default_rng(0))
    loss_one, pred_one = evaluate(X, Y, params, chunk=X.shape[1])
    loss, pred = evaluate(X, Y, params, chunk=chunk)
    assert np.array_equal(pred, pred_one)
    assert loss == pytest.approx(
        loss_one, rel=1e-6
    )  # sums in another order: float32 rounding


def test_writeup_baseline_computes_the_same_gradients_as_nnscratch(small_net):
    """The benchmark's copy of the write-up's procedure computes nnscratch's gradients.
    """
    sys.path.insert(0, str(BENCH))
    try:
        import writeup_baseline
    finally:
        sys.path.remove(str(BENCH))
    X, Y, params = small_net
    ours = back_propagate(X, Y, params, feed_forward(X, params))
    theirs = writeup_baseline.backward(
        X, Y, params, writeup_baseline.forward(X, params), X.shape[1]
    )
    for k in ours:
        assert np.allclose(ours[k], theirs[k], rtol=1e-10, atol=1e-12), k


@pytest.mark.parametrize("dtype,ulps", [(np.float32, 4), (np.float64, 4)])
def test_one_formula_sigmoid_keeps_relative_precision_down_to_the_smallest_normal(
    dtype, ulps
):
    """The one-formula sigmoid keeps a few ulps of relative precision wherever the true
    value is a normal number."""
    z = np.linspace(-750, 750, 300_001).astype(dtype)
    exact = 1 / (
        1 + np.exp(-z.astype(np.longdouble))
    )  # no overflow in extended precision
    normal = exact >= np.finfo(dtype).tiny
    got = sigmoid(z).astype(np.longdouble)
    assert (
        np.max(np.abs(got[normal] - exact[normal]) / exact[normal])
        < ulps * np.finfo(dtype).eps
    )
    assert np.all(got[~normal] < np.finfo(dtype).tiny)  # below that: 0 or a subnormal
