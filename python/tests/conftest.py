# SPDX-License-Identifier: MIT
"""Fixtures for the statusdir module's tests.

tests/python/pytest.sh (make check) sets STATUSDIR_LIBRARY to the library
of the build, STATUSDIR_CLI to its statusdir program, STATUSDIR_ABI to the
program tests/python/abi and STATUSDIR_HEADER to lib/statusdir.h; tests
that need one that is not set are skipped.
"""

import os
import subprocess
import sys

import pytest

import statusdir


def _env_path(name: str) -> str:
    path = os.environ.get(name)
    if not path or not os.path.exists(path):
        pytest.skip(f"${name} does not name a file (set by tests/python/pytest.sh)")
    return path


@pytest.fixture
def store_path(tmp_path):
    """A path where no store is yet."""
    return str(tmp_path / "store")


@pytest.fixture
def store(store_path):
    """A new, empty store, open."""
    with statusdir.Store(store_path, create=True) as s:
        yield s


@pytest.fixture
def cli():
    """Runs the statusdir program of the build: cli(*args, input=b"")."""
    program = _env_path("STATUSDIR_CLI")

    def run(*args, input=b"", check=True):
        return subprocess.run([program, *args], input=input, capture_output=True,
                              check=check, timeout=60)
    return run


@pytest.fixture
def python_child():
    """Runs a Python program in a child with this module and library."""
    def run(code, **kw):
        return subprocess.Popen([sys.executable, "-c", code], **kw)
    return run
