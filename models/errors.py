"""Errors a person caused (bad input, a duplicate action): shown as one line, nothing changed."""


class StoreError(Exception):
    exit_code = 2


class NotFound(StoreError):
    exit_code = 3


class Invalid(StoreError):
    exit_code = 2


class Conflict(StoreError):
    exit_code = 4
