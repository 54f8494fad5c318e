"""Scenarios, runs, results, solve, sweep and merge over libsimplan."""

import ctypes
import dataclasses
import enum
import io
import math
import operator
import os
import threading
from collections.abc import Mapping

from ._errors import Status, new_error, raise_for
from ._ffi import (lib, new, simplan_axis, simplan_driver, simplan_run_options,
                   simplan_solution, simplan_solve_spec, simplan_stats,
                   simplan_target)

__all__ = [
    "Format", "CancelToken", "Scenario", "Result", "Solution", "Sweep",
    "run", "merge", "solve", "sweep", "features", "version", "to_libconfig",
]

_byref = ctypes.byref
_STAT_NAMES = ("mean", "p05", "p25", "p50", "p75", "p95")
_UINT64_MAX = 2 ** 64 - 1
_INT_MAX = 2 ** 31 - 1


# ---- small helpers ------------------------------------------------------


def _text(raw):
    """A string the library returned, as str ("" for NULL)."""
    return raw.decode("utf-8", "replace") if raw else ""


def _path(raw):
    """A file name the library returned, as str ("" for NULL)."""
    return os.fsdecode(raw) if raw else ""


def _no_nul(raw, what):
    """`raw`, refused when it holds a NUL byte, which would end the C
    string early."""
    if b"\0" in raw:
        raise ValueError(f"{what} must not contain a NUL character")
    return raw


def _utf8(value, what):
    """A str argument as UTF-8 bytes for the library."""
    if isinstance(value, bytes):
        return _no_nul(value, what)
    if not isinstance(value, str):
        raise TypeError(f"{what} must be a str, not {type(value).__name__}")
    return _no_nul(value.encode("utf-8"), what)


def _fspath(value, what):
    """A path argument (str, bytes or os.PathLike) as bytes."""
    try:
        return _no_nul(os.fsencode(value), what)
    except TypeError:
        raise TypeError(f"{what} must be a path (str or os.PathLike), "
                        f"not {type(value).__name__}") from None


def _integer(value, what, lo, hi):
    """An integer argument in [lo, hi]; floats such as 1e6 are accepted
    when they are whole numbers."""
    if isinstance(value, float):
        if not value.is_integer():
            raise ValueError(f"{what} must be a whole number, got {value!r}")
        value = int(value)
    try:
        value = operator.index(value)
    except TypeError:
        raise TypeError(f"{what} must be an integer, "
                        f"not {type(value).__name__}") from None
    if not lo <= value <= hi:
        raise ValueError(f"{what} must be between {lo} and {hi}, got {value}")
    return value


def _take_string(ptr, length):
    """Copies a `char **` string the library handed over, then frees it."""
    try:
        return ctypes.string_at(ptr.value, length.value).decode(
            "utf-8", "replace")
    finally:
        lib.simplan_free(ptr)


def _nan_if(flag, value):
    return value if flag else math.nan


def _pandas():
    import pandas
    return pandas


def version():
    """The version of the loaded library, e.g. ``"0.1.0"``."""
    return _text(lib.simplan_version())


def features():
    """The optional parts the loaded library was built with, as an ordered
    dict ``{"openmp": True, "json": True, "plots": False, "mpi": True}``
    (from simplan_features(), "openmp on, json on, ...")."""
    out = {}
    for part in _text(lib.simplan_features()).split(","):
        words = part.split()
        if len(words) == 2 and words[1] in ("on", "off"):
            out[words[0]] = words[1] == "on"
        elif part.strip():
            out[part.strip()] = True
    return out


class Format(enum.IntEnum):
    """simplan_format: the report formats (doc/model.md section 11)."""

    TABLE = 0
    CSV = 1
    JSON = 2
    INDICATORS_CSV = 3
    DRIVERS_CSV = 4
    IAMC_CSV = 5
    MARKDOWN = 6
    CFG = 7


#: The formats of a result's reports.
_RESULT_FORMATS = (Format.TABLE, Format.CSV, Format.JSON,
                   Format.INDICATORS_CSV, Format.DRIVERS_CSV, Format.IAMC_CSV,
                   Format.MARKDOWN)


def _format_code(fmt, allowed):
    """A Format from a Format, its value or its lower-case name."""
    if isinstance(fmt, str):
        key = fmt.strip().upper().replace("-", "_")
        if key in Format.__members__ and Format[key] in allowed:
            return Format[key]
    elif isinstance(fmt, int) and fmt in [int(f) for f in allowed]:
        return Format(fmt)
    names = ", ".join(f.name.lower() for f in allowed)
    raise ValueError(f"unknown format {fmt!r}: expected one of {names}")


