#!/usr/bin/env bash
# A/B of deadbolt configurations in one run: starts one deadbolt per set of serve options (and Redis),
# then runs one scenario against each in turn, round after round, so that every configuration sees the
# same moments of a noisy machine. Prints each run and, per configuration, the median over the rounds.
#
#   bash bench/compare.sh [--scenario uncontended] [--rounds 5] [--measure 4] [--no-redis] \
#       -- "--transport epoll --io-threads 2" "--transport epoll" ""
#   Each argument after -- is one configuration's serve options ("" = the defaults).
#   --jar A.jar before -- serves every configuration from that server jar instead of this tree's build
#   (build an older commit's jar with git worktree to compare before and after a change).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
scenario=uncontended rounds=5 warmup=2 measure=4 redis=yes server_jar=""
while [[ $# -gt 0 ]]; do
  case "$1" in
    --scenario) scenario="$2"; shift 2 ;;
    --rounds) rounds="$2"; shift 2 ;;
    --warmup) warmup="$2"; shift 2 ;;
    --measure) measure="$2"; shift 2 ;;
    --no-redis) redis=no; shift ;;
    --jar) server_jar="$2"; shift 2 ;;
    --) shift; break ;;
    -h|--help) sed -n '2,10p' "$0"; exit 0 ;;
    *) echo "compare.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done
(( $# > 0 )) || { echo "compare.sh: give at least one configuration after -- (see --help)" >&2; exit 2; }
configs=("$@")

say() { echo "compare.sh: $*" >&2; }
# shellcheck source=bench/servers.sh
source "$root/bench/servers.sh"
[[ "$redis" == yes ]] && install_redis_if_missing
build_jars

addresses=() targets=() labels=() server_pids=()
for i in "${!configs[@]}"; do
  # shellcheck disable=SC2086
  start_deadbolt "d$i" "" ${configs[$i]}
  addresses+=("127.0.0.1:$started_port") targets+=(deadbolt) server_pids+=("$started_pid")
  labels+=("deadbolt ${configs[$i]:-(defaults)} [$(sed -n 's/.*(\(.*\))$/\1/p' "$work/d$i.out")]")
done
if [[ "$redis" == yes ]]; then
  start_redis 1000
  addresses+=("127.0.0.1:$redis_port") targets+=(redis+lua) server_pids+=("$redis_pid") labels+=("redis+lua")
fi

echo "machine: $(nproc) cores; load average before the run: $(cut -d' ' -f1-3 /proc/loadavg); scenario $scenario," \
  "$rounds rounds, ${warmup} s warm-up + ${measure} s measured per run"
for round in $(seq "$rounds"); do
  for i in "${!addresses[@]}"; do
    line="$(java -jar "$bench_jar" run --address "${addresses[$i]}" --target "${targets[$i]}" \
      --scenario "$scenario" --warmup "$warmup" --measure "$measure" --server-pid "${server_pids[$i]}" | tail -1)"
    echo "$round ${labels[$i]}: $line"
    echo "$line" >>"$work/results.$i"
  done
done
echo
echo "medians over the rounds (throughput, server CPU per operation):"
for i in "${!addresses[@]}"; do
  median() { sort -n | awk '{v[NR]=$1} END {print (NR % 2) ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2}'; }
  rate="$(sed 's/,//g' "$work/results.$i" | awk '{for (f=1; f<NF; f++) if ($(f+1) ~ /\/s$/) print $f}' | median)"
  cpu="$(awk '{for (f=1; f<NF; f++) if ($f == "CPU") print $(f+1)}' "$work/results.$i" | median)"
  printf '  %-60s %12s /s  %8s µs\n' "${labels[$i]}" "$rate" "$cpu"
done
