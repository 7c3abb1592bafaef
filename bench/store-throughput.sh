#!/usr/bin/env bash
# C-STORE throughput, ours against DCMTK on the same files in one run; prints a table of ratios.
# Usage: bench/store-throughput.sh [images=500] [multiframes=3]   (needs dcmtk; ~1.3 GB in bench/target)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
log=$(mktemp)
if ! mvn -B -q -ntp -Dmaven.test.skip=true -pl bench,cli -am package >"$log" 2>&1; then cat "$log"; rm -f "$log"; exit 1; fi
rm -f "$log"
mkdir -p bench/target/work
gcc -shared -fPIC -O2 -o bench/target/loopback-bind.so scripts/loopback-bind.c -ldl
exec java -cp "bench/target/classes:dicom/target/classes" org.dicomrelay.bench.StoreBench \
  bench/target/work ./dicom-relay bench/target/loopback-bind.so "${1:-500}" "${2:-3}"
