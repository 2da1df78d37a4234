#!/usr/bin/env bash
# One command from a fresh checkout to the job running on a local Flink cluster with data in OpenTSDB. See usage().
set -euo pipefail

usage() {
  cat <<'USAGE'
Usage: scripts/quickstart.sh [--config FILE] [--resubmit] [--input FILE]

 1. builds the job jar (mvn -B package, tests skipped) if it is missing or older than the sources,
 2. starts Kafka, OpenTSDB (on HBase), a Flink session cluster and the HTTP report gateway (scripts/infra.sh up;
    each is idempotent),
 3. creates the topics "reports" (2 partitions) and "reports-dead-letter", and two demo BlueKing channels
    (scripts/channel.sh create: time series and events, metric prefix bk.demo; their data_ids and tokens are kept
    in $PIPELINE_HOME/data/quickstart/channels.env for the next run),
 4. submits the job (scripts/job.sh submit, which resumes from the latest retained state of an earlier job of the
    same name) unless one already runs on the cluster: then that one is kept (--resubmit stops it with a savepoint
    and resumes the current jar from it; if no savepoint can be taken, e.g. while the TSD is down, it cancels the
    job and resumes from its latest retained checkpoint; it never starts the job without its state),
 5. sends the samples through the gateway with curl, the way applications do: each report of --input (default
    scripts/samples/reports.jsonl) by its shape, TBDS reports (and anything else) in Flume JSON envelopes to the
    Flume-style port, OpenTSDB JSON to /api/put, BlueKing reports to /v2/push/; then the BlueKing samples of
    scripts/samples/blueking.jsonl (time series, an event stamped now, bad metric names, a wrong token, an unknown
    data_id) to /v2/push/ with the demo channels' data_ids and tokens. It prints every answer. A report the gateway refuses at the edge (malformed JSON,
    a wrong token) is also sent straight to Kafka, so that the dead-letter topic shows what the job makes of it,
 6. waits until the sample datapoints are queryable in OpenTSDB and prints them, the event's annotation, the event
    counts of the last hour, and the dead-letter reasons,
 7. prints the gateway's, the web UI's, OpenTSDB's (with links to its graph page for the samples) and Prometheus'
    URLs and the command that stops everything.

Running it again is safe: the servers, the channels and the job are reused, the samples are sent again (OpenTSDB
stores the same points again idempotently; the series stage drops the exact duplicates it remembers; the bad ones are
dead-lettered again; the event is a new one, of this run's minute). State, logs and PID files: $PIPELINE_HOME
(default <repo>/.local). Ports: the variables of scripts/kafka.sh, scripts/opentsdb.sh, scripts/flink.sh and
scripts/gateway.sh (--help of each). Needs curl. The first run downloads the servers' jars from Maven Central (a few
minutes); later runs take well under a minute.
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
require_cmd mvn curl

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
  touch "$REPO_DIR/target/classes/.compiled" # the package compiled the classes scripts/lib/job.sh runs
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
gateway_line="$({ grep -E 'gateway ready: ' "$LOG_DIR/gateway.log" 2>/dev/null || true; } | tail -n 1)"
gateway_http="$(sed -n 's|.*gateway ready: \(http://[^ ,]*\).*|\1|p' <<<"$gateway_line")"
gateway_flume="$(sed -n 's|.*, flume \(http://[^ ,]*\).*|\1|p' <<<"$gateway_line")"
[[ -n "$gateway_http" && -n "$gateway_flume" ]] || die "no 'gateway ready' line in $LOG_DIR/gateway.log"

# 3. topics
"$SCRIPTS_DIR/kafka.sh" topic-create "$topic" 2 >/dev/null
"$SCRIPTS_DIR/kafka.sh" topic-create "$dead_letter" 1 >/dev/null
info "topics $topic (2 partitions) and $dead_letter ready on $bootstrap"

