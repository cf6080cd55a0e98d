#!/usr/bin/env bash
# Measures write unavailability after kill -9 of the head, a middle node and the tail of a 3-node chain
# (ZooKeeper + master + nodes as real processes, default settings): the longest gap between two successful
# writes of a client writing without pause. Prints a table of median / max / min per role.
#
#   scripts/measure-failover.sh [--trials N]      (default 10 trials per role; each trial starts a cluster)
set -euo pipefail
cd "$(dirname "$0")/.."

trials=10
while [[ $# -gt 0 ]]
do
    case "$1" in
        --trials) trials="${2:?--trials needs a number}"; shift 2 ;;
        -h|--help) sed -n '2,7p' "$0"; exit 0 ;;
        *) echo "measure-failover.sh: unknown argument '$1' (try --help)" >&2; exit 2 ;;
    esac
done
[[ "$trials" =~ ^[1-9][0-9]*$ ]] || { echo "measure-failover.sh: --trials must be a positive number" >&2; exit 2; }

mvn -q -B install -DskipTests
mvn -q -B -pl chain-master test -Dtest=FailoverUnavailabilityMeasurement -Dgroups=measurement \
    -Dchainkv.test.excludedGroups=none -Dchainkv.failover.trials="$trials"
echo
cat chain-master/target/failover-measurement.txt
