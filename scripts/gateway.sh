#!/usr/bin/env bash
# The HTTP report gateway (io.tsdbpipe.gateway.ReportGateway): applications POST reports, it produces them to Kafka.
# See usage().
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "$0")" && pwd)"
# shellcheck source=lib/common.sh
source "$SCRIPT_DIR/lib/common.sh"
# shellcheck source=lib/job.sh
source "$SCRIPT_DIR/lib/job.sh"

GATEWAY_HEAP="${GATEWAY_HEAP:-512m}"
GATEWAY_START_TIMEOUT="${GATEWAY_START_TIMEOUT:-60}"
GATEWAY_STOP_TIMEOUT="${GATEWAY_STOP_TIMEOUT:-30}"

usage() {
  cat <<EOF
Usage: $(basename "$0") [--config FILE] [--http-port N] [--flume-port N] start|stop|status [-- --key value...]

The HTTP report gateway in its own JVM, bound to $BIND_HOST: BlueKing POST /v2/push/ and OpenTSDB POST /api/put on
the http port, Flume JSON envelopes (or a bare report) on the flume port; every report is produced to Kafka
(acks=all) before it is answered with 200.

Commands:
  start   start it and wait until GET /healthz answers 200 (Kafka reachable, channel topic loaded).
          Already running: says so, exit 0.
  stop    graceful stop (SIGTERM: it stops taking requests and flushes; SIGKILL after \$GATEWAY_STOP_TIMEOUT s)
  status  whether it runs (exit 0) or not (exit 3), its health and its endpoints

Options / environment (option wins):
  --config FILE      the gateway's configuration (default flink-conf/gateway.yaml; every key in README.md)
  --http-port N      GATEWAY_HTTP_PORT    gateway.http-port   (default: the file's, 10205)
  --flume-port N     GATEWAY_FLUME_PORT   gateway.flume-port  (default: the file's, 7777)
  -- --key value...  any key of the configuration, e.g. -- --rate-limits.default.requests-per-second 50
                     GATEWAY_HEAP         -Xmx                (default 512m)
                     GATEWAY_START_TIMEOUT seconds to wait for /healthz (default 60)
                     GATEWAY_STOP_TIMEOUT seconds before SIGKILL (default 30)
                     PIPELINE_HOME        state directory     (default <repo>/.local)

Without --config it sends to the local broker of scripts/kafka.sh (\$KAFKA_PORT, else the port the running broker
was started with, else 9092); with --config the file's kafka.bootstrap-servers. Log: \$PIPELINE_HOME/logs/gateway.log.
EOF
}

NAME=gateway
GATEWAY_LOG="$LOG_DIR/gateway.log"
config=""
http_port="${GATEWAY_HTTP_PORT:-}"
flume_port="${GATEWAY_FLUME_PORT:-}"
command=""
extra=()
while (($#)); do
  case "$1" in
    -h | --help) usage; exit 0 ;;
    --config) config="${2:?--config needs a file}"; shift 2 ;;
    --config=*) config="${1#*=}"; shift ;;
    --http-port) http_port="${2:?--http-port needs a value}"; shift 2 ;;
    --http-port=*) http_port="${1#*=}"; shift ;;
    --flume-port) flume_port="${2:?--flume-port needs a value}"; shift 2 ;;
    --flume-port=*) flume_port="${1#*=}"; shift ;;
    --) shift; extra=("$@"); break ;;
    start | stop | status) [[ -z "$command" ]] || die "one command only (see --help)"; command="$1"; shift ;;
    *) echo "unknown argument: $1" >&2; usage >&2; exit 2 ;;
  esac
done

# yaml_port KEY FILE: the number after "KEY:" in FILE (the gateway section's port keys are unique in the file).
yaml_port() { sed -n "s/^[[:space:]]*$1:[[:space:]]*\([0-9][0-9]*\).*/\1/p" "$2" 2>/dev/null | head -n 1; }

# The URLs of the running gateway, from its "gateway ready" log line (the ports it bound, whatever was asked).
ready_line() { { grep -E 'gateway ready: ' "$GATEWAY_LOG" 2>/dev/null || true; } | tail -n 1; }
http_url() { ready_line | sed -n 's|.*gateway ready: \(http://[^ ,]*\).*|\1|p'; }
flume_url() { ready_line | sed -n 's|.*, flume \(http://[^ ,]*\).*|\1|p'; }

