"""Figures and numbers of the Beyond 98% and Results pages, made at build time.

As a MkDocs hook it
- adds `figures/distortions.png` to the site: shipped-sample digits beside an affine
  and an elastic distortion of each, drawn by `nnscratch.plots.plot_distortions`;
- replaces `{{ sweep NAME }}` in a page (not in the generated test pages) with
  "mean ± std" of the test accuracy over the seeds of `docs/results/sweep/NAME.json`,
  as `nnscratch sweep` wrote it, `{{ sweep NAME longest }}` with the wall time
  of its longest run, `{{ sweep NAME fit }}` and `{{ sweep NAME val }}` with the
  mean accuracy on the undistorted training images and on the validation images
  at the seeds' chosen epochs, and `{{ sweep NAME correct }}` with the test
  images classified correctly over all seeds, so a sentence quoting a sweep
  cannot drift from it (an unknown NAME or field fails the build); and
  `{{ frontier NAME }}` with the test and validation accuracy of a point of
  `docs/results/frontier/points.json` (bench/frontier.py).

- adds phone variants (panels stacked, hooks/generated_figures.py) of the figures
  that the result commands wrote into docs/results/, drawn from the same runs' JSON.

As a script, `python hooks/figures_training.py FOLDER` writes the figures into FOLDER.
"""

import json
import re
from pathlib import Path

import nnscratch as nn
from generated_figures import add_figures, stacked, write_figures
from nnscratch.plots import plot_confusion, plot_distortions, plot_history
from nnscratch.sweep import plot_spread

RESULTS = Path(__file__).resolve().parents[1] / "docs" / "results"
SWEEPS = RESULTS / "sweep"
SWEEP_TOKEN = re.compile(r"\{\{ sweep ([\w-]+)(?: (\w+))? \}\}")
FRONTIER = RESULTS / "frontier" / "points.json"
FRONTIER_TOKEN = re.compile(r"\{\{ frontier ([\w-]+) \}\}")


def distortions_figure(n=8):
    return plot_distortions(nn.load_sample().X_train[:, :n], seed=0)


def curves_narrow():
    """The phone variant of results/writeup/curves.png, from the run's own history."""
    history = json.loads((RESULTS / "writeup" / "history.json").read_text())
    return stacked(plot_history(history))


def confusion_narrow():
    """The phone variant of results/writeup/confusion.png, from the counts that
    bench/reproduce_writeup.py wrote beside it (confusion.json)."""
    counts = json.loads((RESULTS / "writeup" / "confusion.json").read_text())["counts"]
    return plot_confusion(counts, None, narrow=True)


def spread_narrow(name):
    """The phone variant of results/sweep/NAME.png, from the sweep's own file."""
    sweep = json.loads((SWEEPS / f"{name}.json").read_text())
    return stacked(plot_spread(sweep, None), panel_height=3.4)


FIGURES = {  # quick: redrawn every build
    "figures/distortions.png": distortions_figure,
    "figures/distortions-narrow.png": lambda: distortions_figure(4),
    # phone variants of the figures the result commands wrote (committed PNGs)
    "results/writeup/curves-narrow.png": curves_narrow,
    "results/writeup/confusion-narrow.png": confusion_narrow,
    "results/sweep/writeup-narrow.png": lambda: spread_narrow("writeup"),
    "results/sweep/best-narrow.png": lambda: spread_narrow("best"),
    "results/sweep/simard-narrow.png": lambda: spread_narrow("simard"),
    "results/sweep/simard-elastic-narrow.png": lambda: spread_narrow("simard-elastic"),
    "results/sweep/simard-kappa5-narrow.png": lambda: spread_narrow("simard-kappa5"),
}


def sweep_accuracy(name):
    """'0.9762 ± 0.0014': mean and standard deviation of a sweep's test accuracy."""
    summary = _summary(name)
    return f"{summary['test_accuracy_mean']:.4f} ± {summary['test_accuracy_std']:.4f}"


