"""Calibration over libsimplan: fit a scenario to data (simplan_fit) and
back-test it against what happened (simplan_backtest_run);
doc/calibration.md describes both."""

import ctypes
import io
import json

from ._core import (Format, Scenario, _Owned, _as_scenario, _format_code,
                    _fspath, _integer, _pandas, _take_string, _utf8)
from ._errors import new_error, raise_for
from ._ffi import lib, new, simplan_backtest_options, simplan_fit_options

__all__ = ["Fit", "Backtest", "fit", "backtest"]

_byref = ctypes.byref
_UINT64_MAX = 2 ** 64 - 1


def _strings(values, what):
    """A C array of UTF-8 strings (kept alive by the returned tuple)."""
    encoded = [_utf8(v, what) for v in values]
    array = (ctypes.c_char_p * max(len(encoded), 1))(*encoded)
    return array, encoded


def _year(value, what):
    return 0 if value is None else _integer(value, what, 1000, 9999)


class Fit:
    """The estimates of :func:`fit`: the report in each of its formats,
    the estimates as a dict, and the fitted scenario itself."""

    def __init__(self, scenario, options, keep):
        self._scenario = scenario
        self._options = options
        self._keep = keep  # the strings the options point to

    def to_string(self, fmt="table"):
        """The report: ``"table"``, ``"json"`` or ``"cfg"`` (the scenario
        file with the estimates written into it)."""
        code = _format_code(fmt, (Format.TABLE, Format.JSON, Format.CFG))
        err = new_error()
        text = ctypes.c_void_p()
        length = ctypes.c_size_t()
        with self._scenario._lock:
            st = lib.simplan_fit(self._scenario._handle(),
                                 _byref(self._options), int(code),
                                 _byref(text), _byref(length), _byref(err))
        raise_for(st, err)
        return _take_string(text, length)

    @property
    def estimates(self):
        """The JSON report as a dict (needs a build with JSON)."""
        return json.loads(self.to_string("json"))

    @property
    def scenario(self):
        """The fitted scenario, ready to run: the original file with the
        estimates written into it."""
        name = self._scenario.file
        return Scenario.from_string(self.to_string("cfg"), name=name)


def fit(scenario, data, indicators=None, region=None, plans=None,
        from_year=None, to_year=None):
    """Fits the scenario's stochastic indicators to the observed history
    in `data` (a CSV file, doc/calibration.md), as ``simplan fit`` does;
    returns a :class:`Fit`. Errors name the data file's line and column.

    `indicators` limits the fit to those names; `region` picks the
    region of the data (default: the only one, or the scenario's);
    `plans` is a CSV of plan targets and outcomes for trend_sd;
    `from_year` and `to_year` bound the years used."""
    sc = _as_scenario(scenario).copy()
    opts = new(simplan_fit_options)
    lib.simplan_fit_options_init(_byref(opts))
    keep = []
    data_b = _fspath(data, "data")
    keep.append(data_b)
    opts.data = data_b
    if region is not None:
        keep.append(_utf8(region, "region"))
        opts.region = keep[-1]
    if plans is not None:
        keep.append(_fspath(plans, "plans"))
        opts.plans = keep[-1]
    setattr(opts, "from", _year(from_year, "from_year"))
    opts.to = _year(to_year, "to_year")
    if indicators is not None:
        if isinstance(indicators, str):
            indicators = [indicators]
        array, encoded = _strings(list(indicators), "indicators")
        keep.extend([array, encoded])
        opts.indicators = array
        opts.n_indicators = len(encoded)
    result = Fit(sc, opts, keep)
    result.to_string("table")  # fails now, not later, on bad input
    return result


