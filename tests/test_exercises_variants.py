"""The grader accepts every correct answer and judges only validated data: correct
variants of each exercise pass, a tuple from back_propagate gets a hint, the float32
step's verdict depends on the step alone, result files are checked before they are
read, and the exercises follow the site's order. All in this process, on trusted
code; tests/test_exercises_grading.py runs `nnscratch check` itself."""

import os
import textwrap
from pathlib import Path

import numpy as np
import pytest

from nnscratch.exercises import EXERCISES, grade
from nnscratch.exercises import runner, sandbox

REPO = Path(__file__).resolve().parents[1]
SOLUTIONS = REPO / "nnscratch" / "exercises" / "solutions"


def _flat(text):
    return " ".join(text.split())


def _load_source(source, names):
    """The functions that `source` defines, run in this process (trusted code)."""
    namespace = {}
    exec(compile(textwrap.dedent(source), "<reader>", "exec"), namespace)
    return {name: namespace[name] for name in names}

def test_result_files_are_validated_before_they_are_read(tmp_path):
    """A header that promises more bytes than the file has, an object dtype, a link
    and a pipe are each refused without allocating or blocking."""
    header = {"descr": "<f8", "fortran_order": False, "shape": (10**12,)}
    with open(tmp_path / "huge.npy", "wb") as f:
        np.lib.format.write_array_header_1_0(f, header)
    objects = np.array([1, "a"], dtype=object)
    np.save(tmp_path / "objects.npy", objects, allow_pickle=True)
    np.save(tmp_path / "fine.npy", np.arange(6.0).reshape(2, 3))
    (tmp_path / "link.npy").symlink_to(tmp_path / "fine.npy")
    os.mkfifo(tmp_path / "pipe.npy")
    for name, needle in [
        ("huge", "does not match"),
        ("objects", "dtype object"),
        ("link", "result file link.npy"),
        ("pipe", "not a small regular file"),
    ]:
        with pytest.raises(sandbox.Ungradable, match=needle):
            sandbox.read_npy(tmp_path / f"{name}.npy")
    assert sandbox.read_npy(tmp_path / "fine.npy").shape == (2, 3)


def _sparse_npy(path, n):
    """A valid .npy of `n` float64 zeros, written as a sparse file (no disk used)."""
    header = {"descr": "<f8", "fortran_order": False, "shape": (n,)}
    with open(path, "wb") as f:
        np.lib.format.write_array_header_1_0(f, header)
        f.truncate(f.tell() + 8 * n)


def test_only_the_arrays_a_result_names_are_read_and_within_one_budget(
    tmp_path, monkeypatch
):
    """Result files the record does not name are never read, and the named ones are
    read within 4 arrays' worth of bytes in all: the file that would go over is
    refused before it is read, so a child cannot make the check allocate with many
    large (sparse) files."""
    monkeypatch.setattr(sandbox, "MAX_ARRAY_BYTES", 2**20)  # 1 MiB per array
    read = []
    real = sandbox.read_npy

    def counted(path, limit=2**20):
        read.append(path.name)
        return real(path, limit)

    monkeypatch.setattr(sandbox, "read_npy", counted)
    np.save(tmp_path / "a0.npy", np.arange(3.0))
    for i in range(1, 9):
        _sparse_npy(tmp_path / f"a{i}.npy", 2**17)  # 1 MiB of data: over by its header
    for i in range(9, 15):
        _sparse_npy(tmp_path / f"a{i}.npy", 117_964)  # 0.9 MiB each

    def record(*names):
        items = [{"t": "array", "array": n} for n in names]
        return {"kind": "ok", "value": {"t": "tuple", "items": items},
                "args_after": [], "warnings": []}

    result = sandbox.Session._checked(None, record("a0"), tmp_path)
    assert read == ["a0.npy"] and result["value"][0].tolist() == [0.0, 1.0, 2.0]
    read.clear()
    with pytest.raises(sandbox.Ungradable, match="larger than the check allows"):
        sandbox.Session._checked(None, record("a0", "a1"), tmp_path)
    assert read == ["a0.npy"]
    read.clear()
    with pytest.raises(sandbox.Ungradable, match="larger than the check allows"):
        sandbox.Session._checked(None, record(*[f"a{i}" for i in range(9, 15)]),
                                 tmp_path)
    assert read == ["a9.npy", "a10.npy", "a11.npy", "a12.npy"]

