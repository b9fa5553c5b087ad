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
#   infra/kafka.sh principals  print the path of the principals file (auth mode)
#   infra/kafka.sh principals add NAME...     a new SCRAM user: password into the file, user onto
#                                             the running broker (no reset)
#   infra/kafka.sh principals remove NAME...  delete the user from the broker, then from the file
#   infra/kafka.sh principals sync            the broker's users become exactly the file's
#   infra/kafka.sh principals users           list the SCRAM users the broker holds
#
# Authentication is on by default (KAFKA_AUTH=scram): see the "SASL/SCRAM and ACLs" block below.
# KAFKA_AUTH=none gives the old open broker.
#
# A local three-broker cluster from the same jars (replication factor 3, min.insync.replicas 2),
# on ports of its own (KAFKA_CLUSTER_PORT_BASE+1..3, controllers +101..103; base 19390) and data
# dirs of its own (KAFKA_CLUSTER_DIR, ~/.cache/mash-kafka/cluster), heap -Xmx384m per node:
#   infra/kafka.sh cluster start|stop|status|brokers|reset
#   infra/kafka.sh cluster kill N       kill -9 of node N (1-3)
#   infra/kafka.sh cluster restart N    (re)start node N and wait until the cluster has 3 brokers
#
# Environment (all optional): KAFKA_PORT (9092), KAFKA_CONTROLLER_PORT (9093),
# KAFKA_DATA_DIR (~/.cache/mash-kafka/data), KAFKA_HOME_CACHE (~/.cache/mash-kafka/<version>),
# KAFKA_HEAP_OPTS (-Xmx512m -Xms256m), KAFKA_JVM_OPTS (extra JVM flags), KAFKA_WAIT_TIMEOUT (90),
# KAFKA_STOP_TIMEOUT (30), JAVA_HOME (else `java` on PATH; Java 17+ is required),
# KAFKA_AUTH (scram, or none for an open broker).
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
AUTH="${KAFKA_AUTH:-scram}"
# The three-broker cluster is an open one: it proves replication and failover, while the single
# broker (npm start, npm test) proves authentication and ACLs. Its probes must not log in.
[[ "${1:-}" == cluster ]] && AUTH=none
PRINCIPALS="${KAFKA_PRINCIPALS_FILE:-$DATA/principals.json}"

die() { echo "kafka: $*" >&2; exit 1; }

# ---- SASL/SCRAM and ACLs (KAFKA_AUTH=scram, the default) -------------------------------------
# The client listener takes SASL/SCRAM-SHA-512 only and the broker's StandardAuthorizer refuses
# whatever no ACL allows. One SCRAM user per deployable is written into the metadata log when the
# storage is formatted, each with a random password kept in $PRINCIPALS (mode 600), which the hub,
# the tests and the provisioning step (npm run kafka:provision) read. The list must match
# KAFKA_PRINCIPALS in libs/contracts/src/acl.ts (a test compares them).
# The controller listener cannot use SCRAM (its credentials live in the metadata the controller
# serves), so it takes SASL/PLAIN with the admin user declared statically in its JAAS line.
KAFKA_PRINCIPALS=(admin gateway triage checks notifier ops
  connector-police connector-health connector-education connector-probation connector-housing
  connector-adult-social-care connector-youth-justice
  adapter-police adapter-health adapter-education adapter-contact-centre)

auth_on() { [[ "$AUTH" != none ]]; }

principal_password() { sed -n "s/^    \"$1\": \"\\([0-9a-f]*\\)\",\\{0,1\\}\$/\\1/p" "$PRINCIPALS"; }

# write_principals: once per data dir, before the first format; never rewritten (the users are in
# the metadata log from then on).
write_principals() {
  [[ -s "$PRINCIPALS" ]] && return 0
  local name sep="" tmp="$PRINCIPALS.tmp"
  (umask 077
    { echo '{'
      echo '  "mechanism": "scram-sha-512",'
      printf '  "principals": {'
      for name in "${KAFKA_PRINCIPALS[@]}"; do
        printf '%s\n    "%s": "%s"' "$sep" "$name" "$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')"
        sep=","
      done
      printf '\n  }\n}\n'
    } >"$tmp")
  mv "$tmp" "$PRINCIPALS"
}

