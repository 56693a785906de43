"""The package can be published.

`python -m build` makes an sdist and a wheel from a clean copy of the working tree; the
sdist holds what a packager needs to run the tests and build the docs; the wheel,
installed into a fresh virtual environment outside the repository, trains on the shipped
sample and carries the licence of the code and the notice of the MNIST sample.

The fresh environment gets the wheel and nothing else: its dependencies (numpy,
matplotlib, ...) are the ones this interpreter already has, reached through a path file,
so the test needs no network and takes a few seconds.
"""

import shutil
import subprocess
import sys
import sysconfig
import tarfile
import tomllib
import zipfile
from email.parser import Parser
from pathlib import Path

import pytest

from conftest import REPO
pytestmark = pytest.mark.slow(reason="builds the sdist and wheel, installs the wheel")

NOTICE = "nnscratch/MNIST_SAMPLE_NOTICE.txt"
# what a packager needs beside the package: the tests, the site's sources, its hooks
SDIST_TREES = ("tests", "docs", "hooks", "overrides", "tools")
SDIST_FILES = ("LICENSE", "README.md", "pyproject.toml", "mkdocs.yml", NOTICE,
               "nnscratch/mnist_sample.npz")


def _files_under(root, top):
    """Every file of the repository folder `top`, as paths relative to `root`."""
    return {p.relative_to(root).as_posix() for p in (root / top).rglob("*")
            if p.is_file() and "__pycache__" not in p.parts and p.suffix != ".pyc"}


# left out of the copy: what a build, a test run or a virtual environment leaves behind
# (an old *.egg-info/SOURCES.txt would otherwise add its files to the sdist)
NOT_SOURCES = shutil.ignore_patterns(
    ".git", ".venv", "venv", "*.egg-info", "build", "dist", "site", "test-output",
    "__pycache__", "*.pyc", ".pytest_cache", ".hypothesis", ".cache", "run", "runs",
    "sweeps")


@pytest.fixture(scope="module")
def dist(tmp_path_factory):
    """(sdist, wheel) made by `python -m build --no-isolation` from a clean copy."""
    src = tmp_path_factory.mktemp("src") / "nnscratch"
    out = tmp_path_factory.mktemp("dist")
    shutil.copytree(REPO, src, ignore=NOT_SOURCES)
    result = subprocess.run(
        [sys.executable, "-m", "build", "--no-isolation", "--outdir", str(out),
         str(src)],
        capture_output=True, text=True, cwd=out)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    sdists, wheels = list(out.glob("*.tar.gz")), list(out.glob("*.whl"))
    assert len(sdists) == 1 and len(wheels) == 1, sorted(p.name for p in out.iterdir())
    return sdists[0], wheels[0]


def test_the_sdist_holds_the_tests_docs_and_licences(dist):
    """Every file of tests/, docs/, hooks/, overrides/ and tools/ is in the sdist, with
    the licence, the notice and the configuration files."""
    sdist, _ = dist
    with tarfile.open(sdist) as tar:
        prefix = tar.getnames()[0].split("/")[0] + "/"
        names = {n.removeprefix(prefix) for n in tar.getnames()}
    expected = set(SDIST_FILES).union(*(_files_under(REPO, top) for top in SDIST_TREES))
    assert expected - names == set()
    assert not any("__pycache__" in n or n.endswith(".pyc") for n in names)


def test_the_wheel_carries_the_licence_files_and_project_urls(dist):
    """The wheel has the notice next to the sample, both licence files in its metadata
    folder, an MIT licence expression and the project URLs of pyproject.toml."""
    _, wheel = dist
    with zipfile.ZipFile(wheel) as zf:
        names = set(zf.namelist())
        info = next(n.split("/")[0] for n in names if n.endswith(".dist-info/METADATA"))
        metadata = Parser().parsestr(zf.read(f"{info}/METADATA").decode())
        notice = zf.read(NOTICE).decode()
    assert {"nnscratch/mnist_sample.npz", NOTICE} <= names
    assert {f"{info}/licenses/LICENSE", f"{info}/licenses/{NOTICE}"} <= names
    assert metadata["License-Expression"] == "MIT"
    assert sorted(metadata.get_all("License-File")) == ["LICENSE", NOTICE]
    assert "CC BY-SA 3.0" in notice and "LeCun" in notice
    urls = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["urls"]
    assert {"Homepage", "Source", "Issues"} <= set(urls)
    expected = sorted(f"{k}, {v}" for k, v in urls.items())
    assert sorted(metadata.get_all("Project-URL")) == expected


def test_the_installed_wheel_trains_on_the_sample_outside_the_repo(dist, tmp_path):
    """A fresh venv outside the repository, holding only the wheel, runs `nnscratch
    train --data sample --epochs 1` from its installed copy and finds the notice beside
    the sample."""
    _, wheel = dist
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)],
                   check=True)
    python = venv / "bin" / "python"
    site = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
        capture_output=True, text=True, check=True)
    # the dependencies come from this interpreter's site-packages, after the venv's own
    deps = sysconfig.get_path("purelib")
    Path(site.stdout.strip(), "deps.pth").write_text(deps + "\n")
    install = subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(python), "install", "--quiet",
         "--no-deps", "--no-index", str(wheel)], capture_output=True, text=True)
    assert install.returncode == 0, install.stderr[-3000:]

    show = ("import importlib.resources as r, nnscratch; print(nnscratch.__file__); "
            "print(r.files('nnscratch').joinpath('MNIST_SAMPLE_NOTICE.txt')"
            ".read_text())")
    where = subprocess.run([str(python), "-c", show], capture_output=True, text=True,
                           cwd=tmp_path)
    assert where.returncode == 0, where.stderr[-3000:]
    # the wheel's copy, not the repository's
    assert where.stdout.startswith(str(venv)), where.stdout
    assert "CC BY-SA 3.0" in where.stdout

    train = subprocess.run(
        [str(venv / "bin" / "nnscratch"), "train", "--data", "sample", "--epochs", "1",
         "--out", str(tmp_path / "run")], capture_output=True, text=True, cwd=tmp_path)
    assert train.returncode == 0, train.stderr[-3000:]
    assert (tmp_path / "run" / "model.npz").stat().st_size > 0