# ---- owned handles ------------------------------------------------------


class _Owned:
    """An object owning one C handle, freed by close() or when the object
    is collected. Calls on the handle are serialised by a lock, so that an
    object may be shared between threads (the library allows one thread
    at a time per object)."""

    _free_name = None

    def _adopt(self, handle):
        self._lock = threading.RLock()
        # The free function is kept on the object so that it is still at
        # hand when the object is collected during interpreter shutdown.
        self._free = getattr(lib, self._free_name)
        self._h = handle

    def close(self):
        """Frees the C object now; the Python object is unusable after."""
        lock = getattr(self, "_lock", None)
        if lock is None:
            return
        with lock:
            handle, self._h = self._h, None
            if handle:
                self._free(handle)

    def __del__(self):
        try:
            self.close()
        except Exception:  # never raise from a finaliser
            pass

    def _handle(self):
        if not self._h:
            raise ValueError(f"{type(self).__name__} is closed")
        return self._h

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def __reduce__(self):
        raise TypeError(f"a simplan.{type(self).__name__} cannot be pickled")


class CancelToken(_Owned):
    """A stop request for a run, solve or sweep (simplan_cancel).

    Pass it as ``cancel=`` and call :meth:`request` from another thread:
    the computation stops at its next step and raises
    :class:`SimplanError` with status ``ERR_CANCELLED``. Calls made from
    the main thread need none for Ctrl-C, which always cancels them."""

    _free_name = "simplan_cancel_free"

    def __init__(self):
        handle = lib.simplan_cancel_new()
        if not handle:
            raise MemoryError("simplan_cancel_new: out of memory")
        self._adopt(handle)

    def request(self):
        """Requests the stop (thread-safe, never blocks)."""
        lib.simplan_cancel_request(self._handle())

    @property
    def requested(self):
        """True once requested, until reset()."""
        return bool(lib.simplan_cancel_requested(self._handle()))

    def reset(self):
        """Clears the request, for the next computation."""
        lib.simplan_cancel_reset(self._handle())


def _blocking(call, opts, cancel=None, discard=None):
    """Runs `call()`, a blocking library call taking `opts`, and returns
    its status.

    In the main thread the call runs in a worker thread while the main
    thread waits, so that Ctrl-C (or any exception raised in the main
    thread while it waits) requests the stop through ``opts.cancel``; the
    worker is then joined, anything it produced is freed with `discard()`
    and the exception is raised again. From another thread the call is
    made directly, with `cancel` (a CancelToken or None) as its token."""
    if threading.current_thread() is not threading.main_thread():
        opts.cancel = cancel._handle() if cancel is not None else None
        return call()
    token = cancel if cancel is not None else CancelToken()
    opts.cancel = token._handle()
    box = {}

    def work():
        try:
            box["status"] = call()
        except BaseException as e:  # re-raised in the caller's thread
            box["error"] = e

    worker = threading.Thread(target=work, name="simplan-call", daemon=True)
    try:
        worker.start()
        while worker.is_alive():
            worker.join(0.1)
    except BaseException:
        token.request()
        while worker.is_alive():
            try:
                worker.join(0.1)
            except BaseException:  # a second Ctrl-C: keep waiting
                token.request()
        if box.get("status") == Status.OK and discard is not None:
            discard()
        raise
    if "error" in box:
        raise box["error"]
    return box["status"]


def _run_options(draws=None, seed=None, threads=None, rng=None,
                 variance_reduction=None, precision=None, param_sets=None):
    """A filled simplan_run_options; None leaves the scenario's setting."""
    opts = new(simplan_run_options)
    lib.simplan_run_options_init(_byref(opts))
    if draws is not None:
        opts.draws = _integer(draws, "draws", 1, _UINT64_MAX)
    if seed is not None:
        opts.has_seed = 1
        opts.seed = _integer(seed, "seed", 0, _UINT64_MAX)
    if threads is not None:
        opts.threads = _integer(threads, "threads", 0, _INT_MAX)
    if rng is not None:
        opts.rng = _utf8(rng, "rng")
    if variance_reduction is not None:
        opts.variance_reduction = _utf8(variance_reduction,
                                        "variance_reduction")
    if precision is not None:
        precision = float(precision)
        if not precision > 0:
            raise ValueError(f"precision must be > 0, got {precision!r}")
        opts.precision = precision
    if param_sets is not None:
        n = _integer(param_sets, "param_sets", 0, 2 ** 63 - 1)
        opts.param_sets = -1 if n == 0 else n
    return opts


