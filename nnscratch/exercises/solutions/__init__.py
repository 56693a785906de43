"""Reference solutions of the exercises, shown on the pages and checked by the tests."""
