"""The one error type a user is shown: a problem of the input, the settings or the environment,
raised where it is found and turned into one escaped `error:` line at the boundary (`cli.main`).

Anything else that escapes a command is a bug in this package and keeps its traceback. Each kind
also derives from the builtin a caller would expect (an input problem is a `ValueError`, an
environment problem a `RuntimeError`), so code that catches those still does.
"""

from __future__ import annotations

# The command's exit statuses (README, docs/reliability.md): all went well; the run could not go on;
# some inputs were rejected and the rest processed; stopped by the user (Ctrl-C: 128 + SIGINT, as a shell says it).
EXIT_OK, EXIT_FATAL, EXIT_REJECTED, EXIT_INTERRUPTED = 0, 1, 2, 130
# What a command says when stopped with Ctrl-C (`cli.main`; `helpers.__main__` while the command's modules load).
INTERRUPTED = ("interrupted: what was finished is kept (written whole, the translation memory's work included); "
               "run the same command again to go on from there")


class UserError(Exception):
    """A problem the user can mend, in one line that names the file, setting or resource and why."""

    kind = "problem"
    exit_status = EXIT_FATAL
    listed: tuple[str, ...] = ()  # `note:`/`error:` lines shown before its own (e.g. the inputs rejected)


class InputError(UserError, ValueError):
    """A file or folder given as input cannot be used (the input folder, a review file, a glossary)."""

    kind = "input"


class SettingsError(UserError, ValueError):
    """A run parameter or command-line choice is not allowed (the message names the parameter)."""

    kind = "settings"


class EnvironmentProblem(UserError, RuntimeError):
    """What the run needs from the machine is missing or broken: a model, the engine, the memory,
    the output folder, a notebook kernel."""

    kind = "environment"
