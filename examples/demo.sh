#!/bin/sh
# SPDX-License-Identifier: MIT
# A short tour: create a store, put a few versions, read and list them.
set -eu
sd=${STATUSDIR:-./cli/statusdir}
store=${1:-demo-store}
rm -rf "$store"
"$sd" init "$store"
echo "status: starting" | "$sd" put "$store"
echo "status: ok, 3 jobs" | "$sd" put "$store"
"$sd" put "$store" --run sh -c 'echo "status: ok, load $(cut -d" " -f1 /proc/loadavg)"'
echo "--- newest version (statusdir get):"
"$sd" get "$store"
echo "--- history (statusdir log):"
"$sd" log "$store"
echo "--- check (statusdir verify):"
"$sd" verify "$store"
