# shellcheck shell=bash
# Helpers for scripts that run the job's own classes (dry run, local run). Source after lib/common.sh.

# Prints a java classpath with the compiled job and every dependency, Flink included (it is "provided" on a
# cluster, but a local run embeds it). Compiles first when the sources changed.
job_classpath() {
  local cpfile="$REPO_DIR/target/job-classpath.txt" stamp="$REPO_DIR/target/classes/.compiled"
  if [[ ! -s "$cpfile" || "$REPO_DIR/pom.xml" -nt "$cpfile" ]]; then
    info "resolving the job's classpath (first run downloads from Maven Central)"
    quiet_mvn dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile=target/job-classpath.txt \
      || die "could not resolve the job's classpath"
  fi
  if [[ ! -f "$stamp" ]] || [[ -n "$(find "$REPO_DIR/src/main" -newer "$stamp" -type f | head -1)" ]]; then
    info "compiling the job"
    quiet_mvn compile || die "compilation failed"
    touch "$stamp"
  fi
  printf '%s:%s' "$REPO_DIR/target/classes" "$(cat "$cpfile")"
}

# job_java_command ARGS...: sets the array JOB_JAVA to the command line job_java runs (for a script that starts it in
# the background and needs the JVM's own PID). JVM options may come first in ARGS (later ones win, e.g. -Xmx).
job_java_command() {
  local cp
  cp="$(job_classpath)" || return 1
  JOB_JAVA=("$JAVA" -Xmx1g "${JAVA17_OPENS[@]}" --add-opens=java.base/java.util=ALL-UNNAMED
    --add-opens=java.base/java.io=ALL-UNNAMED --add-opens=java.base/java.net=ALL-UNNAMED
    --add-opens=java.base/java.time=ALL-UNNAMED --add-opens=java.base/java.text=ALL-UNNAMED
    -Dlog4j2.configurationFile="$REPO_DIR/scripts/lib/log4j2-local.properties" -Dlog.file="$LOG_DIR/job-local.log"
    -cp "$cp" "$@")
}

# java with the job's classpath and the JVM flags Flink needs on Java 17.
job_java() {
  job_java_command "$@" || exit 1
  "${JOB_JAVA[@]}"
}
