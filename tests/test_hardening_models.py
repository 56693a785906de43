"""Every damaged or foreign model file: one ModelFileError line, exit 2 from the CLI,
nothing written."""

import io
import json
import tracemalloc
import zipfile

import numpy as np
import pytest

from nnscratch import ModelFileError, load_model, save_model
from nnscratch.cli import main


def good_params(dtype=np.float32):
    rng = np.random.default_rng(3)
    return {
        "W1": rng.standard_normal((8, 784)).astype(dtype) * 0.05,
        "b1": np.zeros((8, 1), dtype),
        "W2": rng.standard_normal((10, 8)).astype(dtype),
        "b2": np.zeros((10, 1), dtype),
    }


def npy_bytes(array):
    buffer = io.BytesIO()
    np.lib.format.write_array(buffer, np.asanyarray(array), allow_pickle=False)
    return buffer.getvalue()


def write_zip(path, members, compression=zipfile.ZIP_STORED):
    """A zip archive whose members are given as name -> bytes (or arrays, stored as
    .npy)."""
    with zipfile.ZipFile(path, "w", compression) as z:
        for name, value in members.items():
            z.writestr(name, value if isinstance(value, bytes) else npy_bytes(value))
    return path


def model_members(**changes):
    """The six members of a good model, with some replaced (None removes one)."""
    members = {f"{k}.npy": v for k, v in good_params().items()}
    members["format_version.npy"] = np.array(1)
    members["hyperparameters.npy"] = np.array(json.dumps({"activation": "sigmoid"}))
    for name, value in changes.items():
        if value is None:
            members.pop(f"{name}.npy")
        else:
            members[f"{name}.npy"] = value
    return members


def header_only(descr, shape):
    """An .npy member whose header declares `shape` of `descr`, followed by 16 bytes."""
    header = {"descr": descr, "fortran_order": False, "shape": shape}
    buffer = io.BytesIO()
    np.lib.format.write_array_header_1_0(buffer, header)
    return buffer.getvalue() + b"\0" * 16


def saved(tmp_path):
    path = tmp_path / "model.npz"
    save_model(path, good_params(), {"activation": "sigmoid"})
    return path


def flip(path, at):
    raw = bytearray(path.read_bytes())
    raw[at] ^= 0xFF
    path.write_bytes(bytes(raw))
    return path


CASES = {
    "truncated": (
        lambda p: (p.write_bytes(saved(p.parent).read_bytes()[:15000]), p)[1],
        "corrupt or truncated model archive",
    ),
    "one flipped byte": (lambda p: flip(saved(p.parent), 4000), "corrupt or truncated"),
    "0-byte file": (lambda p: (p.write_bytes(b""), p)[1], "empty (0 bytes)"),
    ".npy renamed .npz": (
        lambda p: (p.write_bytes(npy_bytes(np.zeros(3))), p)[1],
        "a single .npy array",
    ),
    "zip of text files": (
        lambda p: write_zip(p, {"notes.txt": b"hello"}),
        "member W1.npy is missing",
    ),
    "format_version an array": (
        lambda p: write_zip(p, model_members(format_version=np.array([1, 1]))),
        "format_version must be one integer",
    ),
    "format_version 1.9": (
        lambda p: write_zip(p, model_members(format_version=np.array(1.9))),
        "format_version must be one integer; got float64",
    ),
    "hyperparameters a list": (
        lambda p: write_zip(p, model_members(hyperparameters=np.array("[1, 2]"))),
        "must be a JSON object; got list",
    ),
    "hyperparameters an int": (
        lambda p: write_zip(p, model_members(hyperparameters=np.array(3))),
        "hyperparameters must be one JSON string",
    ),
    "hyperparameters not JSON": (
        lambda p: write_zip(p, model_members(hyperparameters=np.array("lr=0.5"))),
        "hyperparameters are not valid JSON",
    ),
    "declares a (10^6, 10^6) array": (
        lambda p: write_zip(p, model_members(W1=header_only("<f4", (10**6, 10**6)))),
        "declares shape (1000000, 1000000)",
    ),
    "complex weights": (
        lambda p: write_zip(
            p, model_members(W1=good_params()["W1"].astype(np.complex64))
        ),
        "W1 must hold float32 or float64",
    ),
    "bool weights": (
        lambda p: write_zip(p, model_members(b1=np.ones((8, 1), bool))),
        "b1 must hold float32 or float64; got bool",
    ),
    "int8 weights": (
        lambda p: write_zip(p, model_members(W2=np.ones((10, 8), np.int8))),
        "W2 must hold float32 or float64; got int8",
    ),
    "NaN weights": (
        lambda p: write_zip(p, model_members(b2=np.full((10, 1), np.nan, np.float32))),
        "b2 holds NaN or infinite values",
    ),
    "shapes that would broadcast": (
        lambda p: write_zip(p, model_members(b2=np.zeros((1, 1), np.float32))),
        "params must be W1 (n_h, n_x), b1 (n_h, 1)",
    ),
    "activation tanh": (
        lambda p: write_zip(
            p, model_members(hyperparameters=np.array('{"activation": "tanh"}'))
        ),
        "activation 'tanh'",
    ),
    "activation missing": (
        lambda p: write_zip(p, model_members(hyperparameters=np.array('{"lr": 0.5}'))),
        "do not name the activation",
    ),
    "object array": (
        lambda p: write_zip(p, model_members(W1=header_only("|O", (1,)))),
        "never unpickled",
    ),
    "a JSON file": (
        lambda p: (p.write_text('{"format": "nnscratch-web-model"}'), p)[1],
        "a JSON file",
    ),
    "an HDF5 file": (
        lambda p: (p.write_bytes(b"\x89HDF\r\n\x1a\n" + b"\0" * 100), p)[1],
        "an HDF5 file",
    ),
    "a text file": (lambda p: (p.write_text("W1 = 0.5\n"), p)[1], "not a zip file"),
}


