"""Loading libsimplan and declaring its C interface (include/simplan.h).

Everything here is private to the package: the structures mirror the
header field for field, and every function the package calls is declared
with its argument and result types. The library is found, in order:

1. the path in the environment variable ``SIMPLAN_LIBRARY``;
2. an installed copy: ``libsimplan.so.0`` (or ``libsimplan.so``) in the
   package folder, at the path written in the package's ``_libpath.txt``
   (absolute, or relative to the package folder, as the install step
   writes it), or in ``PREFIX/lib/<multiarch>`` or ``PREFIX/lib`` for a
   package installed in ``PREFIX/lib/python3/dist-packages``;
3. the source tree's ``build/`` folder, two levels above the package
   folder (``python/simplan`` in the repository).
"""

import ctypes
import os
import sysconfig

__all__ = ["lib", "path", "candidates", "new"]

_PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__))
_NAMES = ("libsimplan.so.0", "libsimplan.so")


# ---- structures ---------------------------------------------------------


class simplan_error(ctypes.Structure):
    """Where a failure is and what it is (caller-owned plain data)."""

    _fields_ = [
        ("status", ctypes.c_int),
        ("file", ctypes.c_char * 256),
        ("line", ctypes.c_int),
        ("field", ctypes.c_char * 160),
        ("message", ctypes.c_char * 512),
    ]


#: void (*simplan_progress_fn)(uint64_t done, uint64_t total, void *ctx)
simplan_progress_fn = ctypes.CFUNCTYPE(None, ctypes.c_uint64, ctypes.c_uint64,
                                       ctypes.c_void_p)


class simplan_run_options(ctypes.Structure):
    """How to run; zero fields mean "as the scenario says"."""

    _fields_ = [
        ("draws", ctypes.c_uint64),
        ("has_seed", ctypes.c_int),
        ("seed", ctypes.c_uint64),
        ("threads", ctypes.c_int),
        ("rng", ctypes.c_char_p),
        ("variance_reduction", ctypes.c_char_p),
        ("precision", ctypes.c_double),
        ("param_sets", ctypes.c_long),
        ("cancel", ctypes.c_void_p),
        ("out_dir", ctypes.c_char_p),
        ("force", ctypes.c_int),
        ("plots", ctypes.c_int),
        ("checkpoint", ctypes.c_double),
        ("resume", ctypes.c_char_p),
        ("slice", ctypes.c_uint32),
        ("slices", ctypes.c_uint32),
        ("progress", simplan_progress_fn),
        ("progress_ctx", ctypes.c_void_p),
        ("command_line", ctypes.c_char_p),
    ]


class simplan_stats(ctypes.Structure):
    """Summary of one quantity over the draws."""

    _fields_ = [
        ("n", ctypes.c_uint64),
        ("mean", ctypes.c_double),
        ("p05", ctypes.c_double),
        ("p25", ctypes.c_double),
        ("p50", ctypes.c_double),
        ("p75", ctypes.c_double),
        ("p95", ctypes.c_double),
    ]


class simplan_target(ctypes.Structure):
    """One target of a result; its strings belong to the result."""

    _fields_ = [
        ("id", ctypes.c_char_p),
        ("name", ctypes.c_char_p),
        ("source", ctypes.c_char_p),
        ("met", ctypes.c_uint64),
        ("draws", ctypes.c_uint64),
        ("probability", ctypes.c_double),
        ("ci_lo", ctypes.c_double),
        ("ci_hi", ctypes.c_double),
        ("measure", simplan_stats),
        ("failure", ctypes.c_char_p),
        ("has_param", ctypes.c_int),
        ("param_mean", ctypes.c_double),
        ("param_lo", ctypes.c_double),
        ("param_hi", ctypes.c_double),
    ]


class simplan_driver(ctypes.Structure):
    """How one input moves a target's chance."""

    _fields_ = [
        ("input", ctypes.c_char_p),
        ("effect", ctypes.c_double),
        ("p_low", ctypes.c_double),
        ("p_high", ctypes.c_double),
        ("n_low", ctypes.c_uint64),
        ("n_high", ctypes.c_uint64),
    ]


class simplan_solve_spec(ctypes.Structure):
    """What solve looks for."""

    _fields_ = [
        ("target", ctypes.c_char_p),
        ("probability", ctypes.c_double),
        ("lever", ctypes.c_char_p),
        ("has_range", ctypes.c_int),
        ("lo", ctypes.c_double),
        ("hi", ctypes.c_double),
        ("tol", ctypes.c_double),
    ]