# --- correct answers pass, in any correct form ----------------------------------------

VARIANTS = {
    "sigmoid-derivative": [
        # sign-branched with np.where: the unused branch overflows, with a warning
        """
        import numpy as np

        def sigmoid_derivative(z):
            return np.where(
                z >= 0,
                np.exp(-z) / (1 + np.exp(-z)) ** 2,
                np.exp(z) / (1 + np.exp(z)) ** 2,
            )
        """,
    ],
    "he-factor": [
        "import numpy as np\n\ndef he_std(n):\n    return np.sqrt(np.array(2.0 / n))\n",
        "import numpy as np\n\ndef he_std(n):\n    return np.sqrt(2 / np.float64(n))\n",
        "def he_std(n):\n    return (2 / n) ** 0.5\n",
    ],
    "float32-step": [
        "import numpy as np\n\ndef float32_step():\n"
        "    return np.cbrt(np.finfo(np.float32).eps)\n",
        "import numpy as np\n\ndef float32_step():\n    return np.array(5e-3)\n",
    ],
    "softmax": [
        # log-sum-exp
        """
        import numpy as np

        def softmax(Z):
            c = Z.max(axis=0)
            lse = c + np.log(np.exp(Z - c).sum(axis=0))
            return np.exp(Z - lse)
        """,
        # einsum for the column sums
        """
        import numpy as np

        def softmax(Z):
            E = np.exp(Z - Z.max(axis=0))
            return E / np.einsum("kj->j", E)
        """,
        # one column at a time
        """
        import numpy as np

        def softmax(Z):
            out = np.empty_like(Z)
            for j in range(Z.shape[1]):
                e = np.exp(Z[:, j] - Z[:, j].max())
                out[:, j] = e / e.sum()
            return out
        """,
        # the row convention inside the function
        """
        import numpy as np

        def softmax(Z):
            R = Z.T  # one row per example
            E = np.exp(R - R.max(axis=1, keepdims=True))
            return (E / E.sum(axis=1, keepdims=True)).T
        """,
    ],
    "cross-entropy-gradient": [
        """
        import numpy as np

        def loss_gradient(Y, Z2):
            lse = Z2.max(axis=0) + np.log(np.exp(Z2 - Z2.max(axis=0)).sum(axis=0))
            return (np.exp(Z2 - lse) - Y) / Y.shape[1]
        """,
    ],
    "backprop": [
        # the write-up's placement of 1/m: on dW and db, not on dZ2
        """
        def back_propagate(X, Y, params, cache):
            m = X.shape[1]
            A1 = cache["A1"]
            dZ2 = cache["A2"] - Y
            dW2 = dZ2 @ A1.T / m
            db2 = dZ2.sum(axis=1, keepdims=True) / m
            dZ1 = params["W2"].T @ dZ2 * A1 * (1 - A1)
            dW1 = dZ1 @ X.T / m
            db1 = dZ1.sum(axis=1, keepdims=True) / m
            return {"dW1": dW1, "db1": db1, "dW2": dW2, "db2": db2}
        """,
        # einsum, and one example at a time
        """
        import numpy as np

        def back_propagate(X, Y, params, cache):
            m = X.shape[1]
            A1, A2 = cache["A1"], cache["A2"]
            names = ("dW1", "db1", "dW2", "db2")
            grads = {k: np.zeros_like(params[k[1:]]) for k in names}
            for j in range(m):
                dz2 = (A2[:, j] - Y[:, j]) / m
                a1 = A1[:, j]
                dz1 = np.einsum("kh,k->h", params["W2"], dz2) * a1 * (1 - a1)
                grads["dW2"] += np.einsum("k,h->kh", dz2, a1)
                grads["db2"] += dz2[:, None]
                grads["dW1"] += np.outer(dz1, X[:, j])
                grads["db1"] += dz1[:, None]
            return grads
        """,
    ],
    "tanh-backward": [
        # the slope from x: cosh(400)**2 overflows, with a warning, to the right 0
        """
        import numpy as np

        def tanh_backward(x, y, dy):
            return dy / np.cosh(x) ** 2
        """,
    ],
    "weight-decay-fork": [
        # log-sum-exp, einsum, and the two paths accumulated with +=
        """
        import numpy as np

        def weight_decay_gradient(W, X, Y, lam):
            Z = np.einsum("kn,nj->kj", W, X)
            c = Z.max(axis=0)
            A = np.exp(Z - (c + np.log(np.exp(Z - c).sum(axis=0))))
            dW = np.zeros_like(W)
            dW += np.einsum("kj,nj->kn", A - Y, X) / X.shape[1]
            dW += lam * W
            return dW
        """,
    ],
}


