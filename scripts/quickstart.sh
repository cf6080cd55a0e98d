#!/usr/bin/env bash
#
# The first command to run: builds ChainKV, starts a local cluster (a ZooKeeper server, two masters
# and a 3-node chain), writes, reads, compares-and-sets and deletes a few keys, then kills the head
# with kill -9 and shows the masters splice it out (a new epoch) while writes and reads go on. The
# cluster keeps running afterwards (unless --stop is given) so you can try scripts/kv.sh yourself.
#
#   scripts/quickstart.sh [--stop] [--session-timeout-ms MS]
#
# --session-timeout-ms (default 600) is how soon a dead node is noticed; on a heavily loaded machine
# raise it (e.g. 2000), or live nodes whose JVM stalls past it are spliced out too.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
readonly ROOT
readonly PROG="scripts/quickstart.sh"
readonly CLUSTER="$ROOT/scripts/local-cluster.sh"
readonly KV="$ROOT/scripts/kv.sh"
readonly DIR="$ROOT/run/local"

stop_at_end=0
session_args=()
while (( $# > 0 ))
do
    case "$1" in
        --stop) stop_at_end=1; shift ;;
        --session-timeout-ms) session_args=(--session-timeout-ms "${2:?--session-timeout-ms needs milliseconds}"); shift 2 ;;
        -h|--help) sed -n '3,12p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "$PROG: unknown option '$1' (--stop, --session-timeout-ms MS)" >&2; exit 2 ;;
    esac
done

fail()
{
    echo "$PROG: $*" >&2
    exit 1
}

java_cmd="${JAVA_HOME:+$JAVA_HOME/bin/}java"
command -v "$java_cmd" >/dev/null || fail "java not found: install a JDK 17 (apt-get install openjdk-17-jdk-headless) or set JAVA_HOME"
command -v "${JAVA_HOME:+$JAVA_HOME/bin/}javac" >/dev/null ||
    fail "javac not found: ChainKV needs a JDK, not only a JRE (apt-get install openjdk-17-jdk-headless)"
java_major="$("$java_cmd" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p')"
(( ${java_major%%.*} >= 17 )) 2>/dev/null || fail "Java 17 or newer is needed; $java_cmd is Java $java_major"

echo "ChainKV quickstart"
if "$CLUSTER" status > /dev/null 2>&1
then
    [[ "$(sed -n 's/^mode=//p' "$DIR/cluster.env")" == zk ]] ||
        fail "a --static chain is running in $DIR; stop it (scripts/local-cluster.sh stop) and run $PROG again"
    echo "  A cluster is already running in $DIR; using it (stop it and run $PROG again for a fresh one)."
else
    command -v mvn >/dev/null || fail "mvn not found: install Maven 3.8+ (apt-get install maven)"
    echo "  Building with Maven (mvn -q package -DskipTests; the first build downloads dependencies)..."
    started=$SECONDS
    (cd "$ROOT" && mvn -B -q -Dstyle.color=never package -DskipTests) || fail "the build failed (see the Maven output above)"
    echo "  Built in $((SECONDS - started)) s."
    echo "  Starting a ZooKeeper server, 2 masters and 3 nodes in the background (fresh data in $DIR)..."
    if ! "$CLUSTER" start --nodes 3 --fresh "${session_args[@]}" > /dev/null
    then
        fail "the cluster did not start (see the message above; logs are in $DIR/logs/)"
    fi
fi

