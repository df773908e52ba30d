#!/bin/bash
# SPDX-License-Identifier: MIT
# TAP: statusdir on GlusterFS from two hosts: glusterd and a distribute
# volume of two bricks in a network namespace, two mounts of the volume
# (tests/multihost/checks.sh runs the checks; spec/filesystems.md,
# "GlusterFS", says what they found).  Root only, and only with
# STATUSDIR_GLUSTERFS=1, while the open problems written there stand;
# "1..0 # SKIP" where GlusterFS is missing (with CI=true: a failure) and
# under STATUSDIR_QUICK.
# Packages: glusterfs-server glusterfs-client.
# Shorter than the MooseFS run (under 3 minutes): MH_TORTURE_SECONDS (15)
# and MH_TRIES (100) unless set.
MH_FS=glusterfs
: "${MH_TORTURE_SECONDS:=15}" "${MH_TRIES:=100}"
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/multihost/checks.sh"
