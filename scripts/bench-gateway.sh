#!/usr/bin/env bash
# The HTTP report gateway against Flume 1.11 (the seeds' chain), same requests, same machine, one run. See --help and
# docs/benchmarks.md.
set -euo pipefail
usage() {
  cat <<'USAGE'
Usage: scripts/bench-gateway.sh [--targets LIST] [--connections N] [--points-per-request P] [--events-per-request E]
                                [--warmup S] [--duration S] [--rounds R] [--partitions N] [--flume-memory K:B] [--flume-file K:B]
                                [--flume-producer K=V]... [--heap SIZE] [--jfr] [--key value]...

Starts Kafka if it is not running (scripts/kafka.sh), then for each target in turn: a fresh topic (N partitions), the
server, the load client (io.tsdbpipe.tools.bench.GatewayLoadClient: N keep-alive connections, each posting the next
request when the previous one was answered; a warm-up, then the measured time), the count of the acknowledged
reports in the topic, the server stopped. Every target gets the same requests: TBDS reports of P datapoints in
Flume's JSON handler envelope (E events per request), the request applications send to the Flume HTTP source today.

  client          NullHttpServer: answers 200 at once, no Kafka (the load client's own ceiling on this machine)
  flume-memory    Flume 1.11: HTTP source (JSONHandler) -> memory channel -> K Kafka sinks (acks=all): the seeds'
                  chain; it answers 200 once the event is in memory (lost if Flume stops before its sinks sent it)
  flume-file      the same with the file channel (fsync per transaction): 200 once the event is on local disk;
                  the durable one, the like-for-like of the gateway
  gateway         the gateway's flume port (io.tsdbpipe.gateway.ReportGateway): 200 once Kafka acknowledged
                  (idempotent producer, acks=all)
  gateway-v2push  the gateway's BlueKing POST /v2/push/ (custom time series of P datapoints, a channel created with
                  scripts/channel.sh, its rate limit off for the run)

Prints one table (target, requests/s and datapoints/s acknowledged, latency p50/p90/p99/max, acknowledged, in
Kafka, lost, the CPU the server, Kafka, the client and the rest of the machine used) and the ratios the target of
issue 9 is stated in, and writes results.csv (every round, with the answers by status), summary.txt, table.txt and the
servers' logs under the directory it prints ($PIPELINE_HOME/bench/gateway-<time>/).

  --targets LIST        comma-separated, of the list above (default: all, in that order)
  --connections N       concurrent connections (default 32)
  --points-per-request  datapoints per request (default 100)
  --events-per-request  Flume events (reports) per request (default 1; not for gateway-v2push)
  --warmup S            seconds not measured, per target (default 10)
  --duration S          measured seconds per target (default 30)
  --partitions N        partitions of each target's topic (default 2)
  --rounds R            run the targets R times, one after the other (the machine's other load hits them alike);
                        the table shows each target's best round, the least disturbed (default 1)
  --flume-memory K:B    K Kafka sinks on the memory channel (a thread and a producer each), B their flumeBatchSize
                        and the channel's transactionCapacity (default 4:250, the best of 1-8 sinks x 100-1000)
  --flume-file K:B      the same for the file channel (default 2:1000: its takes fsync too, fewer and larger win)
  --flume-producer K=V  a Kafka producer property of Flume's sinks (repeatable; they have the gateway's own settings:
                        acks=all, idempotence, linger.ms 2, lz4, batch.size 256 KB)
  --heap SIZE           -Xmx of the gateway and of Flume alike (default 1g)
  --jfr                 record the gateway with Java Flight Recorder (profile settings) into the run directory
  --key value           passed to the gateway (e.g. --kafka.linger "10 ms")

Environment: BENCH_PORT (default 17777: the Flume HTTP source, the gateway's flume port, the null server),
BENCH_HTTP_PORT (default 20205: the gateway's http port), and the ports of scripts/kafka.sh (KAFKA_PORT).
The gateway runs with scripts/gateway.sh if there is one (stop a running gateway first), else the same JVM directly;
-Xmx as Flume's; --jfr writes <target>.jfr. Leaves every server it started stopped (Kafka too if it started it).
USAGE
}
source "$(cd "$(dirname "$0")" && pwd)/lib/common.sh"
source "$SCRIPTS_DIR/lib/job.sh"

targets="client,flume-memory,flume-file,gateway,gateway-v2push" connections=32 ppr=100 epr=1 warmup=10 duration=30
rounds=1 partitions=2 flume_memory=4:250 flume_file=2:1000 heap=1g jfr=""
overrides=() flume_producer=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    -h|--help) usage; exit 0 ;;
    --targets) targets="$2"; shift 2 ;;
    --connections) connections="$2"; shift 2 ;;
    --points-per-request) ppr="$2"; shift 2 ;;
    --events-per-request) epr="$2"; shift 2 ;;
    --warmup) warmup="$2"; shift 2 ;;
    --duration) duration="$2"; shift 2 ;;
    --partitions) partitions="$2"; shift 2 ;;
    --rounds) rounds="$2"; shift 2 ;;
    --flume-memory) flume_memory="$2"; shift 2 ;;
    --flume-file) flume_file="$2"; shift 2 ;;
    --heap) heap="$2"; shift 2 ;;
    --jfr) jfr=yes; shift ;;
    --flume-producer) flume_producer+=("${2:?--flume-producer needs KEY=VALUE}"); shift 2 ;;
    --*) overrides+=("$1" "${2:?$1 needs a value}"); shift 2 ;;
    *) die "unexpected argument '$1' (see --help)" ;;
  esac
