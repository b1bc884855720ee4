"""Exception types for user mistakes.

Programming errors stay ordinary Python exceptions. The errors below describe
something the *user* can fix (a file, a parameter, an input value); the command
line turns them into one-line messages and exit codes, never tracebacks.
"""

from __future__ import annotations


class WorkbookError(Exception):
    """Base class for errors caused by user input."""


class InputDataError(WorkbookError, ValueError):
    """Input data (a panel, a table, a list of cash flows) is invalid."""


class UnreadableFileError(WorkbookError, OSError):
    """A file cannot be opened or parsed at all."""


class ParameterError(WorkbookError, ValueError):
    """A run parameter has an unknown name, a wrong type or an invalid value."""


class OutputWriteError(WorkbookError, OSError):
    """An output file or folder cannot be written (disk full, read-only
    folder, no permission): the run stops cleanly, keeping what was
    complete."""
