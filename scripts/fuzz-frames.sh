#!/usr/bin/env bash
# The frame fuzzer's long mode: FrameFuzzTest (which the test suite runs with 10,000 frames) with millions of mutated
# frames of every message type, with valid client MACs, member MACs of another cluster, forged MACs and broken chunk
# sequences, at every stream of a live 3-node chain while a real client writes and reads. Passes when no node died,
# every member ends with the same store and every key the real client wrote has its last value; prints the figures.
#
#   scripts/fuzz-frames.sh [--frames N] [--seed S]     (defaults 10000000 frames, seed 20261207)
#
# At about 10,000 frames a second on a 2-core machine, 10 million frames take about 20 minutes.
set -euo pipefail
cd "$(dirname "$0")/.."

frames=10000000
seed=20261207
while (( $# > 0 ))
do
    case "$1" in
        --frames) frames="${2:?}"; shift 2 ;;
        --seed) seed="${2:?}"; shift 2 ;;
        -h|--help) sed -n '2,/^set /{/^#/s/^# \{0,1\}//p}' "$0"; exit 0 ;;
        *) echo "fuzz-frames.sh: unknown argument '$1' (try --help)" >&2; exit 2 ;;
    esac
done
[[ "$frames" =~ ^[1-9][0-9]*$ && "$seed" =~ ^-?[0-9]+$ ]] ||
    { echo "fuzz-frames.sh: --frames must be a positive number and --seed a number" >&2; exit 2; }

# Builds what chain-node's tests need from the reactor (no install) and runs the one test; its node processes run with
# the JVM's own settings, not the test suite's cheaper JIT (chainkv.test.child.jvm.options).
status=0
mvn -B -q -pl chain-node -am test -Dtest='FrameFuzzTest' -Dsurefire.failIfNoSpecifiedTests=false \
    -Dchainkv.fuzz.frames="$frames" -Dchainkv.fuzz.seed="$seed" -Dchainkv.test.child.jvm.options= || status=$?
echo
grep -h '^frame fuzz:' chain-node/target/surefire-reports/io.chainkv.node.chain.FrameFuzzTest-output.txt || true
if (( status != 0 ))
then
    echo "fuzz-frames.sh: the run failed its checks (see chain-node/target/surefire-reports and the node logs under" \
        "chain-node/target/chain-tests)" >&2
fi
exit "$status"
