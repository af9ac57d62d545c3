#!/bin/bash
# The compose broker with SASL/SCRAM-SHA-512 and ACLs, as the launcher's (KafkaServer.startSecured):
# one principal per component, the broker the only super user, everything else denied. Passwords
# come from the environment and go into files readable by this container's user only.
set -euo pipefail
umask 077
KAFKA=/opt/kafka
CONFIG=/tmp/freshline-kafka
DATA=/tmp/kafka-logs
mkdir -p "$CONFIG"

jaas_scram() { printf 'org.apache.kafka.common.security.scram.ScramLoginModule required username="%s" password="%s";' "$1" "$2"; }

cat > "$CONFIG/server.properties" <<PROPERTIES
node.id=1
process.roles=broker,controller
controller.quorum.voters=1@localhost:9093
listeners=SASL_PLAINTEXT://:9092,CONTROLLER://localhost:9093
advertised.listeners=SASL_PLAINTEXT://kafka:9092
controller.listener.names=CONTROLLER
inter.broker.listener.name=SASL_PLAINTEXT
listener.security.protocol.map=SASL_PLAINTEXT:SASL_PLAINTEXT,CONTROLLER:SASL_PLAINTEXT
sasl.enabled.mechanisms=SCRAM-SHA-512
sasl.mechanism.inter.broker.protocol=SCRAM-SHA-512
listener.name.sasl_plaintext.scram-sha-512.sasl.jaas.config=$(jaas_scram freshline-broker "$KAFKA_BROKER_PASSWORD")
# SCRAM cannot serve the controller (its credentials live in the metadata it serves): PLAIN, one user
sasl.mechanism.controller.protocol=PLAIN
listener.name.controller.sasl.enabled.mechanisms=PLAIN
listener.name.controller.plain.sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required username="freshline-broker" password="$KAFKA_BROKER_PASSWORD" user_freshline-broker="$KAFKA_BROKER_PASSWORD";
authorizer.class.name=org.apache.kafka.metadata.authorizer.StandardAuthorizer
super.users=User:freshline-broker
allow.everyone.if.no.acl.found=false
log.dirs=$DATA
auto.create.topics.enable=false
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
group.initial.rebalance.delay.ms=0
PROPERTIES

cat > "$CONFIG/admin.properties" <<PROPERTIES
security.protocol=SASL_PLAINTEXT
sasl.mechanism=SCRAM-SHA-512
sasl.jaas.config=$(jaas_scram freshline-broker "$KAFKA_BROKER_PASSWORD")
PROPERTIES

if [ ! -f "$DATA/meta.properties" ]; then
  # kafka-storage format --add-scram: the credentials exist before the first login. The passwords
  # are arguments of this one short command, before any listener is open, inside this container only.
  scram=()
  for user in broker connector invalidator ops; do
    variable="KAFKA_${user^^}_PASSWORD"
    scram+=(--add-scram "SCRAM-SHA-512=[name=freshline-$user,password=${!variable}]")
  done
  "$KAFKA/bin/kafka-storage.sh" format --config "$CONFIG/server.properties" --cluster-id "$("$KAFKA/bin/kafka-storage.sh" random-uuid)" "${scram[@]}" > /dev/null
fi

"$KAFKA/bin/kafka-server-start.sh" "$CONFIG/server.properties" &
broker=$!
trap 'kill -TERM $broker; wait $broker' TERM INT

until "$KAFKA/bin/kafka-broker-api-versions.sh" --bootstrap-server localhost:9092 --command-config "$CONFIG/admin.properties" > /dev/null 2>&1; do
  sleep 1
done
/freshline/acls.sh "$CONFIG/admin.properties"
touch "$CONFIG/ready"
wait $broker
