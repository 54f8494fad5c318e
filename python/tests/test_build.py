"""Scenarios built in code: Scenario.from_dict and to_libconfig."""

import libconf
import pytest

import simplan


def test_a_dict_of_a_shipped_scenario_runs_as_the_file(root):
    path = root / "scenarios" / "minimal.cfg"
    with open(path, encoding="utf-8") as f:
        groups = libconf.load(f)
    built = simplan.Scenario.from_dict(groups)
    from_file = simplan.Scenario.from_file(path)
    assert built.file == "<dict>"
    assert built.targets == from_file.targets
    assert built.indicators == from_file.indicators
    a = simplan.run(built, draws=5000, seed=3)
    b = simplan.run(from_file, draws=5000, seed=3)
    assert a.to_string("csv") == b.to_string("csv")
    assert a.to_string("indicators_csv") == b.to_string("indicators_csv")


def test_a_scenario_written_in_code_is_checked_like_a_file():
    groups = {
        "scenario": {"name": "built", "base_year": 2020, "horizon": 2022},
        "simulation": {"draws": 1000, "seed": 1},
        "indicators": [{"name": "a", "kind": "rate", "base": 1.0,
                        "path": [{"from": 2021, "to": 2022, "mean": 0.02,
                                  "sd": 0.01}]}],
        "targets": [{"id": "t", "name": 'a "quoted" name', "indicator": "a",
                     "measure": "cagr", "from": 2020, "to": 2022,
                     "op": "between", "range": [0.01, 0.03]}],
    }
    sc = simplan.Scenario.from_dict(groups, name="built.cfg")
    assert sc.check()
    assert sc.get("targets.t.range[1]") == 0.03
    groups["indicators"][0]["path"][0]["sd"] = -1.0
    with pytest.raises(simplan.ScenarioError) as info:
        simplan.Scenario.from_dict(groups, name="built.cfg")
    assert info.value.field == "indicators.a.path[0].sd"
    assert info.value.file == "built.cfg"


def test_values_libconfig_cannot_hold_are_refused():
    with pytest.raises(ValueError):
        simplan.to_libconfig({"scenario": {"x": float("nan")}})
    with pytest.raises(ValueError):
        simplan.to_libconfig({"scenario": {"bad key": 1}})
    with pytest.raises(ValueError):
        simplan.to_libconfig({"scenario": {"x": [1, {"a": 2}]}})
    with pytest.raises(TypeError):
        simplan.to_libconfig(["not", "a", "dict"])
    assert simplan.to_libconfig({"g": {"n": 10 ** 11, "x": 1e-7}}) == \
        "g = {\n  n = 100000000000L;\n  x = 1e-07;\n};\n"