def sweep_longest(name):
    """'512 s': the wall time of a sweep's longest run, whole seconds."""
    return f"{_summary(name)['wall_seconds_max']:.0f} s"


def _at_chosen_epochs(name, key):
    """The mean over a sweep's seeds of `key` in each seed's chosen epoch."""
    sweep = _sweep(name)
    values = []
    for run, history in zip(sweep["runs"], sweep["histories"], strict=True):
        (record,) = [r for r in history if r["epoch"] == run["chosen_epoch"]]
        values.append(record[key])
    return f"{sum(values) / len(values):.4f}"


def sweep_fit(name):
    """'0.9934': the accuracy on the undistorted training images at each seed's
    chosen epoch, averaged over the seeds: how well the network fits its data."""
    return _at_chosen_epochs(name, "train_accuracy")


def sweep_val(name):
    """'0.9920': the validation accuracy each seed chose its epoch by, averaged."""
    return _at_chosen_epochs(name, "val_accuracy")


MNIST_TEST_IMAGES = 10_000


def sweep_correct(name):
    """'49,648 of 50,000': the test images classified correctly, summed over the
    seeds; the mean accuracy unrounded, for a verdict the rounded mean hides."""
    runs = _sweep(name)["runs"]
    counts = [r["test_accuracy"] * MNIST_TEST_IMAGES for r in runs]
    if any(abs(c - round(c)) > 1e-6 for c in counts):
        raise ValueError(f"sweep {name!r}: a test accuracy is not a count out of "
                         f"{MNIST_TEST_IMAGES:,} images; was it run on MNIST's test set?")
    return f"{sum(round(c) for c in counts):,} of {MNIST_TEST_IMAGES * len(runs):,}"


SWEEP_FIELDS = {None: sweep_accuracy, "longest": sweep_longest, "fit": sweep_fit,
                "val": sweep_val, "correct": sweep_correct}


def _sweep(name):
    path = SWEEPS / f"{name}.json"
    if not path.is_file():
        raise FileNotFoundError(f"sweep {name!r} needs {path}: run nnscratch sweep")
    return json.loads(path.read_text())


def _summary(name):
    return _sweep(name)["summary"]


def frontier_point(name):
    """'test 0.9931, validation 0.9906': one point of bench/frontier.py's grid."""
    points = json.loads(FRONTIER.read_text()) if FRONTIER.is_file() else {}
    if name not in points:
        raise FileNotFoundError(
            f"frontier point {name!r} is not in {FRONTIER}: run bench/frontier.py")
    p = points[name]
    return f"test {p['test_accuracy']:.4f}, validation {p['val_accuracy']:.4f}"


def on_page_markdown(markdown, page, config, files):
    from mkdocs.exceptions import PluginError

    if page.file.src_uri.startswith("tests/"):  # test source quotes the token itself
        return markdown

    def replace(match):
        name, field = match.groups()
        if field not in SWEEP_FIELDS:
            raise PluginError(
                f"{page.file.src_uri}: {match.group(0)} asks for {field!r}; a sweep "
                "token is {{ sweep NAME }} or {{ sweep NAME FIELD }}, FIELD one of "
                "longest, fit, val, correct")
        try:
            return SWEEP_FIELDS[field](name)
        except (FileNotFoundError, ValueError) as error:
            raise PluginError(f"{page.file.src_uri}: {error}") from None

    def replace_point(match):
        try:
            return frontier_point(match.group(1))
        except FileNotFoundError as error:
            raise PluginError(f"{page.file.src_uri}: {error}") from None

    return FRONTIER_TOKEN.sub(replace_point, SWEEP_TOKEN.sub(replace, markdown))


def on_files(files, config):
    return add_figures(files, config, FIGURES)


if __name__ == "__main__":
    write_figures("figures_training.py", FIGURES)
