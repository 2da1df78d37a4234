#!/usr/bin/env bash
# The whole-job benchmark: the job against its machine's limits, in one run. See --help and docs/benchmarks.md.
set -euo pipefail
usage() {
  cat <<'USAGE'
Usage: scripts/bench-pipeline.sh [--reports N] [--points-per-report P] [--series S] [--parallelism K]
                                 [--only PARTS] [--formats LIST] [--latency-rate R] [--latency-seconds S]
                                 [--bare-batch B] [--bare-threads T] [--key value]...

Starts Kafka (scripts/kafka.sh) and, for the tsdb and bare parts, OpenTSDB (scripts/opentsdb.sh); fills one topic
per format once (scripts/loadgen.sh, N reports of P datapoints over S series, 2 partitions) and runs on it, in order:

  consumer   a plain KafkaConsumer reading each format's whole topic (byte[], no parsing): the source's ceiling
  counting   the job (embedded Flink, bounded source, checkpoints every 10 s, exactly-once) into a counting
             OpenTSDB-protocol endpoint (io.tsdbpipe.tools.bench.CountingOpenTsdb), once per format
  endpoint   the bare client into the counting endpoint (shows the endpoint is not the bottleneck)
  tsdb       the job into the real OpenTSDB (the tbds topic), then every datapoint read back
  bare       the bare client (batches of B, T threads, gzip) into the same TSD: the TSD's ceiling
  latency    the job (unbounded) into the counting endpoint while loadgen produces tbds reports at R reports/s
             stamped with the wall clock: produced -> acknowledged latency (R default: half the counting run's rate)

Rates are steady-state rates from the receiver's own count while the job runs (between 10% and 90% of the
datapoints), so the JVM and Flink start and the drain do not count; wall-clock time is printed as well.
Prints a table (datapoints/s, ratio to the plain consumer / the bare client, CPU seconds per million datapoints of
the job's JVM, its peak RSS and heap, checkpoint durations, latency percentiles) and writes results.csv,
series.csv and chart.png into the directory it prints ($PIPELINE_HOME/bench/<run>/).

  --only PARTS     comma-separated parts of the list above (default: all)
  --formats LIST   comma-separated, of tbds, opentsdb, blueking, mapping (default: all four); the mapping topic holds
                   one datapoint per record (the seed's shape), N x P records
  --key value      passed to every job run (e.g. --sink.opentsdb.max-batch-bytes "256 kb", which needs the TSD's
                   chunking: the local TSD has it on)

Defaults: 50,000 reports x 10 datapoints over 5,000 series, parallelism 2, bare client 500 x 2 threads, a 30 s latency
run. Environment: COUNTING_PORT (default 4243) and the ports of scripts/kafka.sh and scripts/opentsdb.sh.
USAGE
}
source "$(cd "$(dirname "$0")" && pwd)/lib/common.sh"
source "$SCRIPTS_DIR/lib/job.sh"

reports=50000 ppr=10 series=5000 parallelism=2 only="consumer,counting,endpoint,tsdb,bare,latency"
formats="tbds,opentsdb,blueking,mapping" latency_rate="" latency_seconds=30 bare_batch=500 bare_threads=2
overrides=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    -h|--help) usage; exit 0 ;;
    --reports) reports="$2"; shift 2 ;;
    --points-per-report) ppr="$2"; shift 2 ;;
    --series) series="$2"; shift 2 ;;
    --parallelism) parallelism="$2"; shift 2 ;;
    --only) only="$2"; shift 2 ;;
    --formats) formats="$2"; shift 2 ;;
    --latency-rate) latency_rate="$2"; shift 2 ;;
    --latency-seconds) latency_seconds="$2"; shift 2 ;;
    --bare-batch) bare_batch="$2"; shift 2 ;;
    --bare-threads) bare_threads="$2"; shift 2 ;;
    --*) overrides+=("$1" "${2:?$1 needs a value}"); shift 2 ;;
    *) die "unexpected argument '$1' (see --help)" ;;
  esac