_RUN_OPTIONS = ("draws", "seed", "threads", "rng", "variance_reduction",
                "precision", "param_sets")


def _check_run_options(kwargs, where):
    unknown = sorted(set(kwargs) - set(_RUN_OPTIONS))
    if unknown:
        raise TypeError(f"{where}() got unexpected keyword argument(s) "
                        f"{', '.join(unknown)}; run options are "
                        f"{', '.join(_RUN_OPTIONS)}")


# ---- scenarios ----------------------------------------------------------


class Scenario(_Owned):
    """A scenario read from a libconfig file or string (simplan_scenario).

    Make one with :meth:`from_file` or :meth:`from_string`. A Scenario is
    not changed in place: :meth:`set` returns a changed copy, whose
    digest records the change."""

    _free_name = "simplan_scenario_free"

    def __init__(self, *args, **kwargs):
        raise TypeError("use Scenario.from_file(path) or "
                        "Scenario.from_string(text)")

    @classmethod
    def _wrap(cls, handle):
        self = cls.__new__(cls)
        self._adopt(handle)
        return self

    @classmethod
    def from_file(cls, path):
        """Reads and checks the scenario file at `path`.

        Raises SimplanError (status ERR_IO) when it cannot be read and
        ScenarioError (naming file, line and field) when it is not valid."""
        out, err = ctypes.c_void_p(), new_error()
        st = lib.simplan_scenario_load(_fspath(path, "path"), _byref(out),
                                       _byref(err))
        raise_for(st, err)
        return cls._wrap(out.value)

    @classmethod
    def from_string(cls, text, name=None):
        """Reads and checks a scenario from libconfig `text`; `name`
        (default ``"<string>"``) stands for the file in error messages and
        reports."""
        out, err = ctypes.c_void_p(), new_error()
        st = lib.simplan_scenario_from_string(
            _utf8(text, "text"), None if name is None else _utf8(name, "name"),
            _byref(out), _byref(err))
        raise_for(st, err)
        return cls._wrap(out.value)

    @classmethod
    def from_dict(cls, groups, name=None):
        """Builds a scenario in code: `groups` maps the top-level groups of
        a scenario file (``scenario``, ``simulation``, ``indicators``,
        ``correlations``, ``events``, ``targets``, ``observed``, ...; see
        scenarios/README.md) to their contents, written as libconfig text
        (:func:`to_libconfig`) and read as :meth:`from_string` reads it,
        with the same checks. Dicts are groups, lists of dicts libconfig
        lists, lists of numbers or strings arrays."""
        return cls.from_string(to_libconfig(groups),
                               name="<dict>" if name is None else name)

    def copy(self):
        """An independent copy, its changed numbers included."""
        out, err = ctypes.c_void_p(), new_error()
        with self._lock:
            st = lib.simplan_scenario_copy(self._handle(), _byref(out),
                                           _byref(err))
        raise_for(st, err)
        return Scenario._wrap(out.value)

    __copy__ = copy

    def __deepcopy__(self, memo):
        return self.copy()

    def set(self, path, value):
        """A copy with the number at field `path` set to `value`.

        Paths are those simplan_scenario_set takes, e.g.
        ``"indicators.gdp.path[0].mean"``, ``"correlations[0].rho"``,
        ``"events.NAME.probability"``, ``"targets.ID.value"``. Raises
        SimplanError (ERR_USAGE) when the scenario has no such number and
        ScenarioError (ERR_RANGE, the field named) for a value it does not
        allow. The original scenario is unchanged."""
        value = float(value)
        new = self.copy()
        err = new_error()
        st = lib.simplan_scenario_set(new._h, _utf8(path, "path"), value,
                                      _byref(err))
        if st != Status.OK:
            new.close()
            raise_for(st, err)
        return new

    def get(self, path):
        """The number at field `path` (the paths of :meth:`set`)."""
        value, err = ctypes.c_double(), new_error()
        with self._lock:
            st = lib.simplan_scenario_get(self._handle(), _utf8(path, "path"),
                                          _byref(value), _byref(err))
        raise_for(st, err)
        return value.value

    def check(self):
        """Compiles the scenario as a run would (formulas, dependency
        order, correlation matrices); returns True or raises."""
        err = new_error()
        with self._lock:
            st = lib.simplan_scenario_check(self._handle(), _byref(err))
        raise_for(st, err)
        return True

    def describe(self):
        """The report of ``simplan check``: the parsed model, as text."""
        text, err = ctypes.c_void_p(), new_error()
        with self._lock:
            st = lib.simplan_scenario_describe(self._handle(), _byref(text),
                                               _byref(err))
        raise_for(st, err)
        try:
            return ctypes.string_at(text.value).decode("utf-8", "replace")
        finally:
            lib.simplan_free(text)

    def _get(self, fn, *args):
        with self._lock:
            return fn(self._handle(), *args)

    @property
    def name(self):
        """The scenario's ``name``."""
        return _text(self._get(lib.simplan_scenario_name))

    @property
    def file(self):
        """The file it was read from, or the name given to from_string."""
        return _path(self._get(lib.simplan_scenario_file))

    @property
    def sha256(self):
        """The hex SHA-256 digest reports and state files record."""
        return _text(self._get(lib.simplan_scenario_sha256))

    @property
    def base_year(self):
        """The base year."""
        return self._get(lib.simplan_scenario_base_year)

    @property
    def horizon(self):
        """The last projected year."""
        return self._get(lib.simplan_scenario_horizon)

    @property
    def targets(self):
        """The target ids, in file order."""
        with self._lock:
            h = self._handle()
            return [_text(lib.simplan_scenario_target_id(h, k))
                    for k in range(lib.simplan_scenario_n_targets(h))]

    @property
    def indicators(self):
        """The indicator names, in file order."""
        with self._lock:
            h = self._handle()
            return [_text(lib.simplan_scenario_indicator_name(h, i))
                    for i in range(lib.simplan_scenario_n_indicators(h))]

    def __repr__(self):
        if not getattr(self, "_h", None):
            return "<simplan.Scenario (closed)>"
        return (f"<simplan.Scenario {self.name!r} from {self.file!r}, "
                f"{self.base_year}-{self.horizon}, "
                f"{len(self.targets)} targets>")


