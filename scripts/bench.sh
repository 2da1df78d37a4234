#!/usr/bin/env bash
# Micro-benchmarks (JMH) of the per-record path: decoding throughput in datapoints/s per core, serializer cost.
set -euo pipefail
usage() {
  cat <<'USAGE'
Usage: scripts/bench.sh [JMH options] [BENCHMARK_REGEX]

Builds the test classes and runs the JMH benchmarks under src/test/java/io/tsdbpipe/benchmark (default: all).
Scores are operations per second on one thread; one operation = one datapoint for the decode benchmarks.
Examples: scripts/bench.sh                      # everything, 1 fork, 3x2 s warm-up, 5x2 s measurement
          scripts/bench.sh -f 2 DecodeBenchmark.decodeTbds
USAGE
}
for a in "$@"; do [[ "$a" == "-h" || "$a" == "--help" ]] && { usage; exit 0; }; done
source "$(cd "$(dirname "$0")" && pwd)/lib/common.sh"
require_java
cd "$REPO_DIR"
info "compiling benchmarks"
mvn -q -B test-compile dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile=target/bench-classpath.txt >&2
info "machine: $(nproc) cores, $(java -version 2>&1 | head -1)"
"$JAVA" -cp "target/test-classes:target/classes:$(cat target/bench-classpath.txt)" org.openjdk.jmh.Main \
  -rf text -rff target/jmh-result.txt "${@:-io.tsdbpipe.benchmark}"
