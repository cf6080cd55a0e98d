#!/usr/bin/env bash
#
# Where a running cluster's CPU goes, per thread: samples /proc/<pid>/task/*/stat twice and prints each thread's
# share of one core over the interval, with its voluntary (parked) and involuntary (preempted) context switches.
#
#   scripts/thread-cpu.sh [--seconds N] [--min PERCENT] PID [PID ...]
#   scripts/thread-cpu.sh --seconds 10 $(cat run/local/pids/n*.pid) <load generator pid>
#
# Start the load first (scripts/bench.sh --cluster-dir DIR ...), then run this during the measured window.
set -euo pipefail

seconds=10
min=0.5
pids=()
while (( $# > 0 ))
do
    case "$1" in
        --seconds) seconds="${2:?--seconds needs a number}"; shift 2 ;;
        --min) min="${2:?--min needs a percentage}"; shift 2 ;;
        -h|--help) sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) pids+=("$1"); shift ;;
    esac
done
(( ${#pids[@]} > 0 )) || { echo "scripts/thread-cpu.sh: give at least one PID" >&2; exit 2; }

ticks="$(getconf CLK_TCK)"
snapshot()
{
    local pid task
    for pid in "${pids[@]}"
    do
        for task in /proc/"$pid"/task/*
        do
            [[ -r "$task/stat" ]] || continue
            # Field 2 (comm) may hold spaces: read utime and stime counting from the end of the comm's ')'.
            printf '%s/%s %s %s %s\n' "$pid" "${task##*/}" "$(tr ' ' '_' < "$task/comm")" \
                "$(sed 's/^.*) //' "$task/stat" | awk '{print $12 + $13}')" \
                "$(awk '/^voluntary_ctxt_switches/ {v=$2} /^nonvoluntary_ctxt_switches/ {n=$2} END {print v, n}' \
                    "$task/status")" 2>/dev/null || true
        done
    done | sort
}

before="$(snapshot)"
sleep "$seconds"
after="$(snapshot)"
printf '%-16s %-20s %8s %12s %12s\n' "pid/tid" "thread" "cpu %" "parks/s" "preempts/s"
join <(echo "$before") <(echo "$after") | awk -v s="$seconds" -v t="$ticks" -v min="$min" '
    { cpu = 100 * ($7 - $3) / t / s; if (cpu >= min) printf "%-16s %-20s %8.1f %12d %12d\n", $1, $2, cpu, ($8 - $4) / s, ($9 - $5) / s; total += cpu }
    END { printf "%-37s %8.1f\n", "total (all threads)", total }' | sort -k3 -rn
