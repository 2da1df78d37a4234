#!/usr/bin/env bash
# Times a whole run: reports in Kafka -> the job (embedded Flink) -> a real OpenTSDB, and checks what arrived.
set -euo pipefail
usage() {
  cat <<'USAGE'
Usage: scripts/bench-pipeline.sh [--reports N] [--points-per-report P] [--series S] [--parallelism K] [--key value]...

Starts Kafka and OpenTSDB (as run-local.sh does), produces N deterministic reports (scripts/loadgen.sh, TBDS and
OpenTSDB JSON mixed) to a fresh topic, runs the job over them (source.bounded) and prints:
  produce time, job wall time (JVM start to the last point acknowledged by OpenTSDB), datapoints/s end to end,
  and the datapoints read back from OpenTSDB against the datapoints sent.
Defaults: 2000 reports x 50 points over 1000 series (100,000 datapoints), parallelism 2. Keep the run's timestamps
within an hour (reports x points-per-report / series x 10 s interval < 3600 s) so the count check sees only them.
Any --key value is passed to the job (e.g. --sink.opentsdb.max-batch-bytes "64 kb", which needs the TSD's chunking:
the local TSD has it on).
USAGE
}
source "$(cd "$(dirname "$0")" && pwd)/lib/common.sh"
source "$SCRIPTS_DIR/lib/job.sh"

reports=2000 ppr=50 series=1000 parallelism=2
overrides=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    -h|--help) usage; exit 0 ;;
    --reports) reports="$2"; shift 2 ;;
    --points-per-report) ppr="$2"; shift 2 ;;
    --series) series="$2"; shift 2 ;;
    --parallelism) parallelism="$2"; shift 2 ;;
    --*) overrides+=("$1" "${2:?$1 needs a value}"); shift 2 ;;
    *) die "unexpected argument '$1' (see --help)" ;;
  esac
done
require_java

"$SCRIPTS_DIR/kafka.sh" start
"$SCRIPTS_DIR/opentsdb.sh" start
tsdb_url="http://$BIND_HOST:${TSDB_PORT:-4242}"
run="bench-$(date +%s)"
"$SCRIPTS_DIR/kafka.sh" topic-create "$run" 2 >&2
expected="$PIPELINE_HOME/$run-expected.jsonl"
# each run (minute) writes its own hour of 2020-2025, so that counting in OpenTSDB sees only this run's points
start_epoch=$(( 1600000000 + ($(date +%s) / 60 % 40000) * 3600 ))

t0=$(now_ms)
"$SCRIPTS_DIR/loadgen.sh" --topic "$run" --count "$reports" --points-per-report "$ppr" --series "$series" \
  --start-epoch "$start_epoch" --expected "$expected" --rate 0 --quiet
produce_s=$(elapsed_since "$t0")
sent=$(grep -c '' "$expected")
info "produced $reports reports ($sent datapoints) in $produce_s s"

t1=$(now_ms)
job_java io.tsdbpipe.job.ReportPipelineJob --config "$REPO_DIR/flink-conf/pipeline.yaml" \
  --source.bootstrap-servers "$BIND_HOST:${KAFKA_PORT:-9092}" --source.topics "$run" --source.group-id "$run" \
  --source.start earliest --source.bounded true --dead-letter.topic "$run-dead-letter" \
  --sink.opentsdb.endpoints "$tsdb_url" --parallelism.default "$parallelism" \
  "${overrides[@]+"${overrides[@]}"}" || die "the job failed; see $LOG_DIR/job-local.log"
job_ms=$(( $(now_ms) - t1 ))

end_epoch=$(( start_epoch + 3599 ))
mapfile -t metrics < <(sed -E 's/.*"metric":"([^"]*)".*/\1/' "$expected" | sort -u)
stored=$(job_java io.tsdbpipe.tools.ShowOpenTsdb --url "$tsdb_url" --start "$start_epoch" --end "$end_epoch" --count --expect "$sent" \
  --wait-seconds 60 "${metrics[@]}" | awk '$1 == "total" {print $2}') || true

echo
echo "machine:          $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB, $("$JAVA" -version 2>&1 | head -1)"
echo "datapoints sent:  $sent ($reports reports x $ppr points, $series series)"
echo "produce:          $produce_s s"
printf 'job wall time:    %d.%03d s (JVM start, embedded Flink, parallelism %s, to the last write)\n' \
  $((job_ms / 1000)) $((job_ms % 1000)) "$parallelism"
echo "end-to-end rate:  $(( sent * 1000 / (job_ms > 0 ? job_ms : 1) )) datapoints/s"
echo "in OpenTSDB:      ${stored:-?} of $sent datapoints read back"
[[ "${stored:-0}" -ge "$sent" ]] || die "datapoints missing in OpenTSDB"
