"""The exercises and their checkers: every reference solution passes, every typical
wrong
answer fails with the message meant for it, starters are stubs, and `nnscratch check`
keeps its promises (exit 0/1/2, one-line usage errors, a time limit, nothing
written)."""

import ast
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nnscratch.cli import main
from nnscratch.exercises import EXERCISES, CheckFailed, grade, load_functions
from nnscratch.exercises import tools

WRONG = Path(__file__).parent / "exercises_wrong"

# wrong answer file -> (the check that must fail, a phrase its message must contain)
WRONG_ANSWERS = {
    "sigmoid_derivative__of_z": ("central differences", "you computed z(1 - z)"),
    "sigmoid_derivative__sigmoid_only": (
        "central differences",
        "returned sigmoid(z) itself",
    ),
    "sigmoid_derivative__one_minus": ("both tails", "use 1 - sigmoid(z) = sigmoid(-z)"),
    "sigmoid_derivative__exp_overflow": ("both tails", "exp(-z) overflows"),
    "tanh_hidden__sigmoid_forward": ("forward pass", "A1 is tanh(Z1), not sigmoid(Z1)"),
    "tanh_hidden__sigmoid_derivative": (
        "central differences",
        "the sigmoid's derivative",
    ),
    "tanh_hidden__derivative_of_z": ("central differences", "not 1 - Z1**2"),
    "tanh_hidden__no_mean": ("central differences", "times too large"),
    "softmax__row_axis": ("each column sums to 1", "your rows sum to 1"),
    "softmax__whole_sum": ("each column sums to 1", "sum of the whole array"),
    "softmax__unstable": ("extreme logits", "subtract each column's maximum"),
    "softmax__global_max": ("extreme logits", "subtract each column's maximum"),
    "cross_entropy_gradient__no_mean": ("central differences", "times too large"),
    "cross_entropy_gradient__diagonal_jacobian": (
        "central differences",
        "only the diagonal of the softmax Jacobian",
    ),
    "cross_entropy_gradient__sign": ("central differences", "wrong sign"),
    "cross_entropy_gradient__transposed": ("shape", "is transposed"),
    "mse_sigmoid_output__no_sigma_prime": (
        "central differences",
        "the cross-entropy answer",
    ),
    "mse_sigmoid_output__no_mean": ("central differences", "times too large"),
    "mse_sigmoid_output__factor_two": ("central differences", "twice too large"),
    "mse_sigmoid_output__sigma_prime_of_z": ("central differences", "not Z2(1 - Z2)"),
    "backprop__no_mean": ("central differences", "times too large"),
    "backprop__mean_twice": ("central differences", "did you divide by m twice?"),
    "backprop__transposed_dw1": ("shape", "dW1 is transposed"),
    "backprop__wrong_sum_axis": ("shape", "you summed over the wrong axis"),
    "backprop__sigma_prime_of_z": ("central differences", "not Z1 * (1 - Z1)"),
    "backprop__in_place": ("shape", "changed cache['A2'] in place"),
    "two_hidden_layers__sigmoid_output": ("forward pass", "A3 = softmax(Z3)"),
    "two_hidden_layers__no_mean": ("central differences", "times too large"),
    "two_hidden_layers__sigma_prime_of_z": ("central differences", "not Z * (1 - Z)"),
    "two_hidden_layers__first_layer_no_sigma_prime": (
        "central differences",
        "dW2 and db2 are right",
    ),
    "he_factor__lecun": ("Monte Carlo", "relu zeroes half of it"),
    "he_factor__variance": ("Monte Carlo", "you returned the variance"),
    "he_factor__root_two_over_n": ("Monte Carlo", "sqrt(2/n)"),
    "he_factor__constant": ("Monte Carlo", "per layer"),
    "tanh_backward__one_minus_x_squared": ("central differences", "not 1 - x**2"),
    "tanh_backward__sigmoid_slope": ("central differences", "the sigmoid's slope"),
    "tanh_backward__no_upstream": (
        "central differences",
        "multiplies it by the gradient arriving from above",
    ),
    "tanh_backward__in_place": ("central differences", "changed dy in place"),
    "weight_decay_fork__overwritten": (
        "central differences",
        "the second assignment to dW overwrote the first (what is left is lam * W",
    ),
    "weight_decay_fork__penalty_dropped": (
        "central differences",
        "overwrote the first (what is left is the logits' part)",
    ),
    "weight_decay_fork__half_lambda": ("central differences", "the 2 of the square"),
    "weight_decay_fork__penalty_over_m": ("central differences", "without 1/m"),
    "float32_step__float64_habit": ("float32 central-difference", "rounding dominates"),
    "float32_step__sqrt_eps64": ("float32 central-difference", "rounding dominates"),
    "float32_step__eps32": ("float32 central-difference", "rounding dominates"),
    "float32_step__too_large": (
        "float32 central-difference",
        "truncation error dominates",
    ),
}


