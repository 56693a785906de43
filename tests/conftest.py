import numpy as np
import pytest


@pytest.fixture
def rng():
    return np.random.default_rng(12345)


@pytest.fixture
def small_net(rng):
    """A float64 784-free toy network (n_x=7, n_h=5, K=4) with a batch of m=6 examples."""
    n_x, n_h, K, m = 7, 5, 4, 6
    params = {
        "W1": rng.standard_normal((n_h, n_x)),
        "b1": rng.standard_normal((n_h, 1)) * 0.1,
        "W2": rng.standard_normal((K, n_h)),
        "b2": rng.standard_normal((K, 1)) * 0.1,
    }
    X = rng.standard_normal((n_x, m))
    Y = np.eye(K)[:, rng.integers(0, K, m)]
    return X, Y, params
