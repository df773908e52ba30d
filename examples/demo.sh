#!/bin/sh
# SPDX-License-Identifier: MIT
# A short tour: create a store, put a few versions, read and list them.
set -eu
sd=${STATUSDIR:-./cli/statusdir}
store=${1:-demo-store}
rm -rf "$store"
"$sd" init "$store"
# put --run, not a pipe: put commits the output only if the command exits 0
# (a pipe would commit whatever a failed command wrote, even nothing).
"$sd" put "$store" --run echo "status: starting"
"$sd" put "$store" --run echo "status: ok, 3 jobs"
"$sd" put "$store" --no-empty --run sh -c 'echo "status: ok, load $(cut -d" " -f1 /proc/loadavg)"'
echo "--- newest version (statusdir get):"
"$sd" get "$store"
echo "--- history (statusdir log):"
"$sd" log "$store"
echo "--- check (statusdir verify):"
"$sd" verify "$store"
