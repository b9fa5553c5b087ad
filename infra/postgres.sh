#!/usr/bin/env bash
# Makes sure a PostgreSQL server answers on 127.0.0.1:${PGPORT:-5432} (see infra/README.md).
#
#   infra/postgres.sh start    if nothing answers, start the local Debian cluster (pg_ctlcluster),
#                              then wait until it accepts connections
#   infra/postgres.sh wait     wait until a server accepts connections (POSTGRES_WAIT_TIMEOUT, 30 s)
#   infra/postgres.sh status   one line; exit 0 when ready, 3 when not
#
# It never creates databases or users and never stops a server: the local server is shared.
set -euo pipefail

HOST=127.0.0.1
PORT="${PGPORT:-5432}"
WAIT_TIMEOUT="${POSTGRES_WAIT_TIMEOUT:-30}"

die() { echo "postgres: $*" >&2; exit 1; }

ready() {
  if command -v pg_isready >/dev/null 2>&1; then
    pg_isready -q -h "$HOST" -p "$PORT" -t 2
  else
    (exec 3<>"/dev/tcp/$HOST/$PORT") 2>/dev/null
  fi
}

wait_ready() {
  local deadline=$((SECONDS + WAIT_TIMEOUT))
  until ready; do
    ((SECONDS < deadline)) || die "no server ready on $HOST:$PORT after ${WAIT_TIMEOUT}s${1:+; $1}"
    sleep 0.5
  done
}

# "VERSION NAME" of the local cluster configured for $PORT (else the first one), from pg_lsclusters.
find_cluster() {
  command -v pg_lsclusters >/dev/null 2>&1 || return 1
  local ver name port first=""
  while read -r ver name port _; do
    [[ -n "$ver" ]] || continue
    [[ -n "$first" ]] || first="$ver $name"
    if [[ "$port" == "$PORT" ]]; then echo "$ver $name"; return 0; fi
  done < <(pg_lsclusters -h 2>/dev/null)
  [[ -n "$first" ]] && echo "$first"
}

start() {
  if ready; then
    echo "postgres: ready on $HOST:$PORT"
    return 0
  fi
  local cluster ver name
  if ! cluster="$(find_cluster)" || [[ -z "$cluster" ]]; then
    if [[ -d /etc/postgresql ]] && [[ -n "$(ls -A /etc/postgresql 2>/dev/null)" ]]; then
      cluster="$(find /etc/postgresql -mindepth 1 -maxdepth 1 -printf '%f\n' | sort -V | tail -n1) main"
    else
      die "nothing answers on $HOST:$PORT and no PostgreSQL server is installed here. Install one \
(Debian/Ubuntu: apt-get install -y postgresql), or point DATABASE_URL at a running server."
    fi
  fi
  read -r ver name <<<"$cluster"
  command -v pg_ctlcluster >/dev/null 2>&1 || die "cluster $ver/$name found but pg_ctlcluster is missing (postgresql-common)"
  local log
  log="$(mktemp)"
  if ! pg_ctlcluster --skip-systemctl-redirect "$ver" "$name" start >"$log" 2>&1; then
    # "already running" is fine: it may just be slow to accept connections.
    if ! grep -qi "already running" "$log"; then
      cat "$log" >&2
      rm -f "$log"
      die "could not start cluster $ver/$name (logs: /var/log/postgresql/postgresql-$ver-$name.log)"
    fi
  fi
  rm -f "$log"
  wait_ready "see /var/log/postgresql/postgresql-$ver-$name.log"
  echo "postgres: started cluster $ver/$name, ready on $HOST:$PORT"
}

case "${1:-}" in
  start) start ;;
  wait) wait_ready && echo "postgres: ready on $HOST:$PORT" ;;
  status)
    if ready; then echo "postgres: ready on $HOST:$PORT"; else echo "postgres: not answering on $HOST:$PORT"; exit 3; fi
    ;;
  *)
    echo "usage: $0 start|wait|status" >&2
    exit 2
    ;;
esac
