"""nnscratch: a 784-n_h-10 neural network from scratch in NumPy, trained on MNIST.

Shape convention, used everywhere in the package: **one column per example**.

========  ==============  =====================================
symbol    shape           meaning
========  ==============  =====================================
X         (784, m)        inputs, float32 in [0, 1]
Y         (10, m)         one-hot targets, float32
W1, b1    (n_h, 784), (n_h, 1)  hidden layer
W2, b2    (10, n_h), (10, 1)    output layer
Z1, A1    (n_h, m)        hidden pre-activation and activation
Z2, A2    (10, m)         logits and softmax probabilities
========  ==============  =====================================

A gradient named ``dP`` is the derivative of the batch-mean loss with
respect to ``P`` and has the shape of ``P``.
"""

__version__ = "0.1.0"

from .activations import (  # noqa: E402
    relu,
    relu_derivative,
    sigmoid,
    saturated_shares,
    sigmoid_derivative,
    softmax,
    softmax_jacobian,
)
from .data import (  # noqa: E402
    DataError,
    Dataset,
    export_hdf5,
    load_data,
    load_hdf5,
    load_idx_folder,
    load_sample,
    one_hot,
    read_idx,
    verify_folder,
)
from .download import download_mnist  # noqa: E402
from . import autodiff  # noqa: E402
from .autodiff import Tensor  # noqa: E402
from .gradcheck import numerical_gradient, relative_error  # noqa: E402
from .init import init_params  # noqa: E402
from .inside import (  # noqa: E402
    class_accuracy,
    initial_params,
    load_mistakes,
    misclassified,
    mistake_arrays,
    most_confused,
    relative_change,
    saturation_per_epoch,
    top_two,
    unchanged_inputs,
)
from .losses import (  # noqa: E402
    binary_cross_entropy,
    binary_cross_entropy_derivative,
    compute_loss,
    log_softmax,
)
from .metrics import (  # noqa: E402
    accuracy,
    classification_report,
    confusion_matrix,
    precision_recall_f1,
)
from .model_io import ModelFileError, load_model, save_model  # noqa: E402
from .network import back_propagate, feed_forward, predict  # noqa: E402
from .optim import (  # noqa: E402
    classical_momentum_update,
    init_velocity,
    momentum_update,
)
from .train import TrainConfig, batch_slices, evaluate, train, train_epoch  # noqa: E402
from .variance import standardised_tanh_variances, variance_measurements  # noqa: E402
from .worked_example import worked_example  # noqa: E402

__all__ = [
    "Dataset", "DataError", "ModelFileError", "Tensor", "TrainConfig", "autodiff",
    "accuracy", "back_propagate", "batch_slices", "binary_cross_entropy",
    "binary_cross_entropy_derivative", "classical_momentum_update",
    "classification_report", "compute_loss", "confusion_matrix", "evaluate",
    "feed_forward", "init_params", "init_velocity", "load_data", "load_hdf5",
    "load_idx_folder", "load_model", "load_sample", "log_softmax", "momentum_update",
    "numerical_gradient", "one_hot", "precision_recall_f1", "predict", "read_idx",
    "relative_error", "relu", "relu_derivative", "save_model", "sigmoid",
    "saturated_shares", "sigmoid_derivative", "softmax", "softmax_jacobian", "train", "train_epoch",
    "download_mnist", "export_hdf5", "verify_folder", "variance_measurements",
    "standardised_tanh_variances",
    "worked_example",
    "class_accuracy", "initial_params", "load_mistakes", "misclassified",
    "mistake_arrays", "most_confused", "relative_change", "saturation_per_epoch",
    "top_two", "unchanged_inputs",
]
