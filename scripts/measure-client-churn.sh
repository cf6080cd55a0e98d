#!/usr/bin/env bash
# Client churn: many short-lived client instances (each connects, writes once and closes) against a static 3-node chain
# of real node processes, as ClientChurnTest runs 500 of them in the test suite. Checks that every write is answered or
# refused clearly, that none is half-applied and that the members end identical, and prints the figures (instances per
# second, per-instance latency, refusals). Before client sessions, such a chain stopped answering new instances after
# about 1,000 of them (its media driver ran out of counters) and the exactly-once table filled for good.
#
#   scripts/measure-client-churn.sh [--clients N] [--threads T] [--capacity C] [--shared-driver]
#                                   (defaults 100000 instances, 2 threads, 64 sessions)
#
# Each instance starts its own media driver unless --shared-driver (one driver for all, as applications on one host
# may share one): with its own, about 20 instances a second on a 2-core machine, so 100,000 take over an hour.
set -euo pipefail
cd "$(dirname "$0")/.."

clients=100000
threads=2
capacity=64
shared=false
while (( $# > 0 ))
do
    case "$1" in
        --clients) clients="${2:?}"; shift 2 ;;
        --threads) threads="${2:?}"; shift 2 ;;
        --capacity) capacity="${2:?}"; shift 2 ;;
        --shared-driver) shared=true; shift ;;
        -h|--help) sed -n '2,/^set /{/^#/s/^# \{0,1\}//p}' "$0"; exit 0 ;;
        *) echo "measure-client-churn.sh: unknown argument '$1' (try --help)" >&2; exit 2 ;;
    esac
done
for value in "$clients" "$threads" "$capacity"
do
    [[ "$value" =~ ^[1-9][0-9]*$ ]] || { echo "measure-client-churn.sh: counts must be positive numbers" >&2; exit 2; }
done

# Builds what chain-node's tests need from the reactor (no install) and runs the one test with the larger figures; its
# node processes run with the JVM's own settings, not the test suite's cheaper JIT (chainkv.test.child.jvm.options).
status=0
mvn -B -q -pl chain-node -am test -Dtest='ClientChurnTest' -Dsurefire.failIfNoSpecifiedTests=false \
    -Dchainkv.churn.clients="$clients" -Dchainkv.churn.threads="$threads" -Dchainkv.churn.capacity="$capacity" -Dchainkv.churn.shared.driver="$shared" \
    -Dchainkv.test.child.jvm.options= || status=$?
echo
grep -h '^client churn:' chain-node/target/surefire-reports/io.chainkv.node.chain.ClientChurnTest-output.txt || true
if (( status != 0 ))
then
    echo "measure-client-churn.sh: the run failed its checks (see chain-node/target/surefire-reports and the node logs" \
        "under chain-node/target/chain-tests)" >&2
fi
exit "$status"