# 3b. the demo BlueKing channels: created once, their tokens kept (channel.sh shows a token only once)
channels_env="$DATA_DIR/quickstart/channels.env"
channels_created=""
create_channels() {
  local out ts_out ev_out
  info "creating the demo BlueKing channels (scripts/channel.sh create)"
  local channel=("$SCRIPTS_DIR/channel.sh" --config "$config" --bootstrap-servers "$bootstrap")
  ts_out="$("${channel[@]}" create --name quickstart-demo --metric-prefix bk.demo --tag tenant=demo)" \
    || die "scripts/channel.sh create failed"
  ev_out="$("${channel[@]}" create --name quickstart-demo-events --kind events --metric-prefix bk.demo)" \
    || die "scripts/channel.sh create failed"
  mkdir -p "$(dirname "$channels_env")"
  out="$(umask 077 && mktemp "$channels_env.XXXXXX")"
  {
    echo "# the quickstart's demo channels (scripts/channel.sh list shows them, never their tokens)"
    sed -n 's/^created: data_id=\([0-9]*\).*/ts_id=\1/p' <<<"$ts_out"
    sed -n 's/^access_token: \(.*\)$/ts_token=\1/p' <<<"$ts_out"
    sed -n 's/^created: data_id=\([0-9]*\).*/ev_id=\1/p' <<<"$ev_out"
    sed -n 's/^access_token: \(.*\)$/ev_token=\1/p' <<<"$ev_out"
  } >"$out"
  mv -f "$out" "$channels_env"
  grep "^created: " <<<"$ts_out"$'\n'"$ev_out" | sed 's/^/  /' >&2
  channels_created=yes
}
load_channels() {
  ts_id="" ts_token="" ev_id="" ev_token=""
  [[ -f "$channels_env" ]] || return 1
  ts_id="$(sed -n 's/^ts_id=//p' "$channels_env")"
  ts_token="$(sed -n 's/^ts_token=//p' "$channels_env")"
  ev_id="$(sed -n 's/^ev_id=//p' "$channels_env")"
  ev_token="$(sed -n 's/^ev_token=//p' "$channels_env")"
  [[ -n "$ts_id" && -n "$ts_token" && -n "$ev_id" && -n "$ev_token" ]]
}
if load_channels; then
  info "demo BlueKing channels: $ts_id (time series), $ev_id (events), tokens in ${channels_env#"$REPO_DIR"/}"
else
  create_channels
  load_channels || die "could not read the demo channels back from $channels_env"
fi

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

if [[ -n "$channels_created" && -n "$running" ]]; then
  # a running job finds a channel topic created after its start within 10 s (it subscribes by pattern)
  info "waiting 10 s for the running job to find the new channels"
  sleep 10
fi

# 5. the samples, through the gateway as applications send them. post URL BODY: sets status and answer.
answer_file="$(mktemp "${TMPDIR:-/tmp}/quickstart-answer.XXXXXX")"
trap 'rm -f "$answer_file"' EXIT
post() {
  status="$(printf '%s' "$2" | curl -sS -m 30 -o "$answer_file" -w '%{http_code}' -H 'Content-Type: application/json' \
    --data-binary @- "$1" 2>&1)" || status="000"
  answer="$(tr -d '\r' <"$answer_file" | tr '\n' ' ' | cut -c1-240)"
}
json_string() { sed -e 's/\\/\\\\/g' -e 's/"/\\"/g' -e 's/\t/\\t/g' <<<"$1"; }
refused=()
# send WHAT URL BODY REPORT: posts, prints the answer; a report refused with a 4xx is kept for Kafka (REPORT: its line)
send() {
  local what="$1" url="$2" body="$3" report="$4"
  post "$url" "$body"
  printf '  %-42s POST %-34s -> %s %s\n' "$what" "$url" "$status" "${answer:-(empty body)}"
  if [[ "$status" == 4* ]]; then
    refused+=("$report")
  elif [[ "$status" != 2* ]]; then
    die "the gateway answered $status to $what (log: $LOG_DIR/gateway.log)"
  fi
}
echo
echo "== Sending the samples through the gateway (${input#"$REPO_DIR"/}, scripts/samples/blueking.jsonl)"
n=0
while IFS= read -r line || [[ -n "$line" ]]; do
  n=$((n + 1))
  [[ -n "${line//[[:space:]]/}" ]] || continue
  case "$line" in
    '['* | '{"metric"'*) send "line $n: OpenTSDB JSON" "$gateway_http/api/put" "$line" "$line" ;;
    '{"data_id"'*) send "line $n: BlueKing report" "$gateway_http/v2/push/" "$line" "$line" ;;
    '{"metrics"'*) send "line $n: TBDS report, in a Flume envelope" "$gateway_flume/" \
      "[{\"headers\":{},\"body\":\"$(json_string "$line")\"}]" "$line" ;;
    *) send "line $n: other, in a Flume envelope" "$gateway_flume/" \
      "[{\"headers\":{},\"body\":\"$(json_string "$line")\"}]" "$line" ;;
  esac
