# shellcheck shell=bash
# Shared by the measurement entry points (scripts/measure-failover.sh, scripts/measure-transfer.sh); sourced, not
# run. A measurement is a chain-master test class tagged "measurement", which the test suite excludes because it
# takes many minutes; these functions run one such class with one numeric knob and print the table it writes.

# Parses the entry point's arguments: its one numeric option, or --help (prints the script's header comment).
#   measure_parse <prog> <--option> <default> "$@"     sets MEASURE_VALUE
measure_parse()
{
    local prog="$1" option="$2"
    MEASURE_VALUE="$3"
    shift 3
    while (( $# > 0 ))
    do
        case "$1" in
            "$option") MEASURE_VALUE="${2:?$option needs a number}"; shift 2 ;;
            # The header is the comment block after the shebang: everything up to "set -euo pipefail".
            -h|--help) sed -n '2,/^set /{/^#/s/^# \{0,1\}//p}' "$0"; exit 0 ;;
            *) echo "$prog: unknown argument '$1' (try --help)" >&2; exit 2 ;;
        esac
    done
    [[ "$MEASURE_VALUE" =~ ^[1-9][0-9]*$ ]] || { echo "$prog: $option must be a positive number" >&2; exit 2; }
}

# Builds what chain-master's tests need from the reactor (no install: nothing of ChainKV has to be in ~/.m2) and
# runs the one measurement class, then prints the table it wrote. The processes it starts run with the JVM's own
# settings, as deployed: not with the cheaper JIT the test suite gives them (chainkv.test.child.jvm.options).
#   measure_run <TestClass> <table file under chain-master/target> [-Dproperty=value ...]
measure_run()
{
    local test_class="$1" table="$2"
    shift 2
    mvn -B -q -pl chain-master -am test -Dtest="$test_class" -Dsurefire.failIfNoSpecifiedTests=false \
        -Dgroups=measurement -Dchainkv.test.excludedGroups=none -Dchainkv.test.child.jvm.options= "$@"
    echo
    cat "chain-master/target/$table"
}
