#!/usr/bin/env bash
# Local Flink 2.2.1 standalone session cluster (1 JobManager + N TaskManagers, one JVM each) from Maven Central jars.
# See usage().
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "$0")" && pwd)"
# shellcheck source=lib/common.sh
source "$SCRIPT_DIR/lib/common.sh"
# shellcheck source=infra/flink/lib.sh
source "$SCRIPT_DIR/infra/flink/lib.sh"

FLINK_REST_PORT_EXPLICIT="${FLINK_REST_PORT:+yes}"
FLINK_REST_PORT="${FLINK_REST_PORT:-8081}"
FLINK_RPC_PORT="${FLINK_RPC_PORT:-6123}"
FLINK_PROM_PORTS="${FLINK_PROM_PORTS:-9249-9259}"
FLINK_TM_SLOTS="${FLINK_TM_SLOTS:-}"
FLINK_TASKMANAGERS="${FLINK_TASKMANAGERS:-1}"
FLINK_CONFIG="${FLINK_CONFIG:-$REPO_DIR/flink-conf/config.yaml}"
FLINK_PROPERTIES="${FLINK_PROPERTIES:-}"
FLINK_START_TIMEOUT="${FLINK_START_TIMEOUT:-90}"
FLINK_STOP_TIMEOUT="${FLINK_STOP_TIMEOUT:-30}"

usage() {
  cat <<EOF
Usage: $(basename "$0") start [--taskmanagers N] | stop | status | wipe | conf

A Flink 2.2.1 standalone session cluster: one JobManager (StandaloneSessionClusterEntrypoint) and N TaskManagers
(TaskManagerRunner), each in its own JVM, bound to $BIND_HOST; lib/ resolved from Maven Central
(scripts/infra/flink/pom.xml).

Commands:
  start [--taskmanagers N]  start the JobManager if it does not run and TaskManagers 1..N that do not run (so it
                            also replaces a TaskManager that died), wait until the REST API answers and each
                            started TaskManager registered. Idempotent. (default N: \$FLINK_TASKMANAGERS = 1)
  stop                      stop the TaskManagers, then the JobManager (SIGTERM; SIGKILL after \$FLINK_STOP_TIMEOUT s).
                            Running jobs die with the cluster; their retained checkpoints stay (see job.sh resume).
  status                    one line per process, the REST URL, the Prometheus URLs and the jobs; exit 0 if the
                            JobManager and at least one TaskManager run, 3 otherwise
  wipe                      stop, then delete the cluster's checkpoints, savepoints and generated configuration
  conf                      (re)generate the configuration directory and print its path (for the Flink CLI)

Environment:
  FLINK_REST_PORT      REST API and web UI port                      (default 8081)
  FLINK_RPC_PORT       JobManager RPC port                           (default 6123)
  FLINK_PROM_PORTS     Prometheus reporter ports, one per process    (default 9249-9259; "a-b" or "a,b,c")
  FLINK_TM_SLOTS       task slots per TaskManager                    (default: the config file's, 2)
  FLINK_TASKMANAGERS   TaskManagers to start                         (default 1)
  FLINK_CONFIG         the config.yaml to deploy                     (default <repo>/flink-conf/config.yaml)
  FLINK_PROPERTIES     extra "key: value" lines (flat keys), replacing the file's lines with the same key,
                       e.g. FLINK_PROPERTIES=\$'heartbeat.interval: 2 s\\nstate.backend.type: rocksdb'
  FLINK_START_TIMEOUT  seconds to wait for the REST API and each TaskManager (default 90)
  FLINK_STOP_TIMEOUT   seconds between SIGTERM and SIGKILL          (default 30)
  PIPELINE_HOME        state directory                               (default <repo>/.local)

The configuration is generated into \$PIPELINE_HOME/conf/flink/ when the JobManager starts (config.yaml with
@STATE_DIR@ = \$PIPELINE_HOME/data/flink, the ports above and FLINK_PROPERTIES; the log4j files of flink-conf/).
TaskManagers added later use the running JobManager's configuration. While it runs, the ports it was started with
are used unless given again.
Logs: \$PIPELINE_HOME/logs/flink-jobmanager.log, flink-taskmanager-<i>.log (+ .out: the JVM's stdout/stderr).
Web UI: http://$BIND_HOST:\$FLINK_REST_PORT. Jobs: scripts/job.sh.
EOF
}

# ---------------------------------------------------------------------------------------------------------------
# options

ARGS=()
while (($#)); do
  case "$1" in
    -h | --help) usage; exit 0 ;;
    --taskmanagers) FLINK_TASKMANAGERS="${2:?--taskmanagers needs a number}"; shift 2 ;;
    --taskmanagers=*) FLINK_TASKMANAGERS="${1#*=}"; shift ;;
    *) ARGS+=("$1"); shift ;;
  esac
