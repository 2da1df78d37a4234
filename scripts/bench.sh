#!/usr/bin/env bash
# Micro-benchmarks (JMH) of the per-record path: decoding throughput in datapoints/s per core, serializer cost.
set -euo pipefail
usage() {
  cat <<'USAGE'
Usage: scripts/bench.sh [JMH options] [BENCHMARK_REGEX]
       scripts/bench.sh --footprint [SERIES]
       scripts/bench.sh --series-cost [ROUNDS] [SETTING,...]

Builds the test classes and runs the JMH benchmarks under src/test/java/io/tsdbpipe/benchmark and the sink's
SinkEncodeBenchmark (default: all).
Scores are operations per second on one thread; one operation = one datapoint for the decode benchmarks.
When a run has both DecodeBenchmark.decodeX and its baseline tokenizeX (Jackson merely tokenizing the same bytes),
it ends with the ratio decode/tokenize per format.
Examples: scripts/bench.sh                      # everything, 1 fork, 3x2 s warm-up, 5x2 s measurement
          scripts/bench.sh 'DecodeBenchmark.(decode|tokenize)'   # decoders and their baselines, with the ratios
          scripts/bench.sh -f 2 DecodeBenchmark.decodeTbds
          scripts/bench.sh --footprint 200000     # series-stage state per series: heap and checkpoint bytes
          scripts/bench.sh --series-cost 5 off,all  # series-stage CPU ns per point per governance setting
USAGE
}
for a in "$@"; do [[ "$a" == "-h" || "$a" == "--help" ]] && { usage; exit 0; }; done
source "$(cd "$(dirname "$0")" && pwd)/lib/common.sh"
require_java
cd "$REPO_DIR"
info "compiling benchmarks"
quiet_mvn test-compile dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile=target/bench-classpath.txt
info "machine: $(nproc) cores, $(java -version 2>&1 | head -1)"
cp="target/test-classes:target/classes:$(cat target/bench-classpath.txt)"
if [[ "${1:-}" == "--footprint" ]]; then
  exec "$JAVA" -Xmx4g -cp "$cp" io.tsdbpipe.benchmark.SeriesStateFootprint "${@:2}"
fi
if [[ "${1:-}" == "--series-cost" ]]; then
  exec "$JAVA" -Xmx3g -cp "$cp" io.tsdbpipe.benchmark.SeriesStageCpuCost "${@:2}"
fi
"$JAVA" -cp "$cp" org.openjdk.jmh.Main \
  -rf text -rff target/jmh-result.txt "${@:-io.tsdbpipe.(benchmark|sink.SinkEncodeBenchmark)}"
# decode/tokenize per format, from this run's scores (both benchmarks measured side by side)
awk '$1 ~ /\.(decode|tokenize)[A-Z]/ && $2 == "thrpt" {
       name = $1; sub(/.*\./, "", name); score = $4; gsub(/,/, "", score)
       if (sub(/^decode/, "", name)) decode[name] = score; else if (sub(/^tokenize/, "", name)) tokenize[name] = score
     }
     END {
       for (f in decode) if (f in tokenize && tokenize[f] > 0) {
         if (!header++) printf "%-16s %14s %14s %8s\n", "format", "decode dp/s", "tokenize dp/s", "ratio"
         printf "%-16s %14.0f %14.0f %8.2f\n", f, decode[f], tokenize[f], decode[f] / tokenize[f]
       }
     }' target/jmh-result.txt
