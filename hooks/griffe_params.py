"""Griffe extension for the API reference: one row per parameter, with its type and
default.

A Google-style docstring may document several parameters on one line
(`X_val, Y_val: optional validation set ...`). Griffe reads that as one
parameter named "X_val, Y_val", which matches nothing in the signature, so the
API page showed no type and called it "required" although it defaults to None.
This extension splits such an entry into one entry per name, each with the
annotation and default of the signature's parameter and the shared description.
Loaded by mkdocstrings (`extensions:` in mkdocs.yml); not a MkDocs hook.
"""

import griffe


def split_parameters(func):
    """Replace each "a, b: text" parameter entry of `func`'s docstring by one entry per
    name."""
    if func.docstring is None:
        return
    for section in func.docstring.parsed:
        if section.kind is not griffe.DocstringSectionKind.parameters:
            continue
        entries = []
        for entry in section.value:
            names = [n.strip() for n in entry.name.split(",")]
            if len(names) == 1:
                entries.append(entry)
                continue
            for name in names:
                known = func.parameters[name] if name in func.parameters else None
                entries.append(
                    griffe.DocstringParameter(
                        name,
                        description=entry.description,
                        annotation=known.annotation if known else entry.annotation,
                        value=known.default if known else None,
                    )
                )
        section.value[:] = entries


class SplitParameters(griffe.Extension):
    """Split "a, b:" parameter entries of every function once the package is loaded."""

    def on_package(self, *, pkg, **kwargs):
        stack = [pkg]
        while stack:
            obj = stack.pop()
            for member in obj.members.values():
                if member.is_alias:
                    continue
                if member.is_function:
                    split_parameters(member)
                elif member.is_class or member.is_module:
                    stack.append(member)
                    if member.is_class and "__init__" in member.members:
                        split_parameters(member.members["__init__"])
