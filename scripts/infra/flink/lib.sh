# shellcheck shell=bash
# Helpers shared by scripts/flink.sh, scripts/job.sh and scripts/quickstart.sh. Source after scripts/lib/common.sh.

FLINK_CONF="$CONF_DIR/flink"
FLINK_JM=flink-jobmanager

# flink_conf_value KEY [FILE]: the value of a flat "KEY: value" line of a config.yaml (the last one wins, as in Flink's
# own scripts), without quotes and trailing comment. Default FILE: the local cluster's generated configuration.
flink_conf_value() {
  local key="$1" file="${2:-$FLINK_CONF/config.yaml}"
  [[ -f "$file" ]] || return 0
  awk -v k="$key" '
    index($0, k ":") == 1 { v = substr($0, length(k) + 2); sub(/^[ \t]+/, "", v); sub(/[ \t]+#.*$/, "", v); sub(/[ \t]+$/, "", v); found = v }
    END { if (found != "") { gsub(/^["'\'']|["'\'']$/, "", found); print found } }' "$file"
}

# flink_local_rest -> HOST:PORT of the local cluster's REST API: the running JobManager's port, else
# $FLINK_REST_PORT (default 8081).
flink_local_rest() {
  local port=""
  if is_running "$FLINK_JM"; then
    port="$(flink_conf_value rest.port)"
  fi
  printf '%s:%s' "$BIND_HOST" "${port:-${FLINK_REST_PORT:-8081}}"
}

# The Java 17 flags of flink-conf/config.yaml (env.java.opts.all), for the JVMs that run Flink code outside the
# cluster (the CLI builds the job graph in its own JVM).
flink_java_opts() {
  local opts
  opts="$(flink_conf_value env.java.opts.all "${FLINK_CONFIG:-$REPO_DIR/flink-conf/config.yaml}")"
  [[ -n "$opts" ]] || opts="${JAVA17_OPENS[*]} --add-opens=java.base/java.util=ALL-UNNAMED"
  printf '%s' "$opts"
}

# flink_rest COMMAND REST ARGS...: scripts/infra/flink/FlinkRest.java (compiled once into $LIB_DIR/flink-tools,
# again when the source changes), with Flink's shaded Jackson from the resolved lib/.
flink_rest() {
  local cmd="$1" rest="$2"
  shift 2
  local src="$INFRA_DIR/flink/FlinkRest.java" classes="$LIB_DIR/flink-tools" sum jackson javac tmp
  local flink_cp
  flink_cp="$(resolve_classpath flink)"
  jackson="$(find "${flink_cp%/\*}" -maxdepth 1 -name 'flink-shaded-jackson-*.jar' | head -n 1)"
  [[ -n "$jackson" ]] || die "flink-shaded-jackson is missing from ${flink_cp%/\*}"
  sum="$(cksum <"$src" | awk '{print $1 "-" $2}')"
  if [[ ! -f "$classes/.compiled" || "$(cat "$classes/.compiled")" != "$sum" ]]; then
    if [[ -n "${JAVA_HOME:-}" && -x "$JAVA_HOME/bin/javac" ]]; then javac="$JAVA_HOME/bin/javac"; else javac="$(command -v javac || true)"; fi
    if [[ -z "$javac" ]]; then
      # no javac (a JRE): the source launcher compiles it on every call
      "$JAVA" -Xmx128m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -cp "$jackson" "$src" "$cmd" "$rest" "$@"
      return
    fi
    tmp="$LIB_DIR/.flink-tools.tmp.$$"
    rm -rf "$tmp"
    mkdir -p "$tmp"
    "$javac" -nowarn -d "$tmp" -cp "$jackson" "$src" >&2 || { rm -rf "$tmp"; die "could not compile $src"; }
    printf '%s' "$sum" >"$tmp/.compiled"
    rm -rf "$classes"
    mv "$tmp" "$classes"
  fi
  "$JAVA" -Xmx128m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -cp "$classes:$jackson" FlinkRest "$cmd" "$rest" "$@"
}
