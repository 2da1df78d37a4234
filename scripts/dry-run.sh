#!/usr/bin/env bash
# Decodes raw reports (one per line) with the job's decoder and rules and prints one JSON line per input line:
#   {"line":N,"datapoints":[{"metric","timestamp","value","tags"}...],"rejects":[{"reason","message"}...]}
# Needs no Kafka, OpenTSDB or cluster.
set -euo pipefail
usage() {
  cat <<'USAGE'
Usage: scripts/dry-run.sh [--config FILE] [--key value]... [--topic TOPIC] [FILE]

Reads reports from FILE (or standard input), one JSON report per line, and prints what the job would make of each:
the datapoints it would write, the rejects (reason code and message) it would send to the dead-letter topic, and the
BlueKing events it would count, annotate and publish ("events", only on lines that have some).
--config FILE and --key value take the same job configuration as the job itself (formats, mappings, channels of the
configuration, validation rules). --topic names the topic the lines come from (for mappings bound to a topic).
The series stage (duplicate handling) and the event windows are not applied.

Examples: scripts/dry-run.sh scripts/samples/reports.jsonl
          scripts/dry-run.sh --config scripts/samples/blueking-demo.yaml scripts/samples/blueking.jsonl
USAGE
}
for a in "$@"; do [[ "$a" == "-h" || "$a" == "--help" ]] && { usage; exit 0; }; done
source "$(cd "$(dirname "$0")" && pwd)/lib/common.sh"
source "$SCRIPTS_DIR/lib/job.sh"
require_java
job_java io.tsdbpipe.tools.DryRun "$@"