class simplan_solution(ctypes.Structure):
    """What solve found."""

    _fields_ = [
        ("value", ctypes.c_double),
        ("resolved", ctypes.c_int),
        ("mc_sd", ctypes.c_double),
        ("a", ctypes.c_double),
        ("b", ctypes.c_double),
        ("p_a", ctypes.c_double),
        ("p_b", ctypes.c_double),
        ("lo", ctypes.c_double),
        ("hi", ctypes.c_double),
        ("p_lo", ctypes.c_double),
        ("p_hi", ctypes.c_double),
        ("evaluations", ctypes.c_int),
        ("draws", ctypes.c_uint64),
        ("seed", ctypes.c_uint64),
    ]


class simplan_axis(ctypes.Structure):
    """One axis of a sweep. The second field is C's ``from``, a Python
    keyword: build it positionally, ``simplan_axis(lever, lo, hi, steps)``."""

    _fields_ = [
        ("lever", ctypes.c_char_p),
        ("from", ctypes.c_double),
        ("to", ctypes.c_double),
        ("steps", ctypes.c_int),
    ]


class simplan_fit_options(ctypes.Structure):
    """What simplan_fit estimates from (simplan_fit_options)."""

    _fields_ = [
        ("data", ctypes.c_char_p),
        ("region", ctypes.c_char_p),
        ("plans", ctypes.c_char_p),
        ("from", ctypes.c_int),
        ("to", ctypes.c_int),
        ("indicators", ctypes.POINTER(ctypes.c_char_p)),
        ("n_indicators", ctypes.c_size_t),
    ]


class simplan_backtest_options(ctypes.Structure):
    """How simplan_backtest_run re-anchors and scores a scenario."""

    _fields_ = [
        ("data", ctypes.c_char_p),
        ("from", ctypes.c_int),
        ("to", ctypes.c_int),
        ("step", ctypes.c_int),
        ("horizon", ctypes.c_int),
        ("history", ctypes.c_int),
        ("regions", ctypes.POINTER(ctypes.c_char_p)),
        ("n_regions", ctypes.c_size_t),
        ("draws", ctypes.c_uint64),
        ("has_seed", ctypes.c_int),
        ("seed", ctypes.c_uint64),
        ("threads", ctypes.c_int),
        ("rng", ctypes.c_char_p),
        ("no_sd_factor", ctypes.c_int),
        ("search_draws", ctypes.c_uint64),
        ("all_search_draws", ctypes.c_int),
    ]


def new(cls):
    """A zeroed `cls` with spare zeroed bytes after it, for structures the
    library fills or reads: a library of a later minor version, whose
    structures have grown at their end, then writes into the spare bytes
    and reads zeros (its defaults) there instead of memory past the
    object."""
    return cls.from_buffer(bytearray(ctypes.sizeof(cls) + 512))


# ---- prototypes ---------------------------------------------------------

_status = ctypes.c_int
_format = ctypes.c_int
_handle = ctypes.c_void_p
_err_p = ctypes.POINTER(simplan_error)
_out_p = ctypes.POINTER(ctypes.c_void_p)  # T **out, char **text
_size_p = ctypes.POINTER(ctypes.c_size_t)
_dbl_p = ctypes.POINTER(ctypes.c_double)
_str = ctypes.c_char_p

