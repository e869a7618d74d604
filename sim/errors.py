"""The base of every error a user can cause (bad scenario, parameter, actor, results folder).

The CLI prints these as one-line messages and exits non-zero; anything else is a bug and keeps
its traceback.
"""


class UserError(Exception):
    """A mistake in the user's input, reported without a traceback."""
