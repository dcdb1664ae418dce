#!/usr/bin/env bash
# `make bench`: PostgreSQL (fresh, unless DATABASE_URL is set) and Redis, then bench/bench.py.
set -euo pipefail
cd "$(dirname "$0")/.."
source bin/postgres.sh
if [ -z "${DATABASE_URL:-}" ]; then
    start_postgres
fi
redis_port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
redis-server --port "$redis_port" --bind 127.0.0.1 --save "" --appendonly no >/dev/null &
redis_pid=$!
trap 'kill $redis_pid 2>/dev/null || true; '"$(trap -p EXIT | sed -E "s/^trap -- '(.*)' EXIT$/\1/")" EXIT
export REDIS_URL="redis://127.0.0.1:$redis_port/0"
if [ "${BENCH_PAGES:-true}" != "false" ]; then
    .venv/bin/python bench/bench.py
fi
.venv/bin/python bench/email_bench.py
