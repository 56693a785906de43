"""The `nnscratch` console script: Ctrl-C is handled from its first line.

This module is deliberately outside the `nnscratch` package: importing the
package imports NumPy, h5py's neighbours and matplotlib, which take most of
a second, and a Ctrl-C during that second used to print a traceback. Here
the SIGINT handler is installed first, with nothing but the standard
library loaded; only then is the command line imported and run.

Every SIGINT is also recorded in `interrupted`: Python ignores a
KeyboardInterrupt raised inside a destructor or a weakref callback (and
would print "Exception ignored in ...", which `_unraisable` keeps quiet),
so `nnscratch.fileio.raise_if_interrupted` asks this flag before any output
is renamed into place, and the command still ends with "nnscratch:
interrupted" and exit status 130, leaving no output that claims to be
complete.
"""

import signal
import sys

interrupted = False
INTERRUPTED = 130  # 128 + SIGINT, what a shell reports for a process stopped by Ctrl-C


def _on_sigint(signum, frame):
    """Record the interrupt; raise KeyboardInterrupt the first time only.

    Later ones are recorded but not raised, so that the clean-up of the
    first (removing temporaries) is not itself interrupted half-way.
    """
    global interrupted
    first = not interrupted
    interrupted = True
    if first:
        raise KeyboardInterrupt


def _unraisable(unraisable):
    """Say nothing of a KeyboardInterrupt that Python had to ignore.

    Raised inside a destructor or a weakref callback (h5py's object registry
    runs many while it writes), it cannot propagate and would be printed as
    "Exception ignored in ..."; it is recorded in `interrupted` all the same,
    which stops the command before its next rename. Anything else is
    reported as usual.
    """
    if issubclass(unraisable.exc_type, KeyboardInterrupt):
        return
    sys.__unraisablehook__(unraisable)


def main(argv=None):
    """Run `nnscratch ARGS`; return its exit status (130 after Ctrl-C)."""
    signal.signal(signal.SIGINT, _on_sigint)
    sys.unraisablehook = _unraisable
    try:
        from nnscratch.cli import main as run

        code = run(argv)
        if interrupted and code != INTERRUPTED:
            raise KeyboardInterrupt  # swallowed somewhere: still an interrupt
    except KeyboardInterrupt:
        print("nnscratch: interrupted", file=sys.stderr)
        code = INTERRUPTED
    return code


if __name__ == "__main__":
    sys.exit(main())
