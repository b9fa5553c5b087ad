#!/usr/bin/env bash
# Single-node Apache Kafka (KRaft) for development, tests and CI, run from the official jars that
# Maven fetches from Maven Central (no Docker, no tarball download). See infra/README.md.
#
#   infra/kafka.sh fetch    fetch the pinned broker jars into the cache (skipped when complete)
#   infra/kafka.sh start    fetch if needed, format storage once, start the broker, wait until ready
#   infra/kafka.sh wait     wait until the broker answers (KAFKA_WAIT_TIMEOUT, default 90 s)
#   infra/kafka.sh status   one line; exit 0 when a broker answers on KAFKA_PORT, 3 when not
#   infra/kafka.sh stop     SIGTERM, up to KAFKA_STOP_TIMEOUT (30 s), then SIGKILL
#   infra/kafka.sh version  print the pinned Kafka version
#   infra/kafka.sh reset    stop and delete the data dir (topics, offsets, logs)
#
# Environment (all optional): KAFKA_PORT (9092), KAFKA_CONTROLLER_PORT (9093),
# KAFKA_DATA_DIR (~/.cache/mash-kafka/data), KAFKA_HOME_CACHE (~/.cache/mash-kafka/<version>),
# KAFKA_HEAP_OPTS (-Xmx512m -Xms256m), KAFKA_JVM_OPTS (extra JVM flags), KAFKA_WAIT_TIMEOUT (90),
# KAFKA_STOP_TIMEOUT (30), JAVA_HOME (else `java` on PATH; Java 17+ is required).
set -euo pipefail

SCRIPT_DIR="$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd -P)"
POM="$SCRIPT_DIR/kafka/pom.xml"
LOG4J_CONF="$SCRIPT_DIR/kafka/log4j2.xml"
PROBE="$SCRIPT_DIR/kafka/probe.js"

if [[ -z "${HOME:-}" ]]; then HOME="$(getent passwd "$(id -u)" | cut -d: -f6)"; fi
KAFKA_VERSION="$(sed -n 's:.*<kafka\.version>\([^<]*\)</kafka\.version>.*:\1:p' "$POM" | head -n1)"
[[ -n "$KAFKA_VERSION" ]] || { echo "kafka: cannot read <kafka.version> from $POM" >&2; exit 1; }

HOST=127.0.0.1
PORT="${KAFKA_PORT:-9092}"
CPORT="${KAFKA_CONTROLLER_PORT:-9093}"
CACHE="${KAFKA_HOME_CACHE:-$HOME/.cache/mash-kafka/$KAFKA_VERSION}"
LIBS="$CACHE/libs"
DATA="${KAFKA_DATA_DIR:-$HOME/.cache/mash-kafka/data}"
LOGDIR="$DATA/logs"
PIDFILE="$DATA/kafka.pid"
PROPS="$DATA/server.properties"
LOG_DIRS="$DATA/kraft"
WAIT_TIMEOUT="${KAFKA_WAIT_TIMEOUT:-90}"
STOP_TIMEOUT="${KAFKA_STOP_TIMEOUT:-30}"
read -r -a HEAP <<<"${KAFKA_HEAP_OPTS:--Xmx512m -Xms256m}"
read -r -a EXTRA_JVM <<<"${KAFKA_JVM_OPTS:-}"
JAVA="${JAVA_HOME:+$JAVA_HOME/bin/}java"

die() { echo "kafka: $*" >&2; exit 1; }

show_log_tail() {
  local f
  for f in "$LOGDIR/server.log" "$LOGDIR/stdout.log"; do
    if [[ -s "$f" ]]; then
      echo "----- last lines of $f -----" >&2
      tail -n 40 "$f" >&2
    fi
  done
}