_INT32 = 2 ** 31


def _libconfig_value(value, indent):
    """One value in libconfig syntax."""
    pad = "  " * (indent + 1)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return f"{value}L" if not -_INT32 <= value < _INT32 else str(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"{value!r} cannot be written in a scenario")
        text = repr(value)  # the shortest text that reads back exactly
        return text if any(c in text for c in ".en") else text + ".0"
    if isinstance(value, str):
        escaped = value.replace("\\", "\\\\").replace('"', '\\"')
        if "\n" in value:
            raise ValueError("scenario strings are on one line")
        return f'"{escaped}"'
    if isinstance(value, Mapping):
        inner = "".join(f"{pad}{_libconfig_key(k)} = "
                        f"{_libconfig_value(v, indent + 1)};\n"
                        for k, v in value.items())
        return "{\n" + inner + "  " * indent + "}"
    if isinstance(value, (list, tuple)):
        if all(isinstance(v, Mapping) for v in value) and value:
            items = ",\n".join(pad + _libconfig_value(v, indent + 1)
                                for v in value)
            return "(\n" + items + "\n" + "  " * indent + ")"
        if any(isinstance(v, (Mapping, list, tuple)) for v in value):
            raise ValueError("a list holds either groups or scalars")
        return "[" + ", ".join(_libconfig_value(v, indent) for v in value) + "]"
    raise TypeError(f"cannot write a {type(value).__name__} in a scenario")


def _libconfig_key(key):
    if not (isinstance(key, str) and key and
            (key[0].isalpha() or key[0] == "_") and
            all(c.isalnum() or c in "_-" for c in key)):
        raise ValueError(f"{key!r} is not a libconfig setting name")
    return key


def to_libconfig(groups):
    """The libconfig text of a scenario given as nested dicts and lists
    (see Scenario.from_dict)."""
    if not isinstance(groups, Mapping):
        raise TypeError("a scenario is a dict of its top-level groups")
    return "".join(f"{_libconfig_key(k)} = {_libconfig_value(v, 0)};\n"
                   for k, v in groups.items())


def _as_scenario(scenario):
    """A Scenario, reading a str or os.PathLike as a scenario file."""
    if isinstance(scenario, Scenario):
        return scenario
    if isinstance(scenario, (str, bytes, os.PathLike)):
        return Scenario.from_file(scenario)
    raise TypeError("scenario must be a simplan.Scenario or a path, not "
                    f"{type(scenario).__name__}")


def _private_copy(scenario):
    """A Scenario for one computation only: a copy of a Scenario (so that
    several threads may compute with one Scenario object at once), or
    the scenario read from a path."""
    if isinstance(scenario, Scenario):
        return scenario.copy()
    return _as_scenario(scenario)


