import numpy as np
import pytest

from nnscratch import TrainConfig, batch_slices, load_sample, one_hot, train


@pytest.mark.parametrize("m,batch", [(60000, 64), (65, 64), (64, 64), (1, 64), (130, 7)])
def test_batches_cover_every_index_once_and_none_is_empty(m, batch):
    slices = batch_slices(m, batch)
    covered = np.concatenate([np.arange(m)[s] for s in slices])
    assert np.array_equal(covered, np.arange(m))
    assert all(s.stop > s.start for s in slices)
    assert len(slices) == -(-m // batch)


def test_the_write_ups_end_index_would_drop_an_example():
    # its end = min(begin + bs, m - 1) covers 59,999 of 60,000 examples
    m, bs = 60000, 64
    written = sum(min(b + bs, m - 1) - b for b in range(0, m, bs))
    assert written == m - 1
    assert sum(s.stop - s.start for s in batch_slices(m, bs)) == m


@pytest.fixture(scope="module")
def sample():
    return load_sample()


def test_training_on_the_sample_reaches_90_percent_in_a_few_epochs(sample):
    _, history = train(sample.X_train, one_hot(sample.y_train), TrainConfig(epochs=5, seed=1),
                       X_test=sample.X_test, Y_test=one_hot(sample.y_test))
    assert history[-1]["test_accuracy"] >= 0.90
    assert history[-1]["train_loss"] < history[0]["train_loss"]
    assert set(history[0]) >= {"epoch", "train_loss", "test_loss", "test_accuracy", "seconds"}


def test_same_seed_gives_bit_identical_parameters(sample):
    X, Y = sample.X_train[:, :1000], one_hot(sample.y_train[:1000])
    a, _ = train(X, Y, TrainConfig(epochs=2, seed=3))
    b, _ = train(X, Y, TrainConfig(epochs=2, seed=3))
    c, _ = train(X, Y, TrainConfig(epochs=2, seed=4))
    assert all(np.array_equal(a[k], b[k]) for k in a)
    assert not np.array_equal(a["W1"], c["W1"])
    assert all(v.dtype == np.float32 for v in a.values())


def test_relu_training_runs_and_learns(sample):
    X, Y = sample.X_train[:, :2000], one_hot(sample.y_train[:2000])
    _, history = train(X, Y, TrainConfig(epochs=2, activation="relu", lr=0.1, seed=0))
    assert history[-1]["train_accuracy"] > 0.8


@pytest.mark.parametrize("field,value", [("epochs", 0), ("batch_size", -1), ("lr", 0.0),
                                         ("beta", 1.0), ("activation", "tanh")])
def test_bad_config_is_named(field, value):
    with pytest.raises(ValueError, match=field if field != "activation" else "activation"):
        TrainConfig(**{field: value})
