#!/usr/bin/env bash
# Measures healing on one machine: ZooKeeper + master + 4 nodes (a chain of 3 and a spare) as real processes,
# default settings. Loads N keys of 100 B, keeps a steady writer going, kill -9s the tail, and reports the
# state transfer rate to the spare (MB/s, entries/s), the write throughput before / during / after the
# transfer, and the time from the kill to the full replication factor.
#
#   scripts/measure-transfer.sh [--keys N]      (default 1000000)
set -euo pipefail
cd "$(dirname "$0")/.."

keys=1000000
while [[ $# -gt 0 ]]
do
    case "$1" in
        --keys) keys="${2:?--keys needs a number}"; shift 2 ;;
        -h|--help) sed -n '2,8p' "$0"; exit 0 ;;
        *) echo "measure-transfer.sh: unknown argument '$1' (try --help)" >&2; exit 2 ;;
    esac
done
[[ "$keys" =~ ^[1-9][0-9]*$ ]] || { echo "measure-transfer.sh: --keys must be a positive number" >&2; exit 2; }

mvn -q -B install -DskipTests
mvn -q -B -pl chain-master test -Dtest=StateTransferMeasurement -Dgroups=measurement \
    -Dchainkv.test.excludedGroups=none -Dchainkv.measure.keys="$keys"
echo
cat chain-master/target/transfer-measurement.txt
