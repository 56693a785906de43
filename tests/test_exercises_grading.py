"""`nnscratch check` judges data, not the reader's process: every reproduction of
issue 18 with the verdict its table gives, each through the command itself. Cheats
never pass; answers that used to pass or fail by lottery get the same report on every
run; however a check ends, no process it started is left and its temporary folder is
gone; options and limits give one line. (Correct variants graded in this process:
tests/test_exercises_variants.py.)"""

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from nnscratch.exercises import EXERCISES

pytestmark = pytest.mark.slow(
    reason="runs nnscratch check in fresh processes, with time-outs and signals")

REPO = Path(__file__).resolve().parents[1]
SOLUTIONS = REPO / "nnscratch" / "exercises" / "solutions"

# a softmax that is right except for logits of size 1000: it fails the last check
UNSTABLE_SOFTMAX = """
import numpy as np

def softmax(Z):
    E = np.exp(Z)
    return E / E.sum(axis=0, keepdims=True)
"""
STABLE_SOFTMAX = (SOLUTIONS / "softmax.py").read_text()


def _check(tmp_path, name, source, *options, timeout=60, env=None):
    """Write `source` to tmp_path/answer.py and run `nnscratch check` on it."""
    answer = tmp_path / "answer.py"
    answer.write_text(textwrap.dedent(source))
    return subprocess.run(
        [sys.executable, "-m", "nnscratch", "check", name, str(answer), *options],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=timeout,
        env=env,
    )


def _flat(text):
    return " ".join(text.split())


# --- cheats: never exit 0 ------------------------------------------------------------

CHEATS = {
    "os._exit(0) at import": (
        "import os\nos._exit(0)\n" + UNSTABLE_SOFTMAX,
        2,
        "could not be graded",
    ),
    "os._exit(0) inside the function": (
        "import os\n\ndef softmax(Z):\n    os._exit(0)\n",
        2,
        "could not be graded",
    ),
    "a fake pass line, then os._exit(0)": (
        "import os\nprint('softmax: all 8 checks passed (2 fixed cases)', flush=True)\n"
        "os._exit(0)\n",
        2,
        "could not be graded",
    ),
    "sys.exit(0) at import": (
        "import sys\nsys.exit(0)\n" + UNSTABLE_SOFTMAX,
        2,
        "importing it raised SystemExit on line 2",
    ),
    "an atexit hook that calls os._exit(0)": (
        "import atexit, os\natexit.register(lambda: os._exit(0))\n" + UNSTABLE_SOFTMAX,
        1,
        "FAILED",
    ),
    "replacing runner.grade through sys.modules": (
        "import sys\nimport nnscratch.exercises.runner\n"
        "sys.modules['nnscratch.exercises.runner'].grade = "
        "lambda *a, **k: (True, ['softmax: all checks passed'])\n" + UNSTABLE_SOFTMAX,
        1,
        "FAILED",
    ),
    "patching relative_error, np.max and np.allclose": (
        UNSTABLE_SOFTMAX
        + "import nnscratch.gradcheck, nnscratch.exercises.tools as t\n"
        "nnscratch.gradcheck.relative_error = lambda *a, **k: 0.0\n"
        "t.relative_error = lambda *a, **k: 0.0\n"
        "np.max = lambda *a, **k: 0.0\nnp.allclose = lambda *a, **k: True\n",
        1,
        "FAILED",
    ),
    "np.save patched to write a header for a huge array": (
        "import numpy as np\nreal = np.save\n"
        "def save(path, a, allow_pickle=False):\n"
        "    with open(path, 'wb') as f:\n"
        "        np.lib.format.write_array_header_1_0(f, {'descr': '<f8', "
        "'fortran_order': False, 'shape': (10**12,)})\n"
        "np.save = save\n" + STABLE_SOFTMAX,
        2,
        "does not match",
    ),
}


@pytest.mark.parametrize("cheat", CHEATS)
def test_a_cheat_never_passes(cheat, tmp_path):
    """Each cheat of issue 18 gets the table's verdict, and never exit status 0."""
    source, status, needle = CHEATS[cheat]
    result = _check(tmp_path, "softmax", source)
    assert result.returncode == status, result.stdout + result.stderr
    assert needle in result.stdout + result.stderr
    if status == 2:  # one line, before anything the file printed
        assert len(result.stderr.strip().splitlines()) == 1, result.stderr


