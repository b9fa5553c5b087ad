#!/usr/bin/env bash
# npm run test:cluster [-- jest args]: starts the local three-broker Kafka cluster
# (infra/kafka.sh cluster), runs test/cluster/jest.config.js against it with every topic on three
# replicas, and stops the cluster again. MASH_CLUSTER_SET=short runs the short form (.ci/run).
set -euo pipefail
cd "$(dirname "$0")/../.."
bash infra/postgres.sh start >/dev/null
# A cluster of its own, fresh every run: no topics or offsets left by an earlier run, and a
# developer's own `infra/kafka.sh cluster` data (~/.cache/mash-kafka/cluster) is never touched.
export KAFKA_CLUSTER_DIR="${KAFKA_CLUSTER_DIR:-$HOME/.cache/mash-kafka/test-cluster}"
# Three JVMs starting on a busy 2-core machine took up to 93 s here; the default 90 s is too tight.
export KAFKA_WAIT_TIMEOUT="${KAFKA_WAIT_TIMEOUT:-240}"
bash infra/kafka.sh cluster reset >/dev/null
trap 'bash infra/kafka.sh cluster stop' EXIT
bash infra/kafka.sh cluster start
KAFKA_BROKERS="$(bash infra/kafka.sh cluster brokers)"
export KAFKA_BROKERS
export DATABASE_URL="${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres}"
export MASH_TOPIC_REPLICATION=3
export MASH_KAFKA_CLUSTER=1
npm run build --silent
npx jest --runInBand --forceExit -c test/cluster/jest.config.js "$@"
