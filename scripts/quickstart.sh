#!/usr/bin/env bash
# One command from a fresh checkout to the job running on a local Flink cluster with data in OpenTSDB. See usage().
set -euo pipefail

usage() {
  cat <<'USAGE'
Usage: scripts/quickstart.sh [--config FILE] [--resubmit] [--input FILE]

 1. builds the job jar (mvn -B package, tests skipped) if it is missing or older than the sources,
 2. starts Kafka, OpenTSDB (on HBase) and a Flink session cluster (scripts/infra.sh up; each is idempotent),
 3. creates the topics "reports" (2 partitions) and "reports-dead-letter",
 4. submits the job (scripts/job.sh submit, which resumes from the latest retained state of an earlier job of the
    same name) unless one already runs on the cluster: then that one is kept (--resubmit stops it with a savepoint
    and resumes the current jar from it; if no savepoint can be taken, e.g. while the TSD is down, it cancels the
    job and resumes from its latest retained checkpoint; it never starts the job without its state),
 5. sends --input (default scripts/samples/reports.jsonl: TBDS and OpenTSDB JSON reports, and some bad ones),
 6. waits until the sample datapoints are queryable in OpenTSDB and prints them, and the dead-letter reasons,
 7. prints the web UI, OpenTSDB and Prometheus URLs and the command that stops everything.

Running it again is safe: the servers and the job are reused, the samples are sent again (OpenTSDB stores the same
points again idempotently; the series stage drops the exact duplicates it remembers; the bad ones are dead-lettered
again). State, logs and PID files: $PIPELINE_HOME (default <repo>/.local). Ports: the variables of
scripts/kafka.sh, scripts/opentsdb.sh and scripts/flink.sh (--help of each). The first run downloads the servers'
jars from Maven Central (a few minutes); later runs take well under a minute.
--config FILE: the job's configuration (default flink-conf/pipeline.yaml); the addresses of the local servers and
the topics are given on top of it.
USAGE
}

SCRIPT_DIR="$(cd "$(dirname "$0")" && pwd)"
for a in "$@"; do [[ "$a" == -h || "$a" == --help ]] && { usage; exit 0; }; done
# shellcheck source=lib/common.sh
source "$SCRIPT_DIR/lib/common.sh"
# shellcheck source=lib/job.sh
source "$SCRIPT_DIR/lib/job.sh"
# shellcheck source=infra/flink/lib.sh
source "$SCRIPT_DIR/infra/flink/lib.sh"

config="$REPO_DIR/flink-conf/pipeline.yaml"
input="$SCRIPTS_DIR/samples/reports.jsonl"
resubmit=""
while (($#)); do
  case "$1" in
    --config) config="${2:?--config needs a file}"; shift 2 ;;
    --input) input="${2:?--input needs a file}"; shift 2 ;;
    --resubmit) resubmit=yes; shift ;;
    *) die "unexpected argument '$1' (see --help)" ;;
  esac
done
[[ -f "$config" ]] || die "no configuration file $config"
[[ -f "$input" ]] || die "no input file $input"
require_java
require_cmd mvn

started="$(now_ms)"
jar="$REPO_DIR/target/tsdb-report-pipeline-0.1.0-SNAPSHOT.jar"
topic=reports
dead_letter=reports-dead-letter

# 1. the jar
if [[ ! -f "$jar" || -n "$(find "$REPO_DIR/src/main" "$REPO_DIR/pom.xml" -newer "$jar" -type f 2>/dev/null | head -1)" ]]; then
  step="$(now_ms)"
  info "building the job jar (mvn -B package -Dmaven.test.skip=true; log $LOG_DIR/mvn-package.log)"
  if ! (cd "$REPO_DIR" && mvn -B package -Dmaven.test.skip=true >"$LOG_DIR/mvn-package.log" 2>&1); then
    log_tail "$LOG_DIR/mvn-package.log" 40
    die "the build failed (log: $LOG_DIR/mvn-package.log)"
  fi
  info "job jar built in $(elapsed_since "$step") s: $jar"
else
  info "job jar is up to date: $jar"
fi

# 2. the servers
"$SCRIPTS_DIR/infra.sh" up
# the ports the services run with (a running service keeps its ports; see each script)
kafka_port="$(sed -n 's|^advertised.listeners=PLAINTEXT://.*:\([0-9][0-9]*\)$|\1|p' "$CONF_DIR/kafka/server.properties" 2>/dev/null || true)"
tsdb_port="$(sed -n 's|^tsd.network.port = \([0-9][0-9]*\)$|\1|p' "$CONF_DIR/opentsdb/opentsdb.conf" 2>/dev/null || true)"
bootstrap="$BIND_HOST:${kafka_port:-${KAFKA_PORT:-9092}}"
tsdb_url="http://$BIND_HOST:${tsdb_port:-${TSDB_PORT:-4242}}"
rest="$(flink_local_rest)"