check_java() {
  command -v "$JAVA" >/dev/null 2>&1 || die "java not found (install a JDK 17+ or set JAVA_HOME)"
  local v
  v="$("$JAVA" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java\.specification\.version = //p')"
  [[ "${v%%.*}" =~ ^[0-9]+$ && "${v%%.*}" -ge 17 ]] || die "Kafka $KAFKA_VERSION needs Java 17+, $JAVA is ${v:-unknown}"
}

pom_stamp() { sha256sum "$POM" | cut -d' ' -f1; }
libs_complete() { [[ -f "$LIBS/.complete" && "$(cat "$LIBS/.complete")" == "$(pom_stamp)" ]]; }

# fetch [quiet]: copy the pinned jars into $LIBS unless they are already there for this pom.xml.
fetch() {
  local quiet="${1:-}"
  if libs_complete; then
    [[ -n "$quiet" ]] || echo "kafka: $KAFKA_VERSION jars already in $LIBS"
    return 0
  fi
  mkdir -p "$CACHE"
  exec 8>"$CACHE/.fetch.lock"
  flock -w 600 8 || die "timed out waiting for another fetch ($CACHE/.fetch.lock)"
  if libs_complete; then exec 8>&-; [[ -n "$quiet" ]] || echo "kafka: $KAFKA_VERSION jars already in $LIBS"; return 0; fi
  command -v mvn >/dev/null 2>&1 || die "mvn not found: Maven is needed once to fetch the Kafka jars"
  local t0=$SECONDS tmp="$CACHE/libs.tmp.$$"
  rm -rf "$tmp" && mkdir -p "$tmp"
  if ! mvn -q -B -f "$POM" dependency:copy-dependencies \
      -DoutputDirectory="$tmp" -DincludeScope=runtime >"$CACHE/fetch.log" 2>&1; then
    rm -rf "$tmp"
    tail -n 40 "$CACHE/fetch.log" >&2
    die "mvn could not fetch Kafka $KAFKA_VERSION (full output: $CACHE/fetch.log)"
  fi
  local jar
  for jar in "kafka_2.13-$KAFKA_VERSION.jar" "kafka-server-$KAFKA_VERSION.jar" "kafka-raft-$KAFKA_VERSION.jar"; do
    [[ -f "$tmp/$jar" ]] || { rm -rf "$tmp"; die "fetch incomplete: $jar missing"; }
  done
  compgen -G "$tmp/log4j-slf4j-impl-*.jar" >/dev/null || { rm -rf "$tmp"; die "fetch incomplete: no log4j-slf4j-impl"; }
  pom_stamp >"$tmp/.complete"
  rm -rf "$LIBS"
  mv "$tmp" "$LIBS"
  exec 8>&-
  [[ -n "$quiet" ]] || echo "kafka: fetched $KAFKA_VERSION ($(find "$LIBS" -name '*.jar' | wc -l) jars) into $LIBS in $((SECONDS - t0))s"
}

port_open() { (exec 3<>"/dev/tcp/$HOST/$1") 2>/dev/null; }

# probe: port open and, when node is available, ApiVersions + Metadata answered with a live broker.
probe() {
  port_open "$PORT" || return 1
  if command -v node >/dev/null 2>&1; then
    node "$PROBE" "$HOST:$PORT" 3000 >/dev/null 2>&1
  fi
}

# The pid from the pid file if it is alive and is our broker for this data dir.
running_pid() {
  [[ -f "$PIDFILE" ]] || return 1
  local pid
  pid="$(cat "$PIDFILE" 2>/dev/null || true)"
  [[ "$pid" =~ ^[0-9]+$ ]] || return 1
  kill -0 "$pid" 2>/dev/null || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF "kafka.Kafka $PROPS" || return 1
  echo "$pid"
}