# The add-scram arguments of `kafka-storage format`, one per principal.
scram_format_args() {
  local name
  for name in "${KAFKA_PRINCIPALS[@]}"; do
    printf '%s\n' --add-scram "SCRAM-SHA-512=[name=$name,password=$(principal_password "$name")]"
  done
}

# An existing data dir formatted as an open broker has no users: say so instead of a broker that
# refuses every client.
check_auth_data_dir() {
  auth_on || return 0
  if [[ -f "$LOG_DIRS/meta.properties" && ! -s "$PRINCIPALS" ]]; then
    die "$DATA was formatted without SCRAM users (an open broker); run 'infra/kafka.sh reset' to re-create it with authentication, or start with KAFKA_AUTH=none"
  fi
}

# Appended to server.properties: later keys win, so the listener lines above are replaced.
sasl_props() {
  local pw
  pw="$(principal_password admin)"
  [[ -n "$pw" ]] || die "no admin password in $PRINCIPALS"
  cat <<EOF

# SASL/SCRAM and ACLs (KAFKA_AUTH=scram; KAFKA_AUTH=none for an open broker).
listeners=SASL_PLAINTEXT://$HOST:$PORT,CONTROLLER://$HOST:$CPORT
advertised.listeners=SASL_PLAINTEXT://$HOST:$PORT
listener.security.protocol.map=SASL_PLAINTEXT:SASL_PLAINTEXT,CONTROLLER:SASL_PLAINTEXT
inter.broker.listener.name=SASL_PLAINTEXT
sasl.mechanism.inter.broker.protocol=SCRAM-SHA-512
sasl.mechanism.controller.protocol=PLAIN
listener.name.sasl_plaintext.sasl.enabled.mechanisms=SCRAM-SHA-512
listener.name.sasl_plaintext.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="admin" password="$pw";
listener.name.controller.sasl.enabled.mechanisms=PLAIN
listener.name.controller.plain.sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required username="admin" password="$pw" user_admin="$pw";
authorizer.class.name=org.apache.kafka.metadata.authorizer.StandardAuthorizer
allow.everyone.if.no.acl.found=false
# admin: the provisioning step, and the broker itself on the controller and inter-broker listeners.
super.users=User:admin
EOF
}
# ---- principals on a running broker: add, remove, sync (no reset) -------------------------------
# The file is the list of who may log in: a name taken out of it is deleted from the broker by
# `principals sync` (or at once by `principals remove`), and a name added to KAFKA_PRINCIPALS above
# gets a password and a user at the next start. The broker's ACLs are the provisioning step's job
# (npm run kafka:provision removes those acl.ts no longer grants). An established connection keeps
# its SCRAM session, but ACLs are checked on every request, so a removed principal's next fetch or
# produce is refused. See docs/trust-boundary.md.

valid_principal() { [[ "$1" =~ ^[a-z][a-z0-9-]{0,63}$ ]] || die "principal '$1' must be lower-case letters, digits and dashes"; }

