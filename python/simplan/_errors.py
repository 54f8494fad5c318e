"""Status codes and the exceptions raised for a failed library call."""

import ctypes
import enum

from ._ffi import lib, new, simplan_error

__all__ = ["Status", "SimplanError", "ScenarioError", "raise_for"]


class Status(enum.IntEnum):
    """simplan_status: what kind of failure (``SIMPLAN_`` left off)."""

    OK = 0
    ERR_USAGE = 1
    ERR_SYNTAX = 2
    ERR_TYPE = 3
    ERR_MISSING = 4
    ERR_UNKNOWN_KEY = 5
    ERR_RANGE = 6
    ERR_DUPLICATE = 7
    ERR_REFERENCE = 8
    ERR_PERIODS = 9
    ERR_FORMULA = 10
    ERR_CYCLE = 11
    ERR_CORRELATION = 12
    ERR_LIMIT = 13
    ERR_BASE_VALUE = 14
    ERR_IO = 15
    ERR_NOMEM = 16
    ERR_NUMERIC = 17
    ERR_UNSUPPORTED = 18
    ERR_CANCELLED = 19


def _text(raw):
    return raw.decode("utf-8", "replace") if raw else ""


class SimplanError(Exception):
    """A libsimplan call failed.

    Attributes mirror simplan_error: ``status`` (an int, a :class:`Status`
    when known), ``status_name`` (``"SIMPLAN_ERR_RANGE"``), ``file``,
    ``line`` (0 when unknown), ``field`` (a field path or command-line
    option, ``""`` when none) and ``message``. ``str(e)`` is the error as
    the command prints it, ``FILE:LINE: error: FIELD: message (kind)``.
    """

    def __init__(self, text, status=Status.ERR_USAGE, status_name=None,
                 file="", line=0, field="", message=None):
        super().__init__(text)
        try:
            status = Status(status)
        except ValueError:
            pass
        self.status = status
        self.status_name = status_name or _text(lib.simplan_status_name(status))
        self.file = file
        self.line = line
        self.field = field
        self.message = text if message is None else message

    @property
    def exit_code(self):
        """The ``simplan`` command's exit code for this status (1, 2, 3)."""
        return lib.simplan_exit_code(int(self.status))

    def __reduce__(self):
        return (_rebuild, (type(self), str(self), int(self.status),
                           self.status_name, self.file, self.line, self.field,
                           self.message))


class ScenarioError(SimplanError):
    """The scenario is not valid: a status whose exit code is 2 (syntax,
    type, missing or unknown field, range, duplicate, reference, periods,
    formula, cycle, correlation, limit, base value)."""


def _rebuild(cls, text, status, status_name, file, line, field, message):
    return cls(text, status, status_name, file, line, field, message)


def _format(err):
    """simplan_error_format of `err`, whatever its length."""
    size = 1024
    while True:
        buf = ctypes.create_string_buffer(size)
        need = lib.simplan_error_format(ctypes.byref(err), buf, size)
        if need < size:
            return _text(buf.value)
        size = need + 1


def from_error(err):
    """The exception for a filled simplan_error."""
    status = int(err.status)
    cls = ScenarioError if lib.simplan_exit_code(status) == 2 else SimplanError
    return cls(_format(err), status, _text(lib.simplan_status_name(status)),
               _text(err.file), int(err.line), _text(err.field),
               _text(err.message))


def raise_for(status, err):
    """Raises the exception for `status` (from `err`) unless it is OK.

    A failing call that left `err` at SIMPLAN_OK still raises, with the
    status it returned."""
    if status == Status.OK:
        return
    if err.status != status:
        err.status = status
        if not err.message:
            err.message = lib.simplan_strerror(status) or b""
    raise from_error(err)


def new_error():
    """A cleared simplan_error to pass to a call."""
    err = new(simplan_error)
    lib.simplan_error_clear(ctypes.byref(err))
    return err
