#!/usr/bin/env bash
# Measures whole-cluster restarts: a 3-node chain with 2 masters under write load, every node and master killed with
# kill -9 and the ZooKeeper server with them, then everything started again in a random order, N times. Prints, per
# cycle, how long after the restart began the first write was acknowledged, and checks at the end that every
# acknowledged write is still there (docs/healing.md, "The whole cluster restarts").
#
#   scripts/measure-restart.sh [--cycles N]      (default 5)
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/measure.sh

measure_parse measure-restart.sh --cycles 5 "$@"
measure_run 'WholeClusterRestartTest#wholeClusterRestartsUnderWriteLoad' restart-measurement.txt \
    -Dchainkv.restart.cycles="$MEASURE_VALUE"
