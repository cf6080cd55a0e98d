#!/usr/bin/env bash
#
# The first command to run: builds ChainKV, starts a local 3-node chain, writes, reads, compares-and-
# sets and deletes a few keys, and says what happened. The chain keeps running afterwards (unless
# --stop is given) so you can try scripts/kv.sh yourself.
#
#   scripts/quickstart.sh [--stop]
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
readonly ROOT
readonly PROG="scripts/quickstart.sh"
readonly CLUSTER="$ROOT/scripts/local-cluster.sh"
readonly KV="$ROOT/scripts/kv.sh"
readonly DIR="$ROOT/run/local"

stop_at_end=0
case "${1:-}" in
    "") ;;
    --stop) stop_at_end=1 ;;
    -h|--help) sed -n '3,8p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "$PROG: unknown option '$1' (only --stop)" >&2; exit 2 ;;
esac

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
    echo "  A chain is already running in $DIR; using it (stop it and run $PROG again for a fresh build)."
else
    command -v mvn >/dev/null || fail "mvn not found: install Maven 3.8+ (apt-get install maven)"
    echo "  Building with Maven (mvn -q package -DskipTests; the first build downloads dependencies)..."
    started=$SECONDS
    (cd "$ROOT" && mvn -B -q -Dstyle.color=never package -DskipTests) || fail "the build failed (see the Maven output above)"
    echo "  Built in $((SECONDS - started)) s."
    echo "  Starting 3 nodes in the background..."
    if ! "$CLUSTER" start --nodes 3 > /dev/null
    then
        fail "the chain did not start (see the message above; node logs are in $DIR/logs/)"
    fi
fi

members="$(sed -n 's/^members=//p' "$DIR/chain.properties")"
IFS=',' read -r -a chain <<< "$members"
head_node="${chain[0]%%@*}"
tail_node="${chain[${#chain[@]} - 1]%%@*}"
order=""
for member in "${chain[@]}"
do
    order+="${order:+ -> }${member%%@*}"
done
echo "  Chain: $order  (writes enter at the head $head_node; the tail $tail_node acknowledges them and serves reads)"
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
        echo "  The chain is still running; its logs are in $DIR/logs/ and 'scripts/local-cluster.sh status' shows it." >&2
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

echo "Reading them back from the tail ($tail_node):"
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

if [[ "$stop_at_end" == 1 ]]
then
    "$CLUSTER" stop > /dev/null
    echo "Done. The chain is stopped; its data and logs stay in $DIR."
else
    echo "Done. The chain keeps running in $DIR (logs in $DIR/logs/)."
    echo "  Try:    scripts/kv.sh put mykey myvalue && scripts/kv.sh get mykey"
    echo "  Status: scripts/local-cluster.sh status"
    echo "  Stop:   scripts/local-cluster.sh stop"
fi
