#!/usr/bin/env bash
# Measures write unavailability after kill -9 of the head, a middle node and the tail of a 3-node chain
# (ZooKeeper + master + nodes as real processes, default settings): the longest gap between two successful
# writes of a client writing without pause. Prints a table of median / max / min per role.
#
#   scripts/measure-failover.sh [--trials N]      (default 10 trials per role; each trial starts a cluster)
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/measure.sh

measure_parse measure-failover.sh --trials 10 "$@"
measure_run FailoverUnavailabilityMeasurement failover-measurement.txt -Dchainkv.failover.trials="$MEASURE_VALUE"