# ---- results ------------------------------------------------------------


class Result(_Owned):
    """The result of a run or a merge (simplan_result).

    Tables are pandas DataFrames (:attr:`targets`, :attr:`indicators`,
    :attr:`drivers`, :meth:`to_iamc`); :meth:`to_string` writes any
    report format and :meth:`save` a result directory."""

    _free_name = "simplan_result_free"

    def __init__(self, *args, **kwargs):
        raise TypeError("results come from simplan.run() or simplan.merge()")

    @classmethod
    def _wrap(cls, handle):
        self = cls.__new__(cls)
        self._adopt(handle)
        self._scenario = None
        return self

    def _get(self, fn, *args):
        with self._lock:
            return fn(self._handle(), *args)

    @property
    def draws(self):
        """Draws made."""
        return self._get(lib.simplan_result_draws)

    @property
    def seed(self):
        """The seed used."""
        return self._get(lib.simplan_result_seed)

    @property
    def rng(self):
        """The generator's name."""
        return _text(self._get(lib.simplan_result_rng))

    @property
    def threads(self):
        """Threads used (0 for a merge)."""
        return self._get(lib.simplan_result_threads)

    @property
    def scenario(self):
        """The scenario the result was run from (with its changes)."""
        with self._lock:
            if self._scenario is None:
                out, err = ctypes.c_void_p(), new_error()
                st = lib.simplan_scenario_copy(
                    lib.simplan_result_scenario(self._handle()), _byref(out),
                    _byref(err))
                raise_for(st, err)
                self._scenario = Scenario._wrap(out.value)
            return self._scenario

    @property
    def warnings(self):
        """The run's warnings, as sentences."""
        with self._lock:
            h = self._handle()
            return [_text(lib.simplan_result_warning(h, i))
                    for i in range(lib.simplan_result_n_warnings(h))]

    def _target_records(self):
        with self._lock:
            h = self._handle()
            records = []
            for k in range(lib.simplan_result_n_targets(h)):
                t, err = new(simplan_target), new_error()
                raise_for(lib.simplan_result_target(h, k, _byref(t),
                                                    _byref(err)), err)
                records.append(t)
            return records

    @property
    def targets(self):
        """A DataFrame with one row per target: id, name, probability,
        ci_low, ci_high, met, draws, measure_mean, measure_p05 ..
        measure_p95 (NaN for a joint target), param_mean, param_low,
        param_high (NaN without parameter uncertainty), failure."""
        pd = _pandas()
        rows = []
        for t in self._target_records():
            m, has_m, has_p = t.measure, t.measure.n > 0, bool(t.has_param)
            rows.append([
                _text(t.id), _text(t.name), t.probability, t.ci_lo, t.ci_hi,
                t.met, t.draws,
                *(_nan_if(has_m, getattr(m, s)) for s in _STAT_NAMES),
                _nan_if(has_p, t.param_mean), _nan_if(has_p, t.param_lo),
                _nan_if(has_p, t.param_hi), _text(t.failure)])
        columns = ["id", "name", "probability", "ci_low", "ci_high", "met",
                   "draws", *("measure_" + s for s in _STAT_NAMES),
                   "param_mean", "param_low", "param_high", "failure"]
        df = pd.DataFrame(rows, columns=columns)
        return df.astype({"met": "int64", "draws": "int64"})

    @property
    def indicators(self):
        """Every indicator's distribution by year, tidy and long as
        indicators.csv: indicator, year, statistic (mean, p05, p25, p50,
        p75, p95), value. Years where no draw was finite are left out."""
        pd = _pandas()
        rows = []
        with self._lock:
            h = self._handle()
            sc = lib.simplan_result_scenario(h)
            first = lib.simplan_scenario_base_year(sc)
            last = lib.simplan_scenario_horizon(sc)
            for i in range(lib.simplan_result_n_indicators(h)):
                name = _text(lib.simplan_result_indicator_name(h, i))
                for year in range(first, last + 1):
                    s, err = new(simplan_stats), new_error()
                    raise_for(lib.simplan_result_indicator(
                        h, i, year, _byref(s), _byref(err)), err)
                    if s.n == 0:
                        continue
                    for stat in _STAT_NAMES:
                        v = getattr(s, stat)
                        if math.isfinite(v):
                            rows.append((name, year, stat, v))
        df = pd.DataFrame(rows, columns=["indicator", "year", "statistic",
                                         "value"])
        return df.astype({"year": "int64", "value": "float64"})

    @property
    def drivers(self):
        """Each target's drivers by decreasing |effect|: target, rank
        (1-based), input, effect, p_low, p_high, n_low, n_high."""
        pd = _pandas()
        rows = []
        with self._lock:
            h = self._handle()
            for k in range(lib.simplan_result_n_targets(h)):
                t, err = new(simplan_target), new_error()
                raise_for(lib.simplan_result_target(h, k, _byref(t),
                                                    _byref(err)), err)
                tid = _text(t.id)
                for j in range(lib.simplan_result_n_drivers(h, k)):
                    d = new(simplan_driver)
                    raise_for(lib.simplan_result_driver(h, k, j, _byref(d),
                                                        _byref(err)), err)
                    rows.append((tid, j + 1, _text(d.input), d.effect,
                                 d.p_low, d.p_high, d.n_low, d.n_high))
        df = pd.DataFrame(rows, columns=["target", "rank", "input", "effect",
                                         "p_low", "p_high", "n_low",
                                         "n_high"])
        return df.astype({"rank": "int64", "effect": "float64",
                          "p_low": "float64", "p_high": "float64",
                          "n_low": "int64", "n_high": "int64"})

    def to_string(self, format="table"):
        """The result in a report format: 'table', 'csv' (targets.csv),
        'json', 'indicators_csv', 'drivers_csv', 'iamc_csv' or
        'markdown' (report.md without charts), or a :class:`Format`.
        JSON raises SimplanError (ERR_UNSUPPORTED) in a build without it."""
        code = _format_code(format, _RESULT_FORMATS)
        text, length, err = ctypes.c_void_p(), ctypes.c_size_t(), new_error()
        with self._lock:
            st = lib.simplan_result_to_string(self._handle(), int(code),
                                              _byref(text), _byref(length),
                                              _byref(err))
        raise_for(st, err)
        return _take_string(text, length)

    def to_json(self):
        """The JSON report, as text."""
        return self.to_string(Format.JSON)

    def to_iamc(self):
        """iamc.csv as a DataFrame: Model, Scenario, Region, Variable,
        Unit, then one column per year (named as in the file)."""
        return _pandas().read_csv(io.StringIO(self.to_string(
            Format.IAMC_CSV)), float_precision="round_trip")

    def save(self, dir, force=False, plots=False):
        """Saves the result as the directory ``simplan run --out DIR``
        writes (state file, reports, and charts with `plots` in a build
        that has them). An existing `dir` is refused unless `force`."""
        err = new_error()
        with self._lock:
            st = lib.simplan_result_save(self._handle(), _fspath(dir, "dir"),
                                         int(bool(force)), int(bool(plots)),
                                         _byref(err))
        raise_for(st, err)

    def __repr__(self):
        if not getattr(self, "_h", None):
            return "<simplan.Result (closed)>"
        return (f"<simplan.Result {self.scenario.name!r}: {self.draws} draws, "
                f"seed {self.seed}, {self.rng}>")


