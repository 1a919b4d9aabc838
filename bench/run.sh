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

if [[ "$redis" == yes ]] && ! command -v redis-server >/dev/null; then
  say "installing redis-server from Debian's packages"
  export DEBIAN_FRONTEND=noninteractive
  if ! apt-get install -y -q redis-server >/dev/null 2>&1; then
    apt-get update -q >/dev/null
    apt-get install -y -q redis-server >/dev/null
  fi
fi

say "building deadbolt and the generator"
(cd "$root" && mvn -B -q -DskipTests -pl server,bench -am package) >&2
server_jar="$root/server/target/deadbolt-server-0.1.0-SNAPSHOT-all.jar"
bench_jar="$root/bench/target/deadbolt-bench-0.1.0-SNAPSHOT-all.jar"

work="$(mktemp -d)"
pids=()
cleanup() {
  for pid in "${pids[@]}"; do
    kill "$pid" 2>/dev/null || true
  done
  for pid in "${pids[@]}"; do
    wait "$pid" 2>/dev/null || true
  done
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Like Redis's --maxclients below: the idle connections need a connection limit above them (the default
# is 10,000), unless the caller sets one.
limit_args=""
[[ "$deadbolt_args" == *--max-connections* ]] || limit_args="--max-connections $(( idle + 1000 ))"
# shellcheck disable=SC2086
java $server_opts -jar "$server_jar" serve --bind 127.0.0.1 --port 0 $limit_args $deadbolt_args >"$work/deadbolt.out" 2>"$work/deadbolt.err" &
deadbolt_pid=$!
pids+=("$deadbolt_pid")
deadbolt_port=""
for _ in $(seq 300); do
  deadbolt_port="$(sed -n 's/.* listening on 127\.0\.0\.1:\([0-9]*\) .*/\1/p' "$work/deadbolt.out")"
  [[ -n "$deadbolt_port" ]] && break
  kill -0 "$deadbolt_pid" 2>/dev/null || { cat "$work/deadbolt.err" >&2; say "deadbolt did not start"; exit 1; }
  sleep 0.1
done
[[ -n "$deadbolt_port" ]] || { say "deadbolt did not say where it listens"; exit 1; }
say "deadbolt (pid $deadbolt_pid) on 127.0.0.1:$deadbolt_port: $(head -1 "$work/deadbolt.out")"

redis_args=()
if [[ "$redis" == yes ]]; then
  redis_port=""
  for port in $(seq 16379 16479); do
    (echo >"/dev/tcp/127.0.0.1/$port") 2>/dev/null && continue
    redis-server --bind 127.0.0.1 --port "$port" --save "" --appendonly no --protected-mode yes \
      --maxclients $(( idle + 1000 )) --dir "$work" --logfile "$work/redis.log" &
    redis_pid=$!
    for _ in $(seq 100); do
      if redis-cli -h 127.0.0.1 -p "$port" ping 2>/dev/null | grep -q PONG; then
        redis_port="$port"
        break
      fi
      kill -0 "$redis_pid" 2>/dev/null || break
      sleep 0.1
    done
    if [[ -n "$redis_port" ]]; then
      pids+=("$redis_pid")
      break
    fi
    kill "$redis_pid" 2>/dev/null || true
    wait "$redis_pid" 2>/dev/null || true
  done
  [[ -n "$redis_port" ]] || { say "Redis did not start"; cat "$work/redis.log" >&2 || true; exit 1; }
  redis_version="$(redis-server --version | sed 's/.*v=\([^ ]*\).*/\1/')"
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
