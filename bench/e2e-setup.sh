#!/usr/bin/env bash
# What `npm run bench:e2e` needs before it starts: Postgres, the local broker (infra/kafka.sh) and,
# once, Apache Kafka's own performance tools from Maven Central (bench/kafka-tools/pom.xml).
set -euo pipefail
cd "$(dirname "$0")/.."
bash infra/postgres.sh start >/dev/null
bash infra/kafka.sh start
version="$(sed -n 's:.*<kafka\.version>\([^<]*\)</kafka\.version>.*:\1:p' infra/kafka/pom.xml | head -n1)"
tools="${KAFKA_HOME_CACHE:-$HOME/.cache/mash-kafka/$version}/tools"
if [[ ! -f "$tools/.complete" ]]; then
  tmp="$tools.tmp.$$"
  rm -rf "$tmp"
  mvn -q -B -f bench/kafka-tools/pom.xml dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory="$tmp" >/dev/null
  compgen -G "$tmp/kafka-tools-$version.jar" >/dev/null || { echo "bench:e2e: kafka-tools-$version.jar not fetched" >&2; exit 1; }
  touch "$tmp/.complete"
  rm -rf "$tools" && mv "$tmp" "$tools"
fi