def run(scenario, draws=None, seed=None, threads=None, rng=None,
        variance_reduction=None, precision=None, param_sets=None, *,
        cancel=None):
    """Runs a scenario (a Scenario, or the path of a scenario file) and
    returns its :class:`Result`, bit for bit what ``simplan run`` reports
    for the same scenario and settings.

    draws, seed: override the scenario's simulation settings.
    threads: OpenMP threads (None or 0: all cores; results do not depend
        on it).
    rng: "xoshiro256ss" or a GSL generator name ("mt19937", "taus2").
    variance_reduction: "none", "rqmc" or "antithetic".
    precision: stop once every target's 95 % half-width is below it.
    param_sets: parameter-uncertainty sets (None: the default, 0: none).
    cancel: a CancelToken to stop the run from another thread.

    Ctrl-C stops the run and raises KeyboardInterrupt."""
    sc = _private_copy(scenario)
    opts = _run_options(draws, seed, threads, rng, variance_reduction,
                        precision, param_sets)
    out, err = ctypes.c_void_p(), new_error()
    try:
        st = _blocking(
            lambda: lib.simplan_run(sc._h, _byref(opts), _byref(out),
                                    _byref(err)),
            opts, cancel, lambda: lib.simplan_result_free(out))
    finally:
        sc.close()
    raise_for(st, err)
    return Result._wrap(out.value)