cmd_start() {
  local pid start file args port
  if pid="$(running_pid "$NAME")"; then
    info "gateway is already running (pid $pid, $(http_url), flume $(flume_url))"
    return 0
  fi
  start="$(now_ms)"
  require_java
  file="${config:-$REPO_DIR/flink-conf/gateway.yaml}"
  [[ -f "$file" ]] || die "no configuration file $file"
  file="$(cd "$(dirname "$file")" && pwd)/$(basename "$file")"   # the JVM runs in \$PIPELINE_HOME
  args=(--config "$file")
  if [[ -z "$config" ]]; then
    # the default file names 127.0.0.1:9092; use the local broker's actual port
    port="${KAFKA_PORT:-}"
    if [[ -z "$port" ]] && is_running kafka; then
      port="$(sed -n 's|^advertised.listeners=PLAINTEXT://.*:\([0-9][0-9]*\)$|\1|p' "$CONF_DIR/kafka/server.properties" 2>/dev/null || true)"
    fi
    args+=(--kafka.bootstrap-servers "$BIND_HOST:${port:-9092}")
  fi
  [[ -z "$http_port" ]] || args+=(--gateway.http-port "$http_port")
  [[ -z "$flume_port" ]] || args+=(--gateway.flume-port "$flume_port")
  # fail early with a clear message instead of a bind error (0 = ephemeral: nothing to check)
  port="${http_port:-$(yaml_port http-port "$file")}"
  [[ -z "$port" || "$port" == 0 ]] || require_free_port "gateway http" "$port"
  port="${flume_port:-$(yaml_port flume-port "$file")}"
  [[ -z "$port" || "$port" == 0 ]] || require_free_port "gateway flume" "$port"
  job_java_command -Dtsdbpipe.service=gateway -Xms"$GATEWAY_HEAP" -Xmx"$GATEWAY_HEAP" -XX:+UseG1GC \
    -Dlog.file="$GATEWAY_LOG" io.tsdbpipe.gateway.ReportGateway "${args[@]}" "${extra[@]+"${extra[@]}"}" \
    || die "could not build the gateway's classpath"
  rotate_log "$GATEWAY_LOG"
  info "starting the gateway (config ${file#"$REPO_DIR"/})"
  cd "$PIPELINE_HOME"
  # stdout/stderr and log4j's file appender both append to the log
  nohup "${JOB_JAVA[@]}" >>"$GATEWAY_LOG" 2>&1 </dev/null &
  pid=$!
  echo "$pid" >"$(pid_file "$NAME")"
  wait_for_log gateway "$pid" "$GATEWAY_LOG" 'gateway ready: ' "$GATEWAY_START_TIMEOUT"
  wait_for_http gateway "$pid" "$(http_url)/healthz" "$GATEWAY_START_TIMEOUT" "$GATEWAY_LOG"
  info "gateway ready in $(elapsed_since "$start") s: $(http_url) (/v2/push/, /api/put), flume $(flume_url)" \
    "(pid $pid, rss $(rss_mb "$pid") MiB, log $GATEWAY_LOG)"
}

cmd_stop() { stop_service "$NAME" "$GATEWAY_STOP_TIMEOUT"; }

cmd_status() {
  local url health
  url="$(http_url)"
  if ! print_status "$NAME" "$url  flume $(flume_url)  log $GATEWAY_LOG"; then
    return 3
  fi
  if command -v curl >/dev/null 2>&1; then
    health="$(curl -s -m 5 -w ' (HTTP %{http_code})' "$url/healthz" 2>/dev/null || printf 'no answer')"
  else
    health="HTTP $(http_status "$url/healthz")"
  fi
  printf '          health   %s\n' "$health"
  printf '          BlueKing %s/v2/push/   OpenTSDB %s/api/put   metrics %s/metrics\n' "$url" "$url" "$url"
  printf '          Flume    %s (JSON envelopes or a bare report, any path)\n' "$(flume_url)"
}

case "$command" in
  start) cmd_start ;;
  stop) cmd_stop ;;
  status) cmd_status ;;
  "") usage >&2; exit 2 ;;
esac
