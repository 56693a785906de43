"""The exercises: name, the reader's functions, the page that asks, the checker."""

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from . import check_autodiff as autodiff
from . import check_layers as layers
from . import check_networks as networks

HERE = Path(__file__).parent


@dataclass(frozen=True)
class Exercise:
    """One exercise.

    Attributes:
        name: the command-line name, e.g. "softmax".
        functions: names of the functions the reader's file must define.
        page: the docs page whose Exercises section asks for it, e.g. "softmax.md".
        summary: one line for `nnscratch exercises`.
        checker: generator function (functions dict, rng, fixed) -> lines of passed
            checks; `fixed` is True for the fixed cases, which add the edge cases
            (large logits, both tails, ...), False for the random case of --seed.
        fixed_cases: how many fixed cases run on every check (their seeds are
            `runner.FIXED_SEEDS`).
        starter_fails_with: a phrase of the report on the starter file: the stub's
            NotImplementedError, or the hint of the bug a repair exercise starts from.
    """

    name: str
    functions: tuple[str, ...]
    page: str
    summary: str
    checker: Callable[[dict, np.random.Generator, bool], Iterator[str]]
    fixed_cases: int = 2
    starter_fails_with: str = "NotImplementedError"

    @property
    def file_name(self) -> str:
        """Name of the starter and solution files, e.g. "cross_entropy_gradient.py"."""
        return self.name.replace("-", "_") + ".py"

    @property
    def starter(self) -> Path:
        return HERE / "starters" / self.file_name

    @property
    def solution(self) -> Path:
        return HERE / "solutions" / self.file_name


# in the order of the site's pages (mkdocs.yml), as `nnscratch exercises` lists them
EXERCISES = {
    e.name: e
    for e in (
        Exercise(
            "he-factor",
            ("he_std",),
            "initialisation.md",
            "the standard deviation that keeps the variance through ReLU layers",
            layers.check_he_factor,
            fixed_cases=1,
        ),
        Exercise(
            "sigmoid-derivative",
            ("sigmoid_derivative",),
            "activations.md",
            "sigmoid'(z), accurate also far out in both tails",
            layers.check_sigmoid_derivative,
        ),
        Exercise(
            "tanh-hidden",
            ("feed_forward_tanh", "back_propagate_tanh"),
            "activations.md",
            "forward pass and gradients of the network with a tanh hidden layer",
            networks.check_tanh_hidden,
        ),
        Exercise(
            "softmax",
            ("softmax",),
            "softmax.md",
            "column-wise softmax of a (K, m) array, stable for extreme logits",
            layers.check_softmax,
        ),
        Exercise(
            "cross-entropy-gradient",
            ("loss_gradient",),
            "softmax.md",
            "dL/dZ2 of the batch-mean cross-entropy of a softmax output",
            layers.check_cross_entropy_gradient,
        ),
        Exercise(
            "mse-sigmoid-output",
            ("mse_gradient",),
            "softmax.md",
            "dL/dZ2 of the mean squared error of a sigmoid output: sigma' comes back",
            layers.check_mse_sigmoid_output,
        ),
        Exercise(
            "backprop",
            ("back_propagate",),
            "backprop.md",
            "the four gradients of the sigmoid-softmax network, as the package "
            "returns them",
            networks.check_backprop,
        ),
        Exercise(
            "two-hidden-layers",
            ("feed_forward_2h", "back_propagate_2h"),
            "backprop.md",
            "forward pass and gradients of n_x-n_1-n_2-K, two sigmoid hidden layers",
            networks.check_two_hidden_layers,
        ),
        Exercise(
            "tanh-backward",
            ("tanh_backward",),
            "autodiff.md",
            "the backward rule of tanh: dL/dx from x, y = tanh(x) and dL/dy",
            autodiff.check_tanh_backward,
        ),
        Exercise(
            "weight-decay-fork",
            ("weight_decay_gradient",),
            "autodiff.md",
            "repair a gradient that overwrites instead of adding where W forks into "
            "the loss and the penalty",
            autodiff.check_weight_decay_fork,
            starter_fails_with="overwrote the first",
        ),
        Exercise(
            "float32-step",
            ("float32_step",),
            "training.md",
            "the finite-difference step that makes a float32 gradient check meaningful",
            layers.check_float32_step,
        ),
    )
}
