#!/usr/bin/env bash
# Runs the job locally against a real Kafka and a real OpenTSDB (started here), and shows its result. See usage().
set -euo pipefail
usage() {
  cat <<'USAGE'
Usage: scripts/run-local.sh [--config FILE] [--key value]... [--input FILE]

1. starts a local Kafka broker and OpenTSDB 2.4.1 on HBase (scripts/kafka.sh, scripts/opentsdb.sh; idempotent,
   state in .local/),
2. creates the report and dead-letter topics,
3. sends the reports of --input (default scripts/samples/reports.jsonl: the seed's TBDS report, OpenTSDB JSON, and
   some bad reports), one per line,
4. runs the job in an embedded Flink (source.bounded: it stops once it has read what was sent),
5. prints the datapoints the dry run of the input names (scripts/dry-run.sh with the same configuration), as OpenTSDB
   holds them, and fails if one is missing; then the records of the dead-letter topic.

--config FILE (default flink-conf/pipeline.yaml) and --key value are the job's configuration (README.md); BlueKing
reports are expected only for the configuration's channels (channels.static.*: the dry run does not read the channel
topic). Points stamped when read (BlueKing items without a timestamp) count if their series got a point in this run.
The servers keep running; stop them with: scripts/kafka.sh stop; scripts/opentsdb.sh stop
USAGE
}
source "$(cd "$(dirname "$0")" && pwd)/lib/common.sh"
source "$SCRIPTS_DIR/lib/job.sh"

config="$REPO_DIR/flink-conf/pipeline.yaml"
input="$SCRIPTS_DIR/samples/reports.jsonl"
overrides=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    -h|--help) usage; exit 0 ;;
    --config) config="${2:?--config needs a file}"; shift 2 ;;
    --input) input="${2:?--input needs a file}"; shift 2 ;;
    --*=*) overrides+=("$1"); shift ;;
    --*) overrides+=("$1" "${2:?$1 needs a value}"); shift 2 ;;
    *) die "unexpected argument '$1' (see --help)" ;;
  esac
done
[[ -f "$config" ]] || die "no configuration file $config"
[[ -f "$input" ]] || die "no input file $input"
require_java

started="$(now_ms)"
expected="$(mktemp "${TMPDIR:-/tmp}/run-local-expected.XXXXXX")"
trap 'rm -f "$expected"' EXIT
"$SCRIPTS_DIR/kafka.sh" start
"$SCRIPTS_DIR/opentsdb.sh" start
tsdb_url="http://$BIND_HOST:${TSDB_PORT:-4242}"
bootstrap="$BIND_HOST:${KAFKA_PORT:-9092}"
topic=reports
dead_letter=reports-dead-letter
"$SCRIPTS_DIR/kafka.sh" topic-create "$topic" 2
"$SCRIPTS_DIR/kafka.sh" topic-create "$dead_letter" 1

info "sending $(grep -c '' "$input") reports from $input to topic $topic"
# what the job should make of them: the dry run of the same input and configuration, meanwhile
job_java io.tsdbpipe.tools.DryRun --config "$config" "${overrides[@]+"${overrides[@]}"}" "$input" >"$expected" &
dry_run=$!
"$SCRIPTS_DIR/kafka.sh" produce "$topic" "$input"
wait "$dry_run" || die "the dry run of $input failed"

info "running the job (embedded Flink; log: $LOG_DIR/job-local.log)"
job_java io.tsdbpipe.job.ReportPipelineJob --config "$config" \
  --source.bootstrap-servers "$bootstrap" --source.topics "$topic" --dead-letter.topic "$dead_letter" \
  --sink.opentsdb.endpoints "$tsdb_url" --source.bounded true --checkpoint.interval "5 s" \
  "${overrides[@]+"${overrides[@]}"}" \
  || die "the job failed; see $LOG_DIR/job-local.log"

points="$(grep -o '"metric":' "$expected" | wc -l | tr -d ' ')"
event_lines="$(grep -c '"events":\[' "$expected" || true)"
echo
if ((points == 0)); then
  echo "== The dry run of ${input#"$REPO_DIR"/} names no datapoints: nothing to look for in OpenTSDB"
else
  echo "== Datapoints in OpenTSDB ($tsdb_url/api/query) that the dry run of ${input#"$REPO_DIR"/} names" \
    "($points, first per series and instant)"
  job_java io.tsdbpipe.tools.ShowOpenTsdb --url "$tsdb_url" --expected "$expected" --since "$started" \
    --wait-seconds 30 || die "not every datapoint of $input is in OpenTSDB (see above; job log $LOG_DIR/job-local.log)"
fi
if ((event_lines > 0)); then
  echo "   ($event_lines reports hold BlueKing events: counted per events.window into their <prefix>.events series," \
    "written to the events topic and OpenTSDB annotations; not checked here)"
fi
echo
echo "== Dead-letter topic $dead_letter (reason, message, source offset)"
"$SCRIPTS_DIR/kafka.sh" consume "$dead_letter" --timeout-ms 5000 2>/dev/null \
  | sed -E 's/.*"reason":"([^"]*)","message":"(([^"\\]|\\.)*)","topic":"([^"]*)","partition":([0-9]+),"offset":([0-9]+).*/\1: \2 (\4-\5@\6)/'
echo
info "done in $(elapsed_since "$started") s. OpenTSDB: $tsdb_url  Kafka: $bootstrap  Stop: scripts/kafka.sh stop; scripts/opentsdb.sh stop"
