"""The error tree. The CLI catches only PqtrackError and maps it to an exit code.

PqtrackError              exit 1 unless a subclass says otherwise
├── UsageError            exit 2: bad input a user typed (dates, REFs, options)
│   ├── QueryError        a search query that cannot be run
│   └── InputFileError    an import file that is missing or not API-shaped JSON
├── StoreError            the database cannot be opened, is not ours, or is too new
├── ApiError              the API failed after every retry, or answered nonsense
│   └── ApiUnreachable    not one of the tries could connect
└── LockedError           exit 75: another sync holds the lock
"""

from __future__ import annotations


class PqtrackError(Exception):
    """Root of every error pqtrack raises on purpose."""

    exit_code = 1


class UsageError(PqtrackError):
    exit_code = 2


class QueryError(UsageError):
    pass


class InputFileError(UsageError):
    pass


class StoreError(PqtrackError):
    pass


class ApiError(PqtrackError):
    pass


class ApiUnreachable(ApiError):
    pass


class LockedError(PqtrackError):
    exit_code = 75
