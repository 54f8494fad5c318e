"""Tests of the simplan Python package against the command line.

Run from the repository root:
    PYTHONPATH=python /usr/bin/python3 -m pytest -q python/tests
"""

import io
import json
import math
import re
import signal
import subprocess
import sys
import threading
import time

import pandas as pd
import pandas.testing as pdt
import pytest

import simplan

DRAWS = 20000
SEED = 20240501
GDP_MEAN = "indicators.gdp.path[0].mean"


def read_csv(source, **kwargs):
    """pandas.read_csv, parsing %.17g numbers back to the same doubles."""
    if isinstance(source, str):
        source = io.StringIO(source)
    return pd.read_csv(source, float_precision="round_trip", **kwargs)


def read(path):
    with open(path, encoding="utf-8") as f:
        return f.read()


# ---- 1. the library -----------------------------------------------------


def test_version_matches_command(cli):
    first = cli("--version").stdout.splitlines()[0]
    # "simplan 0.1.0 (openmp on, json on, plots on, mpi on)"
    words = first.split()
    assert words[0] == "simplan"
    assert simplan.__version__ == words[1] == simplan.version()
    features = first[first.index("(") + 1:first.rindex(")")]
    assert simplan.features() == {
        name: state == "on"
        for name, state in (part.split() for part in features.split(", "))}


def test_library_path_is_reported():
    assert "libsimplan" in simplan.library_path


def test_every_declared_function_is_in_header_and_library(root):
    from simplan import _ffi
    header = read(root / "include" / "simplan.h")
    for name in _ffi.PROTOTYPES:
        assert re.search(rf"\b{name}\(", header), name
    assert _ffi.lib.missing == []


STRUCTS = ["simplan_error", "simplan_run_options", "simplan_stats",
           "simplan_target", "simplan_driver", "simplan_solve_spec",
           "simplan_solution", "simplan_axis"]


def test_structures_have_the_c_layout(root, tmp_path):
    """Sizes and field offsets of the ctypes structures against the
    compiler's, from include/simplan.h (a field missing from the header
    does not compile; one missing from Python moves an offset or the
    size)."""
    import ctypes
    import shutil
    from simplan import _ffi
    cc = shutil.which("cc") or shutil.which("gcc")
    if cc is None:
        pytest.skip("no C compiler")
    lines = ["#include <stdio.h>", "#include <stddef.h>",
             '#include "simplan.h"', "int main(void) {"]
    for struct in STRUCTS:
        lines.append(f'printf("{struct} %zu\\n", sizeof({struct}));')
        lines += [f'printf("{struct}.{f} %zu\\n", offsetof({struct}, {f}));'
                  for f, _ in getattr(_ffi, struct)._fields_]
    lines.append("return 0; }")
    (tmp_path / "layout.c").write_text("\n".join(lines))
    subprocess.run([cc, "-I", str(root / "include"), "-o",
                    str(tmp_path / "layout"), str(tmp_path / "layout.c")],
                   check=True)
    out = subprocess.run([str(tmp_path / "layout")], capture_output=True,
                         text=True, check=True).stdout
    for line in out.splitlines():
        name, number = line.split()
        struct, _, field = name.partition(".")
        cls = getattr(_ffi, struct)
        if field:
            assert getattr(cls, field).offset == int(number), name
        else:
            assert ctypes.sizeof(cls) == int(number), name


# ---- 2. scenarios -------------------------------------------------------


def test_from_file_and_from_string_agree(baseline):
    a = simplan.Scenario.from_file(baseline)
    b = simplan.Scenario.from_string(read(baseline), name="baseline-text")
    assert a.sha256 == b.sha256
    assert len(a.sha256) == 64 and int(a.sha256, 16) >= 0
    assert a.file == str(baseline)
    assert b.file == "baseline-text"
    assert a.name == b.name == "baseline"
    assert (a.base_year, a.horizon) == (2020, 2035)
    assert a.targets == b.targets == [
        "gdp_2025", "gdp_2025_band", "ei_2025", "ei_2025_allocated",
        "co2i_2025", "ne_2025", "green_2025", "gdp_double_2035"]
    assert a.indicators == [
        "gdp", "energy_intensity", "nonfossil_share", "newenergy_share",
        "energy", "co2_intensity", "co2"]
    assert simplan.Scenario.from_string(read(baseline)).file == "<string>"
    assert a.check() in (None, True)