@pytest.mark.parametrize("case", list(CASES))
def test_bad_model_file_is_one_line_naming_the_file_and_exit_2(case, tmp_path, capsys):
    """Each damaged or foreign model file raises ModelFileError naming the file and the
    problem, never suggests unpickling, and makes `evaluate` and `export` exit 2 with
    that one line and write nothing."""
    build, needle = CASES[case]
    (tmp_path / "in").mkdir()
    path = build(tmp_path / "in" / "model.npz")
    with pytest.raises(ModelFileError) as e:
        load_model(path)
    message = str(e.value)
    assert needle in message and str(path) in message and "\n" not in message
    assert "pickle" not in message.replace("never unpickled", "")
    out = tmp_path / "web.json"
    for argv in (
        ["evaluate", str(path), "--data", "sample"],
        ["export", str(path), str(out)],
    ):
        assert main(argv) == 2
        assert capsys.readouterr().err == f"nnscratch: error: {message}\n"
    assert not out.exists()


def test_unused_members_are_never_read(tmp_path):
    """A model with a large extra member loads with the memory of the six defined
    members only: the extra member is never decompressed."""
    members = model_members(
        extra=np.zeros(50_000_000, np.uint8)
    )  # 50 MB, deflates to ~50 kB
    path = write_zip(tmp_path / "model.npz", members, zipfile.ZIP_DEFLATED)
    tracemalloc.start()
    params, hyper = load_model(path)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert params["W1"].shape == (8, 784) and hyper == {"activation": "sigmoid"}
    assert peak < 5_000_000, f"loading allocated {peak} bytes"


def test_good_model_round_trips_in_float32_and_float64(tmp_path):
    """The checks accept what save_model writes, in both float widths, bit for bit."""
    for dtype in (np.float32, np.float64):
        params = good_params(dtype)
        save_model(tmp_path / "m.npz", params, {"activation": "relu", "n_h": 8})
        loaded, hyper = load_model(tmp_path / "m.npz")
        assert hyper == {"activation": "relu", "n_h": 8}
        for k, v in params.items():
            assert loaded[k].dtype == dtype and np.array_equal(loaded[k], v)


@pytest.mark.parametrize(
    "params,hyper,needle",
    [
        (
            dict(good_params(), W1=np.full((8, 784), np.nan, np.float32)),
            {"activation": "sigmoid"},
            "W1 must hold finite floats",
        ),
        (good_params(), {"activation": "tanh"}, "must name the activation"),
        (
            dict(good_params(), b1=np.zeros(8, np.float32)),
            {"activation": "relu"},
            "b1 (n_h, 1)",
        ),
    ],
)
def test_save_model_refuses_what_load_model_would_reject(
    params, hyper, needle, tmp_path
):
    """save_model refuses NaN weights, an unknown activation or inconsistent shapes and
    writes nothing, so no run ever leaves a model that cannot be loaded."""
    with pytest.raises(
        ValueError, match=needle.replace("(", r"\(").replace(")", r"\)")
    ):
        save_model(tmp_path / "m.npz", params, hyper)
    assert list(tmp_path.iterdir()) == []


def test_export_refuses_to_overwrite_its_input(tmp_path, capsys):
    """`nnscratch export M M` exits 2 and leaves the trained model untouched."""
    path = saved(tmp_path)
    before = path.read_bytes()
    assert main(["export", str(path), str(path)]) == 2
    err = capsys.readouterr().err
    assert "is the model file itself" in err and len(err.splitlines()) == 1
    assert path.read_bytes() == before
