#!/bin/bash
# SPDX-License-Identifier: MIT
# TAP: statusdir on MooseFS from two hosts: a master and a chunkserver in a
# network namespace, two mounts of one volume (tests/multihost/checks.sh
# runs the checks; spec/filesystems.md, "MooseFS", says what they found).
# Root only; "1..0 # SKIP" where MooseFS is missing (with CI=true: a
# failure) and under STATUSDIR_QUICK.
MH_FS=moosefs
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/multihost/checks.sh"
