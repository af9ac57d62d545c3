#!/bin/bash
# What each component may do (the same grants as dev.freshline.embedded.KafkaGrants and the launcher's
# LocalKafkaUsers): literal topic and group names, so a new table's topic needs its own grants
# (docs/ops-runbook.md). Adding an ACL that exists is a no-op, so this runs at every start.
set -euo pipefail
ADMIN_CONFIG=$1
PREFIX=${FRESHLINE_TOPIC_PREFIX:-freshline}
GROUP=${INVALIDATOR_GROUP_ID:-freshline-invalidator}
TABLES=${FRESHLINE_TABLES:-patient formulary_item}
acl() { /opt/kafka/bin/kafka-acls.sh --bootstrap-server localhost:9092 --command-config "$ADMIN_CONFIG" --add "$@" > /dev/null; }

changes=()
for table in $TABLES; do changes+=(--topic "$PREFIX.public.$table"); done
heartbeat="__debezium-heartbeat.$PREFIX"
signals="$PREFIX.public.debezium_signal"
dlt="$PREFIX.invalidator.dlt"

acl --allow-principal User:freshline-connector --operation Write --operation Describe --operation Create \
  "${changes[@]}" --topic "$signals" --topic "$heartbeat"
acl --allow-principal User:freshline-invalidator --operation Read --operation Describe --operation Create \
  "${changes[@]}" --topic "$heartbeat"
acl --allow-principal User:freshline-invalidator --operation Write --operation Describe --operation Create --topic "$dlt"
acl --allow-principal User:freshline-invalidator --operation Read --operation Describe --group "$GROUP"
acl --allow-principal User:freshline-ops --operation Read --operation Describe "${changes[@]}" --topic "$dlt"
acl --allow-principal User:freshline-ops --operation Read --operation Describe --group "$GROUP" --group freshline-ops-dlt-redrive
