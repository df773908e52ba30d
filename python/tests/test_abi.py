# SPDX-License-Identifier: MIT
"""The ctypes mirrors of python/statusdir/_lib.py against lib/statusdir.h:
the compiler's values (the program tests/python/abi) and the header's text."""

import ctypes
import re
import subprocess

import pytest

from statusdir import _lib
from conftest import _env_path


@pytest.fixture(scope="module")
def abi():
    out = subprocess.run([_env_path("STATUSDIR_ABI")], capture_output=True, check=True,
                         text=True).stdout
    consts, sizes, fields = {}, {}, {}
    for line in out.splitlines():
        kind, *rest = line.split()
        if kind == "const":
            consts[rest[0]] = int(rest[1])
        elif kind == "size":
            sizes[rest[0]] = int(rest[1])
        else:
            fields.setdefault(rest[0], {})[rest[1]] = (int(rest[2]), int(rest[3]))
    return consts, sizes, fields


@pytest.fixture(scope="module")
def header():
    with open(_env_path("STATUSDIR_HEADER")) as f:
        return f.read()


def test_constants_match_the_compiler(abi):
    consts = abi[0]
    assert consts, "abi printed no constant"
    for name, value in consts.items():
        assert _lib.CONSTANTS.get(name) == value, name
    for name in _lib.CONSTANTS.keys() - consts.keys():
        assert name in _lib.PENDING_CONSTANTS, f"{name} is not in statusdir.h"


def test_every_constant_of_the_header_is_mirrored_and_printed(abi, header):
    names = set(re.findall(r"^#define (STATUSDIR_\w+)\s", header, re.M))
    names |= set(re.findall(r"^\s+(STATUSDIR_\w+)\s*[=,]", header, re.M))
    names -= {"STATUSDIR_H", "STATUSDIR_API"}
    assert "STATUSDIR_EV_UNREADABLE" in names and "STATUSDIR_ID_MAX" in names
    assert names <= _lib.CONSTANTS.keys(), names - _lib.CONSTANTS.keys()
    assert names == abi[0].keys(), names ^ abi[0].keys()


def test_structures_match_the_compiler(abi):
    _, sizes, fields = abi
    assert sizes.keys() == _lib.STRUCTURES.keys()
    for tag, cls in _lib.STRUCTURES.items():
        assert ctypes.sizeof(cls) == sizes[tag], tag
        mirrored = {name: (getattr(cls, name).offset, getattr(cls, name).size)
                    for name, _ in cls._fields_}
        assert mirrored == fields[tag], tag


def test_every_structure_member_of_the_header_is_mirrored(header):
    for tag, cls in _lib.STRUCTURES.items():
        body = re.search(r"^struct %s \{(.*?)^\};" % tag, header, re.M | re.S)
        assert body, tag
        text = re.sub(r"/\*.*?\*/", "", body.group(1), flags=re.S)
        members = re.findall(r"(\w+)(?:\[[^]]*\])?;", text)
        assert members == [name for name, _ in cls._fields_], tag


def test_every_function_of_the_header_is_declared(header):
    names = set(re.findall(r"^STATUSDIR_API [^(]*?\b(statusdir_\w+)\(", header, re.M))
    assert "statusdir_open" in names
    assert names <= _lib.PROTOTYPES.keys(), names - _lib.PROTOTYPES.keys()
    for name in _lib.PROTOTYPES.keys() - names:
        assert name in _lib.OPTIONAL_FUNCTIONS, f"{name} is not in statusdir.h"
    # and the library loaded exports each of them
    for name in names:
        assert hasattr(_lib.lib, name), name
