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
    data = tmp_path / "data"
    data.mkdir()
    make_folder(data, n_train=120, n_test=30)
    return module, data


def test_every_point_is_kept_and_tabled_and_a_rerun_trains_nothing(frontier, monkeypatch):
    module, data = frontier
    assert module.main(["--data", str(data)]) == 0
    points = json.loads((module.OUT / "points.json").read_text())
    assert list(points) == ["4x1", "4x2", "6x1", "6x2"]
    assert all(p["chosen_epoch"] <= p["epochs"] for p in points.values())
    rows = (module.OUT / "frontier.md").read_text().splitlines()[2:]
    assert [r.split("|")[1:3] for r in rows] == [
        [" 4 ", " 1 "], [" 4 ", " 2 "], [" 6 ", " 1 "], [" 6 ", " 2 "]]

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