done
for tuning in "$flume_memory" "$flume_file"; do
  [[ "$tuning" =~ ^[1-9][0-9]*:[1-9][0-9]*$ ]] || die "--flume-memory and --flume-file take SINKS:BATCH, got '$tuning'"
done
for t in ${targets//,/ }; do
  [[ ",client,flume-memory,flume-file,gateway,gateway-v2push," == *",$t,"* ]] || die "unknown target '$t' (see --help)"
done
require_java

run="gateway-$(date +%Y%m%d-%H%M%S)"
out="$PIPELINE_HOME/bench/$run"
mkdir -p "$out"
results="$out/results.csv"
port="${BENCH_PORT:-17777}" http_port="${BENCH_HTTP_PORT:-20205}"

cp="$(job_classpath)" || exit 1   # compiled once here, so that no Maven JVM runs inside a measurement
flume_cp="$(resolve_classpath flume)"
tool() {
  "$JAVA" -Xmx1g -Dlog4j2.configurationFile="$REPO_DIR/scripts/lib/log4j2-local.properties" \
    -Dlog.file="$out/tools.log" -cp "$cp" "$@"
}

started_kafka="" null_pid=""
cleanup() {
  set +e
  [[ -z "$null_pid" ]] || kill "$null_pid" 2>/dev/null
  stop_service flume 30 2>/dev/null
  if is_running gateway; then stop_gateway 2>/dev/null; fi
  [[ -z "$started_kafka" ]] || "$SCRIPTS_DIR/kafka.sh" stop
}
trap cleanup EXIT
trap "exit 130" INT TERM

if is_running gateway; then
  die "a gateway is running (scripts/gateway.sh status): stop it first, the benchmark starts its own"
fi
if ! is_running kafka; then
  "$SCRIPTS_DIR/kafka.sh" start
  started_kafka=yes
fi
kafka_port="$(sed -n 's|^advertised.listeners=PLAINTEXT://.*:\([0-9][0-9]*\)$|\1|p' "$CONF_DIR/kafka/server.properties")"
bootstrap="$BIND_HOST:$kafka_port"
kafka_pid="$(running_pid kafka)"

# ---------------------------------------------------------------------------------------------------------------
# the servers

# flume_conf CHANNEL TOPIC: the agent's configuration (printed)
flume_conf() {
  local channel="$1" topic="$2" sinks="" i tuning flume_sinks flume_batch
  if [[ "$channel" == memory ]]; then tuning="$flume_memory"; else tuning="$flume_file"; fi
  flume_sinks="${tuning%:*}" flume_batch="${tuning#*:}"
  for ((i = 1; i <= flume_sinks; i++)); do sinks+="k$i "; done
  cat <<EOF
# Generated by scripts/bench-gateway.sh ($run): HTTP source -> $channel channel -> $flume_sinks Kafka sinks.
agent.sources = http
agent.channels = ch
agent.sinks = ${sinks% }

agent.sources.http.type = http
agent.sources.http.bind = $BIND_HOST
agent.sources.http.port = $port
agent.sources.http.handler = org.apache.flume.source.http.JSONHandler
agent.sources.http.channels = ch

EOF
  if [[ "$channel" == memory ]]; then
    cat <<EOF
agent.channels.ch.type = memory
agent.channels.ch.capacity = $((flume_batch > 1000 ? flume_batch * 10 : 10000))
agent.channels.ch.transactionCapacity = $flume_batch
EOF
  else
    cat <<EOF
agent.channels.ch.type = file
agent.channels.ch.checkpointDir = $DATA_DIR/flume/$run/checkpoint
agent.channels.ch.dataDirs = $DATA_DIR/flume/$run/data
agent.channels.ch.capacity = 1000000
agent.channels.ch.transactionCapacity = $flume_batch
EOF
  fi
  for ((i = 1; i <= flume_sinks; i++)); do
    cat <<EOF

agent.sinks.k$i.type = org.apache.flume.sink.kafka.KafkaSink
agent.sinks.k$i.channel = ch
agent.sinks.k$i.kafka.bootstrap.servers = $bootstrap
agent.sinks.k$i.kafka.topic = $topic
agent.sinks.k$i.allowTopicOverride = false
agent.sinks.k$i.flumeBatchSize = $flume_batch
agent.sinks.k$i.kafka.producer.acks = all
agent.sinks.k$i.kafka.producer.enable.idempotence = true
agent.sinks.k$i.kafka.producer.linger.ms = 2
agent.sinks.k$i.kafka.producer.compression.type = lz4
agent.sinks.k$i.kafka.producer.batch.size = 262144
EOF
    [[ ${#flume_producer[@]} -eq 0 ]] || printf "agent.sinks.k$i.kafka.producer.%s\n" "${flume_producer[@]}"
  done
}

start_flume() {
  local channel="$1" topic="$2" conf="$CONF_DIR/flume/$run-$1.properties" log="$LOG_DIR/flume.log" pid
  mkdir -p "$CONF_DIR/flume"
  flume_conf "$channel" "$topic" >"$conf"
  require_free_port "Flume HTTP source (BENCH_PORT)" "$port"
  rotate_log "$log"
  (cd "$PIPELINE_HOME" && exec nohup "$JAVA" -Dtsdbpipe.service=flume -Xms"$heap" -Xmx"$heap" -XX:+UseG1GC \
    -Djava.net.preferIPv4Stack=true -Dlog4j2.configurationFile="$INFRA_DIR/flume/log4j2.properties" \
    -cp "$flume_cp" org.apache.flume.node.Application --no-reload-conf -f "$conf" -n agent \
    >"$log" 2>&1 </dev/null) &
  pid=$!
  echo "$pid" >"$(pid_file flume)"
  wait_for_log flume "$pid" "$log" 'Component type: SOURCE, name: http started' 60
  wait_for_port flume "$pid" "$port" 30 "$log"
  server_pid="$pid"
}

stop_flume() {
  stop_service flume 30
  cp -f "$LOG_DIR/flume.log" "$out/flume-$1.log"
  rm -rf "$DATA_DIR/flume/$run"
}

start_gateway() {
  local topic="$1" jvm log="$LOG_DIR/gateway.log" pid
  shift
  jvm="${jfr:+-XX:StartFlightRecording=filename=$out/$current.jfr,settings=profile }-Xlog:gc:file=$out/gc-$current.log"
  if [[ -x "$SCRIPTS_DIR/gateway.sh" ]]; then
    JDK_JAVA_OPTIONS="$jvm" GATEWAY_HEAP="$heap" "$SCRIPTS_DIR/gateway.sh" --http-port "$http_port" --flume-port "$port" \
      start -- --kafka.bootstrap-servers "$bootstrap" --kafka.topic "$topic" "$@" "${overrides[@]+"${overrides[@]}"}"
    server_pid="$(running_pid gateway)"
    return
  fi
  # without scripts/gateway.sh: the same JVM by hand
  require_free_port "gateway flume (BENCH_PORT)" "$port"
  require_free_port "gateway http (BENCH_HTTP_PORT)" "$http_port"
  rotate_log "$log"
  # shellcheck disable=SC2086 # $jvm is a list of flags
  (cd "$PIPELINE_HOME" && exec nohup "$JAVA" -Dtsdbpipe.service=gateway -Xms"$heap" -Xmx"$heap" -XX:+UseG1GC $jvm \
    -Dlog4j2.configurationFile="$REPO_DIR/scripts/lib/log4j2-local.properties" -Dlog.file="$log" -cp "$cp" \
    io.tsdbpipe.gateway.ReportGateway --config "$REPO_DIR/flink-conf/gateway.yaml" --gateway.http-port "$http_port" \
    --gateway.flume-port "$port" --kafka.bootstrap-servers "$bootstrap" --kafka.topic "$topic" "$@" \
    "${overrides[@]+"${overrides[@]}"}" >>"$log" 2>&1 </dev/null) &
  pid=$!
  echo "$pid" >"$(pid_file gateway)"
  wait_for_log gateway "$pid" "$log" 'gateway ready: ' 60
  wait_for_http gateway "$pid" "http://$BIND_HOST:$http_port/healthz" 60 "$log"
  server_pid="$pid"
}

stop_gateway() {
  if [[ -x "$SCRIPTS_DIR/gateway.sh" ]]; then "$SCRIPTS_DIR/gateway.sh" stop; else stop_service gateway 30; fi
  cp -f "$LOG_DIR/gateway.log" "$out/$current.log"
}

# ---------------------------------------------------------------------------------------------------------------
# one target

echo "round,target,durable,req_s,dp_s,p50_ms,p90_ms,p99_ms,max_ms,statuses,sent,acked,found,lost,unacked_found,drain_s,server_cpu_pct,kafka_cpu_pct,client_cpu_pct,machine_cpu_pct" >"$results"
result() { sed -nE "s/^result .*\\b$1=([^ ]*).*/\\1/p" <<<"$2"; }

# measure TARGET DURABLE URL TOPIC [client args]: the load client against the running server (server_pid)
measure() {
  local target="$1" durable="$2" url="$3" topic="$4" line
  shift 4
  info "round $round, $target: $connections connections, ${warmup}s warm-up, ${duration}s measured, $url"
  tool io.tsdbpipe.tools.bench.GatewayLoadClient --url "$url" --label "$target" --connections "$connections" \
    --points-per-request "$ppr" --warmup "$warmup" --duration "$duration" --bootstrap-servers "$bootstrap" \
    --watch "server=$server_pid,kafka=$kafka_pid" ${topic:+--topic "$topic"} "$@" >"$out/.client" \
    || warn "$target: acknowledged reports are missing in $topic"
  # not tee /dev/stderr: reopening a redirected stderr truncates its file
  tee -a "$out/summary.txt" <"$out/.client" >&2
  line="$(tail -1 "$out/.client")"
  rm -f "$out/.client"
  local cols=() k
  for k in rate dp_rate p50_ms p90_ms p99_ms max_ms statuses sent acked found lost unacked_found drain_s cpu_server_pct \
    cpu_kafka_pct client_cpu_pct cpu_machine_pct; do
    cols+=("$(result "$k" "$line")")
  done
  (IFS=,; echo "$round,$target,$durable,${cols[*]}") >>"$results"
}

new_topic() { "$SCRIPTS_DIR/kafka.sh" topic-create "$1" "$partitions" >&2; }

load_before="$(cut -d' ' -f1-3 /proc/loadavg)"
data_id="" token="" channels="$run-channels"
for ((round = 1; round <= rounds; round++)); do
for current in ${targets//,/ }; do
  topic="$run-$current-$round"
  case "$current" in
    client)
      require_free_port "null server (BENCH_PORT)" "$port"
      "$JAVA" -Xmx512m -cp "$cp" io.tsdbpipe.tools.bench.NullHttpServer --port "$port" >"$out/client.log" 2>&1 &
      null_pid=$! server_pid=$!
      wait_for_log "null server" "$null_pid" "$out/client.log" 'null server ready' 30
      measure client "-" "http://$BIND_HOST:$port/" "" --events-per-request "$epr"
      kill "$null_pid"; wait "$null_pid" 2>/dev/null || true; null_pid=""
      ;;
    flume-memory|flume-file)
      channel="${current#flume-}"
      new_topic "$topic"
      start_flume "$channel" "$topic"
      if [[ "$channel" == memory ]]; then durable="no (memory)"; else durable="local disk"; fi
      measure "$current" "$durable" "http://$BIND_HOST:$port/" "$topic" --events-per-request "$epr"
      stop_flume "$channel-$round"
      ;;
    gateway)
      new_topic "$topic"
      start_gateway "$topic"
      measure gateway "Kafka acks=all" "http://$BIND_HOST:$port/" "$topic" --events-per-request "$epr"
      stop_gateway
      ;;
    gateway-v2push)
      new_topic "$topic"
      if [[ -z "$data_id" ]]; then
        created="$("$SCRIPTS_DIR/channel.sh" --bootstrap-servers "$bootstrap" --topic "$channels" create \
          --name bench --kind time_series --metric-prefix bk.bench)" || die "scripts/channel.sh create failed"
        data_id="$(sed -nE 's/.*data_id[:=] *([0-9]+).*/\1/p' <<<"$created" | head -1)"
        token="$(sed -nE 's/^access_token: *([^ ]+).*/\1/p' <<<"$created" | head -1)"
        [[ -n "$data_id" && -n "$token" ]] || die "no data_id or token in the output of scripts/channel.sh create: $created"
      fi
      start_gateway "$topic" --channels.topic "$channels" \
        --rate-limits.channels."$data_id".requests-per-second 0 --rate-limits.channels."$data_id".datapoints-per-second 0
      measure gateway-v2push "Kafka acks=all" "http://$BIND_HOST:$http_port/v2/push/" "$topic" --shape blueking \
        --data-id "$data_id" --token "$token"
      stop_gateway
      ;;
  esac
done
done

# ---------------------------------------------------------------------------------------------------------------
# the table: per target its best round (the most requests/s: the one the machine's other load disturbed least; its
# latency and CPU), the range over the rounds, and the deliveries of all rounds

{
  echo "machine:  $(nproc) cores ($(sed -nE 's/^model name\s*: //p' /proc/cpuinfo | head -1)), $(free -g | awk '/Mem:/ {print $2}') GiB, $("$JAVA" -version 2>&1 | head -1)"
  echo "load:     load average $load_before before the run, $(cut -d' ' -f1-3 /proc/loadavg) at its end"
  echo "run:      $run: $connections connections, $ppr datapoints per request ($epr event(s) per Flume request), ${warmup} s warm-up + ${duration} s per target, $rounds round(s), $partitions partitions; Flume sinks:batch memory $flume_memory, file $flume_file; heap $heap${overrides[*]+; gateway ${overrides[*]}}"
  echo "          client, servers and Kafka share the machine's cores"
  echo
  fmt="%-15s %-15s %9s %-13s %10s %8s %8s %8s %8s %9s %9s %5s %6s %8s %6s %6s %6s\n"
  # shellcheck disable=SC2059
  printf "$fmt" target "200 means" "req/s" "range" "dp/s" "p50 ms" "p90 ms" "p99 ms" "max ms" acked "in Kafka" lost "srv %" \
    "srv ms/r" "kafka%" "clnt %" "other%"
  for t in ${targets//,/ }; do
    awk -F, -v t="$t" '$2 == t' "$results" | sort -t, -k4 -gr >"$out/.rows"
    n=$(grep -c '' "$out/.rows" || true)
    [[ "$n" -gt 0 ]] || continue
    IFS=, read -r -a m < <(head -1 "$out/.rows")
    range="$(awk -F, 'NR == 1 {hi = $4} {lo = $4} END {printf "%.0f-%.0f", lo, hi}' "$out/.rows")"
    read -r acked found lost < <(awk -F, '{a += $12; f += $13; l += $14} END {print a, f, l}' "$out/.rows")
    other="$(awk -v a="${m[19]}" -v b="${m[16]}" -v c="${m[17]}" -v d="${m[18]}" 'BEGIN {printf "%.0f", a - b - c - d}')"
    [[ -n "${m[11]}" ]] || acked="" found="" lost=""
    # shellcheck disable=SC2059
    printf "$fmt" "$t" "${m[2]}" "$(printf '%.0f' "${m[3]}")" "$range" "$(printf '%.0f' "${m[4]}")" "${m[5]}" "${m[6]}" \
      "${m[7]}" "${m[8]}" "$acked" "$found" "$lost" "${m[16]}" \
      "$(awk -v c="${m[16]}" -v r="${m[3]}" 'BEGIN {if (r > 0) printf "%.3f", c * 10 / r}')" "${m[17]}" "${m[18]}" "$other"
    echo "$t,${m[3]},${m[7]},${lost:-0}" >>"$out/.medians"
  done
  rm -f "$out/.rows"
  echo
  echo "req/s, dp/s: acknowledged (2xx) requests in the measured time, of the target's best round (range: all rounds);"
  echo "latency: send to answer; acked / in Kafka / lost: every report of every round (warm-up included) acknowledged,"
  echo "found in the topic, missing; CPU in the measured time, 100 % = one core: the server, Kafka, the load client and"
  echo "everything else on the machine (other%); srv ms/r: the server's CPU milliseconds per acknowledged request"
  awk -F, '{rate[$1] = $2; p99[$1] = $3; lost[$1] = $4}
    END {
      if ("gateway" in rate) {
        for (f in rate) if (f ~ /^flume-/ && rate[f] > 0)
          printf "gateway vs %s: %.2fx the requests/s (target >= 3), p99 %s vs %s ms (target: lower), lost %s (target 0)\n",
            f, rate["gateway"] / rate[f], p99["gateway"], p99[f], lost["gateway"]
      }
    }' "$out/.medians" 2>/dev/null || true
  rm -f "$out/.medians"
} | tee "$out/table.txt"
grep -q '^gateway vs flume' "$out/table.txt" || true
echo
echo "results:  $results"