def test_describe_is_the_check_report(cli, baseline):
    sc = simplan.Scenario.from_file(baseline)
    assert sc.describe() == cli("check", baseline).stdout


def test_set_returns_a_changed_copy(baseline):
    sc = simplan.Scenario.from_file(baseline)
    before = sc.get(GDP_MEAN)
    assert before == 0.05
    changed = sc.set(GDP_MEAN, 0.06)
    assert changed is not sc
    assert changed.get(GDP_MEAN) == 0.06
    assert sc.get(GDP_MEAN) == before
    assert changed.sha256 != sc.sha256
    # The digest records the change, so the same change gives the same one.
    assert sc.set(GDP_MEAN, 0.06).sha256 == changed.sha256
    assert changed.set(GDP_MEAN, 0.05).sha256 not in (sc.sha256,
                                                       changed.sha256)
    for path in ("indicators.gdp.trend_sd", "correlations[0].rho",
                 "targets.gdp_2025.value", "targets.gdp_2025_band.range[1]"):
        sc.get(path)


def test_set_unknown_path_is_a_usage_error(baseline):
    sc = simplan.Scenario.from_file(baseline)
    with pytest.raises(simplan.SimplanError) as info:
        sc.set("indicators.nosuch.base", 1.0)
    e = info.value
    assert not isinstance(e, simplan.ScenarioError)
    assert e.status == simplan.Status.ERR_USAGE
    assert e.status_name == "SIMPLAN_ERR_USAGE"
    with pytest.raises(simplan.SimplanError) as info:
        sc.get("indicators.gdp.nosuch")
    assert info.value.status_name == "SIMPLAN_ERR_USAGE"


def test_set_out_of_range_names_the_field(baseline):
    sc = simplan.Scenario.from_file(baseline)
    path = "indicators.gdp.ar1"
    with pytest.raises(simplan.ScenarioError) as info:
        sc.set(path, 1.5)
    e = info.value
    assert e.status == simplan.Status.ERR_RANGE
    assert e.status_name == "SIMPLAN_ERR_RANGE"
    assert e.field == path
    assert e.message
    assert path in str(e) and "(value out of range)" in str(e)
    assert sc.get(path) == 0.91


def test_broken_text_names_file_and_line():
    text = 'scenario = {\n  name = "x";\n  base_year = 2020\n  horizon = ;\n'
    with pytest.raises(simplan.ScenarioError) as info:
        simplan.Scenario.from_string(text, name="broken.cfg")
    e = info.value
    assert e.status == simplan.Status.ERR_SYNTAX
    assert e.file == "broken.cfg"
    assert e.line > 0
    assert str(e).startswith(f"broken.cfg:{e.line}: error: ")


def test_nul_characters_are_refused(baseline):
    with pytest.raises(ValueError):
        simplan.Scenario.from_string(read(baseline) + "\0# tail")
    with pytest.raises(ValueError):
        simplan.Scenario.from_file(str(baseline) + "\0.cfg")


def test_missing_file_is_an_io_error(tmp_path):
    missing = tmp_path / "no-such.cfg"
    with pytest.raises(simplan.SimplanError) as info:
        simplan.Scenario.from_file(missing)
    e = info.value
    assert not isinstance(e, simplan.ScenarioError)
    assert e.status == simplan.Status.ERR_IO
    assert e.status_name == "SIMPLAN_ERR_IO"
    assert e.exit_code == 3
    assert str(missing) in str(e)


def test_objects_are_freed_and_closed(baseline):
    sc = simplan.Scenario.from_file(baseline)
    copy = sc.copy()
    copy.close()
    copy.close()
    with pytest.raises(ValueError):
        copy.get(GDP_MEAN)
    assert sc.get(GDP_MEAN) == 0.05
    with pytest.raises(TypeError):
        simplan.Scenario()


# ---- 3. runs, bit for bit as the command line ---------------------------


RUN_CASES = {
    "default": ("baseline", {}),
    "mt19937": ("baseline", {"rng": "mt19937"}),
    "antithetic": ("baseline", {"variance_reduction": "antithetic"}),
    "rqmc": ("share5", {"variance_reduction": "rqmc"}),
    # values that overflow: years without a finite draw, warnings
    "overflow": ("overflow", {}),
}


