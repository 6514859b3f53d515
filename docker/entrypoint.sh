#!/bin/sh
# Container entrypoint.
#   serve  (default)  migrate the database (unless LOKET_MIGRATE_ON_START=0), optionally load
#                     the seed data (LOKET_SEED_ON_START=1), then serve on 0.0.0.0:${PORT:-8000}
#   migrate           migrate and (LOKET_SEED_ON_START=1) seed, then exit: the one-off step
#                     before several replicas start (docker-compose.yml's `migrate` service)
#   worker            run the outbox worker and periodic jobs (`loket worker`)
#   anything else     run as a `loket` subcommand, e.g. `create-admin a@b.nl`, `db upgrade`
set -eu

cmd="${1:-serve}"
[ "$#" -gt 0 ] && shift

migrate() {
  # Replicas or jobs starting together take turns (PostgreSQL advisory lock).
  loket db upgrade
  if [ "${LOKET_SEED_ON_START:-0}" = "1" ]; then
    loket seed
  fi
}

case "$cmd" in
  serve)
    if [ "${LOKET_MIGRATE_ON_START:-1}" = "1" ]; then
      migrate
    elif [ "${LOKET_SEED_ON_START:-0}" = "1" ]; then
      loket seed
    fi
    exec loket serve --host 0.0.0.0 --port "${PORT:-8000}" "$@"
    ;;
  migrate)
    migrate
    ;;
  worker)
    exec loket worker "$@"
    ;;
  loket)
    exec loket "$@"
    ;;
  *)
    exec loket "$cmd" "$@"
    ;;
esac