def merge(parts):
    """The :class:`Result` of a run whose slices were saved apart:
    `parts` are state files or result directories (``run --slice K/N
    --out DIR``, :meth:`Result.save`) that together cover every block
    once."""
    if isinstance(parts, (str, bytes, os.PathLike)):
        parts = [parts]
    encoded = [_fspath(p, "part") for p in parts]
    array = (ctypes.c_char_p * max(len(encoded), 1))(*encoded)
    out, err = ctypes.c_void_p(), new_error()
    st = lib.simplan_merge(array, len(encoded), _byref(out), _byref(err))
    raise_for(st, err)
    return Result._wrap(out.value)


# ---- solve --------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Solution:
    """What :func:`solve` found (simplan_solution).

    value: the lever's value at which P(target met) = probability;
    resolved: True when P changes near the root, so mc_sd holds;
    mc_sd: the Monte Carlo sd of the root;
    a, b, p_a, p_b: the final bracket and P at its ends;
    lo, hi, p_lo, p_hi: the range searched and P at its ends;
    evaluations: runs made; draws, seed: of every run."""

    value: float
    resolved: bool
    mc_sd: float
    a: float
    b: float
    p_a: float
    p_b: float
    lo: float
    hi: float
    p_lo: float
    p_hi: float
    evaluations: int
    draws: int
    seed: int

    @property
    def ci_low(self):
        """value - 1.96 mc_sd (NaN when not resolved)."""
        return self.value - 1.96 * self.mc_sd if self.resolved else math.nan

    @property
    def ci_high(self):
        """value + 1.96 mc_sd (NaN when not resolved)."""
        return self.value + 1.96 * self.mc_sd if self.resolved else math.nan


def solve(scenario, target, probability, lever, range=None, tol=None, *,
          cancel=None, **run_options):
    """The value of the number at field `lever` (a path as Scenario.set
    takes) at which target `target` is met with `probability` in (0, 1).

    range: (lo, hi) to search; None: a default range around the
        scenario's value, within what it allows.
    tol: the bracket width to stop at (None: the library's default).
    run_options: draws, seed, threads, rng, variance_reduction,
        precision, param_sets, as for :func:`run`; every evaluation runs
        the same draws and seed (common random numbers).

    Raises SimplanError (ERR_USAGE) for an unknown target or lever and
    ScenarioError (ERR_RANGE) when the range cannot reach the
    probability or P is not monotone there. Ctrl-C stops it and raises
    KeyboardInterrupt."""
    _check_run_options(run_options, "solve")
    spec = new(simplan_solve_spec)
    lib.simplan_solve_spec_init(_byref(spec))
    spec.target = _utf8(target, "target")
    spec.probability = float(probability)
    spec.lever = _utf8(lever, "lever")
    if range is not None:
        lo, hi = range
        spec.has_range, spec.lo, spec.hi = 1, float(lo), float(hi)
    if tol is not None:
        spec.tol = float(tol)
    opts = _run_options(**run_options)
    sc = _private_copy(scenario)
    out, err = new(simplan_solution), new_error()
    try:
        st = _blocking(
            lambda: lib.simplan_solve(sc._h, _byref(spec), _byref(opts),
                                      _byref(out), _byref(err)),
            opts, cancel)
    finally:
        sc.close()
    raise_for(st, err)
    return Solution(
        value=out.value, resolved=bool(out.resolved), mc_sd=out.mc_sd,
        a=out.a, b=out.b, p_a=out.p_a, p_b=out.p_b, lo=out.lo, hi=out.hi,
        p_lo=out.p_lo, p_hi=out.p_hi, evaluations=out.evaluations,
        draws=out.draws, seed=out.seed)


# ---- sweep --------------------------------------------------------------


def _axes(levers):
    """[(path, from, to, steps)] from a dict {path: (from, to, steps)} or
    a sequence of (path, from, to, steps), with one or two axes."""
    if isinstance(levers, Mapping):
        items = [(path, *spec) for path, spec in levers.items()]
    else:
        items = [tuple(axis) for axis in levers]
    if not 1 <= len(items) <= 2:
        raise ValueError(f"a sweep has one or two levers, got {len(items)}")
    axes = []
    for item in items:
        if len(item) != 4:
            raise ValueError("each lever is PATH: (FROM, TO, STEPS), got "
                             f"{item!r}")
        path, lo, hi, steps = item
        axes.append((str(path), float(lo), float(hi),
                     _integer(steps, "steps", 0, _INT_MAX)))
    return axes