def _cli_flags(options):
    flags = []
    if "rng" in options:
        flags += ["--rng", options["rng"]]
    if "variance_reduction" in options:
        flags += ["--variance-reduction", options["variance_reduction"]]
    return flags


@pytest.fixture(scope="module")
def cli_runs(cli, baseline, share5, tmp_path_factory):
    """Each RUN_CASES case run by the command line (2 threads) and by
    simplan.run (1 thread): {case: (out_dir, Result, scenario path)}."""
    scenarios = {"baseline": baseline, "share5": share5,
                 "overflow": baseline.parent.parent / "tests" / "data" /
                 "numeric" / "overflow.cfg"}
    runs = {}
    for case, (which, options) in RUN_CASES.items():
        path = scenarios[which]
        draws = 32768 if options.get("variance_reduction") == "rqmc" \
            else DRAWS
        out = tmp_path_factory.mktemp("cli") / case
        cli("run", path, "--draws", draws, "--seed", SEED, "--threads", 2,
            "--out", out, "--no-plots", "--quiet", *_cli_flags(options))
        result = simplan.run(path, draws=draws, seed=SEED, threads=1,
                             **options)
        runs[case] = (out, result, path)
    return runs


@pytest.mark.parametrize("case", list(RUN_CASES))
@pytest.mark.parametrize("fmt,name", [
    ("csv", "targets.csv"), ("indicators_csv", "indicators.csv"),
    ("iamc_csv", "iamc.csv"), ("drivers_csv", "drivers.csv")])
def test_report_files_are_bit_identical(cli_runs, case, fmt, name):
    out, result, _ = cli_runs[case]
    assert result.to_string(fmt) == read(out / name)


@pytest.mark.parametrize("case", list(RUN_CASES))
def test_targets_frame_matches_targets_csv(cli_runs, case):
    out, result, path = cli_runs[case]
    csv = read_csv(out / "targets.csv", keep_default_na=False,
                      na_values=[""])
    df = result.targets
    assert list(df.columns) == [
        "id", "name", "probability", "ci_low", "ci_high", "met", "draws",
        "measure_mean", "measure_p05", "measure_p25", "measure_p50",
        "measure_p75", "measure_p95", "param_mean", "param_low",
        "param_high", "failure"]
    renamed = csv.rename(columns={s: "measure_" + s for s in
                                  ("mean", "p05", "p25", "p50", "p75",
                                   "p95")})
    shared = [c for c in df.columns if c in renamed.columns]
    assert len(shared) == 16
    pdt.assert_frame_equal(df[shared], renamed[shared], check_exact=True,
                           check_dtype=False)
    assert ((df.probability >= 0) & (df.probability <= 1)).all()
    assert (df.met == (df.probability * df.draws).round()).all()
    assert df.id.tolist() == simplan.Scenario.from_file(path).targets


@pytest.mark.parametrize("case", list(RUN_CASES))
def test_indicators_frame_matches_indicators_csv(cli_runs, case):
    out, result, _ = cli_runs[case]
    csv = read_csv(out / "indicators.csv")
    pdt.assert_frame_equal(result.indicators, csv, check_exact=True)
    assert set(result.indicators.statistic) == {
        "mean", "p05", "p25", "p50", "p75", "p95"}


@pytest.mark.parametrize("case", list(RUN_CASES))
def test_drivers_and_iamc_frames(cli_runs, case):
    out, result, _ = cli_runs[case]
    csv = read_csv(out / "drivers.csv")
    pdt.assert_frame_equal(result.drivers, csv, check_exact=True,
                           check_dtype=False)
    if len(csv):
        assert result.drivers.groupby("target")["rank"].min().eq(1).all()
    iamc = result.to_iamc()
    pdt.assert_frame_equal(iamc, read_csv(out / "iamc.csv"),
                           check_exact=True)
    assert list(iamc.columns[:5]) == ["Model", "Scenario", "Region",
                                      "Variable", "Unit"]


def test_result_settings(cli_runs):
    _, result, path = cli_runs["default"]
    assert (result.draws, result.seed, result.threads) == (DRAWS, SEED, 1)
    assert result.rng == "xoshiro256ss"
    assert cli_runs["mt19937"][1].rng == "mt19937"
    assert result.scenario.sha256 == simplan.Scenario.from_file(path).sha256
    assert isinstance(result.warnings, list)
    assert all(isinstance(w, str) for w in result.warnings)


