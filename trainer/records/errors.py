"""Domain errors with Chinese messages; the UI shows ``str(error)`` and never a traceback."""


class RecordsError(Exception):
    """Base class of every error the records and accounts layers raise on purpose."""


class NotFound(RecordsError):
    pass


class Forbidden(RecordsError):
    pass


class Duplicate(RecordsError):
    pass


class ValidationFailed(RecordsError):
    pass


class DeadlinePassed(RecordsError):
    pass


class BadCredentials(RecordsError):
    pass


class AccountLocked(RecordsError):
    def __init__(self, message: str, until):
        super().__init__(message)
        self.until = until
