"""Figures and numbers of the Inside page, drawn at build time from committed files.

The files (none needs the full MNIST, which the build does not have):
- docs/results/models/writeup.npz and record.npz: the two trained models;
- docs/results/inside/NAME/mistakes.npz and confusion.json: what each model gets
  wrong on the official test set, written by `python bench/look_inside.py`;
- docs/results/writeup/history.json: the write-up run's epochs, with the share of
  saturated hidden units in each ("saturated").

As a MkDocs hook it
- adds the figures of FIGURES to the site, each with a phone variant "-narrow.png"
  (hooks/generated_figures.py);
- replaces `{{ inside KEY }}` in a page with the number NUMBERS[KEY] computes from
  those files, so that a sentence quoting one cannot drift from the figures; an
  unknown KEY, a missing file, or a confusion.json written from another model than
  the committed one fails the build.

As a script, `python hooks/figures_inside.py FOLDER` writes the figures into FOLDER.
"""

import functools
import json
import re
from pathlib import Path

import numpy as np

import nnscratch as nn
from generated_figures import add_figures, write_figures
from nnscratch.data import file_sha256
from nnscratch.inside import (
    class_accuracy,
    initial_params,
    load_mistakes,
    most_confused,
    relative_change,
    saturation_per_epoch,
    top_two,
    unchanged_inputs,
)
from nnscratch.plots import (
    plot_class_accuracy,
    plot_mistakes,
    plot_saturation,
    plot_unit_weights,
)

RESULTS = Path(__file__).resolve().parents[1] / "docs" / "results"
MODELS = {"record": "the 800-unit network", "writeup": "the write-up's network"}  # file: label
UNITS = 16  # the first 16 hidden units: their initial weights are drawn alike
SHOWN_MISTAKES = 32
TOKEN = re.compile(r"\{\{ inside ([\w.]+) \}\}")
TRAINED_BY = "the run that trains it writes it (README: Results)"


class MissingResult(FileNotFoundError):
    """A file the Inside page needs is not in the repository yet."""


def _path(relative, command):
    """RESULTS / relative, which must be a file; else MissingResult naming it and
    `command`, which writes it."""
    path = RESULTS / relative
    if not path.is_file():
        raise MissingResult(f"the Inside page needs docs/results/{relative}: {command}")
    return path


def _look_inside(name):
    return (f"run python bench/look_inside.py --model docs/results/models/{name}.npz "
            f"--data ../shared/mnist --out docs/results/inside/{name}")


@functools.cache
def model(name):
    """(params, hyperparameters, initial params) of docs/results/models/NAME.npz."""
    path = _path(f"models/{name}.npz", TRAINED_BY)
    params, hyper = nn.load_model(path)
    return params, hyper, initial_params(params, hyper)


@functools.cache
def confusion(name):
    """The counts (K, K) of docs/results/inside/NAME/confusion.json, after checking
    that the file was written from the committed model."""
    written = json.loads(_path(f"inside/{name}/confusion.json",
                               _look_inside(name)).read_text())
    if written["model_sha256"] != file_sha256(_path(f"models/{name}.npz", TRAINED_BY)):
        raise ValueError(f"docs/results/inside/{name}/confusion.json was written from "
                         f"another {name}.npz than the committed one: "
                         f"{_look_inside(name)}")
    return np.array(written["counts"])


@functools.cache
def mistakes(name):
    confusion(name)  # the same check: the mistakes are the committed model's
    return load_mistakes(_path(f"inside/{name}/mistakes.npz", _look_inside(name)))


@functools.cache
def writeup_history():
    path = _path("writeup/history.json",
                 "run python bench/reproduce_writeup.py --data ../shared/mnist")
    return json.loads(path.read_text())


def weights_figure(name, narrow=False):
    params, _, start = model(name)
    return plot_unit_weights(start["W1"][:UNITS], params["W1"][:UNITS], narrow)


def mistakes_figure(narrow=False):
    m = mistakes("record")
    shown = slice(0, SHOWN_MISTAKES)
    return plot_mistakes(m["images"][shown], m["label"][shown],
                         m["probabilities"][shown], narrow=narrow)


def classes_figure(narrow=False):
    counts = {label: confusion(name) for name, label in MODELS.items()}
    return plot_class_accuracy(counts, narrow=narrow)


FIGURES = {
    f"figures/inside-{figure}{variant}.png": functools.partial(draw, narrow=narrow)
    for figure, draw in (
        ("weights-writeup", functools.partial(weights_figure, "writeup")),
        ("weights-record", functools.partial(weights_figure, "record")),
        ("mistakes", mistakes_figure),
        ("saturation", lambda narrow: plot_saturation(writeup_history(), narrow)),
        ("classes", classes_figure),
    )
    for variant, narrow in (("", False), ("-narrow", True))
}


def _percent(share, digits=2):
    return f"{100 * share:.{digits}f}%"


def accuracy(name):
    C = confusion(name)
    return np.trace(C) / C.sum()


def weight_change(name):
    """The median over the hidden units of the relative change of their weights."""
    params, _, start = model(name)
    return float(np.median(relative_change(start["W1"], params["W1"])))


