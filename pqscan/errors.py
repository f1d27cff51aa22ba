"""One error root and the documented exit codes.

Every user-facing failure is a :class:`PqscanError` whose message tells the user what is wrong
and, where it can, what to do. ``pqscan.cli.main`` catches it once, prints one line on stderr
and exits with its ``exit_code``. Scan-time failures of a *target* are not exceptions: they are
:class:`pqscan.model.ScanError` values in the inventory.
"""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    """Stable, documented in README.md ("Exit codes")."""

    OK = 0  # finished; no finding at or above --fail-on
    FINDINGS = 1  # finished; findings at or above --fail-on (CI gate)
    USAGE = 2  # bad argument, missing or malformed input (inventory, profile, target spec)
    INTERNAL = 3  # a bug in pqscan: please report it with the --verbose traceback
    NOTHING_SCANNED = 4  # tls/ssh: every target failed (refused, timed out, not TLS/SSH); the errors are recorded
    INTERRUPTED = 130  # Ctrl-C (SIGINT); partial results were kept
    TERMINATED = 143  # SIGTERM (128 + 15); partial results were kept, as for Ctrl-C


class PqscanError(Exception):
    """Root of pqscan's own errors. ``str(err)`` is the one line shown to the user."""

    exit_code: ExitCode = ExitCode.USAGE


class InputError(PqscanError):
    """A file the user named is missing, unreadable or malformed."""


class UsageError(PqscanError):
    """An option or argument has an invalid value."""


class ProfileError(PqscanError):
    """A policy profile is invalid. The message names the file, the key and what is wrong."""


class TargetSpecError(PqscanError):
    """A target spec (host, URL, CIDR, @file) cannot be understood."""

