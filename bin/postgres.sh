# Source this, then call start_postgres: a throw-away PostgreSQL 15 on a free port on
# 127.0.0.1, stopped and removed when the calling script exits. It exports
# DATABASE_URL, and PG_STOP and PG_START (the database-outage test uses them).

PG_BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}

start_postgres() {
    if [ ! -x "$PG_BIN/initdb" ]; then
        echo "Installing PostgreSQL 15"
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql-15 >/dev/null
    fi
    # initdb and postgres refuse to run as root: run them as the postgres user in a fresh folder.
    pg_dir=$(mktemp -d /tmp/postgres.XXXXXX)
    chown postgres: "$pg_dir"
    trap 'runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$pg_dir/data" -m immediate stop >/dev/null 2>&1 || true; rm -rf "$pg_dir"' EXIT
    local port
    port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    runuser -u postgres -- "$PG_BIN/initdb" -D "$pg_dir/data" -U postgres --auth=trust -E UTF8 >/dev/null
    export PG_STOP="runuser -u postgres -- $PG_BIN/pg_ctl -D $pg_dir/data -m fast -w stop"
    export PG_START="runuser -u postgres -- $PG_BIN/pg_ctl -D $pg_dir/data -l $pg_dir/server.log -w -t 60 -o '-c listen_addresses=127.0.0.1 -p $port -k $pg_dir -c fsync=off' start"
    eval "$PG_START" >/dev/null
    runuser -u postgres -- "$PG_BIN/createdb" -h 127.0.0.1 -p "$port" -U postgres publication
    export DATABASE_URL="postgres://postgres@127.0.0.1:$port/publication"
}