# 3. topics
"$SCRIPTS_DIR/kafka.sh" topic-create "$topic" 2 >/dev/null
"$SCRIPTS_DIR/kafka.sh" topic-create "$dead_letter" 1 >/dev/null
info "topics $topic (2 partitions) and $dead_letter ready on $bootstrap"

# 4. the job: one per name
job_name="$(sed -n 's/^job\.name:[[:space:]]*\([^#]*[^#[:space:]]\).*/\1/p' "$config" | tr -d "\"'" | tail -n 1)"
job_name="${job_name:-tsdb-report-pipeline}"
running="$(flink_rest find "$rest" "$job_name")"
job_id=""
state=""
if [[ -n "$running" && -n "$resubmit" ]]; then
  # Never a new job without the old one's state: its sink may hold points whose Kafka offsets are committed.
  for id in $running; do
    info "--resubmit: stopping job $id ($job_name) with a savepoint"
    if ! state="$("$SCRIPTS_DIR/job.sh" stop "$id" --rest "$rest" --timeout 120)"; then
      warn "no savepoint of job $id (a savepoint waits for the sink, e.g. while the TSD is down): cancelling it;" \
        "the new job resumes from its latest retained checkpoint"
      "$SCRIPTS_DIR/job.sh" cancel "$id" --rest "$rest"
      state=""
    fi
  done
  running=""
fi
if [[ -n "$running" ]]; then
  job_id="$(head -n 1 <<<"$running")"
  info "job '$job_name' already runs on the cluster ($job_id): keeping it (--resubmit replaces it)"
else
  # Without a savepoint, job.sh submit resumes from the latest retained checkpoint of an earlier job of this name.
  from=()
  [[ -z "$state" ]] || from=(--from-savepoint "$state")
  job_id="$("$SCRIPTS_DIR/job.sh" submit --rest "$rest" --config "$config" --jar "$jar" "${from[@]+"${from[@]}"}" -- \
    --source.bootstrap-servers "$bootstrap" --source.topics "$topic" --dead-letter.topic "$dead_letter" \
    --sink.opentsdb.endpoints "$tsdb_url")"
fi

# 5. samples
info "sending $(grep -c '' "$input") reports from ${input#"$REPO_DIR"/} to topic $topic"
"$SCRIPTS_DIR/kafka.sh" produce "$topic" "$input"

# 6. the result (the samples lie in one minute of 2020: query just that, whatever else the TSD holds).
# ShowOpenTsdb needs only Jackson: the shaded jar has it.
show_opentsdb() {
  if [[ -f "$jar" ]]; then
    "$JAVA" -Xmx128m -XX:+UseSerialGC -cp "$jar" io.tsdbpipe.tools.ShowOpenTsdb "$@"
  else
    job_java io.tsdbpipe.tools.ShowOpenTsdb "$@"
  fi
}
metrics=(mking.network sys.cpu.user sys.mem.used)
echo
echo "== Datapoints in OpenTSDB ($tsdb_url/api/query) for: ${metrics[*]}"
if ! show_opentsdb --url "$tsdb_url" --start 1597634000 --end 1597635000 --expect 6 --wait-seconds 90 "${metrics[@]}"; then
  "$SCRIPTS_DIR/job.sh" status "$job_id" --rest "$rest" >&2 || true
  log_tail "$LOG_DIR/flink-taskmanager-1.log" 40
  die "the sample datapoints did not reach OpenTSDB within 90 s (job $job_id; logs in $LOG_DIR)"
fi
echo
echo "== Dead-letter topic $dead_letter: records by reason (all runs so far)"
"$SCRIPTS_DIR/kafka.sh" consume "$dead_letter" --timeout-ms 4000 2>/dev/null \
  | sed -n 's/^{"reason":"\([^"]*\)".*/\1/p' | sort | uniq -c | sed 's/^/  /' || true

# 7. where things are
echo
echo "== Running"
echo "  Flink web UI      http://$rest   (job $job_id)"
echo "  OpenTSDB          $tsdb_url      (e.g. $tsdb_url/api/query?start=1597634000&m=none:mking.network)"
echo "  Kafka             $bootstrap     (topics $topic, $dead_letter)"
for f in "$LOG_DIR/$FLINK_JM.log" "$LOG_DIR"/flink-taskmanager-*.log; do
  [[ -f "$f" ]] || continue
  name="$(basename "$f" .log)"
  is_running "$name" || continue
  port="$(sed -n 's/.*Started PrometheusReporter HTTP server on port \([0-9][0-9]*\).*/\1/p' "$f" | tail -n 1)"
  [[ -z "$port" ]] || printf '  Prometheus        http://%s:%s/metrics   (%s; the job'\''s counters are on the TaskManagers: flink_taskmanager_job_task_operator_*)\n' "$BIND_HOST" "$port" "$name"
done
echo "  Job operations    scripts/job.sh status $job_id   |   scripts/job.sh stop $job_id   |   scripts/loadgen.sh --rate 100 --duration 60"
echo "  Stop everything   scripts/job.sh cancel $job_id ; scripts/infra.sh down"
echo
info "quickstart done in $(elapsed_since "$started") s"
