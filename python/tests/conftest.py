"""Shared fixtures of the simplan Python tests.

The repository root is found from this file's location; the package is
imported from <root>/python when it is not already importable; the
command-line binary is $SIMPLAN_BIN or <root>/build/simplan.
"""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PYTHON_DIR = ROOT / "python"

if str(PYTHON_DIR) not in sys.path:
    sys.path.insert(0, str(PYTHON_DIR))


def _binary():
    return Path(os.environ.get("SIMPLAN_BIN", ROOT / "build" / "simplan"))


@pytest.fixture(scope="session")
def root():
    """The repository root."""
    return ROOT


@pytest.fixture(scope="session")
def simplan_bin():
    """The path of the simplan command (fails the test when missing)."""
    path = _binary()
    if not (path.is_file() and os.access(path, os.X_OK)):
        pytest.fail(f"no simplan binary at {path}: build it or set "
                    "SIMPLAN_BIN")
    return path


@pytest.fixture(scope="session")
def cli(simplan_bin):
    """cli(*args, check=True) runs the command; returns CompletedProcess
    with text stdout and stderr."""

    def run(*args, check=True, timeout=300):
        proc = subprocess.run([str(simplan_bin), *map(str, args)],
                              capture_output=True, text=True,
                              timeout=timeout)
        if check and proc.returncode != 0:
            raise AssertionError(
                f"simplan {' '.join(map(str, args))} exited "
                f"{proc.returncode}:\n{proc.stderr}")
        return proc

    return run


@pytest.fixture(scope="session")
def baseline(root):
    """Path of scenarios/baseline.cfg."""
    return root / "scenarios" / "baseline.cfg"


@pytest.fixture(scope="session")
def share5(root):
    """Path of the closed-form share scenario tests/data/rqmc/share5.cfg."""
    return root / "tests" / "data" / "rqmc" / "share5.cfg"


@pytest.fixture(scope="session")
def child_env():
    """The environment for a child /usr/bin/python3 importing simplan."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(
        [str(PYTHON_DIR)] + ([env["PYTHONPATH"]] if env.get("PYTHONPATH")
                             else []))
    return env
