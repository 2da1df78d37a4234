#!/usr/bin/env bash
# Sends deterministic, realistic metric reports (TBDS, OpenTSDB JSON, BlueKing time series and events, the seed's
# mapping) to Kafka, or through the report gateway over HTTP: io.tsdbpipe.tools.LoadGenerator. See --help.
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "$0")" && pwd)"
# shellcheck source=lib/common.sh
source "$SCRIPT_DIR/lib/common.sh"
# shellcheck source=lib/job.sh
source "$SCRIPT_DIR/lib/job.sh"

JOB_JAR="${JOB_JAR:-$REPO_DIR/target/tsdb-report-pipeline-0.1.0-SNAPSHOT.jar}"
MAIN=io.tsdbpipe.tools.LoadGenerator

usage_env() {
  cat <<EOF

scripts/loadgen.sh:
  Without --bootstrap-servers it sends to the local broker of scripts/kafka.sh (\$KAFKA_PORT, else the port the
  running broker was started with, else 9092). It runs from the gateway jar (target/, when it is newer than src/main:
  the job jar ships no tools) or else from the compiled classes (scripts/lib/job.sh).
  Progress goes to stderr every 5 s (every second on a terminal); log: \$PIPELINE_HOME/logs/loadgen.log.
Examples:
  scripts/loadgen.sh --rate 200 --duration 60                       # a minute of live-looking load
  scripts/loadgen.sh --count 100 --start-epoch 1597634000 --expected expected.jsonl
  scripts/loadgen.sh --count 5 --print | scripts/dry-run.sh          # what the job makes of them
  scripts/loadgen.sh --http http://127.0.0.1:7777 --format tbds --rate 0 --count 10000      # Flume envelopes
  scripts/loadgen.sh --http http://127.0.0.1:10205/v2/push/ --format blueking-events \
      --data-id 1500002 --token TOKEN --rate 50 --duration 60       # a channel of scripts/channel.sh
  scripts/loadgen.sh --http http://127.0.0.1:10205/api/put --format opentsdb --connections 8 --rate 0 --count 50000
EOF
}

has_bootstrap=""
for a in "$@"; do
  case "$a" in
    --bootstrap-servers | --bootstrap-servers=* | --print | --http | --http=*) has_bootstrap=yes ;;
  esac
done

args=("$@")
if [[ -z "$has_bootstrap" ]]; then
  port="${KAFKA_PORT:-}"
  if [[ -z "$port" ]] && is_running kafka; then
    port="$(sed -n 's|^advertised.listeners=PLAINTEXT://.*:\([0-9][0-9]*\)$|\1|p' "$CONF_DIR/kafka/server.properties" 2>/dev/null || true)"
  fi
  args=(--bootstrap-servers "$BIND_HOST:${port:-9092}" "${args[@]+"${args[@]}"}")
fi

require_java
log_opts=(-Dlog4j2.configurationFile="$REPO_DIR/scripts/lib/log4j2-local.properties" -Dlog.file="$LOG_DIR/loadgen.log")
tools_jar="${JOB_JAR%.jar}-gateway.jar"
rc=0
if [[ -f "$tools_jar" ]] && [[ -z "$(find "$REPO_DIR/src/main" -newer "$tools_jar" -type f 2>/dev/null | head -1)" ]]; then
  # the gateway jar has every project class, kafka-clients, Jackson and logging, and no Flink: quick to start
  "$JAVA" -Xmx256m -XX:+UseSerialGC "${log_opts[@]}" -cp "$tools_jar" "$MAIN" "${args[@]}" || rc=$?
else
  job_java "$MAIN" "${args[@]}" || rc=$?
fi
for a in "$@"; do
  [[ "$a" == -h || "$a" == --help ]] && usage_env
done
exit "$rc"