def test_a_fake_report_line_is_shown_as_the_readers_output(tmp_path):
    """What the file prints comes after the verdict, under a label that says whose."""
    source, _, _ = CHEATS["a fake pass line, then os._exit(0)"]
    result = _check(tmp_path, "softmax", source)
    label = "--- printed by your file"
    lines = result.stdout.splitlines()
    assert lines[0].startswith(label), result.stdout
    assert lines[1] == "softmax: all 8 checks passed (2 fixed cases)"


def test_a_dict_that_walks_the_stack_finds_no_gradients(tmp_path):
    """A dict subclass whose lookups walk up to the checker's numerical gradients
    finds none: the checker is not in the process that runs the reader's code."""
    source = """
    import sys
    import numpy as np

    class Oracle(dict):
        def __getitem__(self, key):
            frame = sys._getframe()
            while frame is not None:
                for value in frame.f_locals.values():
                    if isinstance(value, dict) and key in value and value is not self:
                        if isinstance(value[key], np.ndarray):
                            return value[key]
                frame = frame.f_back
            return np.zeros((1, 1))

        def __contains__(self, key):
            return True

    def back_propagate(X, Y, params, cache):
        return Oracle()
    """
    result = _check(tmp_path, "backprop", source)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "the returned dict has no 'dW1'" in _flat(result.stdout)


