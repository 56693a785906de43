"""Classification metrics: accuracy, confusion matrix, per-class report.

Labels are integer class indices, shape (m,). Argument order is always
(y_true, y_pred); swapping them turns precision into recall and support
into predicted counts.
"""

import numpy as np


def accuracy(y_true: np.ndarray, y_pred: np.ndarray) -> float:
    """Fraction of predictions equal to the true label."""
    y_true, y_pred = _check_labels(y_true, y_pred)
    return float(np.mean(y_true == y_pred))


def confusion_matrix(
    y_true: np.ndarray, y_pred: np.ndarray, n_classes: int = 10
) -> np.ndarray:
    """Counts C[i, j] of examples of true class i predicted as class j.

    Returns:
        int64 array of shape (n_classes, n_classes); row sums are the supports.
    """
    y_true, y_pred = _check_labels(y_true, y_pred, n_classes)
    return np.bincount(y_true * n_classes + y_pred, minlength=n_classes**2).reshape(
        n_classes, n_classes
    )


def precision_recall_f1(
    y_true: np.ndarray, y_pred: np.ndarray, n_classes: int = 10
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Per-class precision, recall, F1 and support, from the confusion matrix C.

    Precision of class k: C[k, k] / (column k's sum, the predictions of k);
    recall: C[k, k] / (row k's sum, the true examples of k); F1: their
    harmonic mean, 2 P R / (P + R). A ratio whose denominator is 0 is reported
    as 0 (scikit-learn's default).

    Returns:
        (precision, recall, f1, support), each of shape (n_classes,).
    """
    C = confusion_matrix(y_true, y_pred, n_classes)
    tp = np.diag(C).astype(np.float64)
    support = C.sum(axis=1)
    precision = _safe_divide(tp, C.sum(axis=0))
    recall = _safe_divide(tp, support)
    f1 = _safe_divide(2 * precision * recall, precision + recall)
    return precision, recall, f1, support


def classification_report(
    y_true: np.ndarray, y_pred: np.ndarray, n_classes: int = 10, digits: int = 2
) -> str:
    """Text report in scikit-learn's layout, support = true count of each class."""
    precision, recall, f1, support = precision_recall_f1(y_true, y_pred, n_classes)
    total = int(support.sum())
    weights = support / max(total, 1)
    names = [str(k) for k in range(n_classes)]
    width = max(len("weighted avg"), digits, *map(len, names))
    row = "{:>{w}s} " + " {:>9.{d}f}" * 3 + " {:>9}\n"
    lines = [
        "{:>{w}s} ".format("", w=width)
        + "".join(f" {h:>9}" for h in ("precision", "recall", "f1-score", "support"))
        + "\n\n"
    ]
    for k, name in enumerate(names):
        lines.append(
            row.format(
                name, precision[k], recall[k], f1[k], support[k], w=width, d=digits
            )
        )
    lines.append("\n")
    lines.append(
        ("{:>{w}s} " + " {:>9}" * 2 + " {:>9.{d}f} {:>9}\n").format(
            "accuracy", "", "", accuracy(y_true, y_pred), total, w=width, d=digits
        )
    )
    for name, w in (
        ("macro avg", np.full(n_classes, 1 / n_classes)),
        ("weighted avg", weights),
    ):
        lines.append(
            row.format(
                name, w @ precision, w @ recall, w @ f1, total, w=width, d=digits
            )
        )
    return "".join(lines)


def _safe_divide(numerator, denominator):
    denominator = np.asarray(denominator, dtype=np.float64)
    return np.divide(
        numerator, denominator, out=np.zeros_like(denominator), where=denominator > 0
    )


def _check_labels(y_true, y_pred, n_classes=None):
    y_true = np.asarray(y_true).ravel()
    y_pred = np.asarray(y_pred).ravel()
    if y_true.shape != y_pred.shape:
        raise ValueError(
            "y_true and y_pred must have the same length; "
            f"got {y_true.size} and {y_pred.size}"
        )
    for name, y in (("y_true", y_true), ("y_pred", y_pred)):
        if not np.issubdtype(y.dtype, np.integer):
            raise ValueError(
                f"{name} must hold integer class labels; got dtype {y.dtype}"
            )
        if n_classes is not None and y.size and (y.min() < 0 or y.max() >= n_classes):
            raise ValueError(
                f"{name} must hold labels in 0..{n_classes - 1}; "
                f"found {y.min()}..{y.max()}"
            )
    return y_true.astype(np.int64), y_pred.astype(np.int64)
