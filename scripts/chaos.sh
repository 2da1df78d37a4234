#!/usr/bin/env bash
# Every chaos scenario (quick and long) on the real parts, then the conservation table. See usage().
set -euo pipefail
usage() {
  cat <<'USAGE'
Usage: scripts/chaos.sh [--quick] [--scenario CLASS[#METHOD]] [extra Maven options]

Runs the fault scenarios of src/test/java/io/tsdbpipe/chaos (the real job on a Flink MiniCluster, an in-JVM Kafka
broker, OpenTSDB 2.4.1 on HBase started under target/it-infra on free ports) and prints the conservation table:
inputs, written, dead-lettered, lost, corrupted, unexpected, duplicates, leaked, peak heap, checkpoints
completed / failed, restarts. Every scenario must show 0 lost, 0 corrupted, 0 unexpected, 0 leaked.

  (default)          ChaosScenariosITCase and ChaosLongITCase (mvn -Pchaos): about 25 min
  --quick            ChaosScenariosITCase only (what mvn verify runs): about 4 min
  --scenario X       one class or method, e.g. ChaosLongITCase#kafkaBrokerRestarted

The table is target/chaos/results.md (details of each row, with the first problems found, in
target/chaos/details.txt); copy it into docs/reliability.md with the date, commit and machine printed at the end.
USAGE
}
for a in "$@"; do [[ "$a" == "-h" || "$a" == "--help" ]] && { usage; exit 0; }; done
source "$(cd "$(dirname "$0")" && pwd)/lib/common.sh"
require_java
require_cmd mvn
cd "$REPO_DIR"

tests="ChaosScenariosITCase,ChaosLongITCase"
profile="-Pchaos"
extra=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --quick) tests="ChaosScenariosITCase"; profile=""; shift ;;
    --scenario) tests="$2"; shift 2 ;;
    *) extra+=("$1"); shift ;;
  esac
done
[[ "$tests" == ChaosLongITCase* ]] && profile="-Pchaos"

rm -f target/chaos/results.md target/chaos/details.txt
start="$(now_ms)"
info "running $tests ${profile:+($profile)}; Maven output in target/chaos/mvn.log"
mkdir -p target/chaos
rc=0
mvn -B $profile verify -Dtest=NoSuchTest -Dsurefire.failIfNoSpecifiedTests=false -Dit.test="$tests" \
  "${extra[@]}" >target/chaos/mvn.log 2>&1 || rc=$?
echo
if [[ -f target/chaos/results.md ]]; then
  cat target/chaos/results.md
else
  warn "no scenario wrote a row (see target/chaos/mvn.log)"
  log_tail target/chaos/mvn.log 40
fi
echo
echo "date: $(date -u +%Y-%m-%dT%H:%MZ)  commit: $(git rev-parse --short HEAD 2>/dev/null || echo unknown)" \
  " machine: $(nproc) cores, $(free -g 2>/dev/null | awk '/^Mem:/ {print $2 " GiB"}'), load $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null)," \
  "$(java -version 2>&1 | head -1)  wall: $(elapsed_since "$start") s"
grep -E 'Tests run:|FAIL' target/chaos/mvn.log | grep -v '^\[INFO\] *$' | tail -20 || true
exit "$rc"