#: name -> (restype, argtypes) for every function the package calls.
PROTOTYPES = {
    # errors
    "simplan_error_clear": (None, [_err_p]),
    "simplan_strerror": (_str, [_status]),
    "simplan_status_name": (_str, [_status]),
    "simplan_exit_code": (ctypes.c_int, [_status]),
    "simplan_error_format": (
        ctypes.c_int, [_err_p, ctypes.c_char_p, ctypes.c_size_t]),
    # the library
    "simplan_version": (_str, []),
    "simplan_features": (_str, []),
    "simplan_free": (None, [ctypes.c_void_p]),
    # scenarios
    "simplan_scenario_load": (_status, [_str, _out_p, _err_p]),
    "simplan_scenario_from_string": (_status, [_str, _str, _out_p, _err_p]),
    "simplan_scenario_copy": (_status, [_handle, _out_p, _err_p]),
    "simplan_scenario_free": (None, [_handle]),
    "simplan_scenario_set": (
        _status, [_handle, _str, ctypes.c_double, _err_p]),
    "simplan_scenario_get": (_status, [_handle, _str, _dbl_p, _err_p]),
    "simplan_scenario_check": (_status, [_handle, _err_p]),
    "simplan_scenario_describe": (_status, [_handle, _out_p, _err_p]),
    "simplan_scenario_name": (_str, [_handle]),
    "simplan_scenario_file": (_str, [_handle]),
    "simplan_scenario_sha256": (_str, [_handle]),
    "simplan_scenario_base_year": (ctypes.c_int, [_handle]),
    "simplan_scenario_horizon": (ctypes.c_int, [_handle]),
    "simplan_scenario_n_targets": (ctypes.c_size_t, [_handle]),
    "simplan_scenario_target_id": (_str, [_handle, ctypes.c_size_t]),
    "simplan_scenario_n_indicators": (ctypes.c_size_t, [_handle]),
    "simplan_scenario_indicator_name": (_str, [_handle, ctypes.c_size_t]),
    # calibration
    "simplan_fit_options_init": (None, [ctypes.POINTER(simplan_fit_options)]),
    "simplan_fit": (
        _status,
        [_handle, ctypes.POINTER(simplan_fit_options), _format, _out_p,
         _size_p, _err_p]),
    "simplan_backtest_options_init": (
        None, [ctypes.POINTER(simplan_backtest_options)]),
    "simplan_backtest_run": (
        _status,
        [_handle, ctypes.POINTER(simplan_backtest_options), _out_p, _err_p]),
    "simplan_backtest_free": (None, [_handle]),
    "simplan_backtest_to_string": (
        _status, [_handle, _format, _out_p, _size_p, _err_p]),
    "simplan_backtest_save": (
        _status, [_handle, _str, ctypes.c_int, ctypes.c_int, _err_p]),
    "simplan_backtest_chart_warning": (_str, [_handle]),
    # cancellation
    "simplan_cancel_new": (_handle, []),
    "simplan_cancel_free": (None, [_handle]),
    "simplan_cancel_request": (None, [_handle]),
    "simplan_cancel_requested": (ctypes.c_int, [_handle]),
    "simplan_cancel_reset": (None, [_handle]),
    # runs
    "simplan_run_options_init": (None, [ctypes.POINTER(simplan_run_options)]),
    "simplan_run": (
        _status,
        [_handle, ctypes.POINTER(simplan_run_options), _out_p, _err_p]),
    "simplan_result_free": (None, [_handle]),
    "simplan_result_scenario": (_handle, [_handle]),
    "simplan_result_draws": (ctypes.c_uint64, [_handle]),
    "simplan_result_seed": (ctypes.c_uint64, [_handle]),
    "simplan_result_rng": (_str, [_handle]),
    "simplan_result_threads": (ctypes.c_int, [_handle]),
    "simplan_result_n_targets": (ctypes.c_size_t, [_handle]),
    "simplan_result_target": (
        _status,
        [_handle, ctypes.c_size_t, ctypes.POINTER(simplan_target), _err_p]),
    "simplan_result_n_indicators": (ctypes.c_size_t, [_handle]),
    "simplan_result_indicator_name": (_str, [_handle, ctypes.c_size_t]),
    "simplan_result_indicator": (
        _status,
        [_handle, ctypes.c_size_t, ctypes.c_int,
         ctypes.POINTER(simplan_stats), _err_p]),
    "simplan_result_n_drivers": (ctypes.c_size_t, [_handle, ctypes.c_size_t]),
    "simplan_result_driver": (
        _status,
        [_handle, ctypes.c_size_t, ctypes.c_size_t,
         ctypes.POINTER(simplan_driver), _err_p]),
    "simplan_result_n_warnings": (ctypes.c_size_t, [_handle]),
    "simplan_result_warning": (_str, [_handle, ctypes.c_size_t]),
    "simplan_result_to_string": (
        _status, [_handle, _format, _out_p, _size_p, _err_p]),
    "simplan_result_save": (
        _status, [_handle, _str, ctypes.c_int, ctypes.c_int, _err_p]),
    "simplan_merge": (
        _status,
        [ctypes.POINTER(ctypes.c_char_p), ctypes.c_size_t, _out_p, _err_p]),
    # solve and sweep
    "simplan_solve_spec_init": (None, [ctypes.POINTER(simplan_solve_spec)]),
    "simplan_solve": (
        _status,
        [_handle, ctypes.POINTER(simplan_solve_spec),
         ctypes.POINTER(simplan_run_options),
         ctypes.POINTER(simplan_solution), _err_p]),
    "simplan_sweep_run": (
        _status,
        [_handle, ctypes.POINTER(simplan_axis), ctypes.c_size_t,
         ctypes.POINTER(simplan_run_options), _out_p, _err_p]),
    "simplan_sweep_free": (None, [_handle]),
    "simplan_sweep_n_points": (ctypes.c_size_t, [_handle]),
    "simplan_sweep_n_targets": (ctypes.c_size_t, [_handle]),
    "simplan_sweep_point": (
        _status,
        [_handle, ctypes.c_size_t, ctypes.c_size_t, _dbl_p, _dbl_p, _dbl_p,
         _dbl_p, _dbl_p, _err_p]),
    "simplan_sweep_to_string": (
        _status, [_handle, _format, _out_p, _size_p, _err_p]),
}


