"""Starter files of the exercises: each function stub raises NotImplementedError."""
