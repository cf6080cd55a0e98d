#!/usr/bin/env bash
# Measures healing on one machine: ZooKeeper + master + 4 nodes (a chain of 3 and a spare) as real processes,
# default settings. Loads N keys of 100 B, keeps a steady writer going, kill -9s the tail, and reports the
# state transfer rate to the spare (MB/s, entries/s), the write throughput before / during / after the
# transfer, and the time from the kill to the full replication factor.
#
#   scripts/measure-transfer.sh [--keys N]      (default 1000000)
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/measure.sh

measure_parse measure-transfer.sh --keys 1000000 "$@"
measure_run StateTransferMeasurement transfer-measurement.txt -Dchainkv.measure.keys="$MEASURE_VALUE"