def unchanged(name):
    params, _, start = model(name)
    return int(unchanged_inputs(start["W1"], params["W1"]).sum())


def saturated(threshold, epoch):
    """The share of saturated pairs at |z| > threshold after epoch (1-based; -1:
    the last)."""
    epochs, shares = saturation_per_epoch(writeup_history())
    return shares[threshold][epochs.index(epoch) if epoch > 0 else epoch]


def _describe(name):
    """'784-800-10, relu, cosine schedule, ...': the model file's settings in words."""
    return describe(model(name)[1])


def describe(h):
    """The words of `_describe` for a model's hyper-parameters `h`."""
    words = [f"784-{h['n_h']}-10", h["activation"]]
    if h.get("lr_schedule", "constant") != "constant":
        words.append(f"{h['lr_schedule']} learning-rate schedule")
    if h.get("augment", "none") == "elastic":
        affine = any(h.get(k, 1) for k in ("max_degrees", "max_shift", "max_scale"))
        default = nn.TrainConfig()
        alpha = h.get("elastic_alpha", default.elastic_alpha)
        kappa = h.get("elastic_kappa", default.elastic_kappa)
        field = ("" if (alpha, kappa) == (default.elastic_alpha, default.elastic_kappa)
                 else f" (field strength {alpha:g} px, smoothing width {kappa:g} px)")
        words.append(("elastic and affine distortions" if affine
                      else "elastic distortions") + field)
    elif h.get("augment", "none") != "none":
        words.append(f"{h['augment']} distortions")
    words.append(f"{h['epochs']} epoch{'s' * (h['epochs'] != 1)}")
    if h.get("val"):
        words.append(f"keeping the epoch best on {h['val']:,} held-out training images")
    return ", ".join([*words, f"seed {h['seed']}"])


def _digit(name, pick):
    """'4 (98.58%)': the digit `pick` (np.argmin or np.argmax) chooses by accuracy."""
    accuracy = class_accuracy(confusion(name))
    k = int(pick(accuracy))
    return f"{k} ({_percent(accuracy[k])})"


def _mistake_confidence(name):
    """The median, over the mistakes, of the probability given to the wrong answer."""
    return _percent(float(np.median(mistakes(name)["probabilities"].max(axis=1))), 1)


def _runner_up(name):
    """How many mistakes have the true class as the second most probable."""
    m = mistakes(name)
    second = top_two(m["probabilities"].T)[0][1]
    return str(int(np.sum(second == m["label"])))


def _better_digits():
    better = class_accuracy(confusion("record")) > class_accuracy(confusion("writeup"))
    return str(int(better.sum()))


def _top_mistake(name):
    t, k, count = most_confused(confusion(name), 1)[0]
    return f"a {t} read as a {k} ({count} times)"


NUMBERS = {
    **{f"{name}_accuracy": functools.partial(lambda n: _percent(accuracy(n)), name)
       for name in MODELS},
    **{f"{name}_wrong": functools.partial(
        lambda n: f"{int(confusion(n).sum() - np.trace(confusion(n))):,}", name)
       for name in MODELS},
    **{f"{name}_model": functools.partial(_describe, name) for name in MODELS},
    **{f"{name}_change": functools.partial(lambda n: f"{weight_change(n):.2f}", name)
       for name in MODELS},
    **{f"{name}_unchanged": functools.partial(lambda n: str(unchanged(n)), name)
       for name in MODELS},
    **{f"{name}_top_mistake": functools.partial(_top_mistake, name) for name in MODELS},
    **{f"{name}_best_digit": functools.partial(_digit, name, np.argmax)
       for name in MODELS},
    **{f"{name}_worst_digit": functools.partial(_digit, name, np.argmin)
       for name in MODELS},
    **{f"{name}_mistake_confidence": functools.partial(_mistake_confidence, name)
       for name in MODELS},
    "record_better_digits": _better_digits,
    "record_runner_up": functools.partial(_runner_up, "record"),
    "shown_mistakes": lambda: str(min(SHOWN_MISTAKES,
                                      len(mistakes("record")["index"]))),
    "units": lambda: str(UNITS),
    "epochs": lambda: str(saturation_per_epoch(writeup_history())[0][-1]),
    **{f"saturated_{t}_{when}": functools.partial(
        lambda t, e: _percent(saturated(t, e), 1), t, e)
       for t in ("5", "16.64") for when, e in (("first", 1), ("last", -1))},
}


def on_page_markdown(markdown, page, config, files):
    from mkdocs.exceptions import PluginError

    if page.file.src_uri.startswith("tests/"):  # test source quotes the token itself
        return markdown

    def replace(match):
        key = match.group(1)
        if key not in NUMBERS:
            raise PluginError(f"{page.file.src_uri}: unknown {match.group(0)}; known "
                              f"keys: {', '.join(NUMBERS)}")
        try:
            return NUMBERS[key]()
        except (FileNotFoundError, ValueError) as error:
            raise PluginError(f"{page.file.src_uri}: {error}") from None

    return TOKEN.sub(replace, markdown)


def on_files(files, config):
    return add_figures(files, config, FIGURES)


if __name__ == "__main__":
    write_figures("figures_inside.py", FIGURES)
