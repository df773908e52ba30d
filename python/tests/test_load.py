# SPDX-License-Identifier: MIT
"""The library is loaded by its soname, or from $STATUSDIR_LIBRARY."""

import os
import subprocess
import sys

from conftest import _env_path

CODE = "from statusdir import _lib; print(_lib.lib._name)"


def run(env):
    return subprocess.run([sys.executable, "-c", CODE], env=env, capture_output=True,
                          text=True, timeout=60)


def test_soname_by_default():
    built = _env_path("STATUSDIR_LIBRARY")
    env = dict(os.environ, LD_LIBRARY_PATH=os.path.dirname(built))
    del env["STATUSDIR_LIBRARY"]
    r = run(env)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "libstatusdir.so.0"


def test_environment_names_the_file(tmp_path):
    r = run(dict(os.environ, STATUSDIR_LIBRARY=str(tmp_path / "libnone.so")))
    assert r.returncode != 0
    assert "OSError" in r.stderr and "libnone.so" in r.stderr
