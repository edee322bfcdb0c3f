"""The one exception type the CLI turns into a one-line message and exit status 2."""


class InputError(Exception):
    """Input that cannot be read or understood at all."""