def test_csv_and_table_on_stdout(cli, cli_runs):
    _, result, path = cli_runs["default"]
    proc = cli("run", path, "--draws", DRAWS, "--seed", SEED,
               "--format", "csv", "--quiet")
    assert result.to_string("csv") == proc.stdout
    table = cli("run", path, "--draws", DRAWS, "--seed", SEED, "--threads",
                1, "--quiet").stdout
    # The second line gives the elapsed time, which differs between runs.
    def timeless(text):
        return re.sub(r"elapsed [0-9.]+ s", "elapsed", text)
    assert timeless(result.to_string("table")) == timeless(table)


@pytest.mark.parametrize("case", list(RUN_CASES))
def test_json_report_matches_summary_json(cli_runs, case):
    out, result, _ = cli_runs[case]
    if not simplan.features().get("json"):
        with pytest.raises(simplan.SimplanError) as info:
            result.to_json()
        assert info.value.status == simplan.Status.ERR_UNSUPPORTED
        return
    assert result.to_string("json") == result.to_json()
    report = json.loads(result.to_json())
    summary = json.loads(read(out / "summary.json"))
    # summary.json adds the provenance of the directory (command line,
    # settings, digest) to the report; the time taken differs.
    for key in report:
        if key not in ("elapsed_seconds", "threads"):
            assert report[key] == summary[key], key
    assert report["warnings"] == summary["warnings"] == result.warnings


def test_warnings_are_reported(cli_runs):
    warnings = cli_runs["overflow"][1].warnings
    assert any("overflowed" in w for w in warnings)
    assert all(isinstance(w, str) and w for w in warnings)


def test_markdown_and_format_names(cli_runs):
    _, result, _ = cli_runs["default"]
    assert result.to_string("markdown") == result.to_string(
        simplan.Format.MARKDOWN)
    with pytest.raises(ValueError):
        result.to_string("xml")


def test_scenario_object_and_changed_scenario_runs(baseline):
    sc = simplan.Scenario.from_file(baseline)
    a = simplan.run(sc, draws=DRAWS, seed=SEED, threads=2)
    b = simplan.run(str(baseline), draws=DRAWS, seed=SEED, threads=1)
    assert a.to_string("csv") == b.to_string("csv")
    faster = simplan.run(sc.set(GDP_MEAN, 0.07), draws=DRAWS, seed=SEED)
    p = dict(zip(a.targets.id, a.targets.probability))
    q = dict(zip(faster.targets.id, faster.targets.probability))
    assert q["gdp_2025"] > p["gdp_2025"]
    assert faster.scenario.get(GDP_MEAN) == 0.07


def test_bad_run_option_names_the_option(baseline):
    with pytest.raises(simplan.SimplanError) as info:
        simplan.run(baseline, draws=1000, rng="no-such-generator")
    assert info.value.status == simplan.Status.ERR_USAGE
    # named as the member of simplan_run_options
    assert info.value.field == "rng"
    with pytest.raises(simplan.SimplanError) as info:
        simplan.run(baseline, draws=1000, variance_reduction="rqmc")
    assert info.value.field == "draws"
    with pytest.raises(ValueError):
        simplan.run(baseline, draws=-1)
    with pytest.raises(ValueError):
        simplan.run(baseline, draws=2.5)


def test_save_writes_a_result_directory(cli_runs, tmp_path):
    out, result, _ = cli_runs["default"]
    target = tmp_path / "saved"
    result.save(target)
    for name in ("targets.csv", "indicators.csv", "drivers.csv", "iamc.csv"):
        assert read(target / name) == read(out / name)
    with pytest.raises(simplan.SimplanError) as info:
        result.save(target)
    assert info.value.status == simplan.Status.ERR_IO
    assert info.value.field == "dir"
    result.save(target, force=True)


# ---- 4. threads ---------------------------------------------------------


