"""The write-up's training procedure, re-implemented as the benchmark's baseline.

This is our own code doing what the write-up's code does, so that the
benchmark can time it beside nnscratch on the same machine in the same run:

* float64 parameters (its `np.random.randn` / `np.zeros` defaults) over
  float32 images, so every product upcasts the batch to float64;
* float64 one-hot labels (its `np.eye(10)`);
* images laid out as its `X[:m].T` leaves them: one contiguous image per
  column (Fortran order), which makes its shuffle a fast gather;
* one shuffled copy of the whole training set per epoch, then batches
  sliced from it with its end index `min(begin + batch_size, m - 1)`
  (which drops one example per epoch: kept, it changes no timing);
* the sigmoid recomputed twice in backprop from Z1, an unshifted softmax,
  new arrays for every momentum and parameter update;
* after every epoch, a full forward pass over the training set and over
  the test set, each in one piece, and their losses.

Only the two things the write-up's code needs in order to run at all are
added: `batches` (the number of mini-batches, which it never defines) and
zero momentum buffers (which it never initialises).

Use `epochs(...)`: a generator that trains one epoch per `next()` and
yields how long the training and the evaluation took.
"""

import time

import numpy as np


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def forward(X, params):
    Z1 = np.matmul(params["W1"], X) + params["b1"]
    A1 = sigmoid(Z1)
    Z2 = np.matmul(params["W2"], A1) + params["b2"]
    A2 = np.exp(Z2) / np.sum(np.exp(Z2), axis=0)
    return {"Z1": Z1, "A1": A1, "Z2": Z2, "A2": A2}


def backward(X, Y, params, cache, m_batch):
    dZ2 = cache["A2"] - Y
    dW2 = (1.0 / m_batch) * np.matmul(dZ2, cache["A1"].T)
    db2 = (1.0 / m_batch) * np.sum(dZ2, axis=1, keepdims=True)
    dA1 = np.matmul(params["W2"].T, dZ2)
    dZ1 = dA1 * sigmoid(cache["Z1"]) * (1 - sigmoid(cache["Z1"]))  # recomputed, as written
    dW1 = (1.0 / m_batch) * np.matmul(dZ1, X.T)
    db1 = (1.0 / m_batch) * np.sum(dZ1, axis=1, keepdims=True)
    return {"dW1": dW1, "db1": db1, "dW2": dW2, "db2": db2}


def loss(Y, Y_hat):
    return -np.sum(Y * np.log(Y_hat)) / Y.shape[1]


def epochs(X_train, y_train, X_test, y_test, *, lr=0.5, beta=0.9, batch_size=64, n_h=64, seed=0):
    """Train the write-up's way, one epoch per `next()`.

    Args:
        X_train, X_test: float32 images, shape (784, m), as the write-up loads them.
        y_train, y_test: integer labels, shape (m,).

    Yields:
        Dict with train_seconds, eval_seconds, train_loss, test_loss of each epoch.
    """
    rng = np.random.default_rng(seed)
    # its X[:m].T of row-per-image arrays: each image contiguous (Fortran order)
    X_train, X_test = np.asfortranarray(X_train), np.asfortranarray(X_test)
    Y_train = np.eye(10)[:, y_train]  # float64, as np.eye gives
    Y_test = np.eye(10)[:, y_test]
    n_x, m = X_train.shape
    params = {
        "W1": rng.standard_normal((n_h, n_x)) * np.sqrt(1.0 / n_x),
        "b1": np.zeros((n_h, 1)),
        "W2": rng.standard_normal((10, n_h)) * np.sqrt(1.0 / n_h),
        "b2": np.zeros((10, 1)),
    }
    batches = -(-m // batch_size)  # fix 1: the write-up never defines it
    V = {name: np.zeros_like(p) for name, p in params.items()}  # fix 2: momentum buffers
    while True:
        start = time.perf_counter()
        permutation = rng.permutation(m)
        X_shuffled, Y_shuffled = X_train[:, permutation], Y_train[:, permutation]
        for j in range(batches):
            begin = j * batch_size
            end = min(begin + batch_size, m - 1)
            X, Y = X_shuffled[:, begin:end], Y_shuffled[:, begin:end]
            cache = forward(X, params)
            grads = backward(X, Y, params, cache, end - begin)
            for name in params:
                V[name] = beta * V[name] + (1.0 - beta) * grads["d" + name]
                params[name] = params[name] - lr * V[name]
        trained = time.perf_counter()
        train_loss = loss(Y_train, forward(X_train, params)["A2"])
        test_loss = loss(Y_test, forward(X_test, params)["A2"])
        yield {"train_seconds": trained - start, "eval_seconds": time.perf_counter() - trained,
               "train_loss": float(train_loss), "test_loss": float(test_loss)}
