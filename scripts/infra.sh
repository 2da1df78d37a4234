#!/usr/bin/env bash
# The whole local stack: Kafka + OpenTSDB (on HBase) [+ Flink]. See usage().
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "$0")" && pwd)"
# shellcheck source=lib/common.sh
source "$SCRIPT_DIR/lib/common.sh"

# Service scripts in start order (stopped in reverse). Each is scripts/<name>.sh and supports start|stop|status
# (status: exit 0 = running, 3 = stopped), honours PIPELINE_HOME and its own port variables.
SERVICES=(kafka opentsdb)
# The Flink session cluster joins here: once scripts/flink.sh exists it is started last (after the Kafka and
# OpenTSDB it reads from / writes to) and stopped first.
if [[ -f "$SCRIPT_DIR/flink.sh" ]]; then
  SERVICES+=(flink)
fi
# The HTTP report gateway (scripts/gateway.sh) is the front door: it opens last, once everything behind it runs, and
# closes first (it flushes what it accepted to Kafka before the broker stops).
if [[ -f "$SCRIPT_DIR/gateway.sh" ]]; then
  SERVICES+=(gateway)
fi

usage() {
  cat <<EOF
Usage: $(basename "$0") up|down|status

  up      start ${SERVICES[*]} (in this order; each is idempotent), fail on the first that does not come up
  down    stop them in reverse order
  status  status of each; exit 0 if all run, 3 otherwise

Every service keeps its state under \$PIPELINE_HOME (default <repo>/.local); ports come from each script's
variables (see scripts/kafka.sh --help, scripts/opentsdb.sh --help, scripts/gateway.sh --help).
EOF
}

cmd_up() {
  local s start
  start="$(now_ms)"
  for s in "${SERVICES[@]}"; do
    "$SCRIPT_DIR/$s.sh" start
  done
  info "stack up in $(elapsed_since "$start") s"
  cmd_status || true
}

cmd_down() {
  local i rc=0
  for ((i = ${#SERVICES[@]} - 1; i >= 0; i--)); do
    "$SCRIPT_DIR/${SERVICES[i]}.sh" stop || rc=1
  done
  return "$rc"
}

cmd_status() {
  local s rc=0
  for s in "${SERVICES[@]}"; do
    "$SCRIPT_DIR/$s.sh" status || rc=3
  done
  return "$rc"
}

case "${1:-}" in
  -h | --help) usage ;;
  up) cmd_up ;;
  down) cmd_down ;;
  status) cmd_status ;;
  "") usage >&2; exit 2 ;;
  *) echo "unknown command: $1" >&2; usage >&2; exit 2 ;;
esac