class Backtest(_Owned):
    """A back-test (simplan_backtest): the scenario re-anchored at past
    origins and its projections scored against what happened."""

    _free_name = "simplan_backtest_free"

    def __init__(self, *args, **kwargs):
        raise TypeError("make a Backtest with simplan.backtest()")

    @classmethod
    def _wrap(cls, handle):
        self = object.__new__(cls)
        self._adopt(handle)
        return self

    def to_string(self, fmt="table"):
        """The report: ``"table"``, ``"json"`` or ``"csv"`` (the scores,
        one row per case, as scores.csv)."""
        code = _format_code(fmt, (Format.TABLE, Format.JSON, Format.CSV))
        err = new_error()
        text = ctypes.c_void_p()
        length = ctypes.c_size_t()
        with self._lock:
            st = lib.simplan_backtest_to_string(
                self._handle(), int(code), _byref(text), _byref(length),
                _byref(err))
        raise_for(st, err)
        return _take_string(text, length)

    @property
    def scores(self):
        """The scores as a DataFrame (the columns of scores.csv)."""
        return _pandas().read_csv(io.StringIO(self.to_string("csv")))

    @property
    def summary(self):
        """The JSON report as a dict (needs a build with JSON)."""
        return json.loads(self.to_string("json"))

    def save(self, directory, force=False, plots=False):
        """Writes scores.csv, targets.csv, summary.json and, with `plots`,
        the charts into `directory`, published whole. Returns the chart
        warning when the charts could not be drawn (the data files are
        written), else None."""
        err = new_error()
        with self._lock:
            st = lib.simplan_backtest_save(
                self._handle(), _fspath(directory, "directory"), int(force),
                int(plots), _byref(err))
            raise_for(st, err)
            warning = lib.simplan_backtest_chart_warning(self._handle())
        return warning.decode("utf-8", "replace") if warning else None


def backtest(scenario, data, origins, horizon=None, history=None,
             regions=None, draws=None, seed=None, threads=None, rng=None,
             sd_factor=True, search_draws=None):
    """Back-tests the scenario against `data` as ``simplan backtest``
    does: `origins` is ``(from, to)`` or ``(from, to, step)``; `horizon`
    and `history` default to 5 years, `draws` to 20000 per case,
    `search_draws` to 5000 (0: every draw). Returns a :class:`Backtest`.
    The call runs to its end (it has no stop request)."""
    sc = _as_scenario(scenario)
    opts = new(simplan_backtest_options)
    lib.simplan_backtest_options_init(_byref(opts))
    keep = [_fspath(data, "data")]
    opts.data = keep[0]
    origins = tuple(origins)
    if len(origins) not in (2, 3):
        raise ValueError("origins must be (from, to) or (from, to, step)")
    setattr(opts, "from", _year(origins[0], "origins[0]"))
    opts.to = _year(origins[1], "origins[1]")
    opts.step = _integer(origins[2], "origins[2]", 1, 100) \
        if len(origins) == 3 else 0
    opts.horizon = 0 if horizon is None else _integer(horizon, "horizon", 1,
                                                      100)
    opts.history = 0 if history is None else _integer(history, "history", 1,
                                                      100)
    if regions is not None:
        if isinstance(regions, str):
            regions = [regions]
        array, encoded = _strings(list(regions), "regions")
        keep.extend([array, encoded])
        opts.regions = array
        opts.n_regions = len(encoded)
    if draws is not None:
        opts.draws = _integer(draws, "draws", 16, 100000000)
    if seed is not None:
        opts.has_seed = 1
        opts.seed = _integer(seed, "seed", 0, _UINT64_MAX)
    if threads is not None:
        opts.threads = _integer(threads, "threads", 1, 1024)
    if rng is not None:
        keep.append(_utf8(rng, "rng"))
        opts.rng = keep[-1]
    opts.no_sd_factor = 0 if sd_factor else 1
    if search_draws is not None:
        n = _integer(search_draws, "search_draws", 0, 100000000)
        opts.search_draws = n
        opts.all_search_draws = 1 if n == 0 else 0
    err = new_error()
    handle = ctypes.c_void_p()
    with sc._lock:
        st = lib.simplan_backtest_run(sc._handle(), _byref(opts),
                                      _byref(handle), _byref(err))
    raise_for(st, err)
    return Backtest._wrap(handle.value)