# ---- finding and loading the library ------------------------------------


def _install_dirs():
    """Folders where an installed package finds its library."""
    dirs = [_PACKAGE_DIR]
    # PREFIX/lib/python3/dist-packages/simplan -> PREFIX/lib
    libdir = os.path.normpath(os.path.join(_PACKAGE_DIR, "..", "..", ".."))
    multiarch = sysconfig.get_config_var("MULTIARCH") or "x86_64-linux-gnu"
    dirs += [os.path.join(libdir, multiarch), libdir]
    return dirs


def candidates():
    """The library files looked for, in order, as (path, where) pairs;
    the environment variable is not among them."""
    found = []
    dirs = _install_dirs()
    for name in _NAMES:
        found.append((os.path.join(dirs[0], name), "package folder"))
    record = os.path.join(_PACKAGE_DIR, "_libpath.txt")
    if os.path.isfile(record):
        with open(record, encoding="utf-8") as f:
            recorded = f.read().strip()
        if recorded:
            # An absolute path, or one relative to the package folder.
            found.append((os.path.normpath(os.path.join(_PACKAGE_DIR,
                                                        recorded)), record))
    for d in dirs[1:]:
        for name in _NAMES:
            found.append((os.path.join(d, name), "install prefix"))
    build = os.path.normpath(os.path.join(_PACKAGE_DIR, "..", "..", "build"))
    for name in _NAMES:
        found.append((os.path.join(build, name), "source tree build"))
    return found


def _load():
    """Loads libsimplan; returns (CDLL, path) or raises ImportError."""
    env = os.environ.get("SIMPLAN_LIBRARY")
    if env:
        try:
            return ctypes.CDLL(env), env
        except OSError as e:
            raise ImportError(
                f"simplan: cannot load the library named by SIMPLAN_LIBRARY "
                f"({env}): {e}") from e
    looked = []
    for path, _ in candidates():
        looked.append(path)
        if os.path.isfile(path):
            try:
                return ctypes.CDLL(path), path
            except OSError as e:
                raise ImportError(
                    f"simplan: cannot load {path}: {e}") from e
    raise ImportError(
        "simplan: libsimplan not found. Set SIMPLAN_LIBRARY to the path of "
        "libsimplan.so.0, or build it (cmake --build build). Looked for:\n  "
        + "\n  ".join(looked))


def _missing(name, where):
    """A stand-in for a function the loaded library does not have."""

    def call(*args, **kwargs):
        raise NotImplementedError(
            f"simplan: the library at {where} has no function {name}")

    call.__name__ = name
    return call


class _Lib:
    """The declared functions of the loaded library, as attributes named
    as in C (``lib.simplan_run``)."""

    def __init__(self, cdll, where):
        self.cdll = cdll
        self.path = where
        self.missing = []
        for name, (restype, argtypes) in PROTOTYPES.items():
            try:
                fn = getattr(cdll, name)
            except AttributeError:
                self.missing.append(name)
                setattr(self, name, _missing(name, where))
                continue
            fn.restype = restype
            fn.argtypes = argtypes
            setattr(self, name, fn)


_cdll, path = _load()
lib = _Lib(_cdll, path)
if "simplan_version" in lib.missing:
    raise ImportError(f"simplan: {path} is not libsimplan (no simplan_version)")
