# Sourced by run.sh and compare.sh: builds the jars, starts deadbolt and Redis on loopback, and stops
# everything it started when the script exits. Callers set $root and define say().

install_redis_if_missing() {
  command -v redis-server >/dev/null && return
  say "installing redis-server from Debian's packages"
  export DEBIAN_FRONTEND=noninteractive
  if ! apt-get install -y -q redis-server >/dev/null 2>&1; then
    apt-get update -q >/dev/null
    apt-get install -y -q redis-server >/dev/null
  fi
}

# Sets server_jar (unless the caller chose one) and bench_jar.
build_jars() {
  say "building deadbolt and the generator"
  (cd "$root" && mvn -B -q -DskipTests -pl server,bench -am package) >&2
  server_jar="${server_jar:-$root/server/target/deadbolt-server-0.1.0-SNAPSHOT-all.jar}"
  bench_jar="$root/bench/target/deadbolt-bench-0.1.0-SNAPSHOT-all.jar"
}

work="$(mktemp -d)"
pids=()
stop_servers() {
  for pid in "${pids[@]}"; do
    kill "$pid" 2>/dev/null || true
  done
  for pid in "${pids[@]}"; do
    wait "$pid" 2>/dev/null || true
  done
  rm -rf "$work"
}
trap stop_servers EXIT
trap 'exit 130' INT TERM

# start_deadbolt NAME "JVM options" serve options...: sets started_pid and started_port; the server's
# first line is in $work/NAME.out.
start_deadbolt() {
  local name="$1" jvm_opts="$2"
  shift 2
  # shellcheck disable=SC2086
  java $jvm_opts -jar "$server_jar" serve --bind 127.0.0.1 --port 0 "$@" >"$work/$name.out" 2>"$work/$name.err" &
  started_pid=$!
  pids+=("$started_pid")
  started_port=""
  for _ in $(seq 300); do
    started_port="$(sed -n 's/.* listening on 127\.0\.0\.1:\([0-9]*\) .*/\1/p' "$work/$name.out")"
    [[ -n "$started_port" ]] && return
    kill -0 "$started_pid" 2>/dev/null || { cat "$work/$name.err" >&2; say "deadbolt $* did not start"; exit 1; }
    sleep 0.1
  done
  say "deadbolt $* did not say where it listens"
  exit 1
}

# start_redis MAXCLIENTS: persistence off, on the first free port from 16379; sets redis_pid, redis_port
# and redis_version.
start_redis() {
  redis_port=""
  for port in $(seq 16379 16479); do
    (echo >"/dev/tcp/127.0.0.1/$port") 2>/dev/null && continue
    redis-server --bind 127.0.0.1 --port "$port" --save "" --appendonly no --protected-mode yes \
      --maxclients "$1" --dir "$work" --logfile "$work/redis.log" &
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
}