done
set -- "${ARGS[@]+"${ARGS[@]}"}"
[[ "$FLINK_TASKMANAGERS" =~ ^[0-9]+$ ]] || die "--taskmanagers / FLINK_TASKMANAGERS must be a number, got '$FLINK_TASKMANAGERS'"

JM="$FLINK_JM"
FLINK_DATA="$DATA_DIR/flink"
JM_LOG="$LOG_DIR/$JM.log"
TEMPLATE_DIR="$(cd "$(dirname "$FLINK_CONFIG")" 2>/dev/null && pwd || true)"

tm_name() { printf 'flink-taskmanager-%s' "$1"; }

# A JobManager of this PIPELINE_HOME that runs keeps the ports it was started with.
if [[ -z "$FLINK_REST_PORT_EXPLICIT" ]] && is_running "$JM"; then
  running_port="$(flink_conf_value rest.port)"
  FLINK_REST_PORT="${running_port:-$FLINK_REST_PORT}"
fi
REST_URL="http://$BIND_HOST:$FLINK_REST_PORT"

# set_conf FILE KEY VALUE: replace the line "KEY: ..." or append it.
set_conf() {
  local file="$1" key="$2" value="$3" tmp
  tmp="$file.tmp.$$"
  awk -v k="$key" -v v="$value" '
    index($0, k ":") == 1 { if (!done) print k ": " v; done = 1; next }
    { print }
    END { if (!done) print k ": " v }' "$file" >"$tmp"
  mv -f "$tmp" "$file"
}

