"""simplan.fit and simplan.backtest against the command's `fit` and
`backtest`: the same reports byte for byte, and errors with their file,
line and field."""

import pytest

import simplan


@pytest.fixture(scope="module")
def im_data(root):
    return root / "data" / "inner_mongolia.csv"


@pytest.fixture(scope="module")
def provinces(root):
    return root / "data" / "provinces.csv"


def test_fit_reports_equal_the_command(cli, baseline, im_data):
    f = simplan.fit(baseline, im_data)
    assert f.to_string("table") == cli("fit", im_data, "--scenario",
                                       baseline).stdout
    assert f.to_string("cfg") == cli("fit", im_data, "--scenario", baseline,
                                     "--format", "cfg").stdout
    if simplan.features()["json"]:
        assert f.to_string("json") == cli("fit", im_data, "--scenario",
                                          baseline, "--format",
                                          "json").stdout
        assert isinstance(f.estimates, dict)


def test_fit_with_bounds_and_a_subset(cli, baseline, im_data):
    f = simplan.fit(baseline, im_data, indicators=["gdp"], from_year=2012)
    assert f.to_string() == cli("fit", im_data, "--scenario", baseline,
                                "--indicator", "gdp", "--from",
                                "2012").stdout


def test_fitted_scenario_runs(baseline, im_data):
    fitted = simplan.fit(baseline, im_data).scenario
    assert fitted.check()
    assert fitted.targets == simplan.Scenario.from_file(baseline).targets
    r = simplan.run(fitted, draws=2000, seed=1)
    assert len(r.targets) == len(fitted.targets)


def test_fit_errors(baseline, im_data, tmp_path):
    with pytest.raises(simplan.SimplanError) as info:
        simplan.fit(baseline, tmp_path / "missing.csv")
    assert info.value.status_name == "SIMPLAN_ERR_IO"
    bad = tmp_path / "bad.csv"
    bad.write_text(im_data.read_text().splitlines()[0] + "\nx,y\n")
    with pytest.raises(simplan.ScenarioError) as info:
        simplan.fit(baseline, bad)
    assert info.value.file == str(bad)
    assert info.value.line == 2
    with pytest.raises(simplan.ScenarioError) as info:
        simplan.fit(baseline, im_data, indicators=["nope"])
    with pytest.raises(ValueError):
        simplan.fit(baseline, im_data, from_year=12)
    with pytest.raises(ValueError):
        simplan.fit(baseline, im_data).to_string("csv")


def test_backtest_reports_equal_the_command(cli, baseline, provinces,
                                            tmp_path):
    args = ("--data", provinces, "--origins", "2014:2016", "--draws", "2000",
            "--threads", "1", "--no-sd-factor")
    bt = simplan.backtest(baseline, provinces, (2014, 2016), draws=2000,
                          threads=1, sd_factor=False)
    assert bt.to_string("csv") == cli("backtest", baseline, *args,
                                      "--format", "csv").stdout
    assert bt.to_string() == cli("backtest", baseline, *args).stdout
    scores = bt.scores
    assert {"region", "origin", "indicator", "pit", "crps"} <= set(
        scores.columns)
    assert ((scores["pit"] >= 0) & (scores["pit"] <= 1)).all()
    out = tmp_path / "bt"
    assert bt.save(out) is None
    assert (out / "scores.csv").read_text() == bt.to_string("csv")
    with pytest.raises(simplan.SimplanError) as info:
        bt.save(out)  # exists, no force
    assert info.value.field == "dir"
    bt.save(out, force=True)
    if simplan.features()["json"]:
        summary = bt.summary
        assert summary["scored"] == len(scores)
        assert 0 <= summary["coverage90"] <= 1


def test_backtest_errors(baseline, provinces):
    with pytest.raises(ValueError):
        simplan.backtest(baseline, provinces, (2014,))
    with pytest.raises(simplan.SimplanError) as info:
        simplan.backtest(baseline, provinces, (2016, 2014))
    assert info.value.status_name == "SIMPLAN_ERR_USAGE"
    with pytest.raises(simplan.SimplanError) as info:
        simplan.backtest(baseline, provinces, (2014, 2016), rng="nope")
    assert info.value.field == "rng"
    with pytest.raises(simplan.ScenarioError):
        simplan.backtest(baseline, provinces, (2014, 2016),
                         regions=["atlantis"], draws=2000)
