"""bench/frontier.py: the grid of the Beyond 98% page's frontier table, resumable,
each point the same run as the `nnscratch train` command it prints."""

import importlib.util
import json
import shlex
from pathlib import Path

import pytest

from nnscratch.cli import main as cli
from test_data import make_folder

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def frontier(tmp_path, monkeypatch):
    spec = importlib.util.spec_from_file_location("frontier", ROOT / "bench" / "frontier.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    monkeypatch.setattr(module, "OUT", tmp_path / "out")
    monkeypatch.setattr(module, "HIDDEN", (4, 6))
    monkeypatch.setattr(module, "EPOCHS", (1, 2))
    monkeypatch.setattr(module, "N_VAL", 20)
    monkeypatch.setattr(module, "VARIANTS", {
        "6x2-still": {"n_h": 6, "epochs": 2, **module.NO_AFFINE, "elastic_alpha": 0.0}})
    data = tmp_path / "data"
    data.mkdir()
    make_folder(data, n_train=120, n_test=30)
    return module, data


def test_every_point_is_kept_and_tabled_and_a_rerun_trains_nothing(frontier, monkeypatch):
    module, data = frontier
    assert module.main(["--data", str(data)]) == 0
    points = json.loads((module.OUT / "points.json").read_text())
    assert list(points) == ["4x1", "4x2", "6x1", "6x2", "6x2-still"]
    assert all(p["chosen_epoch"] <= p["epochs"] for p in points.values())
    rows = (module.OUT / "frontier.md").read_text().splitlines()
    assert [r.split("|")[1:3] for r in rows[2:6]] == [
        [" 4 ", " 1 "], [" 4 ", " 2 "], [" 6 ", " 1 "], [" 6 ", " 2 "]]
    assert rows[9].startswith("| `--n-h 6 --epochs 2 --max-degrees 0 --max-shift 0 "
                              "--max-scale 0 --elastic-alpha 0` | ")

    def fail(*args):
        raise AssertionError("a finished point was trained again")

    monkeypatch.setattr(module, "train_point", fail)
    assert module.main(["--data", str(data)]) == 0  # resumes: nothing left to train
    with pytest.raises(AssertionError, match="trained again"):
        module.main(["--data", str(data), "--only", "6x1", "--again"])


def test_a_point_is_the_run_its_printed_command_trains(frontier, tmp_path, capsys):
    module, data = frontier
    assert module.main(["--data", str(data), "--only", "6x2"]) == 0
    point = json.loads((module.OUT / "points.json").read_text())["6x2"]
    argv = shlex.split(point["command"])[1:]
    argv[argv.index("--data") + 1] = str(data)
    capsys.readouterr()
    assert cli([*argv, "--quiet", "--out", str(tmp_path / "run")]) == 0
    summary = capsys.readouterr().out
    assert f"test accuracy {point['test_accuracy']:.4f}" in summary
    assert f"chose epoch {point['chosen_epoch']} " in summary
    history = json.loads((tmp_path / "run" / "history.json").read_text())
    chosen = history[point["chosen_epoch"] - 1]
    assert chosen["val_loss"] == point["val_loss"]  # the same float: the same run


def test_a_finished_run_of_the_printed_command_is_adopted_and_any_other_refused(
        frontier, tmp_path, capsys):
    """--adopt takes a point from `nnscratch train --out` of its printed command, the
    same numbers as training it here; a run with another option is refused, named."""
    module, data = frontier
    assert module.main(["--data", str(data), "--only", "6x2-still"]) == 0
    trained = json.loads((module.OUT / "points.json").read_text())["6x2-still"]
    argv = shlex.split(trained["command"])[1:]
    argv[argv.index("--data") + 1] = str(data)
    assert cli([*argv, "--quiet", "--out", str(tmp_path / "run")]) == 0
    assert module.main(["--data", str(data), "--only", "6x2-still", "--again",
                        "--adopt", str(tmp_path / "run")]) == 0
    adopted = json.loads((module.OUT / "points.json").read_text())["6x2-still"]
    assert adopted["wall_seconds"] is None
    for key in ("test_accuracy", "test_loss", "val_accuracy", "val_loss", "chosen_epoch"):
        assert adopted[key] == pytest.approx(trained[key], rel=1e-6), key
    other = [*argv, "--quiet", "--out", str(tmp_path / "other")]
    other[other.index("--max-shift") + 1] = "1"
    assert cli(other) == 0
    with pytest.raises(SystemExit, match="its max_shift differs from `nnscratch train "):
        module.main(["--data", str(data), "--only", "6x2-still", "--again",
                     "--adopt", str(tmp_path / "other")])
