#!/bin/sh
# SPDX-License-Identifier: MIT
# A short tour: create a store, put a few versions, read and list them.
# The store goes in a new temporary folder (or STORE, if given), never in
# the source tree; the last line says where it is.
set -eu
sd=${STATUSDIR:-$(dirname "$0")/../cli/statusdir}
if [ $# -gt 0 ]; then
	store=$1
else
	store=$(mktemp -d "${TMPDIR:-/tmp}/statusdir-demo.XXXXXX")/store
fi
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
echo "--- the demo store is $store (remove it with: rm -r $(dirname "$store"))"
