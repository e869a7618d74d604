"""Errors a user can cause when running a batch or reading its results folder.

All are ``sim.errors.UserError``: the CLI prints them as one line and exits non-zero.
"""

from __future__ import annotations

from sim.errors import UserError


class BatchError(UserError):
    """A batch that cannot run as asked (bad --runs, --workers, --chunk-size or --set)."""


class ResultsFolderError(BatchError):
    """A results folder that cannot be used: a file, unwritable, another batch's, in use."""


class BatchInterrupted(BatchError):
    """The batch was stopped (Ctrl-C) before every chunk was done; ``--resume`` finishes it."""
