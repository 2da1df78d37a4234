#!/usr/bin/env bash
# Creates, changes, disables and lists the channels (data_id + access token) of BlueKing reports, while the job runs:
# writes channel records to the job's compacted channel topic, which every decode subtask follows. See usage.
set -euo pipefail
usage() {
  cat <<'USAGE'
Usage: scripts/channel.sh [--config FILE] [--bootstrap-servers HOST:PORT] [--topic TOPIC] COMMAND [OPTIONS]

Commands:
  create  --name NAME [--kind time_series|events] [--data-id ID] [--metric-prefix PREFIX]
          [--tag KEY=VALUE]... [--max-items N] [--max-future DURATION] [--events-metric METRIC]
          registers a channel with a new, strong random access token, printed once
  update  --data-id ID [--rotate-token] [--name NAME] [--metric-prefix PREFIX] [--tag KEY=VALUE]...
          [--clear-tags] [--max-items N] [--max-future DURATION] [--events-metric METRIC] [--enable]
          changes a channel; --rotate-token prints the new token once and the old one stops working
  disable --data-id ID     the channel's reports are refused (unknown_channel) until update --enable
  list                     every channel, never a token (only the start of its SHA-256)
  create and update also take the channel's own governance values (VALUE 'default': the configuration's):
          [--cardinality on|off] [--max-active-series N] [--max-new-series-per-hour N]
          [--max-new-series-per-day N] [--rate-limit on|off] [--datapoints-per-second N] [--burst N]
          [--rate-limit-policy dead-letter|back-pressure] [--suppression on|off]
          [--suppression-max-interval DURATION]   (limits are totals over the job; 0 = no limit)
  describe --data-id ID | --tenant TENANT [--json FILE]
          the metrics the channel (or another tenant: topic:NAME, prefix:PREFIX) reported, like BlueKing's
          custom time series detail: dimensions with sample values, targets, first/last seen, last value,
          points per minute (needs metadata.enabled in the job); --json FILE writes the same as JSON

--config FILE (default flink-conf/pipeline.yaml) gives the topic (channels.topic) and the Kafka address
(channels.bootstrap-servers, else source.bootstrap-servers; source.properties.* for security).
The topic is created compacted if it does not exist. Changes reach a running job within a second or so.
describe reads metadata.topic from its start to its end with the job's metadata client settings
(metadata.bootstrap-servers, else source.bootstrap-servers; metadata.properties.* for security, not
source.properties.*); --bootstrap-servers and --topic override them.

Example: scripts/channel.sh create --name app1 --metric-prefix bk.app1 --tag tenant=app1
USAGE
}
for a in "$@"; do [[ "$a" == "-h" || "$a" == "--help" ]] && { usage; exit 0; }; done
source "$(cd "$(dirname "$0")" && pwd)/lib/common.sh"
source "$SCRIPTS_DIR/lib/job.sh"
require_java
cd "$REPO_DIR"
job_java io.tsdbpipe.tools.ChannelCommand "$@"
