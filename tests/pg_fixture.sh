#!/usr/bin/env bash
# ctest fixture: one PostgreSQL cluster for the whole test run, in DIR, on a private Unix socket
# (DIR/run, no TCP). Tests create a fresh database each (libs/testing/postgres.h).
#   pg_fixture.sh start DIR | stop DIR
set -euo pipefail
action=${1:?start|stop}
dir=${2:?DIR}
bin=${PLANAPI_PG_BIN:-/usr/lib/postgresql/15/bin}
as_server() { if [[ $(id -u) -eq 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi; }
case "$action" in
  start)
    if [[ -f "$dir/data/postmaster.pid" ]]; then
      as_server "$bin/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1 || true
    fi
    rm -rf "$dir"
    mkdir -p "$dir/run"
    [[ $(id -u) -eq 0 ]] && chown -R postgres "$dir"
    as_server "$bin/initdb" -D "$dir/data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 \
      --no-sync >"$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log"; exit 1; }
    # Tests trade durability for speed.
    as_server "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w \
      -o "-p 5432 -k $dir/run -c listen_addresses='' -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300" \
      start >/dev/null || { cat "$dir/server.log"; exit 1; }
    echo "PostgreSQL for tests: socket $dir/run"
    ;;
  stop)
    if [[ -f "$dir/data/postmaster.pid" ]]; then
      as_server "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null
    fi
    ;;
esac