done
for part in ${only//,/ }; do
  [[ ",consumer,counting,endpoint,tsdb,bare,latency," == *",$part,"* ]] || die "unknown part '$part' in --only (see --help)"
done
for f in ${formats//,/ }; do
  [[ ",tbds,opentsdb,blueking,mapping," == *",$f,"* ]] || die "unknown format '$f' in --formats (see --help)"
done
runs() { [[ ",$only," == *",$1,"* ]]; }
require_java

run="bench-$(date +%Y%m%d-%H%M%S)"
out="$PIPELINE_HOME/bench/$run"
mkdir -p "$out"
results="$out/results.csv" series_csv="$out/series.csv"
counting_port="${COUNTING_PORT:-4243}"
counting_url="http://$BIND_HOST:$counting_port"
tsdb_url="http://$BIND_HOST:${TSDB_PORT:-4242}"
bootstrap="$BIND_HOST:${KAFKA_PORT:-9092}"
# each run (minute) writes its own hour of 2020-2025, so that counting in OpenTSDB sees only this run's points; the
# bare client writes the same series 40,000 hours later
start_epoch=$(( 1600000000 + ($(date +%s) / 60 % 40000) * 3600 ))
bare_epoch=$(( start_epoch + 40000 * 3600 ))

cp="$(job_classpath)" || exit 1   # compiled once here, so that no Maven JVM runs inside a measurement
tool() {
  # 4 GiB: the bare client holds every datapoint of a large run (6 million take ~2 GB) before its clock starts
  "$JAVA" -Xmx4g -XX:+UseSerialGC -Dlog4j2.configurationFile="$REPO_DIR/scripts/lib/log4j2-local.properties" \
    -Dlog.file="$out/tools.log" -cp "$cp" "$@"
}
# result KEY LINE: the value of KEY=... in a tool's "result ..." line
result() { sed -nE "s/^result .*\\b$1=([^ ]*).*/\\1/p" <<<"$2"; }
# add_row RUN KIND FORMAT TARGET POINTS RATE WALL_S WALL_RATE: a baseline's row of results.csv (BenchWatch writes the
# job rows, with the same header)
add_row() {
  [[ -s "$results" ]] || echo "run,kind,format,target,points,rate,wall_s,wall_rate,cpu_s_per_m,peak_rss_mb,peak_heap_mb,live_heap_mb,checkpoints,checkpoint_avg_ms,checkpoint_max_ms,lat_p50_ms,lat_p90_ms,lat_p99_ms,lat_max_ms" >"$results"
  local IFS=,
  echo "$*,,,,,,,,,,," >>"$results"
}

pids=()
cleanup() {
  local p
  for p in "${pids[@]+"${pids[@]}"}"; do
    # shellcheck disable=SC2046 # the job's JVM is the child of the subshell that ran job_java
    kill $(ps -o pid= --ppid "$p" 2>/dev/null) "$p" 2>/dev/null || true
  done
}
trap cleanup EXIT
trap "exit 130" INT TERM

"$SCRIPTS_DIR/kafka.sh" start
if runs tsdb || runs bare; then "$SCRIPTS_DIR/opentsdb.sh" start; fi
if runs counting || runs endpoint || runs latency; then
  require_free_port "counting endpoint (COUNTING_PORT)" "$counting_port"
  nohup "$JAVA" -Xmx512m -XX:+UseParallelGC -cp "$cp" io.tsdbpipe.tools.bench.CountingOpenTsdb \
    --port "$counting_port" --threads 2 >"$out/counting-endpoint.log" 2>&1 &
  counting_pid=$!
  pids+=("$counting_pid")
  wait_for_http "counting endpoint" "$counting_pid" "$counting_url/api/version" 30 "$out/counting-endpoint.log"
fi
counting_reset() { curl -s -m 5 -X POST "$counting_url/reset" >/dev/null || die "the counting endpoint did not reset"; }

# fill TOPIC FORMAT: one topic of the run's reports; prints the number of datapoints
fill() {
  local topic="$1" format="$2" count="$reports" per="$ppr" t0
  if [[ "$format" == mapping ]]; then count=$(( reports * ppr )) per=1; fi
  "$SCRIPTS_DIR/kafka.sh" topic-create "$topic" 2 >&2
  t0=$(now_ms)
  "$SCRIPTS_DIR/loadgen.sh" --topic "$topic" --format "$format" --count "$count" --points-per-report "$per" \
    --series "$series" --start-epoch "$start_epoch" --expected "$out/$format-expected.jsonl" --rate 0 --quiet
  info "filled $topic: $count $format records in $(elapsed_since "$t0") s"
  grep -c '' "$out/$format-expected.jsonl"
}

job_args() {
  local topic="$1" endpoint="$2" format="$3"
  printf '%s\0' --config "$REPO_DIR/flink-conf/pipeline.yaml" --source.bootstrap-servers "$bootstrap" \
    --source.topics "$topic" --source.group-id "$run-$RANDOM" --source.start earliest --source.bounded true \
    --dead-letter.topic "$topic-dead-letter" --sink.opentsdb.endpoints "$endpoint" \
    --parallelism.default "$parallelism" --checkpoint.interval "10 s" --checkpoint.mode exactly_once
  case "$format" in
    # a channel topic of the run's own: a channel 1500001 registered on the local broker (quickstart) would win
    blueking) printf '%s\0' --channels.topic "$topic-channels" --channels.static.1500001.name loadgen \
      --channels.static.1500001.kind time_series \
      --channels.static.1500001.token loadgen-0123456789abcdef --channels.static.1500001.metric-prefix bk.loadgen ;;
    mapping) printf '%s\0' --mappings.seed.topics "$topic" ;;
  esac
  [[ ${#overrides[@]} -eq 0 ]] || printf '%s\0' "${overrides[@]}"
}

# run_job NAME FORMAT TARGET URL EXPECT WAIT_EXIT [extra job args]: the job in the background, watched; sets job_pid
run_job() {
  local name="$1" format="$2" target="$3" url="$4" expect="$5" wait_exit="$6"
  shift 6
  local topic="$run-$format" endpoint="$url" args=()
  [[ "$target" == counting ]] && endpoint="$counting_url"
  mapfile -d '' args < <(job_args "$topic" "$endpoint" "$format")
  rm -f "$LOG_DIR/job-local.log"
  JDK_JAVA_OPTIONS="-Xlog:gc:file=$out/gc-$name.log" job_java io.tsdbpipe.job.ReportPipelineJob "${args[@]}" "$@" \
    >"$out/job-$name.out" 2>&1 &
  job_pid=$!
  pids+=("$job_pid")
  tool io.tsdbpipe.tools.bench.BenchWatch --run "$name" --kind job --format "$format" --target "$target" \
    --receiver "$target" --url "$url" --expect "$expect" --pid "$job_pid" --wait-exit "$wait_exit" \
    --gc-log "$out/gc-$name.log" --job-log "$LOG_DIR/job-local.log" --results "$results" --series "$series_csv" \
    | tee -a "$out/summary.txt" || warn "$name: the receiver did not get every datapoint"
}

finish_job() {
  local name="$1" rc=0
  wait "$job_pid" || rc=$?
  cp -f "$LOG_DIR/job-local.log" "$out/job-$name.log" 2>/dev/null || true
  [[ $rc -eq 0 ]] || { log_tail "$out/job-$name.log" 30; die "the job $name failed (rc $rc); see $out/job-$name.log"; }
}

declare -A points_of
if runs consumer || runs counting || runs endpoint || runs tsdb; then
  for format in ${formats//,/ }; do
    [[ "$format" == tbds ]] || runs consumer || runs counting || continue
    points_of[$format]=$(fill "$run-$format" "$format")
  done
fi

for format in ${formats//,/ }; do
  [[ -n "${points_of[$format]:-}" ]] || continue
  if runs consumer; then
    per=$ppr; [[ "$format" == mapping ]] && per=1
    line=$(tool io.tsdbpipe.tools.bench.PlainKafkaConsumer --bootstrap-servers "$bootstrap" --topic "$run-$format" \
      --points-per-record "$per" | tee -a "$out/summary.txt" | tee /dev/stderr | tail -1)
    add_row "consumer-$format" plain-consumer "$format" kafka "${points_of[$format]}" "$(result points_rate "$line")" \
      "$(result seconds "$line")" ""
  fi
  if runs counting; then
    counting_reset
    info "job-$format: the job into the counting endpoint (${points_of[$format]} datapoints)"
    run_job "job-$format" "$format" counting "$counting_url" "${points_of[$format]}" true
    finish_job "job-$format"
  fi
done

if runs endpoint && [[ -n "${points_of[tbds]:-}" ]]; then
  counting_reset
  line=$(tool io.tsdbpipe.tools.bench.BareOpenTsdbClient --url "$counting_url" --expected "$out/tbds-expected.jsonl" \
    --batch "$bare_batch" --threads "$bare_threads" | tee -a "$out/summary.txt" | tee /dev/stderr | tail -1)
  add_row bare-counting bare-client tbds counting "$(result points "$line")" "$(result rate "$line")" \
    "$(result seconds "$line")" "$(result wall_rate "$line")"
fi

if runs tsdb && [[ -n "${points_of[tbds]:-}" ]]; then
  sent=${points_of[tbds]}
  info "job-tsdb: the job into OpenTSDB at $tsdb_url ($sent datapoints)"
  run_job job-tsdb tbds tsdb "$tsdb_url" "$sent" true
  finish_job job-tsdb
  mapfile -t metrics < <(sed -E 's/.*"metric":"([^"]*)".*/\1/' "$out/tbds-expected.jsonl" | sort -u)
  stored=$(tool io.tsdbpipe.tools.ShowOpenTsdb --url "$tsdb_url" --start "$start_epoch" --end $(( start_epoch + 3599 )) \
    --count --expect "$sent" --wait-seconds 60 "${metrics[@]}" | awk '$1 == "total" {print $2}') || true
  echo "in OpenTSDB: ${stored:-?} of $sent datapoints read back" | tee -a "$out/summary.txt"
  [[ "${stored:-0}" -ge "$sent" ]] || die "datapoints missing in OpenTSDB"
fi

if runs bare; then
  count=${points_of[tbds]:-$(( reports * ppr ))}
  # the same series as the job's tbds topic, in another hour
  "$SCRIPTS_DIR/loadgen.sh" --print --format tbds --count $(( count / ppr )) --points-per-report "$ppr" \
    --series "$series" --start-epoch "$bare_epoch" --expected "$out/bare-expected.jsonl" --rate 0 --quiet >/dev/null
  line=$(tool io.tsdbpipe.tools.bench.BareOpenTsdbClient --url "$tsdb_url" --expected "$out/bare-expected.jsonl" \
    --batch "$bare_batch" --threads "$bare_threads" | tee -a "$out/summary.txt" | tee /dev/stderr | tail -1)
  add_row bare-tsdb bare-client tbds tsdb "$(result points "$line")" "$(result rate "$line")" \
    "$(result seconds "$line")" "$(result wall_rate "$line")"
fi

if runs latency; then
  if [[ -z "$latency_rate" ]]; then
    max=$(awk -F, '$1 == "job-tbds" {print $6}' "$results" 2>/dev/null | tail -1)
    [[ -n "$max" ]] || die "--latency-rate is needed without the tbds counting run (its rate is the maximum)"
    latency_rate=$(( ${max%.*} / 2 / ppr ))
  fi
  topic="$run-latency"
  "$SCRIPTS_DIR/kafka.sh" topic-create "$topic" 2 >&2
  warmup=$(( latency_rate * 10 )) measured=$(( latency_rate * latency_seconds ))
  loadgen_latency() {
    "$SCRIPTS_DIR/loadgen.sh" --topic "$topic" --format tbds --rate "$latency_rate" --points-per-report "$ppr" \
      --series "$series" --timestamps wall-clock --quiet "$@"
  }
  counting_reset
  info "latency: the job (unbounded) at $latency_rate reports/s ($(( latency_rate * ppr )) datapoints/s), 10 s warm-up, then ${latency_seconds} s measured"
  mapfile -d '' args < <(job_args "$topic" "$counting_url" tbds)
  rm -f "$LOG_DIR/job-local.log"
  JDK_JAVA_OPTIONS="-Xlog:gc:file=$out/gc-latency.log" job_java io.tsdbpipe.job.ReportPipelineJob "${args[@]}" \
    --source.bounded false --channels.topic "" >"$out/job-latency.out" 2>&1 &
  job_pid=$!
  pids+=("$job_pid")
  # the warm-up carries the job's start; the endpoint is reset once it has taken all of it
  loadgen_latency --count "$warmup"
  for ((i = 0; i < 120; i++)); do
    got=$(curl -s -m 5 "$counting_url/stats?brief" | sed -nE 's/.*"points":([0-9]+).*/\1/p')
    [[ "${got:-0}" -ge $(( warmup * ppr )) ]] && break
    kill -0 "$job_pid" 2>/dev/null || die "the latency job exited; see $out/job-latency.out"
    sleep 1
  done
  counting_reset
  loadgen_latency --count "$measured" --skip "$warmup" &
  loadgen_pid=$!
  pids+=("$loadgen_pid")
  tool io.tsdbpipe.tools.bench.BenchWatch --run latency --kind job-latency --format tbds --target counting \
    --receiver counting --url "$counting_url" --expect $(( measured * ppr )) --pid "$job_pid" --wait-exit false \
    --gc-log "$out/gc-latency.log" --job-log "$LOG_DIR/job-local.log" --results "$results" --series "$series_csv" \
    --timeout $(( latency_seconds * 3 + 60 )) | tee -a "$out/summary.txt" || warn "latency: not every datapoint arrived"
  wait "$loadgen_pid" || warn "loadgen failed in the latency run"
  # shellcheck disable=SC2046
  kill $(ps -o pid= --ppid "$job_pid") 2>/dev/null || true
  wait "$job_pid" 2>/dev/null || true
  cp -f "$LOG_DIR/job-local.log" "$out/job-latency.log" 2>/dev/null || true
fi

echo
echo "machine:     $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB, $("$JAVA" -version 2>&1 | head -1), load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "run:         $run: $reports reports x $ppr datapoints over $series series per format, parallelism $parallelism${overrides[*]+, ${overrides[*]}}"
echo
tool io.tsdbpipe.tools.bench.BenchReport --results "$results" --series "$series_csv" --chart "$out/chart.png" \
  | tee "$out/table.txt"
echo
echo "results:     $results"
echo "series:      $series_csv"
echo "chart:       $out/chart.png"