write_props() {
  cat >"$PROPS.tmp" <<EOF
# Generated by infra/kafka.sh on every start; edit the script, not this file.
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@$HOST:$CPORT
listeners=PLAINTEXT://$HOST:$PORT,CONTROLLER://$HOST:$CPORT
advertised.listeners=PLAINTEXT://$HOST:$PORT
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
log.dirs=$LOG_DIRS

# Topics are created by the services from their definition file, never implicitly.
auto.create.topics.enable=false
delete.topic.enable=true
num.partitions=1
default.replication.factor=1
min.insync.replicas=1

# Single node: internal topics with replication factor 1 and fewer partitions than the default 50.
offsets.topic.replication.factor=1
offsets.topic.num.partitions=10
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
transaction.state.log.num.partitions=10
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
share.coordinator.state.topic.num.partitions=10

# Consumers join at once (tests), no 3 s wait for more members.
group.initial.rebalance.delay.ms=0

# Small machine (2 cores).
num.network.threads=2
num.io.threads=4
num.recovery.threads.per.data.dir=1
log.retention.hours=168
log.retention.check.interval.ms=300000
EOF
  mv "$PROPS.tmp" "$PROPS"
}

jvm_common() {
  printf '%s\n' -Djava.awt.headless=true \
    "-Dlog4j2.configurationFile=$LOG4J_CONF" "-Dkafka.logs.dir=$LOGDIR" \
    -cp "$LIBS/*"
}

format_storage() {
  [[ -f "$LOG_DIRS/meta.properties" ]] && return 0
  local cid
  if [[ -s "$DATA/cluster.id" ]]; then
    cid="$(cat "$DATA/cluster.id")"
  else
    # A Kafka Uuid: 16 random bytes, base64url without padding; not starting with '-'.
    cid=-
    while [[ "$cid" == -* ]]; do
      cid="$(head -c 16 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=\n')"
    done
    echo "$cid" >"$DATA/cluster.id"
  fi
  local -a jvm
  mapfile -t jvm < <(jvm_common)
  if ! "$JAVA" -Xmx256m "${jvm[@]}" kafka.tools.StorageTool format \
      -t "$cid" -c "$PROPS" --ignore-formatted >"$LOGDIR/format.log" 2>&1; then
    cat "$LOGDIR/format.log" >&2
    die "storage format failed"
  fi
}

# wait_ready [pid]: until the probe passes; fails early if pid dies, prints the log tail on failure.
wait_ready() {
  local pid="${1:-}" deadline=$((SECONDS + WAIT_TIMEOUT))
  while :; do
    if [[ -n "$pid" ]] && ! kill -0 "$pid" 2>/dev/null; then
      show_log_tail
      die "broker (pid $pid) exited during start-up"
    fi
    probe && return 0
    if ((SECONDS >= deadline)); then
      show_log_tail
      die "no broker ready on $HOST:$PORT after ${WAIT_TIMEOUT}s"
    fi
    sleep 0.5
  done
}

# warm: have a fresh broker create __consumer_offsets / __transaction_state now (see probe.js).
warm() {
  command -v node >/dev/null 2>&1 || return 0
  if ! node "$PROBE" "$HOST:$PORT" "$((WAIT_TIMEOUT * 1000))" warm >/dev/null 2>"$LOGDIR/warm.log"; then
    show_log_tail
    cat "$LOGDIR/warm.log" >&2
    die "broker answers but its group/transaction coordinators did not become available"
  fi
}

