#!/usr/bin/env bash
# Deploys and operates the pipeline job on a Flink 2.x session cluster (the local one of scripts/flink.sh, or any
# other given its REST address). See usage().
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "$0")" && pwd)"
# shellcheck source=lib/common.sh
source "$SCRIPT_DIR/lib/common.sh"
# shellcheck source=infra/flink/lib.sh
source "$SCRIPT_DIR/infra/flink/lib.sh"

JOB_JAR="${JOB_JAR:-$REPO_DIR/target/tsdb-report-pipeline-0.1.0-SNAPSHOT.jar}"
JOB_MAIN=io.tsdbpipe.job.ReportPipelineJob
JOB_WAIT_TIMEOUT="${JOB_WAIT_TIMEOUT:-120}"

usage() {
  cat <<EOF
Usage: $(basename "$0") COMMAND [--rest HOST:PORT] [ARGS]   ($(basename "$0") COMMAND --help for details)

Commands:
  submit   build the job jar if missing, submit the job (detached), wait until it runs, print its job id; if a job
           of the same name ran before, it resumes from that job's latest retained checkpoint or savepoint
  resume   submit the job from a savepoint or retained checkpoint (same options as submit)
  list     the cluster's jobs, newest first: id, state, start time, name
  status   a job's state, restarts, checkpoints and each vertex's parallelism
  wait     wait until a job reaches a state (default RUNNING with every task running)
  stop     stop a job with a savepoint, print the savepoint's path
  savepoint  take a savepoint of a running job (it keeps running), print its path
  cancel   cancel a job (its retained checkpoints stay)

--rest HOST:PORT (or FLINK_REST=HOST:PORT) is the cluster's REST address; default: the local cluster of
scripts/flink.sh (currently $(flink_local_rest)).
EOF
}

usage_submit() {
  cat <<EOF
Usage: $(basename "$0") submit [OPTIONS] [-- JOB ARGS...]
       $(basename "$0") resume SAVEPOINT [OPTIONS] [-- JOB ARGS...]

Submits $JOB_MAIN (detached) with the Flink CLI (org.apache.flink.client.cli.CliFrontend run -d; the job graph
is built here, so --config is a local file), waits until every task runs, and prints the job id on stdout.

Options:
  --rest HOST:PORT              the cluster's REST address          (default: the local cluster, $(flink_local_rest))
  --config FILE                 the job's configuration             (default flink-conf/pipeline.yaml)
  --parallelism N               parallelism.default: every operator not set below (default: the cluster's)
  --source-parallelism N        parallelism.source      (Kafka source; at most the number of partitions is useful)
  --decode-parallelism N        parallelism.decode      (decode and validate)
  --series-parallelism N        parallelism.series      (series guard, keyed state)
  --sink-parallelism N          parallelism.sink        (OpenTSDB sink)
  --dead-letter-parallelism N   parallelism.dead-letter (dead-letter topic)
  --max-parallelism N           parallelism.max (key groups; changing it breaks savepoint compatibility)
  --from-savepoint PATH         restore from a savepoint or retained checkpoint (resume: the first argument)
  --allow-non-restored-state    restore even if the savepoint has state of an operator the job no longer has
  --without-state               start without state even though a job of this name ran before (see below)
  --jar FILE                    the job jar (default target/tsdb-report-pipeline-0.1.0-SNAPSHOT.jar; built with
                                "mvn -B package -Dmaven.test.skip=true" if missing) (JOB_JAR)
  --no-wait                     print the job id right after the submission
  --wait-timeout S              seconds to wait for RUNNING (default 120) (JOB_WAIT_TIMEOUT)
  -- JOB ARGS                   more job arguments, --key value (README.md, "Configuration reference"), e.g.
                                -- --source.bootstrap-servers 127.0.0.1:9092 --checkpoint.interval "10 s"

Without --from-savepoint, submit never starts without state when a job of the same name (job.name) ran before:
it resumes from the newest retained checkpoint or savepoint of the newest such job the cluster knows, or, on the
local cluster, from the newest one under its checkpoint and savepoint directories (kept after a cancel and after
the cluster itself restarted). A start without state re-reads from the committed Kafka offsets, which a checkpoint
commits while the sink may still hold unsent points: --without-state is safe only for a first deployment, or
with new source.group-id and source.start that re-read deliberately (README.md, "Checkpoints").

Rescaling: stop with a savepoint, then resume with other --*-parallelism (keyed state and the sink's buffered
points are redistributed; operator uids bind the state).
Logs of the CLI: \$PIPELINE_HOME/logs/flink-client.log.
EOF
}

usage_simple() {
  case "$1" in
    list) echo "Usage: $(basename "$0") list [--rest HOST:PORT] [--active]   (jobs: id, state, start time, name; --active: not finished/cancelled/failed)" ;;
    status) echo "Usage: $(basename "$0") status JOB [--rest HOST:PORT]   (state, restarts, checkpoints; one 'vertex<TAB>parallelism<TAB>max parallelism<TAB>status<TAB>name' line per vertex)" ;;
    wait) echo "Usage: $(basename "$0") wait JOB [--rest HOST:PORT] [--state STATE] [--timeout S]   (default RUNNING with every task running, 120 s; fails early if the job ends)" ;;
    cancel) echo "Usage: $(basename "$0") cancel JOB [--rest HOST:PORT] [--timeout S]   (cancel and wait until CANCELED; retained checkpoints stay)" ;;
    stop) echo "Usage: $(basename "$0") stop JOB [--rest HOST:PORT] [--savepoint-dir DIR] [--drain] [--timeout S]
  Stop with a savepoint (default dir: the cluster's execution.checkpointing.savepoint-dir), wait until the job is
  FINISHED and print the savepoint's path (give it to 'resume'). --drain: flush event-time windows first (not
  needed for this job)." ;;
    savepoint) echo "Usage: $(basename "$0") savepoint JOB [--rest HOST:PORT] [--savepoint-dir DIR] [--timeout S]   (the job keeps running; prints the path)" ;;
  esac
}

