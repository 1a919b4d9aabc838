#!/usr/bin/env bash
# deadbolt vs Redis on this machine: installs redis-server (Debian) if missing, builds deadbolt, starts
# deadbolt and Redis on loopback, runs every scenario against both in turn over several rounds, and prints
# one table of medians with the ratio deadbolt/Redis. Stops everything it started.
#
#   bash bench/run.sh            full run: 12 s unrecorded warm-up, then 3 rounds of 2 s warm-up + 5 s
#                                measured per run, 19,000 idle connections in the scale run (~5 min)
#   bash bench/run.sh --quick    1 round, 1 s + 2 s per run, 2,000 idle (~1 min after the build)
#   options: --rounds N --warmup S --measure S --idle N --threads N (generator event loops) --no-redis
#            --deadbolt-args "serve options, e.g. --io-threads 1"
#            --server-opts "JVM options for deadbolt"   --generator-opts "JVM options for the generator"
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
rounds=3 warmup=2 measure=5 idle=19000 threads=1 redis=yes time_limit=900 server_warmup=12
server_opts="${DEADBOLT_BENCH_SERVER_OPTS:-}" generator_opts="${DEADBOLT_BENCH_GENERATOR_OPTS:-}" deadbolt_args=""

while [[ $# -gt 0 ]]; do
  case "$1" in
    --quick) rounds=1 warmup=1 measure=2 idle=2000 time_limit=300 server_warmup=3; shift ;;
    --rounds) rounds="$2"; shift 2 ;;
    --warmup) warmup="$2"; shift 2 ;;
    --measure) measure="$2"; shift 2 ;;
    --idle) idle="$2"; shift 2 ;;
    --threads) threads="$2"; shift 2 ;;
    --no-redis) redis=no; shift ;;
    --deadbolt-args) deadbolt_args="$2"; shift 2 ;;
    --server-opts) server_opts="$2"; shift 2 ;;
    --generator-opts) generator_opts="$2"; shift 2 ;;
    -h|--help) sed -n '2,12p' "$0"; exit 0 ;;
    *) echo "run.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done

say() { echo "run.sh: $*" >&2; }

# The idle connections need one descriptor each, in the generator and in the server alike.
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
fds="$(ulimit -n)"
if [[ "$fds" != unlimited ]] && (( idle + 500 > fds )); then
  idle=$(( fds - 500 > 0 ? fds - 500 : 0 ))
  say "file descriptor limit is $fds: holding $idle idle connections"
fi

# shellcheck source=bench/servers.sh
source "$root/bench/servers.sh"
[[ "$redis" == yes ]] && install_redis_if_missing
build_jars

# Like Redis's --maxclients below: the idle connections need a connection limit above them (the default
# is 10,000), unless the caller sets one.
limit_args=""
[[ "$deadbolt_args" == *--max-connections* ]] || limit_args="--max-connections $(( idle + 1000 ))"
# shellcheck disable=SC2086
start_deadbolt deadbolt "$server_opts" $limit_args $deadbolt_args
deadbolt_pid="$started_pid" deadbolt_port="$started_port"
say "deadbolt (pid $deadbolt_pid) on 127.0.0.1:$deadbolt_port: $(head -1 "$work/deadbolt.out")"

redis_args=()
if [[ "$redis" == yes ]]; then
  start_redis $(( idle + 1000 ))
  say "Redis $redis_version (pid $redis_pid) on 127.0.0.1:$redis_port, persistence off"
  redis_args=(--redis "127.0.0.1:$redis_port" --redis-pid "$redis_pid")
fi

echo "machine: $(nproc) cores, $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1), $(free -g | awk '/^Mem:/ {print $2}') GiB;" \
  "$(java -version 2>&1 | head -1); Redis ${redis_version:-not run}; load average before the run: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "deadbolt: serve ${limit_args}${limit_args:+ }${deadbolt_args:-(otherwise defaults)}${server_opts:+, JVM options $server_opts}; $(head -1 "$work/deadbolt.out")"
# shellcheck disable=SC2086
timeout --foreground "$time_limit" java $generator_opts -jar "$bench_jar" suite \
  --deadbolt "127.0.0.1:$deadbolt_port" --deadbolt-pid "$deadbolt_pid" "${redis_args[@]}" \
  --rounds "$rounds" --warmup "$warmup" --measure "$measure" --idle "$idle" --threads "$threads" \
  --server-warmup "$server_warmup"