@pytest.mark.parametrize(
    "name,index", [(n, i) for n, texts in VARIANTS.items() for i in range(len(texts))]
)
def test_a_correct_variant_passes(name, index):
    """Correct answers in other forms than the solution's pass every check."""
    e = EXERCISES[name]
    functions = _load_source(VARIANTS[name][index], e.functions)
    passed, lines = grade(e, functions)
    assert passed, "\n".join(lines)

def test_a_tuple_from_back_propagate_gets_a_hint_saying_what_to_return():
    """The four arrays as a tuple fail, with a hint showing the dict to return."""
    source = (SOLUTIONS / "backprop.py").read_text().replace(
        'return {"dW1": dW1, "db1": db1, "dW2": dW2, "db2": db2}',
        "return dW1, db1, dW2, db2",
    )
    assert "return dW1, db1, dW2, db2" in source
    e = EXERCISES["backprop"]
    passed, lines = grade(e, _load_source(source, e.functions))
    report = _flat("\n".join(lines))
    assert not passed and "got tuple" in report
    assert "{'dW1': dW1, 'db1': db1, 'dW2': dW2, 'db2': db2}" in report

@pytest.mark.parametrize("h,passes", [(1e-3, False), (1.5e-3, True), (1e-1, True)])
def test_the_float32_step_verdict_depends_on_the_step_alone(h, passes):
    """On the fixed networks, the steps from 1.5e-3 to 1e-1 pass and 1e-3 fails, as
    the Training page's exercise says."""
    passed, lines = grade(EXERCISES["float32-step"], {"float32_step": lambda: h})
    assert passed == passes, "\n".join(lines)


def test_one_check_passed_is_singular():
    """A failure after exactly one check says '1 check passed'."""
    e = EXERCISES["softmax"]
    functions = _load_source(
        "def softmax(Z):\n    return Z / Z.sum()\n", e.functions
    )
    passed, lines = grade(e, functions)
    assert not passed
    assert lines[-1] == "softmax: 1 check passed, then one failed (fixed case 1 of 2)"
    assert runner.checks(1) == "1 check" and runner.checks(3) == "3 checks"

def test_exercises_are_listed_in_the_order_of_the_site():
    """The registry (and so `nnscratch exercises`) follows mkdocs.yml's pages."""
    import yaml

    class Loader(yaml.SafeLoader):
        pass

    Loader.add_multi_constructor("", lambda loader, suffix, node: None)
    nav = yaml.load((REPO / "mkdocs.yml").read_text(), Loader=Loader)["nav"]

    def pages(entry):
        if isinstance(entry, str):
            yield entry
        elif isinstance(entry, list):
            for item in entry:
                yield from pages(item)
        elif isinstance(entry, dict):
            for value in entry.values():
                yield from pages(value)

    order = list(pages(nav))
    if "autodiff.md" not in order:  # the page is merged from another branch
        order.insert(order.index("backprop.md") + 1, "autodiff.md")
    positions = [order.index(e.page) for e in EXERCISES.values()]
    assert positions == sorted(positions), [e.name for e in EXERCISES.values()]