def test_the_readers_file_is_never_imported_in_the_checks_process(tmp_path):
    """The file runs in another process than `check`: its pid differs."""
    marker = tmp_path / "pid.txt"
    source = f"import os\nopen({str(marker)!r}, 'w').write(str(os.getpid()))\n"
    answer = tmp_path / "answer.py"
    answer.write_text(source + STABLE_SOFTMAX)
    check = subprocess.Popen(
        [sys.executable, "-m", "nnscratch", "check", "softmax", str(answer)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    check.communicate(timeout=60)
    assert check.returncode == 0
    assert int(marker.read_text()) != check.pid


# --- the same verdict on every run ---------------------------------------------------

LOTTERY = {
    "cross-entropy-gradient": (
        """
        import numpy as np

        def loss_gradient(Y, Z2):
            E = np.exp(Z2)
            return (E / E.sum(axis=0, keepdims=True) - Y) / Y.shape[1]
        """,
        1,
        "exp(Z2) overflowed",
    ),
    "float32-step": ("def float32_step():\n    return 1e-3\n", None, "float32"),
}
# the Softmax page's Jacobian route: right on paper, -Y / A2 divides by an underflow
JACOBIAN_ROUTE = """
import numpy as np

def loss_gradient(Y, Z2):
    m = Y.shape[1]
    E = np.exp(Z2 - Z2.max(axis=0, keepdims=True))
    A = E / E.sum(axis=0, keepdims=True)
    dA = -Y / A / m
    dZ = np.empty_like(Z2)
    for j in range(m):
        a = A[:, j:j + 1]
        dZ[:, j] = ((np.diagflat(a) - a @ a.T) @ dA[:, j:j + 1])[:, 0]
    return dZ
"""
LOTTERY["jacobian route"] = (JACOBIAN_ROUTE, 1, "underflowed to 0")


@pytest.mark.parametrize("case", LOTTERY)
def test_an_answer_gets_the_same_report_on_every_run(case, tmp_path):
    """Without --seed, three runs give the same exit status and the same bytes."""
    source, status, needle = LOTTERY[case]
    name = case if case in EXERCISES else "cross-entropy-gradient"
    runs = [_check(tmp_path, name, source) for _ in range(3)]
    assert len({(r.returncode, r.stdout, r.stderr) for r in runs}) == 1
    if status is not None:
        assert runs[0].returncode == status, runs[0].stdout
    assert needle in _flat(runs[0].stdout), runs[0].stdout
    assert "random case" not in runs[0].stdout


def test_seed_adds_a_random_case_and_says_so(tmp_path):
    """--seed N checks one more case, drawn from N, and the report says so."""
    result = _check(tmp_path, "softmax", STABLE_SOFTMAX, "--seed", "7")
    assert result.returncode == 0, result.stdout
    assert "random case of --seed 7" in result.stdout
    assert result.stdout.splitlines()[-1].endswith(
        "(2 fixed cases and a random case of --seed 7)"
    )


# sign-branched with np.where: the unused branch overflows, with a warning
SIGN_BRANCHED = """
import numpy as np

def sigmoid_derivative(z):
    return np.where(
        z >= 0,
        np.exp(-z) / (1 + np.exp(-z)) ** 2,
        np.exp(z) / (1 + np.exp(z)) ** 2,
    )
"""


def test_a_correct_variant_passes_through_the_command(tmp_path):
    """The np.where sigmoid derivative, whose unused branch warns, passes `check`."""
    result = _check(tmp_path, "sigmoid-derivative", SIGN_BRANCHED)
    assert result.returncode == 0, result.stdout + result.stderr


def test_a_missing_transpose_gets_the_shapes_not_numpys_message(tmp_path):
    """dW1 = dZ1 @ X fails with a hint that names the shapes of dZ1 and X."""
    source = (SOLUTIONS / "backprop.py").read_text().replace("dZ1 @ X.T", "dZ1 @ X")
    result = _check(tmp_path, "backprop", source)
    report = _flat(result.stdout)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "raised ValueError" in report and "Is a transpose (.T) missing?" in report
    assert "`dW1 = dZ1 @ X # (E2)`" in report
    assert "dZ1 is (" in report and "X is (" in report


# --- the processes end, the folder goes -------------------------------------------

# the reader's file forks a grandchild that starts a session of its own, holds the
# output pipe, and would write a file outside the temporary folder 5 s later
GRANDCHILD = """
import os, sys, time
pid = os.fork()
if pid == 0:
    os.setsid()
    time.sleep(5)
    open({late!r}, "w").write("still alive")
    time.sleep(600)
    os._exit(0)
open({pids!r}, "w").write(f"{{pid}} {{os.getcwd()}}")
"""


def _gone(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    return Path(f"/proc/{pid}/stat").read_text().split(")")[1].split()[0] == "Z"


def _grandchild_source(tmp_path, body):
    pids, late = tmp_path / "pids.txt", tmp_path / "late.txt"
    return GRANDCHILD.format(pids=str(pids), late=str(late)) + body, pids, late


ENDINGS = {
    "pass": (STABLE_SOFTMAX, [], 0),
    "fail": (UNSTABLE_SOFTMAX, [], 1),
    "time-out": (
        "def softmax(Z):\n    while True:\n        pass\n",
        ["--timeout", "2"],
        1,
    ),
}


@pytest.mark.parametrize("ending", ENDINGS)
def test_no_process_outlives_the_check_and_its_folder_is_gone(ending, tmp_path):
    """After a pass, a failure or a time-out, the setsid grandchild is dead, it wrote
    nothing outside, its open pipe did not delay the verdict, and the folder is gone."""
    body, options, status = ENDINGS[ending]
    source, pids, late = _grandchild_source(tmp_path, body)
    start = time.monotonic()
    result = _check(tmp_path, "softmax", source, *options)
    assert result.returncode == status, result.stdout + result.stderr
    assert time.monotonic() - start < 30
    pid, folder = pids.read_text().split(" ", 1)
    assert _gone(int(pid))
    assert not Path(folder).exists()
    time.sleep(max(0.0, start + 5.5 - time.monotonic()))
    assert not late.exists()


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_a_signal_to_check_ends_every_process_it_started(signum, tmp_path):
    """Ctrl-C or SIGTERM while the reader's code runs: exit 128 + signal, every
    descendant (the setsid grandchild included) ended, the folder removed."""
    source, pids, late = _grandchild_source(
        tmp_path, "def softmax(Z):\n    while True:\n        pass\n"
    )
    answer = tmp_path / "answer.py"
    answer.write_text(source)
    check = subprocess.Popen(
        [sys.executable, "-m", "nnscratch", "check", "softmax", str(answer)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 30
    while not pids.exists() or not pids.read_text():
        assert time.monotonic() < deadline and check.poll() is None
        time.sleep(0.05)
    time.sleep(0.3)  # the check is now waiting for the endless call
    check.send_signal(signum)
    out, err = check.communicate(timeout=30)
    assert check.returncode == 128 + signum, out + err
    assert "interrupted" in err and len(err.strip().splitlines()) == 1, err
    pid, folder = pids.read_text().split(" ", 1)
    assert _gone(int(pid))
    assert not Path(folder).exists()


def test_a_folder_replaced_by_a_link_is_removed_and_the_target_kept(tmp_path):
    """The child moves its folder away and puts a link to another folder in its
    place: the link and the moved folder go, the other folder's file stays."""
    victim = tmp_path / "victim"
    victim.mkdir()
    (victim / "keep.txt").write_text("mine")
    record = tmp_path / "cwd.txt"
    source = f"""
import os
cwd = os.getcwd()
open({str(record)!r}, "w").write(cwd)
os.rename(cwd, cwd + "-moved")
os.symlink({str(victim)!r}, cwd)
""" + STABLE_SOFTMAX
    result = _check(tmp_path, "softmax", source)
    assert result.returncode == 2, result.stdout + result.stderr
    cwd = Path(record.read_text())
    assert not os.path.lexists(cwd) and not os.path.lexists(str(cwd) + "-moved")
    assert sorted(p.name for p in victim.iterdir()) == ["keep.txt"]


# --- output, limits, options ----------------------------------------------------------


def test_endless_output_is_capped_and_the_verdict_survives(tmp_path):
    """A file that prints without end: `check` keeps the last 64 KB, says how much
    it cut, and its own memory stays small."""
    source = "import sys\nwhile True:\n    sys.stdout.write('x' * 1000 + '\\n')\n"
    answer = tmp_path / "answer.py"
    answer.write_text(source)
    wrapper = (
        "import resource, subprocess, sys\n"
        "r = subprocess.run([sys.executable, '-m', 'nnscratch', 'check', 'softmax', "
        f"{str(answer)!r}, '--timeout', '3'], capture_output=True, text=True)\n"
        "print(r.returncode, len(r.stdout))\n"
        "print(r.stdout.splitlines()[0])\n"
        "print([l for l in r.stdout.splitlines() if 'printed by your file' in l][0])\n"
        "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", wrapper], capture_output=True, text=True, timeout=60
    ).stdout.splitlines()
    status, size = map(int, out[0].split())
    assert status == 1 and size < 70_000, out
    assert out[1].startswith("softmax: stopped after 3 s"), out
    assert "bytes were cut, the last 64 KB kept" in out[2], out
    assert int(out[3]) < 400_000, out  # kB: check and the child stayed small


def test_bytes_that_are_not_utf8_keep_the_verdict(tmp_path):
    """A file that prints a byte that is not UTF-8 still gets its verdict."""
    source = "import sys\nsys.stdout.buffer.write(b'\\xff\\xfe\\n')\n" + STABLE_SOFTMAX
    result = _check(tmp_path, "softmax", source)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "\ufffd" in result.stdout


def test_a_memory_hog_gets_one_line_about_the_limit(tmp_path):
    """Asking for 16 GB fails the check with a line about the memory limit."""
    source = "import numpy as np\n\ndef softmax(Z):\n    return np.ones(2 * 10**9)\n"
    result = _check(tmp_path, "softmax", source)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "more memory than the check allows (2 GiB)" in _flat(result.stdout)


def test_the_cpu_time_limit_gets_one_line(tmp_path):
    """A child ended by SIGXCPU (its CPU-time limit) is reported as a time limit."""
    source = "import os, signal\nos.kill(os.getpid(), signal.SIGXCPU)\n"
    result = _check(tmp_path, "softmax", source, "--timeout", "5")
    assert result.returncode == 1, result.stdout + result.stderr
    assert "softmax: stopped after 5 s (it used its 7 s of CPU time)" in result.stdout


@pytest.mark.parametrize(
    "option,value",
    [
        ("--seed", "-1"),
        ("--seed", "1.5"),
        ("--timeout", "inf"),
        ("--timeout", "nan"),
        ("--timeout", "0"),
        ("--timeout", "-3"),
        ("--timeout", "86400"),
        ("--timeout", "soon"),
    ],
)
def test_bad_options_get_one_line_and_exit_2(option, value, tmp_path):
    """--seed must be a non-negative integer, --timeout finite, above 0, below a day."""
    result = _check(tmp_path, "softmax", STABLE_SOFTMAX, option, value)
    assert result.returncode == 2, result.stdout + result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and f"{option} {value}: expected" in lines[0], lines
    assert result.stdout == ""


def test_exercises_start_creates_the_folder_and_never_overwrites(tmp_path):
    """`exercises start NAME DIR` creates DIR and its parents; a second time it
    refuses, leaving the file alone."""
    folder = tmp_path / "new" / "nested"
    command = [sys.executable, "-m", "nnscratch", "exercises", "start", "softmax"]
    first = subprocess.run(command + [str(folder)], capture_output=True, text=True)
    assert first.returncode == 0, first.stderr
    target = folder / "softmax.py"
    target.write_text("# my work\n")
    again = subprocess.run(command + [str(folder)], capture_output=True, text=True)
    assert again.returncode == 2 and "already exists" in again.stderr
    assert target.read_text() == "# my work\n"


