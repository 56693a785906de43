import numpy as np
import pytest
from sklearn import metrics as skm

from nnscratch import (
    accuracy,
    classification_report,
    confusion_matrix,
    precision_recall_f1,
)


@pytest.mark.parametrize("seed", range(5))
def test_metrics_equal_scikit_learn_on_random_labels(seed):
    """Precision, recall, F1, support and the report equal scikit-learn's."""
    rng = np.random.default_rng(seed)
    y_true = rng.integers(0, 10, 500)
    y_pred = np.where(rng.random(500) < 0.6, y_true, rng.integers(0, 10, 500))
    assert np.array_equal(
        confusion_matrix(y_true, y_pred), skm.confusion_matrix(y_true, y_pred)
    )
    p, r, f, s = precision_recall_f1(y_true, y_pred)
    sp, sr, sf, ss = skm.precision_recall_fscore_support(y_true, y_pred)
    assert np.allclose(p, sp) and np.allclose(r, sr) and np.allclose(f, sf)
    assert np.array_equal(s, ss)
    assert accuracy(y_true, y_pred) == skm.accuracy_score(y_true, y_pred)
    for digits in (2, 4):
        assert classification_report(
            y_true, y_pred, digits=digits
        ) == skm.classification_report(y_true, y_pred, digits=digits)


def test_support_is_the_true_count_per_class():
    """Support counts the true labels of each class, not the predictions."""
    y_true = np.array([0, 0, 0, 1, 2])
    y_pred = np.array([0, 1, 1, 1, 1])
    assert np.array_equal(precision_recall_f1(y_true, y_pred, 3)[3], [3, 1, 1])


def test_swapping_arguments_swaps_precision_and_recall():
    """Swapping y_true and y_pred swaps precision and recall."""
    rng = np.random.default_rng(0)
    y_true, y_pred = rng.integers(0, 10, 300), rng.integers(0, 10, 300)
    p, r, _, _ = precision_recall_f1(y_true, y_pred)
    p_swapped, r_swapped, _, _ = precision_recall_f1(y_pred, y_true)
    assert np.allclose(p, r_swapped) and np.allclose(r, p_swapped)


def test_bad_labels_are_named():
    """Mismatched lengths, non-integer or out-of-range labels raise a named error."""
    with pytest.raises(ValueError, match="same length"):
        accuracy([1, 2], [1])
    with pytest.raises(ValueError, match="0..9"):
        confusion_matrix([1, 12], [1, 2])
