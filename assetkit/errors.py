"""Typed exceptions and the exit codes they map to (one place, like httpie's status.py)."""
from __future__ import annotations

from enum import IntEnum


class ExitStatus(IntEnum):
    """The command's exit status: 0 done, 1 a file needs a person, 2 a usage error, 130 interrupted."""

    OK = 0            # every job done (warnings and up-to-date skips included)
    FAILED = 1        # a file failed, has an error finding, or went to needs-review
    USAGE = 2         # unknown slot, missing path, broken preset file, bad option
    INTERRUPTED = 130  # Ctrl-C / SIGTERM: what finished is kept, nothing partial is left


class AssetkitError(Exception):
    """Base of every error assetkit raises on purpose."""

    exit_status = ExitStatus.FAILED


class UsageError(AssetkitError):
    """The caller asked for something that cannot be done (bad slot, option or path)."""

    exit_status = ExitStatus.USAGE


class PresetError(UsageError):
    """A preset file is broken: names the file, the key and the problem."""

    def __init__(self, file: str, key: str, problem: str):
        self.file, self.key, self.problem = file, key, problem
        where = f"{file}: {key}: " if key else f"{file}: "
        super().__init__(f"preset {where}{problem}")


class MediaError(AssetkitError):
    """One file cannot be used. ``code`` is the finding code the batch reports for it."""

    def __init__(self, path: str, code: str, problem: str):
        self.path, self.code, self.problem = str(path), code, problem
        super().__init__(f"{path}: {problem}")


def suggest(value: str, choices) -> str | None:
    """The choice closest to a mistyped ``value`` (``instgram`` -> ``instagram``), or None."""
    import difflib

    close = difflib.get_close_matches(str(value).casefold(), [str(c) for c in choices], n=1, cutoff=0.6)
    return close[0] if close else None


def choice_error(flag: str, value, choices, *, what: str = "choose from") -> UsageError:
    """One plain line for a value not among ``choices``, with a "did you mean" when one is close."""
    choices = [str(c) for c in choices]
    near = suggest(value, choices)
    hint = f"did you mean {near!r}? " if near else ""
    return UsageError(f"{flag} {value!r} is not known: {hint}({what} {', '.join(choices)})")