write_conf() {
  [[ -f "$FLINK_CONFIG" ]] || die "no Flink configuration at $FLINK_CONFIG (FLINK_CONFIG)"
  [[ "$FLINK_REST_PORT" =~ ^[0-9]+$ ]] || die "FLINK_REST_PORT must be a number, got '$FLINK_REST_PORT'"
  [[ "$FLINK_RPC_PORT" =~ ^[0-9]+$ ]] || die "FLINK_RPC_PORT must be a number, got '$FLINK_RPC_PORT'"
  [[ "$FLINK_PROM_PORTS" =~ ^[0-9][0-9,-]*$ ]] || die "FLINK_PROM_PORTS must look like 9249-9259 or 9249,9250, got '$FLINK_PROM_PORTS'"
  mkdir -p "$FLINK_CONF" "$FLINK_DATA/checkpoints" "$FLINK_DATA/savepoints" "$FLINK_DATA/tmp"
  local conf="$FLINK_CONF/config.yaml" f line key value
  {
    printf '# Generated by scripts/flink.sh from %s; rewritten when the JobManager starts.\n' "${FLINK_CONFIG#"$REPO_DIR"/}"
    sed "s|@STATE_DIR@|$FLINK_DATA|g" "$FLINK_CONFIG"
    printf '\n# ---- set by scripts/flink.sh ----\n'
  } >"$conf"
  set_conf "$conf" rest.port "$FLINK_REST_PORT"
  set_conf "$conf" jobmanager.rpc.port "$FLINK_RPC_PORT"
  set_conf "$conf" metrics.reporter.prom.port "$FLINK_PROM_PORTS"
  if [[ -n "$FLINK_TM_SLOTS" ]]; then
    [[ "$FLINK_TM_SLOTS" =~ ^[1-9][0-9]*$ ]] || die "FLINK_TM_SLOTS must be a positive number, got '$FLINK_TM_SLOTS'"
    set_conf "$conf" taskmanager.numberOfTaskSlots "$FLINK_TM_SLOTS"
  fi
  if [[ -n "$FLINK_PROPERTIES" ]]; then
    while IFS= read -r line || [[ -n "$line" ]]; do
      [[ "$line" =~ ^[[:space:]]*(#|$) ]] && continue
      [[ "$line" =~ ^[[:space:]]*([A-Za-z0-9._-]+)[[:space:]]*:[[:space:]]*(.*)$ ]] \
        || die "FLINK_PROPERTIES: cannot read '$line' (expected 'flat.key: value')"
      key="${BASH_REMATCH[1]}"
      value="${BASH_REMATCH[2]}"
      set_conf "$conf" "$key" "$value"
    done <<<"$FLINK_PROPERTIES"
  fi
  # log4j configurations: the ones next to the deployed config.yaml (flink-conf/)
  for f in log4j.properties log4j-cli.properties; do
    if [[ -n "$TEMPLATE_DIR" && -f "$TEMPLATE_DIR/$f" ]]; then
      cp -f "$TEMPLATE_DIR/$f" "$FLINK_CONF/$f"
    elif [[ -f "$REPO_DIR/flink-conf/$f" ]]; then
      cp -f "$REPO_DIR/flink-conf/$f" "$FLINK_CONF/$f"
    fi
  done
  # A missing plugins dir is only an INFO line, but an empty one keeps the log clean.
  mkdir -p "$FLINK_CONF/plugins"
}

# bash_java_utils COMMAND -> the result lines of org.apache.flink.runtime.util.bash.BashJavaUtils (memory settings).
bash_java_utils() {
  local cmd="$1" out
  if ! out="$("$JAVA" -Xmx128m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -cp "$FLINK_CP" \
    org.apache.flink.runtime.util.bash.BashJavaUtils "$cmd" --configDir "$FLINK_CONF" 2>&1)"; then
    printf '%s\n' "$out" | tail -n 30 >&2
    die "BashJavaUtils $cmd failed: check $FLINK_CONF/config.yaml"
  fi
  if [[ "$(printf '%s\n' "$out" | grep -c '^BASH_JAVA_UTILS_EXEC_RESULT:')" -ne 2 ]]; then
    printf '%s\n' "$out" | tail -n 30 >&2
    die "BashJavaUtils $cmd printed no memory settings: check the memory options in $FLINK_CONF/config.yaml"
  fi
  printf '%s\n' "$out" | sed -n 's/^BASH_JAVA_UTILS_EXEC_RESULT://p'
}

# JVM options of a process type from the configuration (env.java.opts.all + env.java.opts.<type>).
java_opts() {
  local type="$1"
  printf '%s %s' "$(flink_conf_value env.java.opts.all)" "$(flink_conf_value "env.java.opts.$type")"
}

start_jobmanager() {
  local pid params jvm_params dyn_params opts
  require_free_port "Flink REST (FLINK_REST_PORT)" "$FLINK_REST_PORT"
  require_free_port "Flink JobManager RPC (FLINK_RPC_PORT)" "$FLINK_RPC_PORT"
  write_conf
  params="$(bash_java_utils GET_JM_RESOURCE_PARAMS)"
  jvm_params="$(sed -n 1p <<<"$params")"
  dyn_params="$(sed -n 2p <<<"$params")"
  opts="$(java_opts jobmanager)"
  rotate_log "$JM_LOG"
  rotate_log "$LOG_DIR/$JM.out"
  info "starting the Flink JobManager (REST $REST_URL, RPC $BIND_HOST:$FLINK_RPC_PORT)"
  cd "$PIPELINE_HOME"
  # shellcheck disable=SC2086 # the JVM and dynamic parameters are lists of words
  FLINK_CONF_DIR="$FLINK_CONF" FLINK_PLUGINS_DIR="$FLINK_CONF/plugins" \
  nohup "$JAVA" -Dtsdbpipe.service="$JM" $jvm_params $opts -Djava.net.preferIPv4Stack=true \
    -Dlog.file="$JM_LOG" -Dlog4j.configurationFile="file:$FLINK_CONF/log4j.properties" \
    -Dlog4j2.configurationFile="file:$FLINK_CONF/log4j.properties" \
    -cp "$FLINK_CP" org.apache.flink.runtime.entrypoint.StandaloneSessionClusterEntrypoint \
    --configDir "$FLINK_CONF" --executionMode cluster $dyn_params >"$LOG_DIR/$JM.out" 2>&1 </dev/null &
  pid=$!
  echo "$pid" >"$(pid_file "$JM")"
  JM_STARTED_PID="$pid"
}

# start_taskmanager I: starts TaskManager I (no wait); sets TM_RESOURCE_ID.
start_taskmanager() {
  local i="$1" name pid params jvm_params dyn_params opts log
  name="$(tm_name "$i")"
  log="$LOG_DIR/$name.log"
  params="$(bash_java_utils GET_TM_RESOURCE_PARAMS)"
  jvm_params="$(sed -n 1p <<<"$params")"
  dyn_params="$(sed -n 2p <<<"$params")"
  opts="$(java_opts taskmanager)"
  # a new resource id per start: a replacement is a new TaskManager to the JobManager, not the dead one again
  TM_RESOURCE_ID="taskmanager-$i-$(date +%H%M%S)-$RANDOM"
  rotate_log "$log"
  rotate_log "$LOG_DIR/$name.out"
  info "starting Flink TaskManager $i ($TM_RESOURCE_ID)"
  cd "$PIPELINE_HOME"
  # shellcheck disable=SC2086
  FLINK_CONF_DIR="$FLINK_CONF" FLINK_PLUGINS_DIR="$FLINK_CONF/plugins" \
  nohup "$JAVA" -Dtsdbpipe.service="$name" $jvm_params $opts -Djava.net.preferIPv4Stack=true \
    -Dlog.file="$log" -Dlog4j.configurationFile="file:$FLINK_CONF/log4j.properties" \
    -Dlog4j2.configurationFile="file:$FLINK_CONF/log4j.properties" \
    -cp "$FLINK_CP" org.apache.flink.runtime.taskexecutor.TaskManagerRunner \
    --configDir "$FLINK_CONF" $dyn_params -D "taskmanager.resource-id=$TM_RESOURCE_ID" \
    >"$LOG_DIR/$name.out" 2>&1 </dev/null &
  pid=$!
  echo "$pid" >"$(pid_file "$name")"
}

# running TaskManager indexes (from the PID files), sorted
running_tms() {
  local f name i
  for f in "$RUN_DIR"/flink-taskmanager-*.pid; do
    [[ -e "$f" ]] || continue
    name="$(basename "$f" .pid)"
    i="${name#flink-taskmanager-}"
    if is_running "$name"; then printf '%s\n' "$i"; fi
  done | sort -n
}

cmd_start() {
  local start i pid name started=() jm_pid
  start="$(now_ms)"
  require_java
  FLINK_CP="$(resolve_classpath flink)"
  if jm_pid="$(running_pid "$JM")"; then
    info "the Flink JobManager is already running (pid $jm_pid, REST $REST_URL)"
    [[ -f "$FLINK_CONF/config.yaml" ]] || die "the JobManager runs but $FLINK_CONF/config.yaml is missing: 'flink.sh stop' first"
  else
    start_jobmanager
    jm_pid="$JM_STARTED_PID"
  fi
  # TaskManagers start while the JobManager comes up (they retry registering every cluster.registration.error-delay).
  local ids=()
  for ((i = 1; i <= FLINK_TASKMANAGERS; i++)); do
    name="$(tm_name "$i")"
    if pid="$(running_pid "$name")"; then
      info "Flink TaskManager $i is already running (pid $pid)"
      continue
    fi
    start_taskmanager "$i"
    started+=("$i")
    ids+=("$TM_RESOURCE_ID")
  done
  wait_for_http "flink JobManager" "$jm_pid" "$REST_URL/overview" "$FLINK_START_TIMEOUT" "$JM_LOG"
  info "Flink REST API answers on $REST_URL after $(elapsed_since "$start") s"
  local k
  for k in "${!started[@]}"; do
    i="${started[$k]}"
    name="$(tm_name "$i")"
    pid="$(running_pid "$name" || true)"
    [[ -n "$pid" ]] || { log_tail "$LOG_DIR/$name.log" 60; log_tail "$LOG_DIR/$name.out" 20; die "Flink TaskManager $i exited at start (log: $LOG_DIR/$name.log)"; }
    wait_for_log "flink TaskManager $i" "$pid" "$LOG_DIR/$name.log" 'Successful registration at resource manager' "$FLINK_START_TIMEOUT"
    info "Flink TaskManager $i registered (${ids[$k]}, pid $pid)"
  done
  local extra
  extra="$(running_tms | awk -v n="$FLINK_TASKMANAGERS" '$1 > n' | tr '\n' ' ')"
  [[ -z "$extra" ]] || info "also running: TaskManagers $extra(more than --taskmanagers $FLINK_TASKMANAGERS; 'flink.sh stop' stops all)"
  info "Flink cluster ready in $(elapsed_since "$start") s: web UI $REST_URL, $(running_tms | wc -l) TaskManager(s)" \
    "x $(flink_conf_value taskmanager.numberOfTaskSlots) slots (rss: JobManager $(rss_mb "$jm_pid") MiB)"
}

cmd_stop() {
  local i
  for i in $(running_tms); do
    stop_service "$(tm_name "$i")" "$FLINK_STOP_TIMEOUT"
  done
  # stale PID files of TaskManagers that died
  rm -f "$RUN_DIR"/flink-taskmanager-*.pid
  stop_service "$JM" "$FLINK_STOP_TIMEOUT"
}

# http_body URL -> the body of a GET (curl if present, else bash /dev/tcp); empty on failure.
http_body() {
  local url="$1"
  if command -v curl >/dev/null 2>&1; then
    curl -s -m 5 "$url" 2>/dev/null || true
    return 0
  fi
  local rest hostport path
  rest="${url#http://}"
  hostport="${rest%%/*}"
  path="/${rest#*/}"
  (
    exec 2>/dev/null
    exec 3<>"/dev/tcp/${hostport%%:*}/${hostport##*:}" || exit 0
    printf 'GET %s HTTP/1.0\r\nHost: %s\r\nConnection: close\r\n\r\n' "$path" "$hostport" >&3
    sed '1,/^\r*$/d' <&3
  ) || true
}

# prom_port LOGFILE -> the Prometheus reporter port a process logged
prom_port() {
  sed -n 's/.*Started PrometheusReporter HTTP server on port \([0-9][0-9]*\).*/\1/p' "$1" 2>/dev/null | tail -n 1
}

cmd_status() {
  local rc=0 i name port overview tms=0
  if print_status "$JM" "REST $REST_URL  log $JM_LOG"; then
    port="$(prom_port "$JM_LOG")"
    [[ -z "$port" ]] || printf '          metrics http://%s:%s/metrics\n' "$BIND_HOST" "$port"
  else
    rc=3
  fi
  for i in $(running_tms); do
    name="$(tm_name "$i")"
    print_status "$name" "log $LOG_DIR/$name.log" || true
    port="$(prom_port "$LOG_DIR/$name.log")"
    [[ -z "$port" ]] || printf '          metrics http://%s:%s/metrics\n' "$BIND_HOST" "$port"
    tms=$((tms + 1))
  done
  if ((tms == 0)); then
    printf '%-9s stopped\n' "flink-taskmanager"
    rc=3
  fi
  if ((rc == 0)); then
    overview="$(http_body "$REST_URL/overview")"
    if [[ -n "$overview" ]]; then
      printf '          %s\n' "$(printf '%s' "$overview" | tr -d '{}"' | tr ',' ' ' | sed 's/:/=/g')"
    fi
  fi
  return "$rc"
}

cmd_wipe() {
  cmd_stop
  rm -rf "$FLINK_DATA" "$FLINK_CONF"
  info "flink checkpoints, savepoints and configuration deleted ($FLINK_DATA, $FLINK_CONF)"
}

cmd_conf() {
  if is_running "$JM"; then
    [[ -f "$FLINK_CONF/config.yaml" ]] || die "$FLINK_CONF/config.yaml is missing"
  else
    write_conf
  fi
  printf '%s\n' "$FLINK_CONF"
}

case "${1:-}" in
  start) cmd_start ;;
  stop) cmd_stop ;;
  status) cmd_status ;;
  wipe) cmd_wipe ;;
  conf) cmd_conf ;;
  "") usage >&2; exit 2 ;;
  *) echo "unknown command: $1" >&2; usage >&2; exit 2 ;;
esac
