"""MkDocs hook: serve each exercise's starter file, straight from the package.

The Exercises sections link `exercises/starters/NAME.py` for download; this hook adds
those files to the site from `nnscratch/exercises/starters/`, the same files that
`nnscratch exercises start NAME` writes, so the page and the command cannot differ.
"""

from mkdocs.structure.files import File

from nnscratch.exercises import EXERCISES


def on_files(files, config):
    for exercise in EXERCISES.values():
        uri = f"exercises/starters/{exercise.file_name}"
        files.append(File.generated(config, uri, abs_src_path=str(exercise.starter)))
    return files
