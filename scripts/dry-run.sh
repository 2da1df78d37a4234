#!/usr/bin/env bash
# Decodes raw reports (one per line) with the job's decoder and rules and prints one JSON line per input line:
#   {"line":N,"datapoints":[{"metric","timestamp","value","tags"}...],"rejects":[{"reason","message"}...]}
# Needs no Kafka, OpenTSDB or cluster.
set -euo pipefail
usage() {
  cat <<'USAGE'
Usage: scripts/dry-run.sh [--config FILE] [--key value]... [FILE]

Reads reports from FILE (or standard input), one JSON report per line, and prints what the job would make of each:
the datapoints it would write and the rejects (reason code and message) it would send to the dead-letter topic.
--config FILE and --key value take the same job configuration as the job itself (formats, validation rules).
The series stage (duplicate handling) is not applied.

Example: scripts/dry-run.sh scripts/samples/reports.jsonl
USAGE
}
for a in "$@"; do [[ "$a" == "-h" || "$a" == "--help" ]] && { usage; exit 0; }; done
source "$(cd "$(dirname "$0")" && pwd)/lib/common.sh"
source "$SCRIPTS_DIR/lib/job.sh"
require_java
job_java io.tsdbpipe.tools.DryRun "$@"