# The chain as ZooKeeper holds it; sets EPOCH and ORDER (node ids head first).
EPOCH=""
ORDER=()
show_chain()
{
    local text
    text="$("$CLUSTER" chain "$@")" || { echo "$text" >&2; fail "no chain in ZooKeeper (see $DIR/logs/m1.log)"; }
    sed 's/^/  /' <<< "$text"
    EPOCH="$(sed -n 's/^cluster .*: epoch \([0-9]*\)$/\1/p' <<< "$text")"
    read -r -a ORDER <<< "$(sed -n 's/^chain 0 (epoch [0-9]*): //p' <<< "$text" | sed 's/ -> / /g')"
    [[ -n "$EPOCH" && ${#ORDER[@]} -gt 0 ]] || fail "could not read the chain from: $text"
}

echo "The masters built this chain (writes enter at the head, the tail acknowledges them; every member answers reads):"
show_chain
echo

# Runs kv.sh, prints the command and its answer on one line, and checks the exit status is the one
# expected. Leaves the answer in KV_OUT.
KV_OUT=""
kv()
{
    local expected_rc="$1" rc=0 out shown="kv.sh" arg
    shift
    for arg in "$@"
    do
        [[ "$arg" == *" "* ]] && arg="'$arg'"
        shown+=" $arg"
    done
    out="$("$KV" "$@" 2>&1)" || rc=$?
    printf '  %-44s -> %s\n' "$shown" "$out"
    if [[ "$rc" != "$expected_rc" ]]
    then
        echo "$PROG: expected exit status $expected_rc from 'kv.sh $*', got $rc." >&2
        echo "  The cluster is still running; its logs are in $DIR/logs/ and 'scripts/local-cluster.sh status' shows it." >&2
        exit 1
    fi
    KV_OUT="$out"
}

version_of()
{
    local version
    version="$(sed -n 's/^OK version=\([0-9]*\).*/\1/p' <<< "$1")"
    [[ -n "$version" ]] || fail "expected 'OK version=N', got '$1'"
    echo "$version"
}

echo "Writing three keys (each put returns the version the chain assigned):"
kv 0 put greeting "hello, chain"
kv 0 put user:1 ada
kv 0 put user:2 grace

echo "Reading them back (reads are spread over every member; each answers only committed versions):"
for pair in "greeting=hello, chain" "user:1=ada" "user:2=grace"
do
    kv 0 get "${pair%%=*}"
    [[ "$KV_OUT" == "${pair#*=}" ]] || fail "read '$KV_OUT' for ${pair%%=*}, expected '${pair#*=}'"
done

echo "Compare-and-set: succeeds only against the version last read or written:"
kv 0 put counter 1
version="$(version_of "$KV_OUT")"
kv 0 cas counter "$version" 2
kv 3 cas counter "$version" 3
echo "  (the second CAS used a stale version, so it was refused and the counter stayed 2)"
kv 0 get counter
[[ "$KV_OUT" == 2 ]] || fail "counter is '$KV_OUT', expected 2"

echo "Delete:"
kv 0 delete user:2
kv 1 get user:2
echo

if (( ${#ORDER[@]} >= 2 ))
then
    victim="${ORDER[0]}"
    before="$EPOCH"
    echo "Failover: kill -9 the head, $victim. Its ZooKeeper session expires, and the active master"
    echo "splices it out and publishes epoch $((before + 1)):"
    "$CLUSTER" kill "$victim" | sed 's/^/  /'
    killed_at=$SECONDS
    show_chain --wait 30 --min-epoch $((before + 1))
    for node in "${ORDER[@]}"
    do
        [[ "$node" != "$victim" ]] || fail "$victim is still in the chain of epoch $EPOCH"
    done
    echo "Writes and reads go on at the new head ${ORDER[0]} and tail ${ORDER[${#ORDER[@]} - 1]}:"
    kv 0 put after-failover "still here"
    echo "  (first write after the kill done $((SECONDS - killed_at)) s after it, JVM start of kv.sh included)"
    kv 0 get after-failover
    kv 0 get greeting
    [[ "$KV_OUT" == "hello, chain" ]] || fail "greeting is '$KV_OUT' after the failover, expected 'hello, chain'"
    echo
    echo "Healing: start $victim again. It registers as a spare; the master makes it the joiner, the tail"
    echo "streams it what it missed while it was down (a delta), and once it has caught up it becomes the tail:"
    "$CLUSTER" start-node "$victim" | sed 's/^/  /'
    healed_from="$EPOCH"
    show_chain --wait 60 --min-epoch $((healed_from + 2))
    [[ "${ORDER[${#ORDER[@]} - 1]}" == "$victim" ]] || fail "$victim did not rejoin as tail (chain: ${ORDER[*]})"
    echo "Reading from the new tail $victim (--read-mode TAIL):"
    kv 0 get after-failover --read-mode TAIL
    [[ "$KV_OUT" == "still here" ]] || fail "after-failover is '$KV_OUT' at the new tail, expected 'still here'"
    echo
else
    echo "The chain has one node left: the others' ZooKeeper sessions expired (a JVM stalled past its session"
    echo "timeout on a busy machine), so the masters spliced them out. Skipping the failover demonstration;"
    echo "run again with --session-timeout-ms 2000 on a loaded machine (docs/operations.md)."
    echo
fi

if [[ "$stop_at_end" == 1 ]]
then
    "$CLUSTER" stop > /dev/null
    echo "Done. The cluster is stopped; its data and logs stay in $DIR."
else
    echo "Done. The cluster keeps running in $DIR (logs in $DIR/logs/)."
    echo "  Try:    scripts/kv.sh put mykey myvalue && scripts/kv.sh get mykey"
    echo "  Chain:  scripts/local-cluster.sh chain       Status: scripts/local-cluster.sh status"
    echo "  Stop:   scripts/local-cluster.sh stop"
fi