start() {
  local t0=$SECONDS pid
  mkdir -p "$DATA" "$LOGDIR"
  touch "$DATA/.mash-kafka"
  exec 9>"$DATA/.lock"
  flock -w "$((WAIT_TIMEOUT + 30))" 9 || die "timed out waiting for another start ($DATA/.lock)"

  if pid="$(running_pid)"; then
    wait_ready "$pid"
    echo "kafka: already running (pid $pid) on $HOST:$PORT"
    return 0
  fi
  rm -f "$PIDFILE"
  if port_open "$PORT"; then
    probe || die "port $PORT is in use by something that is not a ready Kafka broker"
    echo "kafka: a broker not started by this script already answers on $HOST:$PORT; using it"
    return 0
  fi
  port_open "$CPORT" && die "controller port $CPORT is in use (set KAFKA_CONTROLLER_PORT)"

  check_java
  fetch quiet
  write_props
  format_storage

  local -a jvm
  mapfile -t jvm < <(jvm_common)
  echo "=== $(date -Is) starting Kafka $KAFKA_VERSION" >>"$LOGDIR/stdout.log"
  # setsid: the broker outlives the calling shell, its process group and its terminal.
  # shellcheck disable=SC2016 # $$ and $@ belong to the inner shell
  setsid -f bash -c 'echo $$ >"$1"; shift; exec "$@"' _ "$PIDFILE" \
    "$JAVA" "${HEAP[@]}" -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -XX:InitiatingHeapOccupancyPercent=35 \
    -XX:+ExitOnOutOfMemoryError "${EXTRA_JVM[@]}" "${jvm[@]}" \
    kafka.Kafka "$PROPS" </dev/null >>"$LOGDIR/stdout.log" 2>&1 8>&- 9>&-
  local _
  for _ in $(seq 50); do [[ -s "$PIDFILE" ]] && break; sleep 0.1; done
  pid="$(cat "$PIDFILE" 2>/dev/null || true)"
  [[ -n "$pid" ]] || die "broker did not start (no pid file)"
  wait_ready "$pid"
  warm
  echo "kafka: started $KAFKA_VERSION (pid $pid) on $HOST:$PORT in $((SECONDS - t0))s; logs in $LOGDIR"
}

stop() {
  local pid t0=$SECONDS
  if ! pid="$(running_pid)"; then
    rm -f "$PIDFILE"
    if port_open "$PORT"; then
      echo "kafka: not started by this script, but something answers on $HOST:$PORT; left alone"
    else
      echo "kafka: not running"
    fi
    return 0
  fi
  kill -TERM "$pid" 2>/dev/null || true
  while kill -0 "$pid" 2>/dev/null && ((SECONDS - t0 < STOP_TIMEOUT)); do sleep 0.2; done
  if kill -0 "$pid" 2>/dev/null; then
    kill -KILL "$pid" 2>/dev/null || true
    while kill -0 "$pid" 2>/dev/null; do sleep 0.1; done
    rm -f "$PIDFILE"
    echo "kafka: killed (pid $pid) after ${STOP_TIMEOUT}s without exiting on SIGTERM"
    return 0
  fi
  rm -f "$PIDFILE"
  echo "kafka: stopped (pid $pid) in $((SECONDS - t0))s"
}

status() {
  local pid
  if pid="$(running_pid)"; then
    if probe; then
      echo "kafka: running $KAFKA_VERSION (pid $pid) on $HOST:$PORT, data in $DATA"
      return 0
    fi
    echo "kafka: process $pid alive but not answering on $HOST:$PORT (starting or stuck; see $LOGDIR)"
    return 3
  fi
  if probe; then
    echo "kafka: a broker not started by this script answers on $HOST:$PORT"
    return 0
  fi
  echo "kafka: not running"
  return 3
}

cmd_wait() {
  local pid="" t0=$SECONDS
  pid="$(running_pid || true)"
  wait_ready "$pid"
  echo "kafka: ready on $HOST:$PORT after $((SECONDS - t0))s"
}

reset() {
  stop >/dev/null
  if [[ -d "$DATA" ]]; then
    [[ -f "$DATA/.mash-kafka" ]] || die "$DATA was not created by this script; not deleting it"
    rm -rf "$DATA"
  fi
  echo "kafka: stopped and deleted $DATA"
}

case "${1:-}" in
  fetch) check_java; fetch ;;
  start) start ;;
  stop) stop ;;
  status) status ;;
  wait) cmd_wait ;;
  version) echo "$KAFKA_VERSION" ;;
  reset) reset ;;
  *)
    echo "usage: $0 fetch|start|stop|status|wait|version|reset" >&2
    exit 2
    ;;
esac