done <"$input"
# The BlueKing samples with the demo channels' data_ids and tokens; the event happens now (this run's minute).
event_ms="$(now_ms)"
bk_samples() {
  grep '"data_id"' "$SCRIPTS_DIR/samples/blueking.jsonl" | sed \
    -e "s/\"data_id\":1500001,\"access_token\":\"demo-token-time-series-0123456789\"/\"data_id\":$ts_id,\"access_token\":\"$ts_token\"/" \
    -e "s/\"data_id\":1500002,\"access_token\":\"demo-token-events-0123456789abcdef\"/\"data_id\":$ev_id,\"access_token\":\"$ev_token\"/" \
    -e "s/\"data_id\":1500001,\"access_token\":\"not-the-token\"/\"data_id\":$ts_id,\"access_token\":\"not-the-token\"/" \
    -e "/\"event_name\"/s/\"timestamp\":[0-9]*/\"timestamp\":$event_ms/"
}
is_demo() { [[ "$1" == *"$ts_token"* || "$1" == *"$ev_token"* ]]; }
# bk_send WHAT LINE: returns 3 if the gateway does not know a kept demo channel
bk_send() {
  local what="$1" line="$2" deadline
  deadline=$(($(date +%s) + 20))
  post "$gateway_http/v2/push/" "$line"
  # channels created just now reach the gateway within moments (it follows the channel topic)
  while [[ -n "$channels_created" && "$status" == 401 ]] && is_demo "$line" && (($(date +%s) < deadline)); do
    sleep 0.5
    post "$gateway_http/v2/push/" "$line"
  done
  if [[ "$status" == 401 && -z "$channels_created" ]] && is_demo "$line"; then
    return 3
  fi
  printf '  %-42s POST %-34s -> %s %s\n' "$what" "$gateway_http/v2/push/" "$status" "${answer:-(empty body)}"
  if [[ "$status" == 4* ]]; then
    refused+=("$line")
  elif [[ "$status" != 2* ]]; then
    die "the gateway answered $status to $what (log: $LOG_DIR/gateway.log)"
  fi
}
send_bk_samples() {
  local names=("BlueKing time series" "BlueKing event (now)" "BlueKing, bad metric names" "BlueKing, wrong token"
    "BlueKing, unknown data_id") i=0 line
  while IFS= read -r line; do
    bk_send "${names[i]:-BlueKing line $((i + 1))}" "$line" || return
    i=$((i + 1))
  done < <(bk_samples)
}
if ! send_bk_samples; then
  # the kept channels are gone (e.g. the broker's data was wiped): new ones, and the samples again
  warn "the gateway does not know the demo channels of ${channels_env#"$REPO_DIR"/}: creating new ones"
  create_channels
  load_channels || die "could not read the demo channels back from $channels_env"
  send_bk_samples || die "the gateway refuses the new demo channels' tokens (log: $LOG_DIR/gateway.log)"
