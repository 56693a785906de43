"""The Inside page's numbers and figures: nnscratch.inside, the plots drawn from it,
bench/look_inside.py and hooks/figures_inside.py, on the shipped sample, hand-made
cases and synthetic IDX files (the full MNIST is never read here)."""

import gzip
import importlib
import importlib.util
import json
import struct
import sys

import numpy as np
import pytest

import nnscratch as nn
from conftest import REPO
from nnscratch.data import file_sha256
from nnscratch.inside import (
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
from nnscratch.plots import _mosaic, plot_class_accuracy, plot_mistakes, plot_saturation

RESULTS = REPO / "docs" / "results"
train_module = importlib.import_module("nnscratch.train")  # nn.train is the function


def _hook():
    sys.path.insert(0, str(REPO / "hooks"))
    try:
        import figures_inside
        import generated_figures
    finally:
        sys.path.remove(str(REPO / "hooks"))
    return figures_inside, generated_figures


def _bench():
    spec = importlib.util.spec_from_file_location(
        "look_inside", REPO / "bench" / "look_inside.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _sample_run(config, m=1000, probe=False):
    data = nn.load_sample()
    X, Y = data.X_train[:, :m], nn.one_hot(data.y_train[:m])
    return nn.train(X, Y, config, X_probe=data.X_test if probe else None)


# --- the weights a run started from -----------------------------------------------


@pytest.mark.parametrize("activation", ["sigmoid", "relu"])
def test_initial_params_are_exactly_what_train_drew(monkeypatch, activation):
    """`initial_params`, given the trained parameters and the run's settings, returns
    bit for bit the arrays that `train` drew before its first update (recorded by a
    spy around the init_params that train calls), for both activations."""
    drawn = []

    def spy(*args, **kwargs):
        params = nn.init_params(*args, **kwargs)
        drawn.append({k: v.copy() for k, v in params.items()})
        return params

    monkeypatch.setattr(train_module, "init_params", spy)
    config = nn.TrainConfig(epochs=1, n_h=12, seed=7, activation=activation)
    params, _ = _sample_run(config, m=256)
    again = initial_params(params, {"seed": 7, "n_h": 12, "activation": activation})
    assert len(drawn) == 1
    assert {k: np.array_equal(v, drawn[0][k]) and v.dtype == drawn[0][k].dtype
            for k, v in again.items()} == dict.fromkeys(again, True)
    other = initial_params(params, {"seed": 8, "n_h": 12, "activation": activation})
    assert not np.array_equal(other["W1"], drawn[0]["W1"])


def test_pixels_blank_in_every_training_image_keep_their_initial_weights(tmp_path):
    """A pixel that is 0 in every training image gets a zero gradient on its column of
    W1, so training leaves that column exactly as it was drawn. Re-drawn from a saved
    model's seed, the unchanged columns are exactly the blank pixels: a wrong seed,
    size or draw order would leave none unchanged."""
    data = nn.load_sample()
    config = nn.TrainConfig(epochs=1, n_h=16, seed=3)
    params, _ = _sample_run(config, m=5000)
    nn.save_model(tmp_path / "model.npz", params, config.to_dict())
    params, hyper = nn.load_model(tmp_path / "model.npz")
    start = initial_params(params, hyper)
    blank = data.X_train.max(axis=1) == 0
    assert blank.sum() > 50
    assert np.array_equal(unchanged_inputs(start["W1"], params["W1"]), blank)
    assert np.all(relative_change(start["W1"], params["W1"]) > 0)


def test_the_committed_write_up_model_kept_its_blank_pixels_weights():
    """The committed write-up model, re-drawn from its seed, has columns of W1 that
    never changed (67 pixels are blank in all 60,000 training images), and each is
    blank in the sample's training images too, a subset of those."""
    path = RESULTS / "models" / "writeup.npz"
    if not path.is_file():
        pytest.skip(f"{path} is not committed yet")
    params, hyper = nn.load_model(path)
    same = unchanged_inputs(initial_params(params, hyper)["W1"], params["W1"])
    assert same.sum() >= 50
    assert np.all(nn.load_sample().X_train[same] == 0)


def test_initial_params_name_what_is_missing_or_inconsistent():
    """Settings without a seed, or an n_h that disagrees with W1, raise a ValueError
    that names the problem."""
    params = nn.init_params(n_h=4, rng=np.random.default_rng(0))
    with pytest.raises(ValueError, match="lack seed"):
        initial_params(params, {"n_h": 4, "activation": "relu"})
    with pytest.raises(ValueError, match="n_h = 5 but W1 has 4 rows"):
        initial_params(params, {"seed": 0, "n_h": 5, "activation": "relu"})


# --- the mistakes ----------------------------------------------------------------

# 3 classes, 6 images (columns); labels below
A2 = np.array([[0.70, 0.10, 0.20, 0.05, 0.30, 0.40],
               [0.20, 0.60, 0.30, 0.05, 0.30, 0.40],
               [0.10, 0.30, 0.50, 0.90, 0.40, 0.20]])
LABELS = np.array([0, 2, 2, 1, 1, 0])


def test_misclassified_finds_the_mistakes_most_confident_first():
    """Columns 1 (says 1 at 0.6, is 2), 3 (2 at 0.9, is 1) and 4 (2 at 0.4, is 1) are
    wrong; column 5's tie 0.4/0.4 is read as class 0 (argmax), its label: right."""
    assert misclassified(A2, LABELS).tolist() == [3, 1, 4]


def test_misclassified_keeps_column_order_between_equal_confidences():
    """Mistakes made with equal confidence stay in column order; no mistake, no
    index."""
    P = np.array([[0.2, 0.8, 0.2, 0.8], [0.8, 0.2, 0.8, 0.2]])
    assert misclassified(P, np.array([0, 1, 0, 1])).tolist() == [0, 1, 2, 3]
    assert misclassified(P, np.array([1, 0, 1, 0])).tolist() == []


def test_top_two_gives_classes_and_probabilities_in_order():
    """Row 0 is each column's most probable class, row 1 the next; a tie goes to the
    lower class first."""
    classes, probs = top_two(A2)
    assert classes.tolist() == [[0, 1, 2, 2, 2, 0], [1, 2, 1, 0, 0, 1]]
    assert np.array_equal(probs, [[0.7, 0.6, 0.5, 0.9, 0.4, 0.4],
                                  [0.2, 0.3, 0.3, 0.05, 0.3, 0.4]])


@pytest.mark.parametrize("bad, message", [
    ((A2[:, 0], LABELS), r"shape \(K, m\)"),
    ((A2, LABELS[:5]), r"one label per column of A2, shape \(6,\)"),
    ((A2.astype(int), LABELS), "float probabilities"),
])
def test_misclassified_says_what_shape_it_expected(bad, message):
    """Probabilities that are not a float (K, m) array, or labels of another length,
    raise a ValueError naming the shape expected."""
    with pytest.raises(ValueError, match=message):
        misclassified(*bad)


def test_mistakes_file_round_trips_without_pickle(tmp_path):
    """mistake_arrays keeps the wrong images (as the uint8 pixels they were), their
    columns, labels and probabilities, most confident first; saved compressed, they
    load back with allow_pickle=False, dtypes and values intact."""
    rng = np.random.default_rng(0)
    pixels = rng.integers(0, 256, (784, 6), dtype=np.uint8)
    X = pixels.astype(np.float32) / 255
    arrays = mistake_arrays(X, LABELS, A2)
    with open(tmp_path / "mistakes.npz", "wb") as f:
        np.savez_compressed(f, **arrays)
    back = load_mistakes(tmp_path / "mistakes.npz")
    assert {k: v.dtype.name for k, v in back.items()} == {
        "images": "uint8", "index": "int64", "label": "int64",
        "probabilities": "float32"}
    assert back["index"].tolist() == [3, 1, 4] and back["label"].tolist() == [1, 2, 1]
    assert np.array_equal(back["images"], pixels[:, [3, 1, 4]].T.reshape(3, 28, 28))
    assert np.array_equal(back["probabilities"], A2[:, [3, 1, 4]].T.astype(np.float32))
    with open(tmp_path / "partial.npz", "wb") as f:
        np.savez_compressed(f, images=arrays["images"], index=arrays["index"])
    with pytest.raises(ValueError, match="lacks label, probabilities"):
        load_mistakes(tmp_path / "partial.npz")
    with pytest.raises(ValueError, match=r"shape \(784, 6\)"):
        mistake_arrays(X.T, LABELS, A2)


# --- accuracy per class and the pairs most often confused ------------------------

C = np.array([[8, 1, 1],
              [0, 5, 0],
              [3, 1, 6]])


def test_class_accuracy_is_the_diagonal_over_each_row():
    """Accuracy of class k is C[k, k] over row k's sum; a class with no image raises."""
    assert np.allclose(class_accuracy(C), [0.8, 1.0, 0.6])
    with pytest.raises(ValueError, match="class 1 has no image"):
        class_accuracy(np.array([[1, 0], [0, 0]]))


def test_most_confused_lists_off_diagonal_counts_largest_first():
    """Largest count first; equal counts in row order; no diagonal, no zero."""
    assert most_confused(C) == [(2, 0, 3), (0, 1, 1), (0, 2, 1), (2, 1, 1)]
    assert most_confused(C, top=2) == [(2, 0, 3), (0, 1, 1)]
    assert most_confused(np.eye(3, dtype=int)) == []


@pytest.mark.parametrize("bad", [C[:2], C.astype(float), -C])
def test_confusion_functions_refuse_what_is_not_counts(bad):
    """A matrix that is not square, not integer or has a negative entry is refused."""
    with pytest.raises(ValueError, match="counts"):
        most_confused(bad)


# --- saturation ------------------------------------------------------------------


def test_saturation_plot_draws_the_history_field_of_a_real_run():
    """A sigmoid run given X_probe records "saturated" every epoch; the plot draws
    those shares, in percent, one panel per threshold."""
    _, history = _sample_run(nn.TrainConfig(epochs=2, n_h=16), m=500, probe=True)
    epochs, shares = saturation_per_epoch(history)
    assert epochs == [1, 2] and list(shares) == ["5", "16.64"]
    fig = plot_saturation(history)
    for ax, share in zip(fig.axes, shares.values()):
        assert np.allclose(ax.lines[0].get_ydata(), 100 * np.asarray(share))
    assert [ax.get_title() for ax in fig.axes] == [
        "Pairs with |z| > 5", "Pairs with |z| > 16.64"]


@pytest.mark.parametrize("history, where", [
    ([{"epoch": 1, "test_accuracy": 0.9}], "1 of its 1 epochs lack it"),
    ([], "it has no epochs"),
])
def test_saturation_plot_fails_clearly_without_the_field(history, where):
    """A history without the "saturated" field (or with no epoch) raises a ValueError
    that says which epochs lack it and how to write it."""
    with pytest.raises(ValueError, match=f'no "saturated" field \\({where}'):
        plot_saturation(history)


# --- the figures ---------------------------------------------------------------


def test_mistakes_figure_labels_each_digit_with_its_top_two():
    """Each tile: 'true t' above, the two most probable classes below, in the order
    given; probabilities beyond 99.9% or under 0.1% are written as such."""
    P = np.array([[0.0005, 0.9995, 0.0], [0.25, 0.15, 0.6]])
    fig = plot_mistakes(np.zeros((2, 28, 28), np.uint8), np.array([0, 2]), P)
    tiles = fig.axes[:2]
    assert [ax.get_title() for ax in tiles] == ["true 0", "true 2"]
    assert [ax.texts[0].get_text() for ax in tiles] == ["1: >99.9%\n0: <0.1%",
                                                        "2: 60.0%\n0: 25.0%"]


def test_class_accuracy_figure_draws_the_counts():
    """The left panel's points are the accuracies per class in percent; the right
    panel's bars are the first model's most frequent mistakes and the second's
    counts of the same mistakes."""
    fig = plot_class_accuracy({"a": C, "b": np.diag([10, 5, 10])}, top=3)
    left, right = fig.axes[:2]
    assert np.allclose(left.lines[0].get_xdata(), [80, 100, 60])
    assert np.allclose(left.lines[1].get_xdata(), [100, 100, 100])
    assert [t.get_text() for t in right.get_yticklabels()] == [
        "2 read as 0", "0 read as 1", "0 read as 2"]
    assert [p.get_width() for p in right.containers[0]] == [3, 1, 1]
    assert [p.get_width() for p in right.containers[1]] == [0, 0, 0]


@pytest.fixture(scope="module")
def sample_results(tmp_path_factory):
    """A docs/results tree made from the shipped sample: a sigmoid 'writeup' and a
    ReLU 'record' model, each with look_inside's files, and the sigmoid run's
    history with its "saturated" field."""
    root = tmp_path_factory.mktemp("results")
    (root / "writeup").mkdir()
    (root / "models").mkdir()
    bench = _bench()
    for name, config in (("writeup", nn.TrainConfig(epochs=2, n_h=16)),
                         ("record", nn.TrainConfig(epochs=1, n_h=25,
                                                   activation="relu"))):
        params, history = _sample_run(config, m=2000, probe=True)
        nn.save_model(root / "models" / f"{name}.npz", params, config.to_dict())
        bench.look_inside(root / "models" / f"{name}.npz", "sample",
                          root / "inside" / name)
        if name == "writeup":
            (root / "writeup" / "history.json").write_text(json.dumps(history))
    return root


@pytest.fixture
def inside_hook(monkeypatch):
    """hooks/figures_inside.py, its caches emptied before and after the test."""
    hook, generated = _hook()

    def clear():
        for cached in (hook.model, hook.confusion, hook.mistakes, hook.writeup_history):
            cached.cache_clear()

    clear()
    yield hook, generated, monkeypatch
    clear()


def _text_px(generated, fig):
    width = fig.get_size_inches()[0] * generated.DPI
    return generated.smallest_text(fig) * generated.DPI / 72 * min(1, 358 / width)


def test_every_inside_figure_draws_from_sample_results(inside_hook, sample_results):
    """Each figure of the hook draws from a results tree made on the sample; every
    phone variant has its smallest text at 9 CSS px or more in a 358-px column (its
    wide original less: the variant is needed), and the weights figure shows the
    re-drawn start and the trained weights of the first units."""
    import matplotlib.pyplot as plt

    hook, generated, monkeypatch = inside_hook
    monkeypatch.setattr(hook, "RESULTS", sample_results)
    sizes = {}
    for uri, draw in hook.FIGURES.items():
        fig = draw()
        sizes[uri] = _text_px(generated, fig)
        if uri == "figures/inside-weights-record.png":
            params, hyper = nn.load_model(sample_results / "models" / "record.npz")
            before, after = (ax.images[0].get_array() for ax in fig.axes[:2])
            start = initial_params(params, hyper)["W1"][: hook.UNITS]
            assert np.array_equal(before, _mosaic(start.reshape(-1, 28, 28)),
                                  equal_nan=True)
            assert np.array_equal(after, _mosaic(
                params["W1"][: hook.UNITS].reshape(-1, 28, 28)), equal_nan=True)
        plt.close(fig)
    narrow = {u: px for u, px in sizes.items() if u.endswith(generated.NARROW)}
    assert len(narrow) == 5 and min(narrow.values()) >= 9, narrow
    assert max(px for u, px in sizes.items() if u not in narrow) < 9


def test_every_inside_number_comes_from_the_files(inside_hook, sample_results):
    """The page's tokens read the files: accuracy is the trace of confusion.json over
    its total, the mistakes are the off-diagonal counts, the saturation the history's
    first and last epochs; an unknown token fails the build, naming the known ones."""
    from mkdocs.exceptions import PluginError

    hook, _, monkeypatch = inside_hook
    monkeypatch.setattr(hook, "RESULTS", sample_results)
    confusion = sample_results / "inside" / "record" / "confusion.json"
    C = np.array(json.loads(confusion.read_text())["counts"])
    history = json.loads((sample_results / "writeup" / "history.json").read_text())
    page = type("Page", (), {"file": type("File", (), {"src_uri": "inside.md"})})

    def render(text):
        return hook.on_page_markdown(text, page, None, None)

    accuracy = 100 * np.trace(C) / C.sum()
    assert render("{{ inside record_accuracy }}") == f"{accuracy:.2f}%"
    assert render("{{ inside record_wrong }}") == f"{C.sum() - np.trace(C):,}"
    assert render("{{ inside saturated_5_last }}") == (
        f"{100 * history[-1]['saturated']['5']:.1f}%")
    assert render("{{ inside record_model }}") == "784-25-10, relu, 1 epoch, seed 0"
    with pytest.raises(PluginError, match="unknown .*known keys: record_accuracy"):
        render("{{ inside nothing }}")


def test_the_hook_refuses_files_written_from_another_model(inside_hook, sample_results,
                                                            tmp_path):
    """A confusion.json whose model_sha256 is not the committed model's fails the
    build, with the command that writes it again."""
    import shutil

    hook, _, monkeypatch = inside_hook
    tree = tmp_path / "results"
    shutil.copytree(sample_results, tree)
    params, hyper = nn.load_model(tree / "models" / "record.npz")
    params["b2"] = params["b2"] + 1
    nn.save_model(tree / "models" / "record.npz", params, hyper)
    monkeypatch.setattr(hook, "RESULTS", tree)
    with pytest.raises(ValueError, match="another record.npz .* bench/look_inside.py"):
        hook.confusion("record")
    (tree / "inside" / "record" / "confusion.json").unlink()
    with pytest.raises(FileNotFoundError, match="needs docs/results/inside/record/"
                                                "confusion.json: run python bench"):
        hook.confusion("record")


@pytest.mark.parametrize("name", ["writeup", "record"])
def test_committed_inside_files_are_those_of_the_committed_model(name):
    """docs/results/inside/NAME was written from the committed model (same SHA-256);
    its mistakes are the off-diagonal counts of its confusion matrix, each wrong and
    ordered most confident first."""
    model = RESULTS / "models" / f"{name}.npz"
    folder = RESULTS / "inside" / name
    if not model.is_file():
        pytest.skip(f"{model} is not committed yet")
    written = json.loads((folder / "confusion.json").read_text())
    assert written["model_sha256"] == file_sha256(model)
    C = np.array(written["counts"])
    m = load_mistakes(folder / "mistakes.npz")
    predicted = m["probabilities"].argmax(axis=1)
    assert len(m["index"]) == C.sum() - np.trace(C) and C.sum() == 10_000
    assert np.all(predicted != m["label"])
    confidence = m["probabilities"].max(axis=1)
    assert np.all(np.diff(confidence) <= 0)
    assert (folder / "mistakes.npz").stat().st_size < 400_000


# --- bench/look_inside.py --------------------------------------------------------


def _write_idx(path, array):
    array = np.asarray(array, dtype=np.uint8)
    header = struct.pack(">HBB", 0, 8, array.ndim) + struct.pack(
        f">{array.ndim}I", *array.shape)
    path.write_bytes(gzip.compress(header + array.tobytes()))


@pytest.fixture
def idx_folder(tmp_path):
    rng = np.random.default_rng(1)
    folder = tmp_path / "mnist"
    folder.mkdir()
    for prefix, m in (("train", 30), ("t10k", 40)):
        _write_idx(folder / f"{prefix}-images-idx3-ubyte.gz",
                   rng.integers(0, 256, (m, 28, 28)))
        _write_idx(folder / f"{prefix}-labels-idx1-ubyte.gz", rng.integers(0, 10, m))
    return folder


def test_look_inside_writes_both_files_from_idx_files(tmp_path, idx_folder, capsys):
    """On synthetic IDX files and an untrained model: the confusion counts are those of
    the model's predictions, the mistakes are every wrong test image, and the JSON
    names the model's SHA-256."""
    model = tmp_path / "model.npz"
    params = nn.init_params(n_h=8, rng=np.random.default_rng(0), activation="relu")
    nn.save_model(model, params, {"activation": "relu", "seed": 0, "n_h": 8})
    out = tmp_path / "out"
    assert _bench().main(["--model", str(model), "--data", str(idx_folder),
                          "--out", str(out)]) == 0
    data = nn.load_data(idx_folder)
    predicted = nn.predict(data.X_test, params, "relu")
    written = json.loads((out / "confusion.json").read_text())
    assert written["model_sha256"] == file_sha256(model)
    assert np.array_equal(written["counts"],
                          nn.confusion_matrix(data.y_test, predicted))
    m = load_mistakes(out / "mistakes.npz")
    assert sorted(m["index"]) == np.flatnonzero(predicted != data.y_test).tolist()
    assert f"{len(m['index'])} of 40 test images wrong" in capsys.readouterr().out
    assert sorted(p.name for p in out.iterdir()) == ["confusion.json", "mistakes.npz"]


def test_look_inside_replaces_neither_file_when_one_fails(tmp_path, idx_folder,
                                                          monkeypatch):
    """Both files are renamed into place only once both are written: a failure while
    writing the second leaves the old pair as it was and no temporary behind."""
    model = tmp_path / "model.npz"
    nn.save_model(model, nn.init_params(n_h=8, rng=np.random.default_rng(0)),
                  {"activation": "sigmoid", "seed": 0, "n_h": 8})
    out = tmp_path / "out"
    out.mkdir()
    (out / "mistakes.npz").write_bytes(b"old")
    (out / "confusion.json").write_text("old")
    bench = _bench()

    def full_disk(self, *args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(type(out), "write_text", full_disk)
    with pytest.raises(OSError, match="No space left"):
        bench.look_inside(model, str(idx_folder), out)
    assert (out / "mistakes.npz").read_bytes() == b"old"
    assert (out / "confusion.json").read_bytes() == b"old"
    assert sorted(p.name for p in out.iterdir()) == ["confusion.json", "mistakes.npz"]


def test_a_model_is_described_with_the_distortions_it_was_trained_with():
    """The Inside page's table names the model's distortions: the affine part only when
    it was on, the elastic field's numbers only when they are not the defaults."""
    figures_inside, _ = _hook()
    hyper = {**nn.TrainConfig(n_h=800, activation="relu", augment="elastic",
                              epochs=120).to_dict(), "val": 5000}
    words = figures_inside.describe
    assert "elastic and affine distortions, 120 epochs" in words(hyper)
    off = {**hyper, "max_degrees": 0.0, "max_shift": 0.0, "max_scale": 0.0}
    assert "relu, elastic distortions, 120 epochs" in words(off)
    smoother = {**off, "elastic_kappa": 5.0}
    assert "elastic distortions (field strength 34 px, smoothing width 5 px)" in words(
        smoother)
