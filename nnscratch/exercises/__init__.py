"""Exercises with checkers: the reader writes a function, the package's own numerical
tools grade it (`nnscratch exercises`, `nnscratch check NAME FILE.py`).

`starters/` holds the stub the reader starts from and `solutions/` the reference
answer of each exercise, as plain files that the site shows and the tests check.
"""

from .registry import EXERCISES, Exercise
from .runner import UsageError, grade, load_functions
from .tools import CheckFailed

__all__ = [
    "CheckFailed",
    "EXERCISES",
    "Exercise",
    "UsageError",
    "grade",
    "load_functions",
]