# ---------------------------------------------------------------------------------------------------------------

REST="${FLINK_REST:-}"

rest_address() {
  [[ -n "$REST" ]] || REST="$(flink_local_rest)"
  REST="${REST#http://}"
  REST="${REST%/}"
  [[ "$REST" =~ ^[^:/]+:[0-9]+$ ]] || die "--rest must be HOST:PORT, got '$REST'"
}

build_jar_if_missing() {
  if [[ -f "$JOB_JAR" ]]; then
    if [[ "$JOB_JAR" == "$REPO_DIR/target/"* ]] && [[ -n "$(find "$REPO_DIR/src/main" -newer "$JOB_JAR" -type f 2>/dev/null | head -1)" ]]; then
      warn "$JOB_JAR is older than src/main: rebuild it (mvn -B package -DskipTests) to deploy the current code"
    fi
    return 0
  fi
  [[ "$JOB_JAR" == "$REPO_DIR/target/"* ]] || die "no job jar at $JOB_JAR"
  require_cmd mvn
  local start
  start="$(now_ms)"
  info "building the job jar (mvn -B package -Dmaven.test.skip=true; log $LOG_DIR/mvn-package.log)"
  if ! (cd "$REPO_DIR" && mvn -B package -Dmaven.test.skip=true >"$LOG_DIR/mvn-package.log" 2>&1); then
    log_tail "$LOG_DIR/mvn-package.log" 40
    die "the build failed (log: $LOG_DIR/mvn-package.log)"
  fi
  [[ -f "$JOB_JAR" ]] || die "the build did not produce $JOB_JAR"
  info "job jar built in $(elapsed_since "$start") s"
}

# cli ARGS...: the Flink CLI against $REST, with a client configuration that holds only the address (the cluster's
# own configuration decides checkpoint storage, state backend, ...), output to $CLI_OUT.
cli() {
  local client_conf flink_cp opts rc=0
  flink_cp="$(resolve_classpath flink)"
  client_conf="$(mktemp -d "$CONF_DIR/flink-client.XXXXXX")"
  {
    echo "# scripts/job.sh: the Flink CLI's configuration (the cluster's REST address only)"
    echo "rest.address: ${REST%:*}"
    echo "rest.port: ${REST##*:}"
  } >"$client_conf/config.yaml"
  cp -f "$REPO_DIR/flink-conf/log4j-cli.properties" "$client_conf/log4j-cli.properties"
  opts="$(flink_java_opts)"
  CLI_OUT="$client_conf/cli.out"
  # shellcheck disable=SC2086 # $opts is a list of JVM flags
  FLINK_CONF_DIR="$client_conf" "$JAVA" -Xmx512m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 $opts \
    -Dlog.file="$LOG_DIR/flink-client.log" -Dlog4j.configurationFile="file:$client_conf/log4j-cli.properties" \
    -Dlog4j2.configurationFile="file:$client_conf/log4j-cli.properties" \
    -cp "$flink_cp" org.apache.flink.client.cli.CliFrontend "$@" >"$CLI_OUT" 2>&1 </dev/null || rc=$?
  CLI_TEXT="$(cat "$CLI_OUT")"
  rm -rf "$client_conf"
  return "$rc"
}

