"""simplan: the scenario simulation engine for development-plan targets,
from Python.

A thin layer over the C library libsimplan (include/simplan.h), through
ctypes::

    import simplan

    sc = simplan.Scenario.from_file("scenarios/baseline.cfg")
    res = simplan.run(sc, draws=20000, seed=1)
    res.targets            # DataFrame: P(met) and its interval per target
    res.indicators         # DataFrame: indicator, year, statistic, value
    faster = sc.set("indicators.gdp.path[0].mean", 0.06)   # a changed copy
    simplan.sweep(sc, {"indicators.gdp.path[0].mean": (0.03, 0.07, 5)},
                  draws=20000)
    simplan.solve(sc, "gdp_2025", 0.8, "indicators.gdp.path[0].mean")
    simplan.fit(sc, "data/inner_mongolia.csv").scenario   # fitted to data
    simplan.backtest(sc, "data/provinces.csv", (2010, 2015)).scores

The library is looked for in the environment variable SIMPLAN_LIBRARY,
next to the installed package, then in the source tree's build/ folder.
Computations started from the main thread stop on Ctrl-C and raise
KeyboardInterrupt. Objects may be passed between threads; runs on
different threads proceed in parallel.
"""

from ._ffi import path as library_path
from ._errors import ScenarioError, SimplanError, Status
from ._core import (CancelToken, Format, Result, Scenario, Solution, Sweep,
                    features, merge, run, solve, sweep, to_libconfig,
                    version)
from ._calib import Backtest, Fit, backtest, fit

__version__ = version()

__all__ = [
    "Scenario", "Result", "Solution", "Sweep", "CancelToken", "Format",
    "Status", "SimplanError", "ScenarioError", "run", "merge", "solve",
    "sweep", "fit", "backtest", "Fit", "Backtest", "features", "version",
    "library_path", "to_libconfig", "__version__",
]