def _exercise_of(stem):
    return EXERCISES[stem.split("__")[0].replace("_", "-")]


def _grade_file(path, exercise, seed):
    return grade(exercise, load_functions(path, exercise.functions), seed)


def _nnscratch(*args, cwd=None, timeout=120):
    """Run the installed command line in a child process; return the
    CompletedProcess."""
    return subprocess.run(
        [sys.executable, "-m", "nnscratch", *map(str, args)],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


@pytest.mark.parametrize("name", EXERCISES)
def test_reference_solution_passes(name):
    """Each reference solution, the file its page shows, passes every check."""
    e = EXERCISES[name]
    passed, lines = _grade_file(e.solution, e, seed=0)
    assert passed, "\n".join(lines)
    assert lines[-1].startswith(f"{name}: all ") and len(lines) >= 2


@pytest.mark.slow(reason="grades every solution at four random seeds")
@settings(max_examples=4, deadline=None)
@given(seed=st.integers(0, 2**32 - 1))
def test_reference_solutions_pass_for_any_seed(seed):
    """Whatever shapes and values a seed draws, every reference solution passes."""
    for e in EXERCISES.values():
        passed, lines = _grade_file(e.solution, e, seed)
        assert passed, "\n".join(lines)


@pytest.mark.parametrize("stem", WRONG_ANSWERS)
@pytest.mark.parametrize("seed", [None, 1])
def test_typical_wrong_answer_fails_with_its_hint(stem, seed):
    """A typical wrong answer fails at the intended check with the intended hint."""
    check, phrase = WRONG_ANSWERS[stem]
    passed, lines = _grade_file(WRONG / f"{stem}.py", _exercise_of(stem), seed)
    report = "\n".join(lines)
    assert not passed, report
    failed = next(line for line in lines if "FAILED" in line)
    assert check in failed, report
    # hints are wrapped to the terminal's width: compare with the line breaks removed
    assert " ".join(phrase.split()) in " ".join(report.split()), report


def test_every_exercise_has_at_least_three_wrong_answers_and_each_is_listed():
    """Every exercise has three or more wrong answers, each with an expectation."""
    files = {p.stem for p in WRONG.glob("*.py")}
    assert files == set(WRONG_ANSWERS)
    for name in EXERCISES:
        assert sum(_exercise_of(s).name == name for s in files) >= 3, name


def test_the_listed_exercises_are_the_ones_the_issue_asks_for():
    """The command-line names are the nine of issue 12 and the two of issue 17, each
    with both files."""
    assert set(EXERCISES) == {
        "tanh-backward",
        "weight-decay-fork",
        "sigmoid-derivative",
        "softmax",
        "cross-entropy-gradient",
        "backprop",
        "tanh-hidden",
        "mse-sigmoid-output",
        "two-hidden-layers",
        "he-factor",
        "float32-step",
    }
    for e in EXERCISES.values():
        assert e.starter.is_file() and e.solution.is_file(), e.name


@pytest.mark.parametrize("name", EXERCISES)
def test_starter_is_valid_python_and_fails_its_checker(name, tmp_path, capsys):
    """`exercises start` writes a stub that parses, has the functions, and fails:
    with NotImplementedError, or (a repair exercise) with the hint of its bug."""
    assert main(["exercises", "start", name, str(tmp_path)]) == 0
    e = EXERCISES[name]
    path = tmp_path / e.file_name
    assert path.read_text() == e.starter.read_text()
    tree = ast.parse(path.read_text())
    defined = {node.name for node in tree.body if isinstance(node, ast.FunctionDef)}
    assert set(e.functions) <= defined
    passed, lines = _grade_file(path, e, seed=0)
    assert not passed and e.starter_fails_with in " ".join(" ".join(lines).split())
    assert f"nnscratch check {name} " in capsys.readouterr().out


def test_exercises_lists_every_exercise_with_its_page(capsys):
    """`nnscratch exercises` prints one line per exercise: name, summary, page."""
    assert main(["exercises"]) == 0
    out = capsys.readouterr().out
    for e in EXERCISES.values():
        line = next(line for line in out.splitlines() if line.startswith(e.name + " "))
        assert e.summary in line and e.page.removesuffix(".md") in line


@pytest.mark.slow(reason="runs nnscratch check in fresh processes")
def test_check_exits_0_on_a_solution_and_1_with_a_hint_on_a_wrong_answer(tmp_path):
    """The real command exits 0 with a report, or 1 with a hint on a wrong answer."""
    e = EXERCISES["backprop"]
    good = _nnscratch("check", "backprop", e.solution, "--seed", "3", cwd=tmp_path)
    assert good.returncode == 0, good.stdout + good.stderr
    assert (
        "backprop: all 6 checks passed (2 fixed cases and a random case of --seed 3)"
        in good.stdout
    )
    bad = _nnscratch(
        "check", "backprop", WRONG / "backprop__mean_twice.py", cwd=tmp_path
    )
    assert bad.returncode == 1, bad.stdout + bad.stderr
    report = " ".join(bad.stdout.split())  # the report wraps its sentences
    assert "FAILED" in report and "did you divide by m twice?" in report
    for part in ("of shape (", "largest relative error", "expected [", "got ["):
        assert part in report, part
    assert "then one failed (fixed case 1 of 2)" in bad.stdout.splitlines()[-1]


def test_an_exception_in_the_reader_code_names_its_line():
    """A function that raises fails its check, naming the error and its line."""
    e = EXERCISES["softmax"]
    source = "def softmax(Z):\n    return Z[len(Z)]\n"
    passed, lines = grade(e, _load_source(source, e), seed=0)
    report = " ".join(" ".join(lines).split())  # sentences may wrap
    assert not passed and "softmax raised IndexError" in report
    assert "line 2 of <reader>" in report, report


def _load_source(source, exercise):
    """The functions defined by `source`, compiled under the file name '<reader>'."""
    namespace = {}
    exec(compile(source, "<reader>", "exec"), namespace)
    return {name: namespace[name] for name in exercise.functions}


@pytest.mark.slow(reason="runs nnscratch check in fresh processes")
@pytest.mark.parametrize(
    "content,args,needle",
    [
        (
            None,
            ["check", "sofmax", "{file}"],
            "no exercise named 'sofmax'; did you mean softmax?",
        ),
        (None, ["check", "softmax", "{dir}/missing.py"], "no such file"),
        (None, ["check", "softmax", "{dir}"], "is a folder; pass your Python file"),
        ("x = 1\n", ["check", "softmax", "{dir}/answer.txt"], "expected a Python file"),
        (
            "def softmax(Z)\n    return Z\n",
            ["check", "softmax", "{file}"],
            "syntax error on line 1",
        ),
        (
            "def soft_max(Z):\n    return Z\n",
            ["check", "softmax", "{file}"],
            "no function softmax() in the file",
        ),
        (
            "import numpy as np\nnp.nothing()\n",
            ["check", "softmax", "{file}"],
            "importing it raised AttributeError on line 2",
        ),
        (
            "raise ValueError('first line\\nsecond line')\n",
            ["check", "softmax", "{file}"],
            "raised ValueError on line 1: first line",
        ),
        (
            None,
            ["exercises", "start", "softmax", "{dir}/backprop.py/folder"],
            "cannot create the folder",
        ),
        (None, ["exercises", "start", "backprop", "{dir}"], "already exists"),
    ],
)
def test_usage_errors_exit_2_with_one_line(content, args, needle, tmp_path):
    """Every usage error exits 2 with one line on stderr and no traceback."""
    file = tmp_path / "answer.py"
    if content is not None:
        (tmp_path / "answer.txt").write_text(content)
        file.write_text(content)
    (tmp_path / "backprop.py").write_text("# the reader's own work\n")
    argv = [a.format(file=file, dir=tmp_path) for a in args]
    result = _nnscratch(*argv, cwd=tmp_path)
    assert result.returncode == 2, result.stdout + result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and needle in lines[0], result.stderr
    assert "Traceback" not in result.stderr
    assert (tmp_path / "backprop.py").read_text() == "# the reader's own work\n"


@pytest.mark.slow(reason="runs nnscratch check in fresh processes")
def test_check_writes_nothing_and_runs_the_code_elsewhere(tmp_path):
    """Grading leaves the reader's folder untouched: no __pycache__, no stray file."""
    answer = tmp_path / "softmax.py"
    answer.write_text(
        EXERCISES["softmax"].solution.read_text()
        + "\nopen('written_by_the_answer.txt', 'w').write('x')\n"
    )
    before = sorted(p.name for p in tmp_path.iterdir())
    result = _nnscratch("check", "softmax", answer, cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == before


@pytest.mark.slow(reason="runs nnscratch check in fresh processes")
def test_a_function_that_never_returns_is_stopped(tmp_path):
    """An endless loop is stopped by the time limit: exit 1 and a message."""
    answer = tmp_path / "softmax.py"
    answer.write_text("def softmax(Z):\n    while True:\n        pass\n")
    start = time.monotonic()
    result = _nnscratch("check", "softmax", answer, "--timeout", "3", cwd=tmp_path)
    assert result.returncode == 1
    assert "stopped after 3 s" in " ".join(result.stdout.split())
    assert time.monotonic() - start < 60


def test_each_call_of_the_reader_code_has_its_own_time_limit(monkeypatch):
    """Inside the checker, one call that runs too long fails its check with a hint."""
    monkeypatch.setattr(tools, "CALL_SECONDS", 0.5)

    def softmax(Z):
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            pass
        return Z

    with pytest.raises(CheckFailed, match="took longer than 0.5 s") as e:
        tools.call("shape and dtype", softmax, np.zeros((3, 4)))
    assert "loops" in e.value.hint


def test_starters_and_solutions_follow_the_listing_rules():
    """Shown files have docstrings, lines of at most 88 characters, equation tags."""
    for e in EXERCISES.values():
        for path in (e.starter, e.solution):
            text = path.read_text()
            assert max(map(len, text.splitlines())) <= 88, path
            for node in ast.parse(text).body:
                if isinstance(node, ast.FunctionDef):
                    assert ast.get_docstring(node), (
                        f"{path}: {node.name} has no docstring"
                    )
        tagged = [
            line for line in e.solution.read_text().splitlines() if "# (E" in line
        ]
        assert tagged, f"{e.solution}: no line tagged with its equation"


@pytest.mark.slow(reason="runs nnscratch check in fresh processes")
def test_nothing_outside_a_fresh_folder_sees_the_checker_cwd(tmp_path):
    """The child's working folder is a new temporary folder, removed afterwards."""
    answer = tmp_path / "softmax.py"
    answer.write_text(
        "import os\nimport numpy as np\nCWD = os.getcwd()\n"
        "def softmax(Z):\n    print('cwd', CWD)\n"
        "    E = np.exp(Z - Z.max(axis=0))\n    return E / E.sum(axis=0)\n"
    )
    result = _nnscratch("check", "softmax", answer, cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    cwd = Path(
        next(
            line for line in result.stdout.splitlines() if line.startswith("cwd ")
        ).split(" ", 1)[1]
    )
    assert cwd != tmp_path and cwd.name.startswith("nnscratch-check-")
    assert not cwd.exists()
    assert os.getcwd() != str(cwd)
