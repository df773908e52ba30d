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
echo "status: starting" | "$sd" put "$store"
echo "status: ok, 3 jobs" | "$sd" put "$store"
"$sd" put "$store" --run sh -c 'echo "status: ok, load $(cut -d" " -f1 /proc/loadavg)"'
echo "--- newest version (statusdir get):"
"$sd" get "$store"
echo "--- history (statusdir log):"
"$sd" log "$store"
echo "--- check (statusdir verify):"
"$sd" verify "$store"
echo "--- the demo store is $store (remove it with: rm -r $(dirname "$store"))"