# latest_state NAME: the newest retained checkpoint or savepoint a job named NAME left (see usage_submit), or nothing.
latest_state() {
  local name="$1" path dir key newest=""
  path="$(flink_rest latest-state "$REST" "$name")"
  if [[ -n "$path" && ( "$path" != file:* || -e "${path#file:}" ) ]]; then
    printf '%s' "$path"
    return 0
  fi
  # The local cluster forgets its jobs when it restarts; their retained checkpoints stay on disk.
  [[ "$REST" == "$(flink_local_rest)" ]] || return 0
  for key in execution.checkpointing.dir execution.checkpointing.savepoint-dir; do
    dir="$(flink_conf_value "$key")"
    dir="${dir#file://}"
    dir="${dir#file:}"
    [[ -n "$dir" && -d "$dir" ]] || continue
    path="$(find "$dir" -mindepth 2 -maxdepth 3 -name _metadata -printf '%T@ %h\n' 2>/dev/null | sort -n | tail -n 1)"
    [[ -z "$path" ]] || newest="$(printf '%s\n%s\n' "$newest" "$path" | sed '/^$/d' | sort -n | tail -n 1)"
  done
  [[ -z "$newest" ]] || printf 'file://%s' "${newest#* }"
}

cmd_submit() {
  local config="$REPO_DIR/flink-conf/pipeline.yaml" savepoint="${1:-}" allow_nonrestored="" wait=yes stateless=""
  local timeout="$JOB_WAIT_TIMEOUT" job_args=() v
  [[ "${RESUME:-}" == yes ]] || savepoint=""
  if [[ "${RESUME:-}" == yes ]]; then
    [[ "$savepoint" == -h || "$savepoint" == --help ]] && { usage_submit; exit 0; }
    [[ -n "$savepoint" && "$savepoint" != -* ]] || die "resume: the first argument is the savepoint path (see --help)"
    shift
  fi
  while (($#)); do
    case "$1" in
      -h | --help) usage_submit; exit 0 ;;
      --rest) REST="${2:?--rest needs HOST:PORT}"; shift 2 ;;
      --config) config="${2:?--config needs a file}"; shift 2 ;;
      --parallelism | --source-parallelism | --decode-parallelism | --series-parallelism | --sink-parallelism | \
        --dead-letter-parallelism | --max-parallelism)
        v="${2:?$1 needs a number}"
        [[ "$v" =~ ^[1-9][0-9]*$ ]] || die "$1 needs a positive number, got '$v'"
        case "$1" in
          --parallelism) job_args+=(--parallelism.default "$v") ;;
          --max-parallelism) job_args+=(--parallelism.max "$v") ;;
          *) v="${1#--}"; job_args+=("--parallelism.${v%-parallelism}" "$2") ;;
        esac
        shift 2
        ;;
      --from-savepoint) savepoint="${2:?--from-savepoint needs a path}"; shift 2 ;;
      --allow-non-restored-state) allow_nonrestored=yes; shift ;;
      --without-state) stateless=yes; shift ;;
      --jar) JOB_JAR="${2:?--jar needs a file}"; shift 2 ;;
      --no-wait) wait=""; shift ;;
      --wait-timeout) timeout="${2:?--wait-timeout needs seconds}"; shift 2 ;;
      --) shift; job_args+=("$@"); break ;;
      *) die "submit: unknown option '$1' (job arguments go after --; see --help)" ;;
    esac
  done
  [[ -f "$config" ]] || die "no job configuration at $config"
  config="$(cd "$(dirname "$config")" && pwd)/$(basename "$config")"
  rest_address
  require_java
  flink_rest overview "$REST" >/dev/null # fails early and clearly without a cluster
  build_jar_if_missing

  if [[ -z "$savepoint" && -z "$stateless" ]]; then
    local name="" i
    name="$(sed -n 's/^job\.name:[[:space:]]*\([^#]*[^#[:space:]]\).*/\1/p' "$config" | tr -d "\"'" | tail -n 1)"
    for ((i = 0; i < ${#job_args[@]}; i++)); do
      [[ "${job_args[$i]}" != --job.name ]] || name="${job_args[$((i + 1))]:-}"
      [[ "${job_args[$i]}" != --job.name=* ]] || name="${job_args[$i]#--job.name=}"
    done
    savepoint="$(latest_state "${name:-tsdb-report-pipeline}")"
    if [[ -n "$savepoint" ]]; then
      info "a job named '${name:-tsdb-report-pipeline}' ran before: resuming from its latest state $savepoint" \
        "(never a start without it: the sink's unsent points and the series memory are in it; --without-state to override)"
    fi
  fi

  local run_args=(run -d) start job_id
  if [[ -n "$savepoint" ]]; then
    run_args+=(-s "$savepoint")
    [[ -z "$allow_nonrestored" ]] || run_args+=(-n)
  fi
  run_args+=(-c "$JOB_MAIN" "$JOB_JAR" --config "$config" "${job_args[@]+"${job_args[@]}"}")
  start="$(now_ms)"
  info "submitting $JOB_MAIN to $REST${savepoint:+ from $savepoint} (args: --config ${config#"$REPO_DIR"/} ${job_args[*]+"${job_args[*]}"})"
  if ! cli "${run_args[@]}"; then
    printf '%s\n' "$CLI_TEXT" | grep -v '^\s*$' | tail -n 40 >&2
    die "the submission failed (CLI log: $LOG_DIR/flink-client.log)"
  fi
  job_id="$(printf '%s\n' "$CLI_TEXT" | sed -n 's/.*JobID \([0-9a-f]\{32\}\).*/\1/p' | head -n 1)"
  if [[ -z "$job_id" ]]; then
    printf '%s\n' "$CLI_TEXT" | tail -n 40 >&2
    die "the CLI did not print a job id (CLI log: $LOG_DIR/flink-client.log)"
  fi
  info "submitted job $job_id in $(elapsed_since "$start") s"
  if [[ -n "$wait" ]]; then
    flink_rest wait "$REST" "$job_id" --state RUNNING --timeout "$timeout"
    info "job $job_id is RUNNING (every task) $(elapsed_since "$start") s after the submission; web UI http://$REST/#/job/running/$job_id/overview"
  fi
  printf '%s\n' "$job_id"
}

# simple REST commands: COMMAND [JOB] [--rest HOST:PORT] [options passed on]
cmd_rest() {
  local cmd="$1" args=()
  shift
  while (($#)); do
    case "$1" in
      -h | --help) usage_simple "$cmd"; exit 0 ;;
      --rest) REST="${2:?--rest needs HOST:PORT}"; shift 2 ;;
      --savepoint-dir)
        local dir="${2:?--savepoint-dir needs a directory}"
        # a local path becomes a file: URI (the JobManager writes it; a remote cluster needs a shared location)
        [[ "$dir" == *://* || "$dir" == file:* ]] || { mkdir -p "$dir"; dir="file://$(cd "$dir" && pwd)"; }
        args+=(--savepoint-dir "$dir")
        shift 2
        ;;
      --state | --timeout) args+=("$1" "${2:?$1 needs a value}"); shift 2 ;;
      --drain | --active) args+=("$1"); shift ;;
      -*) die "$cmd: unknown option '$1' (see --help)" ;;
      *) args+=("$1"); shift ;;
    esac
  done
  case "$cmd" in
    status | wait | cancel | stop | savepoint)
      [[ ${#args[@]} -gt 0 && "${args[0]}" != --* ]] || die "$cmd: the job id is missing (see '$(basename "$0") list')"
      ;;
  esac
  rest_address
  require_java
  if [[ "$cmd" == stop || "$cmd" == savepoint ]]; then
    local start
    start="$(now_ms)"
    info "$cmd: taking a savepoint of job ${args[0]} on $REST"
    flink_rest "$cmd" "$REST" "${args[@]}"
    info "$cmd done in $(elapsed_since "$start") s"
  else
    flink_rest "$cmd" "$REST" "${args[@]+"${args[@]}"}"
  fi
}

case "${1:-}" in
  -h | --help) usage ;;
  submit) shift; cmd_submit "$@" ;;
  resume) shift; RESUME=yes cmd_submit "$@" ;;
  list | status | wait | cancel | stop | savepoint) cmd_rest "$@" ;;
  "") usage >&2; exit 2 ;;
  *) echo "unknown command: $1" >&2; usage >&2; exit 2 ;;
esac