fi
if ((${#refused[@]} > 0)); then
  info "the gateway refused ${#refused[@]} reports at the edge (answers above): sending them straight to topic" \
    "$topic as well, to show what the job makes of them in the dead-letter topic"
  printf '%s\n' "${refused[@]}" | "$SCRIPTS_DIR/kafka.sh" produce "$topic"
fi

# 6. the result (the samples lie in one minute of 2020 and one of 2021: query just those, whatever else the TSD holds).
# ShowOpenTsdb needs only Jackson: the gateway jar has it (the job jar ships no tools).
show_opentsdb() {
  local tools_jar="${jar%.jar}-gateway.jar"
  if [[ -f "$tools_jar" ]]; then
    "$JAVA" -Xmx128m -XX:+UseSerialGC -cp "$tools_jar" io.tsdbpipe.tools.ShowOpenTsdb "$@"
  else
    job_java io.tsdbpipe.tools.ShowOpenTsdb "$@"
  fi
}
not_stored() {
  "$SCRIPTS_DIR/job.sh" status "$job_id" --rest "$rest" >&2 || true
  log_tail "$LOG_DIR/flink-taskmanager-1.log" 40
  die "the sample datapoints did not reach OpenTSDB within 90 s (job $job_id; logs in $LOG_DIR)"
}
metrics=(mking.network sys.cpu.user sys.mem.used)
echo
echo "== Datapoints in OpenTSDB ($tsdb_url/api/query) for: ${metrics[*]}"
show_opentsdb --url "$tsdb_url" --start 1597634000 --end 1597635000 --expect 6 --wait-seconds 90 "${metrics[@]}" \
  || not_stored
bk_metrics=(bk.demo.cpu_load bk.demo.mem_used bk.demo.ok)
echo
echo "== Datapoints in OpenTSDB for the BlueKing time series: ${bk_metrics[*]}"
show_opentsdb --url "$tsdb_url" --start 1612509000 --end 1612510000 --expect 3 --wait-seconds 60 "${bk_metrics[@]}" \
  || not_stored
event_s=$((event_ms / 1000))
echo
echo "== The event in OpenTSDB: the global annotation of its second ($tsdb_url/api/annotation?start_time=$event_s)"
annotation=""
for ((try = 0; try < 60; try++)); do
  annotation="$(curl -s -m 5 "$tsdb_url/api/annotation?start_time=$event_s" 2>/dev/null || true)"
  [[ "$annotation" != *login_failed* ]] || break
  sleep 0.5
done
if [[ "$annotation" == *login_failed* ]]; then
  sed -n 's/.*"description":"\([^"]*\)".*/  description: \1/p' <<<"$annotation"
  sed -n 's/.*"notes":"\(\([^"\\]\|\\.\)*\)".*/\1/p' <<<"$annotation" | sed 's/\\n/\n/g' | sed 's/^/  notes: /'
else
  warn "no annotation at $event_s yet (the job writes it shortly; the event is on the events topic)"
fi
echo "   Its count goes to bk.demo.events{event_name=login_failed,event_type=abnormal,target=127.0.0.1} once the" \
  "job's event clock passes its minute's end plus events.allowed-lateness (1 to 2 minutes after the event);" \
  "the counts of the last hour:"
counts="$(show_opentsdb --url "$tsdb_url" --start 1h-ago bk.demo.events || true)"
sed 's/^/  /' <<<"${counts:-(none yet)}"
echo
echo "== Dead-letter topic $dead_letter: records by reason (all runs so far)"
"$SCRIPTS_DIR/kafka.sh" consume "$dead_letter" --timeout-ms 4000 2>/dev/null \
  | sed -n 's/^{"reason":"\([^"]*\)".*/\1/p' | sort | uniq -c | sed 's/^/  /' || true

# 7. where things are
echo
echo "== Running"
# OpenTSDB's own graph page takes its query in the URL's fragment; its time boxes are in the browser's time zone
gui_time() { date -d "@$1" +%Y/%m/%d-%H:%M:%S 2>/dev/null || date -r "$1" +%Y/%m/%d-%H:%M:%S; }
gui_range() { printf 'start=%s&end=%s' "$(gui_time "$1")" "$(gui_time "$2")"; }
echo "  Gateway           $gateway_http/v2/push/ (BlueKing)   $gateway_http/api/put (OpenTSDB)   $gateway_flume (Flume JSON)"
echo "                    health $gateway_http/healthz   metrics $gateway_http/metrics   (scripts/gateway.sh status)"
echo "  Flink web UI      http://$rest   (job $job_id)"
echo "  OpenTSDB          $tsdb_url      (e.g. $tsdb_url/api/query?start=1597634000&m=none:mking.network)"
graph="&yrange=[0:]&y2range=[0:]&wxh=1000x400"
y2="&o=axis%20x1y2"
echo "  OpenTSDB graphs   TBDS and OpenTSDB JSON samples, BlueKing time series, event counts of the last hour:"
samples_graph="$tsdb_url/#$(gui_range 1597634700 1597635000)&m=sum:mking.network%7Btype=*%7D&o="
samples_graph+="&m=sum:sys.cpu.user$y2&m=sum:sys.mem.used$y2$graph"
bk_graph="$tsdb_url/#$(gui_range 1612509300 1612509600)&m=sum:bk.demo.cpu_load&o=&m=sum:bk.demo.mem_used$y2$graph"
echo "                    $samples_graph"
echo "                    $bk_graph"
echo "                    $tsdb_url/#start=1h%20ago&m=sum:bk.demo.events%7Bevent_name=*%7D&o=$graph"
if [[ "$(http_status "$tsdb_url/s/queryui.nocache.js")" != 200 ]]; then
  echo "                    (this TSD has no GUI files: OpenTSDB's Maven Central jar, used here, lacks them; a" \
    "release install has them)"
fi
if ! command -v gnuplot >/dev/null 2>&1; then
  echo "                    (no gnuplot on this machine: the TSD draws its graphs with it; /api/query always works)"
fi
echo "  Kafka             $bootstrap     (topics $topic, $dead_letter)"
for f in "$LOG_DIR/$FLINK_JM.log" "$LOG_DIR"/flink-taskmanager-*.log; do
  [[ -f "$f" ]] || continue
  name="$(basename "$f" .log)"
  is_running "$name" || continue
  port="$(sed -n 's/.*Started PrometheusReporter HTTP server on port \([0-9][0-9]*\).*/\1/p' "$f" | tail -n 1)"
  [[ -z "$port" ]] || printf '  Prometheus        http://%s:%s/metrics   (%s; the job'\''s counters are on the TaskManagers: flink_taskmanager_job_task_operator_*)\n' "$BIND_HOST" "$port" "$name"
done
echo "  Job operations    scripts/job.sh status $job_id   |   scripts/job.sh stop $job_id   |   scripts/loadgen.sh --rate 100 --duration 60"
echo "  Load over HTTP    scripts/loadgen.sh --http $gateway_http/v2/push/ --format blueking --data-id $ts_id --token TOKEN" \
  "--metric-prefix bk.demo --rate 100 --duration 60   (the token: ${channels_env#"$REPO_DIR"/})"
echo "  Stop everything   scripts/job.sh cancel $job_id ; scripts/infra.sh down"
echo
info "quickstart done in $(elapsed_since "$started") s"