class Sweep(_Owned):
    """Every target's probability over a grid of one or two levers
    (simplan_sweep). Make one with :meth:`Sweep.run`; :func:`sweep` gives
    its table directly."""

    _free_name = "simplan_sweep_free"

    def __init__(self, *args, **kwargs):
        raise TypeError("use Sweep.run(scenario, levers, ...) or "
                        "simplan.sweep()")

    @classmethod
    def run(cls, scenario, levers, *, cancel=None, **run_options):
        """Runs the scenario at every point of the grid.

        levers: ``{path: (from, to, steps)}`` with one or two entries (or
            a sequence of ``(path, from, to, steps)``): `steps` (2..1000)
            evenly spaced values of the number at `path` from `from` to
            `to`, both included.
        run_options: as for :func:`run`; every point runs the same draws
            and seed (common random numbers)."""
        _check_run_options(run_options, "sweep")
        axes = _axes(levers)
        array = (simplan_axis * len(axes))(
            *(simplan_axis(_utf8(p, "lever"), lo, hi, n)
              for p, lo, hi, n in axes))
        opts = _run_options(**run_options)
        sc = _private_copy(scenario)
        ids = sc.targets
        out, err = ctypes.c_void_p(), new_error()
        try:
            st = _blocking(
                lambda: lib.simplan_sweep_run(sc._h, array, len(axes),
                                              _byref(opts), _byref(out),
                                              _byref(err)),
                opts, cancel, lambda: lib.simplan_sweep_free(out))
        finally:
            sc.close()
        raise_for(st, err)
        self = cls.__new__(cls)
        self._adopt(out.value)
        self.levers = [a[0] for a in axes]
        self.target_ids = ids
        return self

    @property
    def n_points(self):
        """Grid points (nx * ny)."""
        with self._lock:
            return lib.simplan_sweep_n_points(self._handle())

    @property
    def n_targets(self):
        """Targets at each point."""
        with self._lock:
            return lib.simplan_sweep_n_targets(self._handle())

    def to_frame(self):
        """The tidy table of sweep.csv: lever, value[, lever2, value2],
        target, probability, ci_low, ci_high; one row per grid point
        (first lever fastest) and target."""
        pd = _pandas()
        two = len(self.levers) == 2
        rows = []
        x, y, p, lo, hi = (ctypes.c_double() for _ in range(5))
        with self._lock:
            h = self._handle()
            n_targets = lib.simplan_sweep_n_targets(h)
            for i in range(lib.simplan_sweep_n_points(h)):
                for k in range(n_targets):
                    err = new_error()
                    raise_for(lib.simplan_sweep_point(
                        h, i, k, _byref(x), _byref(y), _byref(p), _byref(lo),
                        _byref(hi), _byref(err)), err)
                    tid = (self.target_ids[k] if k < len(self.target_ids)
                           else str(k))
                    row = [self.levers[0], x.value]
                    if two:
                        row += [self.levers[1], y.value]
                    rows.append(row + [tid, p.value, lo.value, hi.value])
        columns = ["lever", "value"] + (["lever2", "value2"] if two else [])
        columns += ["target", "probability", "ci_low", "ci_high"]
        return pd.DataFrame(rows, columns=columns)

    def to_string(self, format="csv"):
        """sweep.csv ('csv'), the table ('table') or 'json', as text."""
        code = _format_code(format, (Format.TABLE, Format.CSV, Format.JSON))
        text, length, err = ctypes.c_void_p(), ctypes.c_size_t(), new_error()
        with self._lock:
            st = lib.simplan_sweep_to_string(self._handle(), int(code),
                                             _byref(text), _byref(length),
                                             _byref(err))
        raise_for(st, err)
        return _take_string(text, length)

    def to_csv(self):
        """sweep.csv, as ``simplan sweep --format csv`` prints it."""
        return self.to_string(Format.CSV)

    def __repr__(self):
        if not getattr(self, "_h", None):
            return "<simplan.Sweep (closed)>"
        return (f"<simplan.Sweep over {' x '.join(self.levers)}: "
                f"{self.n_points} points, {self.n_targets} targets>")


def sweep(scenario, levers, *, cancel=None, **run_options):
    """Every target's probability over a grid of one or two levers, as a
    tidy DataFrame (the columns of sweep.csv: lever, value[, lever2,
    value2], target, probability, ci_low, ci_high).

    Example: ``sweep(sc, {"indicators.gdp.path[0].mean": (0.03, 0.07, 5)},
    draws=20000)``. See :meth:`Sweep.run` for the arguments; use it
    directly for the CSV text or the table."""
    sw = Sweep.run(scenario, levers, cancel=cancel, **run_options)
    try:
        return sw.to_frame()
    finally:
        sw.close()
