# shellcheck shell=bash
# Shared helpers for scripts/kafka.sh, scripts/opentsdb.sh and scripts/infra.sh. Source it; do not run it.
#
# State layout (everything under one directory, default <repo>/.local, override with PIPELINE_HOME):
#   $PIPELINE_HOME/lib/<name>/   resolved runtime jars of scripts/infra/<name>/pom.xml (+ .resolved marker)
#   $PIPELINE_HOME/conf/<name>/  generated configuration
#   $PIPELINE_HOME/data/<name>/  data (Kafka log dirs, HBase root dir, ZooKeeper, TSD cache)
#   $PIPELINE_HOME/logs/         <name>.log (previous run: <name>.log.1)
#   $PIPELINE_HOME/run/          <name>.pid

COMMON_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
SCRIPTS_DIR="$(cd "$COMMON_DIR/.." && pwd)"
REPO_DIR="$(cd "$SCRIPTS_DIR/.." && pwd)"
INFRA_DIR="$SCRIPTS_DIR/infra"

PIPELINE_HOME="${PIPELINE_HOME:-$REPO_DIR/.local}"
mkdir -p "$PIPELINE_HOME"
PIPELINE_HOME="$(cd "$PIPELINE_HOME" && pwd)"   # absolute, whatever the caller's working directory
LIB_DIR="$PIPELINE_HOME/lib"
CONF_DIR="$PIPELINE_HOME/conf"
DATA_DIR="$PIPELINE_HOME/data"
LOG_DIR="$PIPELINE_HOME/logs"
RUN_DIR="$PIPELINE_HOME/run"
mkdir -p "$LIB_DIR" "$CONF_DIR" "$DATA_DIR" "$LOG_DIR" "$RUN_DIR"

BIND_HOST=127.0.0.1

if [[ -n "${JAVA_HOME:-}" && -x "${JAVA_HOME}/bin/java" ]]; then
  JAVA="${JAVA_HOME}/bin/java"
else
  JAVA="java"
fi

# Java 17 flags for servers that poke into JDK internals (HBase, Hadoop, netty).
# shellcheck disable=SC2034 # used by the scripts that source this file
JAVA17_OPENS=(
  --add-opens=java.base/java.lang=ALL-UNNAMED
  --add-opens=java.base/java.nio=ALL-UNNAMED
  --add-opens=java.base/sun.nio.ch=ALL-UNNAMED
  --add-opens=java.base/java.lang.reflect=ALL-UNNAMED
  --add-opens=java.base/java.util.concurrent=ALL-UNNAMED
  --add-exports=java.base/jdk.internal.misc=ALL-UNNAMED
  --add-exports=java.base/sun.net.util=ALL-UNNAMED
)

# ---------------------------------------------------------------------------------------------------------------
# messages (all to stderr, so stdout stays clean for data, e.g. `kafka.sh consume`)

info() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
warn() { printf '[%s] WARNING: %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { printf '[%s] ERROR: %s\n' "$(date +%H:%M:%S)" "$*" >&2; exit 1; }

# Print the last lines of a log file to stderr (used in every failure message).
log_tail() {
  local file="$1" lines="${2:-40}"
  if [[ -f "$file" ]]; then
    printf -- '----- last %s lines of %s -----\n' "$lines" "$file" >&2
    tail -n "$lines" "$file" >&2 || true
    printf -- '-----\n' >&2
  fi
}

require_cmd() {
  local c
  for c in "$@"; do
    command -v "$c" >/dev/null 2>&1 || die "'$c' is required but not on PATH"
  done
}

require_java() {
  command -v "$JAVA" >/dev/null 2>&1 || [[ -x "$JAVA" ]] || die "java not found (set JAVA_HOME or put java on PATH)"
}

# Seconds since the epoch with millisecond precision, for timing messages.
now_ms() { date +%s%3N; }
elapsed_since() { local start="$1"; local end; end="$(now_ms)"; printf '%d.%03d' $(((end - start) / 1000)) $(((end - start) % 1000)); }

# ---------------------------------------------------------------------------------------------------------------
# classpaths

# resolve_classpath NAME -> prints a java -cp entry ("<lib>/NAME/*") for scripts/infra/NAME/pom.xml.
# Resolves once with Maven (copy-dependencies into a temp dir, then an atomic rename) and caches the result;
# re-resolves only when the pom changes (its checksum is kept in the .resolved marker).
resolve_classpath() {
  local name="$1"
  local pom="$INFRA_DIR/$name/pom.xml"
  local dest="$LIB_DIR/$name"
  [[ -f "$pom" ]] || die "no pom for '$name' at $pom"
  local sum
  sum="$(cksum <"$pom" | awk '{print $1 "-" $2}')"
  if [[ -f "$dest/.resolved" && "$(cat "$dest/.resolved")" == "$sum" ]]; then
    printf '%s/*' "$dest"
    return 0
  fi
  require_cmd mvn
  info "resolving the $name classpath with Maven (once; cached in $dest)"
  local start tmp
  start="$(now_ms)"
  tmp="$LIB_DIR/.$name.tmp.$$"
  rm -rf "$tmp"
  if ! mvn -q -B -f "$pom" dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory="$tmp" >"$LOG_DIR/mvn-$name.log" 2>&1; then
    log_tail "$LOG_DIR/mvn-$name.log" 30
    rm -rf "$tmp"
    die "Maven could not resolve the $name classpath (see $LOG_DIR/mvn-$name.log)"
  fi
  printf '%s' "$sum" >"$tmp/.resolved"
  rm -rf "$dest"
  mv "$tmp" "$dest"
  info "$name classpath: $(find "$dest" -name '*.jar' | wc -l) jars, $(du -sh "$dest" | cut -f1) in $(elapsed_since "$start") s"
  printf '%s/*' "$dest"
}

# ---------------------------------------------------------------------------------------------------------------
# processes. Every server JVM gets -Dtsdbpipe.service=<name>; a PID counts as ours only if its command line has it
# (guards against a stale PID file whose number was reused by another process).

pid_file() { printf '%s/%s.pid' "$RUN_DIR" "$1"; }

proc_cmdline() {
  local pid="$1"
  if [[ -r "/proc/$pid/cmdline" ]]; then
    tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null || true
  else
    ps -p "$pid" -o command= 2>/dev/null || true
  fi
}

# running_pid NAME -> prints the PID and returns 0 if NAME's JVM is alive; cleans a stale PID file otherwise.
running_pid() {
  local name="$1" f pid
  f="$(pid_file "$name")"
  [[ -f "$f" ]] || return 1
  pid="$(cat "$f" 2>/dev/null || true)"
  if [[ "$pid" =~ ^[0-9]+$ ]] && kill -0 "$pid" 2>/dev/null && [[ "$(proc_cmdline "$pid")" == *"-Dtsdbpipe.service=$name "* ]]; then
    printf '%s' "$pid"
    return 0
  fi
  rm -f "$f"
  return 1
}

is_running() { running_pid "$1" >/dev/null; }

# RSS of a process in MiB (empty if unknown).
rss_mb() {
  local pid="$1" kb
  if [[ -r "/proc/$pid/status" ]]; then
    kb="$(awk '/^VmRSS:/ {print $2}' "/proc/$pid/status")"
  else
    kb="$(ps -p "$pid" -o rss= 2>/dev/null | tr -d ' ')"
  fi
  [[ -n "$kb" ]] && printf '%d' $((kb / 1024))
}

# stop_service NAME GRACE_SECONDS: SIGTERM, wait up to GRACE_SECONDS, then SIGKILL. Idempotent.
stop_service() {
  local name="$1" grace="$2" pid start i
  if ! pid="$(running_pid "$name")"; then
    info "$name is not running"
    return 0
  fi
  start="$(now_ms)"
  info "stopping $name (pid $pid, SIGTERM, grace ${grace}s)"
  kill -TERM "$pid" 2>/dev/null || true
  for ((i = 0; i < grace * 10; i++)); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  if kill -0 "$pid" 2>/dev/null; then
    warn "$name did not exit within ${grace}s: SIGKILL"
    kill -KILL "$pid" 2>/dev/null || true
    for ((i = 0; i < 100; i++)); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
  fi
  kill -0 "$pid" 2>/dev/null && die "could not stop $name (pid $pid)"
  rm -f "$(pid_file "$name")"
  info "$name stopped in $(elapsed_since "$start") s"
}

# Move the previous log aside so readiness checks only see this run's lines.
rotate_log() {
  local file="$1"
  if [[ -f "$file" ]]; then mv -f "$file" "$file.1"; fi
}

# ---------------------------------------------------------------------------------------------------------------
# network

# port_open HOST PORT -> 0 if something accepts TCP connections there (bash /dev/tcp; no nc/curl needed).
port_open() {
  local host="$1" port="$2"
  { (exec 3<>"/dev/tcp/$host/$port"); } 2>/dev/null
}

# require_free_port NAME PORT: fail early with a clear message instead of a JVM bind error.
require_free_port() {
  local what="$1" port="$2"
  [[ "$port" =~ ^[0-9]+$ ]] || die "$what port '$port' is not a number"
  if port_open "$BIND_HOST" "$port"; then
    die "$what port $BIND_HOST:$port is already in use (another instance? set the port variable, see --help)"
  fi
}

# http_status URL -> prints the HTTP status code of a GET (000 if no answer). curl if present, else bash /dev/tcp.
http_status() {
  local url="$1"
  if command -v curl >/dev/null 2>&1 && [[ -z "${PIPELINE_NO_CURL:-}" ]]; then
    curl -s -o /dev/null -m 5 -w '%{http_code}' "$url" 2>/dev/null || printf '000'
    return 0
  fi
  # http://host:port/path only
  local rest hostport host port path line
  rest="${url#http://}"
  hostport="${rest%%/*}"
  path="/${rest#*/}"
  [[ "$rest" == */* ]] || path="/"
  host="${hostport%%:*}"
  port="${hostport##*:}"
  [[ "$port" == "$hostport" ]] && port=80
  line="$(
    exec 2>/dev/null
    exec 3<>"/dev/tcp/$host/$port" || exit 0
    printf 'GET %s HTTP/1.0\r\nHost: %s\r\nConnection: close\r\n\r\n' "$path" "$hostport" >&3
    IFS= read -r -t 5 l <&3 || true
    printf '%s' "$l"
  )" 2>/dev/null || true
  if [[ "$line" =~ ^HTTP/[0-9.]+\ ([0-9]{3}) ]]; then
    printf '%s' "${BASH_REMATCH[1]}"
  else
    printf '000'
  fi
}

# wait_for_log NAME PID FILE PATTERN TIMEOUT_S: wait until FILE contains PATTERN (grep -E).
# Fails with the log tail if the process dies or the timeout passes.
wait_for_log() {
  local name="$1" pid="$2" file="$3" pattern="$4" timeout="$5" deadline
  deadline=$(($(date +%s) + timeout))
  while true; do
    if [[ -f "$file" ]] && grep -qE "$pattern" "$file"; then return 0; fi
    if ! kill -0 "$pid" 2>/dev/null; then
      log_tail "$file" 60
      die "$name (pid $pid) exited before it was ready (log: $file)"
    fi
    if (($(date +%s) >= deadline)); then
      log_tail "$file" 60
      die "$name not ready after ${timeout}s: no '$pattern' in $file (process $pid left running; '$(basename "$0") stop' stops it)"
    fi
    sleep 0.2
  done
}

# wait_for_http NAME PID URL TIMEOUT_S LOGFILE: wait until GET URL answers 200.
wait_for_http() {
  local name="$1" pid="$2" url="$3" timeout="$4" file="$5" deadline code
  deadline=$(($(date +%s) + timeout))
  while true; do
    code="$(http_status "$url")"
    [[ "$code" == "200" ]] && return 0
    if ! kill -0 "$pid" 2>/dev/null; then
      log_tail "$file" 60
      die "$name (pid $pid) exited before it was ready (log: $file)"
    fi
    if (($(date +%s) >= deadline)); then
      log_tail "$file" 60
      die "$name not ready after ${timeout}s: GET $url answered $code (process $pid left running; '$(basename "$0") stop' stops it)"
    fi
    sleep 0.2
  done
}

# wait_for_port NAME PID PORT TIMEOUT_S LOGFILE
wait_for_port() {
  local name="$1" pid="$2" port="$3" timeout="$4" file="$5" deadline
  deadline=$(($(date +%s) + timeout))
  until port_open "$BIND_HOST" "$port"; do
    if ! kill -0 "$pid" 2>/dev/null; then
      log_tail "$file" 60
      die "$name (pid $pid) exited before it was ready (log: $file)"
    fi
    if (($(date +%s) >= deadline)); then
      log_tail "$file" 60
      die "$name not listening on $BIND_HOST:$port after ${timeout}s"
    fi
    sleep 0.2
  done
}

# print_status NAME DESCRIPTION: one line; returns 0 if running, 3 if not (LSB convention).
print_status() {
  local name="$1" desc="$2" pid
  if pid="$(running_pid "$name")"; then
    printf '%-9s running  pid %-7s rss %5s MiB  %s\n' "$name" "$pid" "$(rss_mb "$pid")" "$desc"
    return 0
  fi
  printf '%-9s stopped\n' "$name"
  return 3
}

# mvn -q in the repository, its output (errors only) on stderr without colour codes.
quiet_mvn() {
  (cd "$REPO_DIR" && set -o pipefail && mvn -q -B "$@" 2>&1 | sed -e 's/\x1b\[[0-9;]*m//g' >&2)
}