# principals_edit add|remove NAME...: rewrites the file (mode 600, same layout principal_password reads).
principals_edit() {
  local op="$1"
  shift
  (umask 077
    node -e '
      const fs = require("fs");
      const [file, op, ...names] = process.argv.slice(1);
      const j = JSON.parse(fs.readFileSync(file, "utf8"));
      for (const n of names) {
        if (op === "add" && !j.principals[n]) j.principals[n] = require("crypto").randomBytes(24).toString("hex");
        if (op === "remove") delete j.principals[n];
      }
      fs.writeFileSync(file + ".tmp", JSON.stringify(j, null, 2) + "\n", { mode: 0o600 });
      fs.renameSync(file + ".tmp", file);
    ' "$PRINCIPALS" "$op" "$@")
}

file_principals() { node -e 'console.log(Object.keys(JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")).principals).join("\n"))' "$PRINCIPALS"; }

# config_command ARGS...: Kafka's ConfigCommand (kafka-configs.sh) from the fetched jars, as admin.
# Credentials travel in files of mode 600, never on a command line other users can read.
config_command() {
  local -a jvm
  local cc rc=0
  mapfile -t jvm < <(jvm_common)
  cc="$(umask 077; mktemp "$DATA/admin-client.XXXXXX")"
  printf 'security.protocol=SASL_PLAINTEXT\nsasl.mechanism=SCRAM-SHA-512\nsasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="admin" password="%s";\n' "$(principal_password admin)" >"$cc"
  "$JAVA" -Xmx256m "${jvm[@]}" kafka.admin.ConfigCommand --bootstrap-server "$HOST:$PORT" --command-config "$cc" "$@" || rc=$?
  rm -f "$cc"
  return "$rc"
}

# broker_users: the SCRAM users the running broker holds, one per line.
broker_users() {
  config_command --describe --entity-type users 2>/dev/null | sed -n "s/^SCRAM credential configs for user-principal '\([^']*\)' are .*/\1/p" | sort -u
}

broker_add_user() {
  local f rc=0
  f="$(umask 077; mktemp "$DATA/scram.XXXXXX")"
  printf 'SCRAM-SHA-512=iterations=8192,password=%s\n' "$(principal_password "$1")" >"$f"
  # The tool echoes a config it cannot parse, password included: its errors are kept out of sight.
  config_command --alter --add-config-file "$f" --entity-type users --entity-name "$1" >/dev/null 2>&1 || rc=$?
  rm -f "$f"
  ((rc == 0)) || die "could not add SCRAM user '$1' to the broker on $HOST:$PORT"
}

broker_remove_user() {
  config_command --alter --delete-config SCRAM-SHA-512 --entity-type users --entity-name "$1" >/dev/null || die "could not delete SCRAM user '$1' from the broker on $HOST:$PORT"
}

need_principals() {
  auth_on || die "KAFKA_AUTH=none: an open broker has no principals"
  [[ -s "$PRINCIPALS" ]] || die "no principals file $PRINCIPALS (open broker, or not started yet)"
  port_open "$PORT" || die "no broker on $HOST:$PORT: principals are changed on a running broker"
  check_java
  fetch quiet
}

# sync_users [add-only]: users in the file but not on the broker are added; users on the broker
# but not in the file are deleted (unless add-only). admin is never deleted: the broker needs it.
sync_users() {
  local mode="${1:-}" name added=0 removed=0
  local -a wanted held
  mapfile -t wanted < <(file_principals | sort -u)
  mapfile -t held < <(broker_users)
  ((${#held[@]} > 0)) || die "the broker on $HOST:$PORT listed no SCRAM users (wrong admin password?)"
  for name in $(comm -23 <(printf '%s\n' "${wanted[@]}") <(printf '%s\n' "${held[@]}")); do
    broker_add_user "$name"
    added=$((added + 1))
  done
  if [[ "$mode" != add-only ]]; then
    for name in $(comm -13 <(printf '%s\n' "${wanted[@]}") <(printf '%s\n' "${held[@]}")); do
      [[ "$name" == admin ]] && continue
      broker_remove_user "$name"
      removed=$((removed + 1))
    done
  fi
  echo "kafka: principals in sync with $PRINCIPALS ($added added, $removed removed)"
}

cmd_principals() {
  local sub="${1:-}" name
  shift || true
  case "$sub" in
    "") [[ -s "$PRINCIPALS" ]] || die "no principals file in $DATA (open broker, or not started yet)"; echo "$PRINCIPALS" ;;
    add)
      (($# > 0)) || die "usage: $0 principals add NAME..."
      need_principals
      for name in "$@"; do valid_principal "$name"; done
      principals_edit add "$@"
      for name in "$@"; do broker_add_user "$name"; done
      echo "kafka: added $* ($PRINCIPALS); npm run kafka:provision grants what acl.ts says"
      ;;
    remove)
      (($# > 0)) || die "usage: $0 principals remove NAME..."
      need_principals
      for name in "$@"; do
        valid_principal "$name"
        [[ "$name" != admin ]] || die "admin cannot be removed: the broker and provisioning run as admin"
      done
      # Broker first: a failure leaves the name in the file, so a rerun (or sync) finishes the job.
      for name in "$@"; do broker_remove_user "$name"; done
      principals_edit remove "$@"
      echo "kafka: removed $* from the broker and $PRINCIPALS"
      ;;
    sync) need_principals; sync_users ;;
    users) need_principals; broker_users ;;
    *) echo "usage: $0 principals [add NAME...|remove NAME...|sync|users]" >&2; exit 2 ;;
  esac
}
# ---- end of principals on a running broker -----------------------------------------------------

# probe_env CMD...: runs the readiness probe, authenticated as admin when this broker has users.
probe_env() {
  if auth_on && [[ -s "$PRINCIPALS" ]]; then MASH_PROBE_PRINCIPALS="$PRINCIPALS" "$@"; else "$@"; fi
}
# ---- end of SASL/SCRAM and ACLs ----------------------------------------------------------------

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
    probe_env node "$PROBE" "$HOST:$PORT" 3000 >/dev/null 2>&1
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

# node_props NODE_ID VOTERS: what every broker this script starts (single node or cluster node)
# shares: KRaft roles, the listeners on $HOST:$PORT and $CPORT, its log dir, and topics only ever
# created on purpose.
node_props() {
  cat <<EOF
process.roles=broker,controller
node.id=$1
controller.quorum.voters=$2
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
EOF
}

# internal_topic_props RF ISR: the replication of Kafka's own topics (offsets, transactions,
# share state), with 10 partitions each instead of the default 50.
internal_topic_props() {
  cat <<EOF
offsets.topic.replication.factor=$1
offsets.topic.num.partitions=10
transaction.state.log.replication.factor=$1
transaction.state.log.min.isr=$2
transaction.state.log.num.partitions=10
share.coordinator.state.topic.replication.factor=$1
share.coordinator.state.topic.min.isr=$2
share.coordinator.state.topic.num.partitions=10
EOF
}

write_props() {
  {
    echo '# Generated by infra/kafka.sh on every start; edit the script, not this file.'
    node_props 1 "1@$HOST:$CPORT"
    cat <<EOF
default.replication.factor=1
min.insync.replicas=1

# Single node: internal topics with replication factor 1 and fewer partitions than the default 50.
EOF
    internal_topic_props 1 1
    cat <<EOF

# Consumers join at once (tests), no 3 s wait for more members.
group.initial.rebalance.delay.ms=0

# Small machine (2 cores).
num.network.threads=2
num.io.threads=4
num.recovery.threads.per.data.dir=1
log.retention.hours=168
log.retention.check.interval.ms=300000
EOF
  } >"$PROPS.tmp"
  if auth_on; then sasl_props >>"$PROPS.tmp"; chmod 600 "$PROPS.tmp"; fi
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
  local -a jvm scram=()
  mapfile -t jvm < <(jvm_common)
  # The format log lists every user's salted keys: readable by the owner only.
  if auth_on; then mapfile -t scram < <(scram_format_args); (umask 077; : >"$LOGDIR/format.log"); fi
  if ! "$JAVA" -Xmx256m "${jvm[@]}" kafka.tools.StorageTool format \
      -t "$cid" -c "$PROPS" --ignore-formatted "${scram[@]}" >"$LOGDIR/format.log" 2>&1; then
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
  if ! probe_env node "$PROBE" "$HOST:$PORT" "$((WAIT_TIMEOUT * 1000))" warm >/dev/null 2>"$LOGDIR/warm.log"; then
    show_log_tail
    cat "$LOGDIR/warm.log" >&2
    die "broker answers but its group/transaction coordinators did not become available"
  fi
}

# launch: start the broker of $PROPS detached and print its pid (does not wait for readiness).
launch() {
  local -a jvm
  mapfile -t jvm < <(jvm_common)
  echo "=== $(date -Is) starting Kafka $KAFKA_VERSION" >>"$LOGDIR/stdout.log"
  # setsid: the broker outlives the calling shell, its process group and its terminal.
  # shellcheck disable=SC2016 # $$ and $@ belong to the inner shell
  setsid -f bash -c 'echo $$ >"$1"; shift; exec "$@"' _ "$PIDFILE" \
    "$JAVA" "${HEAP[@]}" -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -XX:InitiatingHeapOccupancyPercent=35 \
    -XX:+ExitOnOutOfMemoryError "${EXTRA_JVM[@]}" "${jvm[@]}" \
    kafka.Kafka "$PROPS" </dev/null >>"$LOGDIR/stdout.log" 2>&1 8>&- 9>&-
  local _ pid
  for _ in $(seq 50); do [[ -s "$PIDFILE" ]] && break; sleep 0.1; done
  pid="$(cat "$PIDFILE" 2>/dev/null || true)"
  [[ -n "$pid" ]] || die "broker did not start (no pid file)"
  echo "$pid"
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
  check_auth_data_dir
  fetch quiet
  # A principal added to KAFKA_PRINCIPALS since the storage was formatted gets its password now and
  # its user once the broker answers: no reset, and the other users' passwords stay as they are.
  local -a added=()
  local formatted=""
  [[ -f "$LOG_DIRS/meta.properties" ]] && formatted=yes
  if auth_on && [[ -s "$PRINCIPALS" ]]; then
    mapfile -t added < <(comm -23 <(printf '%s\n' "${KAFKA_PRINCIPALS[@]}" | sort -u) <(file_principals | sort -u))
    if ((${#added[@]} > 0)); then principals_edit add "${added[@]}"; fi
  fi
  if auth_on; then write_principals; fi
  write_props
  format_storage

  pid="$(launch)" || exit 1
  wait_ready "$pid"
  warm
  if [[ -n "$formatted" ]] && ((${#added[@]} > 0)); then
    local name
    for name in "${added[@]}"; do broker_add_user "$name"; done
    echo "kafka: added principal(s) ${added[*]} to the running broker"
  fi
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

# ---------------------------------------------------------------------------------------------
# Three-broker cluster (`infra/kafka.sh cluster ...`): three combined broker+controller nodes from
# the same jars, each with its own ports, data dir, pid and logs under $CLUSTER_DIR/node<N>. The
# single-node functions above work on the globals PORT, CPORT, DATA, LOGDIR, PIDFILE, PROPS and
# LOG_DIRS; select_node points them at one node.
CLUSTER_DIR="${KAFKA_CLUSTER_DIR:-$HOME/.cache/mash-kafka/cluster}"
# Below the kernel's ephemeral range (32768-60999 here): an outgoing connection could otherwise
# hold a node's port while it restarts, and the node would fail to bind.
CLUSTER_PORT_BASE="${KAFKA_CLUSTER_PORT_BASE:-19390}"
CLUSTER_NODES=(1 2 3)

select_node() {
  local n="$1"
  [[ "$n" =~ ^[123]$ ]] || die "node must be 1, 2 or 3 (got '$n')"
  PORT=$((CLUSTER_PORT_BASE + n))
  CPORT=$((CLUSTER_PORT_BASE + 100 + n))
  DATA="$CLUSTER_DIR/node$n"
  LOGDIR="$DATA/logs"
  PIDFILE="$DATA/kafka.pid"
  PROPS="$DATA/server.properties"
  LOG_DIRS="$DATA/kraft"
  NODE="$n"
}

cluster_brokers() {
  local n out=""
  for n in "${CLUSTER_NODES[@]}"; do out+="${out:+,}$HOST:$((CLUSTER_PORT_BASE + n))"; done
  echo "$out"
}

cluster_voters() {
  local n out=""
  for n in "${CLUSTER_NODES[@]}"; do out+="${out:+,}$n@$HOST:$((CLUSTER_PORT_BASE + 100 + n))"; done
  echo "$out"
}

write_cluster_props() {
  {
    echo '# Generated by infra/kafka.sh cluster on every start; edit the script, not this file.'
    node_props "$NODE" "$(cluster_voters)"
    cat <<EOF

# Every write is on three brokers and acknowledged (acks=all) by at least two: one broker can die
# at any moment without losing an acknowledged message or stopping producers.
default.replication.factor=3
min.insync.replicas=2
unclean.leader.election.enable=false
EOF
    internal_topic_props 3 2
    cat <<EOF

# A broker killed with -9 is fenced (its leaderships moved, it leaves every ISR) after 6 s, not 9;
# a restarted broker takes its preferred leaderships back within 30 s instead of 5 minutes.
broker.session.timeout.ms=6000
broker.heartbeat.interval.ms=1000
leader.imbalance.check.interval.seconds=30

group.initial.rebalance.delay.ms=0

# Three JVMs on a small machine (2 cores).
num.network.threads=2
num.io.threads=2
num.replica.fetchers=1
background.threads=2
num.recovery.threads.per.data.dir=1
log.retention.hours=168
log.retention.check.interval.ms=300000
EOF
  } >"$PROPS.tmp"
  mv "$PROPS.tmp" "$PROPS"
}

# cluster_launch_node N: start node N unless it runs; prints its pid. Does not wait: a node alone
# has no quorum, so all three are launched before any is waited for.
cluster_launch_node() {
  select_node "$1"
  mkdir -p "$DATA" "$LOGDIR"
  local pid
  if pid="$(running_pid)"; then echo "$pid"; return 0; fi
  rm -f "$PIDFILE"
  port_open "$PORT" && die "node $NODE: port $PORT is in use by something else (set KAFKA_CLUSTER_PORT_BASE)"
  port_open "$CPORT" && die "node $NODE: controller port $CPORT is in use (set KAFKA_CLUSTER_PORT_BASE)"
  write_cluster_props
  cp "$CLUSTER_DIR/cluster.id" "$DATA/cluster.id"
  format_storage
  launch
}

# cluster_wait_node N PID: node N answers and its metadata lists every broker of the cluster.
cluster_wait_node() {
  select_node "$1"
  local pid="$2" deadline=$((SECONDS + WAIT_TIMEOUT)) out=""
  while :; do
    if [[ -n "$pid" ]] && ! kill -0 "$pid" 2>/dev/null; then
      show_log_tail
      die "node $NODE (pid $pid) exited during start-up"
    fi
    if port_open "$PORT" && out="$(node "$PROBE" "$HOST:$PORT" 3000 2>/dev/null)" && [[ "$out" == *"brokers=${#CLUSTER_NODES[@]} "* ]]; then
      return 0
    fi
    if ((SECONDS >= deadline)); then
      show_log_tail
      die "node $NODE not ready with ${#CLUSTER_NODES[@]} brokers on $HOST:$PORT after ${WAIT_TIMEOUT}s (${out:-no answer})"
    fi
    sleep 0.5
  done
}

cluster_lock() {
  mkdir -p "$CLUSTER_DIR"
  touch "$CLUSTER_DIR/.mash-kafka"
  exec 9>"$CLUSTER_DIR/.lock"
  flock -w "$((WAIT_TIMEOUT + 30))" 9 || die "timed out waiting for another cluster command ($CLUSTER_DIR/.lock)"
}

cluster_start() {
  local t0=$SECONDS n cid=-
  local -A pids=()
  command -v node >/dev/null 2>&1 || die "node is needed to check that all three brokers joined"
  cluster_lock
  check_java
  fetch quiet
  if [[ ! -s "$CLUSTER_DIR/cluster.id" ]]; then
    while [[ "$cid" == -* ]]; do cid="$(head -c 16 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=\n')"; done
    echo "$cid" >"$CLUSTER_DIR/cluster.id"
  fi
  for n in "${CLUSTER_NODES[@]}"; do pids[$n]="$(cluster_launch_node "$n")" || exit 1; done
  for n in "${CLUSTER_NODES[@]}"; do cluster_wait_node "$n" "${pids[$n]}"; done
  select_node 1
  warm
  echo "kafka cluster: ${#CLUSTER_NODES[@]} brokers ready in $((SECONDS - t0))s (pids ${pids[1]} ${pids[2]} ${pids[3]}); KAFKA_BROKERS=$(cluster_brokers)"
}

# cluster_stop_nodes N...: SIGTERM together, then SIGKILL whatever is left after
# KAFKA_CLUSTER_STOP_TIMEOUT (10 s). When the whole cluster stops, the last node's controlled
# shutdown waits for a controller quorum that has already gone and would never finish; killing it
# only costs a log recovery on the next start.
cluster_stop_nodes() {
  local t0=$SECONDS n pid STOP_TIMEOUT="${KAFKA_CLUSTER_STOP_TIMEOUT:-10}"
  local -A pids=()
  for n in "$@"; do
    select_node "$n"
    if pid="$(running_pid)"; then pids[$n]=$pid; kill -TERM "$pid" 2>/dev/null || true; fi
  done
  for n in "${!pids[@]}"; do
    while kill -0 "${pids[$n]}" 2>/dev/null && ((SECONDS - t0 < STOP_TIMEOUT)); do sleep 0.2; done
    if kill -0 "${pids[$n]}" 2>/dev/null; then
      kill -KILL "${pids[$n]}" 2>/dev/null || true
      echo "kafka cluster: node $n killed (pid ${pids[$n]}) after ${STOP_TIMEOUT}s without exiting on SIGTERM"
    fi
    while kill -0 "${pids[$n]}" 2>/dev/null; do sleep 0.1; done
    select_node "$n"
    rm -f "$PIDFILE"
  done
  echo "kafka cluster: stopped ${#pids[@]} node(s) in $((SECONDS - t0))s"
}

cluster_kill() {
  local n="${1:-}" pid
  select_node "$n"
  pid="$(running_pid)" || die "node $n is not running"
  kill -KILL "$pid"
  while kill -0 "$pid" 2>/dev/null; do sleep 0.05; done
  rm -f "$PIDFILE"
  echo "kafka cluster: node $n killed with SIGKILL (pid $pid)"
}

cluster_restart() {
  local n="${1:-}" t0=$SECONDS pid
  select_node "$n"
  cluster_lock
  cluster_stop_nodes "$n" >/dev/null
  pid="$(cluster_launch_node "$n")" || exit 1
  cluster_wait_node "$n" "$pid"
  echo "kafka cluster: node $n restarted (pid $pid) on $HOST:$PORT in $((SECONDS - t0))s"
}

cluster_status() {
  local n pid up=0 out
  for n in "${CLUSTER_NODES[@]}"; do
    select_node "$n"
    if pid="$(running_pid)"; then
      if out="$(node "$PROBE" "$HOST:$PORT" 3000 2>/dev/null)"; then
        echo "node $n: running (pid $pid) on $HOST:$PORT, $out"
        up=$((up + 1))
      else
        echo "node $n: process $pid alive but not answering on $HOST:$PORT (see $LOGDIR)"
      fi
    else
      echo "node $n: not running"
    fi
  done
  echo "kafka cluster: $up of ${#CLUSTER_NODES[@]} brokers answering; KAFKA_BROKERS=$(cluster_brokers)"
  ((up == ${#CLUSTER_NODES[@]})) || return 3
}

cluster_reset() {
  cluster_stop_nodes "${CLUSTER_NODES[@]}" >/dev/null
  if [[ -d "$CLUSTER_DIR" ]]; then
    [[ -f "$CLUSTER_DIR/.mash-kafka" ]] || die "$CLUSTER_DIR was not created by this script; not deleting it"
    rm -rf "$CLUSTER_DIR"
  fi
  echo "kafka cluster: stopped and deleted $CLUSTER_DIR"
}

cluster() {
  # Three JVMs on one small machine: a smaller heap each than the single broker's default.
  read -r -a HEAP <<<"${KAFKA_HEAP_OPTS:--Xmx384m -Xms192m}"
  local sub="${1:-}"
  shift || true
  case "$sub" in
    start) cluster_start ;;
    stop) cluster_stop_nodes "${CLUSTER_NODES[@]}" ;;
    status) cluster_status ;;
    kill) cluster_kill "${1:-}" ;;
    restart) cluster_restart "${1:-}" ;;
    brokers) cluster_brokers ;;
    reset) cluster_reset ;;
    *)
      echo "usage: $0 cluster start|stop|status|kill N|restart N|brokers|reset" >&2
      exit 2
      ;;
  esac
}

case "${1:-}" in
  cluster) shift; cluster "$@" ;;
  fetch) check_java; fetch ;;
  start) start ;;
  stop) stop ;;
  status) status ;;
  wait) cmd_wait ;;
  version) echo "$KAFKA_VERSION" ;;
  reset) reset ;;
  principals) shift; cmd_principals "$@" ;;
  *)
    echo "usage: $0 fetch|start|stop|status|wait|version|reset|principals [add|remove|sync] (one broker), or $0 cluster ... (three)" >&2
    exit 2
    ;;
esac