def test_two_threads_give_the_sequential_results(baseline, share5):
    scenarios = [simplan.Scenario.from_file(baseline),
                 simplan.Scenario.from_file(share5)]
    sequential = [simplan.run(sc, draws=DRAWS, seed=SEED, threads=1).targets
                  for sc in scenarios]
    parallel = [None, None]
    errors = []

    def work(k):
        try:
            parallel[k] = simplan.run(scenarios[k], draws=DRAWS, seed=SEED,
                                      threads=1).targets
        except BaseException as e:
            errors.append(e)

    workers = [threading.Thread(target=work, args=(k,)) for k in (0, 1)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    assert not errors
    for seq, par in zip(sequential, parallel):
        pdt.assert_frame_equal(seq, par, check_exact=True)


def test_one_scenario_shared_by_threads(share5):
    sc = simplan.Scenario.from_file(share5)
    expected = simplan.run(sc, draws=DRAWS, seed=3).to_string("csv")
    got = []
    workers = [threading.Thread(
        target=lambda: got.append(
            simplan.run(sc, draws=DRAWS, seed=3).to_string("csv")))
        for _ in range(3)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    assert got == [expected] * 3


def test_cancel_token_from_another_thread(baseline):
    token = simplan.CancelToken()
    box = {}

    def work():
        try:
            simplan.run(baseline, draws=10 ** 10, threads=1, cancel=token)
        except BaseException as e:
            box["error"] = e

    worker = threading.Thread(target=work)
    worker.start()
    time.sleep(0.5)
    token.request()
    assert token.requested
    worker.join(60)
    assert not worker.is_alive()
    e = box.get("error")
    assert isinstance(e, simplan.SimplanError), e
    assert e.status == simplan.Status.ERR_CANCELLED
    token.reset()
    assert not token.requested


# ---- 5. Ctrl-C ----------------------------------------------------------


CTRL_C = {
    "run": "simplan.run(sc, draws=10**10, threads=1)",
    "sweep": "simplan.sweep(sc, {%r: (0.03, 0.07, 5)}, draws=10**10, "
             "threads=1)" % GDP_MEAN,
    "solve": "simplan.solve(sc, 'gdp_2025', 0.8, %r, draws=10**10, "
             "threads=1)" % GDP_MEAN,
}

CHILD = """
import sys, simplan
sc = simplan.Scenario.from_file(sys.argv[1])
print("started", flush=True)
try:
    {call}
except KeyboardInterrupt:
    # usable again after the stop
    simplan.run(sc, draws=1000, seed=1)
    print("recovered", flush=True)
    raise
print("finished", flush=True)
"""


@pytest.mark.parametrize("what", list(CTRL_C))
def test_ctrl_c_stops_the_computation(what, baseline, child_env):
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD.format(call=CTRL_C[what]),
         str(baseline)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env=child_env)
    try:
        assert child.stdout.readline().strip() == "started"
        time.sleep(0.5)  # inside the C call
        child.send_signal(signal.SIGINT)
        out, err = child.communicate(timeout=60)  # a hang guard only
    finally:
        if child.poll() is None:
            child.kill()
            child.communicate()
    assert child.returncode != 0
    assert "KeyboardInterrupt" in err
    assert "recovered" in out and "finished" not in out


# ---- 6. solve and sweep -------------------------------------------------


def test_sweep_one_lever_matches_command(cli, baseline):
    sc = simplan.Scenario.from_file(baseline)
    levers = {GDP_MEAN: (0.03, 0.07, 5)}
    sw = simplan.Sweep.run(sc, levers, draws=DRAWS, seed=SEED)
    proc = cli("sweep", baseline, "--vary", f"{GDP_MEAN}=0.03:0.07:5",
               "--draws", DRAWS, "--seed", SEED, "--format", "csv")
    assert sw.to_csv() == proc.stdout
    assert sw.to_string("table") == cli(
        "sweep", baseline, "--vary", f"{GDP_MEAN}=0.03:0.07:5", "--draws",
        DRAWS, "--seed", SEED).stdout

    df = simplan.sweep(sc, levers, draws=DRAWS, seed=SEED)
    assert list(df.columns) == ["lever", "value", "target", "probability",
                                "ci_low", "ci_high"]
    assert len(df) == 5 * len(sc.targets)
    assert df.groupby("target").size().eq(5).all()
    assert df.probability.between(0, 1).all()
    assert (df.ci_low <= df.probability).all()
    assert (df.probability <= df.ci_high).all()
    pdt.assert_frame_equal(df, read_csv(proc.stdout),
                           check_exact=True)
    # Common random numbers: a faster GDP path never lowers P(GDP target).
    cli_df = read_csv(proc.stdout)
    for target in ("gdp_2025", "gdp_double_2035"):
        p = df[df.target == target].sort_values("value").probability
        assert p.is_monotonic_increasing
        assert (cli_df[cli_df.target == target].sort_values("value")
                .probability.is_monotonic_increasing)
    values = sorted(set(df.value))
    assert values[0] == 0.03 and values[-1] == 0.07 and len(values) == 5


def test_sweep_two_levers_matches_command(cli, share5):
    levers = [("indicators.s.path[0].mean", 0.0, 0.02, 3),
              ("targets.above.value", 0.54, 0.58, 2)]
    sw = simplan.Sweep.run(share5, levers, draws=DRAWS, seed=SEED)
    proc = cli("sweep", share5,
               "--vary", "indicators.s.path[0].mean=0:0.02:3",
               "--vary", "targets.above.value=0.54:0.58:2",
               "--draws", DRAWS, "--seed", SEED, "--format", "csv")
    assert sw.to_csv() == proc.stdout
    df = sw.to_frame()
    assert list(df.columns) == ["lever", "value", "lever2", "value2",
                                "target", "probability", "ci_low", "ci_high"]
    assert len(df) == 3 * 2 * 2 == sw.n_points * sw.n_targets
    pdt.assert_frame_equal(df, read_csv(proc.stdout),
                           check_exact=True)


def test_sweep_rejects_bad_levers(baseline):
    with pytest.raises(ValueError):
        simplan.sweep(baseline, {}, draws=1000)
    with pytest.raises(simplan.SimplanError) as info:
        simplan.sweep(baseline, {"indicators.nosuch.base": (1, 2, 3)},
                      draws=1000)
    assert info.value.status == simplan.Status.ERR_USAGE
    with pytest.raises(TypeError):
        simplan.sweep(baseline, {GDP_MEAN: (0.03, 0.07, 3)}, drawz=1000)


def _cli_solution(cli, path, *extra):
    proc = cli("solve", path, "--target", "gdp_2025", "--prob", 0.8,
               "--vary", GDP_MEAN, "--draws", DRAWS, "--seed", SEED,
               "--format", "csv", *extra)
    rows = read_csv(proc.stdout)
    assert len(rows) == 1
    return rows.iloc[0]


@pytest.mark.parametrize("extra", [(), ("--range", "0.03:0.08",
                                        "--tol", "1e-5")])
def test_solve_matches_command(cli, baseline, extra):
    kwargs = {}
    if extra:
        kwargs = {"range": (0.03, 0.08), "tol": 1e-5}
    s = simplan.solve(baseline, "gdp_2025", 0.8, GDP_MEAN, draws=DRAWS,
                      seed=SEED, **kwargs)
    assert isinstance(s, simplan.Solution)
    assert s.lo <= s.value <= s.hi
    assert s.a <= s.value <= s.b
    assert min(s.p_a, s.p_b) <= 0.8 <= max(s.p_a, s.p_b)
    assert (s.draws, s.seed) == (DRAWS, SEED)
    row = _cli_solution(cli, baseline, *extra)
    assert s.value == row["value"]
    assert (s.a, s.b) == (row["bracket_low"], row["bracket_high"])
    assert s.evaluations == row["evaluations"]
    assert s.draws == row["draws"] and s.seed == row["seed"]
    if s.resolved:
        assert s.mc_sd == row["mc_sd"]
        assert s.ci_low == row["ci_low"] and s.ci_high == row["ci_high"]
    else:
        assert math.isnan(row["mc_sd"])
    if extra:
        assert (s.lo, s.hi) == (0.03, 0.08)


def test_solve_default_tolerance(baseline):
    """tol None (0): a bracket width of 1e-5 of the range searched."""
    default = simplan.solve(baseline, "gdp_2025", 0.8, GDP_MEAN, draws=DRAWS,
                            seed=SEED)
    explicit = simplan.solve(baseline, "gdp_2025", 0.8, GDP_MEAN,
                             draws=DRAWS, seed=SEED,
                             tol=(default.hi - default.lo) * 1e-5)
    assert default == explicit
    assert default.b - default.a <= (default.hi - default.lo) * 1e-5


def test_solve_errors(baseline):
    with pytest.raises(simplan.SimplanError) as info:
        simplan.solve(baseline, "no_such_target", 0.8, GDP_MEAN, draws=1000)
    assert info.value.status == simplan.Status.ERR_USAGE
    with pytest.raises(simplan.ScenarioError) as info:
        # P(GDP >= 4.5 %/yr) cannot be 0.999 with the path mean up to 0.051
        simplan.solve(baseline, "gdp_2025", 0.999, GDP_MEAN,
                      range=(0.049, 0.051), draws=DRAWS, seed=SEED)
    assert info.value.status == simplan.Status.ERR_RANGE


# ---- 7. merge -----------------------------------------------------------


def test_merge_of_slices_is_the_whole_run(cli, baseline, tmp_path):
    common = ["--draws", DRAWS, "--seed", SEED, "--no-plots", "--quiet"]
    whole, d1, d2 = tmp_path / "whole", tmp_path / "d1", tmp_path / "d2"
    cli("run", baseline, "--out", whole, *common)
    cli("run", baseline, "--slice", "1/2", "--out", d1, *common)
    cli("run", baseline, "--slice", "2/2", "--out", d2, *common)
    merged = simplan.merge([d1, d2])
    assert merged.to_string("csv") == read(whole / "targets.csv")
    assert merged.to_string("indicators_csv") == read(
        whole / "indicators.csv")
    assert merged.threads == 0
    assert merged.draws == DRAWS
    assert merged.scenario.sha256 == simplan.Scenario.from_file(
        baseline).sha256
    with pytest.raises(simplan.SimplanError):
        simplan.merge([d1])


def test_saved_result_merges_back(baseline, tmp_path):
    result = simplan.run(baseline, draws=DRAWS, seed=SEED)
    result.save(tmp_path / "r")
    again = simplan.merge([tmp_path / "r"])
    assert again.to_string("csv") == result.to_string("csv")


# ---- 8. scenario errors -------------------------------------------------


def _manifest(root):
    rows = []
    for line in read(root / "tests" / "data" / "errors" /
                     "manifest.tsv").splitlines():
        if not line or line.startswith("#"):
            continue
        name, code, line_no, field, status = line.split("\t")
        if not name.startswith("gen:"):
            rows.append((name, int(code), int(line_no),
                         "" if field == "-" else field, status))
    return rows


def test_error_fixtures_name_file_line_and_field(root):
    rows = _manifest(root)
    assert len(rows) > 60
    failures = []
    for name, code, line_no, field, status in rows:
        path = root / "tests" / "data" / "errors" / name
        try:
            simplan.Scenario.from_file(path).check()
        except simplan.SimplanError as e:
            got = (isinstance(e, simplan.ScenarioError), e.exit_code,
                   e.file, e.line, e.field,
                   str(e).endswith(f"({status})"))
            want = (code == 2, code, str(path), line_no, field, True)
            if got != want:
                failures.append(f"{name}: got {got}, want {want}: {e}")
        else:
            failures.append(f"{name}: no error")
    assert not failures, "\n".join(failures)


def test_bad_value_error_attributes(root):
    path = root / "tests" / "data" / "errors" / "range_ar1_one.cfg"
    with pytest.raises(simplan.ScenarioError) as info:
        simplan.Scenario.from_file(path)
    e = info.value
    assert e.file == str(path)
    assert e.line == 24
    assert e.field == "indicators.gdp.ar1"
    assert e.status == simplan.Status.ERR_RANGE
    assert e.exit_code == 2
    assert str(e).startswith(f"{path}:24: error: indicators.gdp.ar1: ")
    assert e.message and e.message in str(e)


def test_errors_as_the_command_prints_them(cli, root):
    path = root / "tests" / "data" / "errors" / "range_sd_negative.cfg"
    proc = cli("check", path, check=False)
    assert proc.returncode == 2
    with pytest.raises(simplan.ScenarioError) as info:
        simplan.Scenario.from_file(path)
    assert proc.stderr.strip() == f"simplan: {info.value}"


# ---- the example --------------------------------------------------------


def test_sweep_example_writes_a_png(root, tmp_path, child_env):
    png = tmp_path / "sweep.png"
    proc = subprocess.run(
        [sys.executable, str(root / "python" / "examples" / "sweep_lever.py"),
         "--out", str(png), "--draws", "5000", "--steps", "4"],
        capture_output=True, text=True, env=child_env, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
