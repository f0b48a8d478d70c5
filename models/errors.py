"""Errors a person caused (bad input, a duplicate action), or a state that retrying cannot fix:
shown as one line, nothing changed. Each says whether retrying could help (`retryable`: never), so
that the activities' boundary turns every one into a non-retryable failure the same way."""


class StoreError(Exception):
    exit_code = 2
    retryable = False
    lasting = False  # true: the partner needs a person (its status says why)
    code = "StoreError"

    def __init_subclass__(cls, **kwargs) -> None:
        super().__init_subclass__(**kwargs)
        cls.code = cls.__name__  # the code is the class's name: said once


class NotFound(StoreError):
    exit_code = 3


class Invalid(StoreError):
    exit_code = 2


class Conflict(StoreError):
    exit_code = 4


class IncompleteSnapshot(Conflict):
    """An import of a snapshot that did not read every page: it changes nobody."""

    lasting = True
