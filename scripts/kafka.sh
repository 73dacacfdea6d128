#!/usr/bin/env bash
# A local single-node Apache Kafka 4.x broker in KRaft mode on 127.0.0.1, for the demo and the tests.
#   scripts/kafka.sh up      fetch the jars (Maven Central, cached), format storage once, start, wait until ready
#   scripts/kafka.sh down    stop it
#   scripts/kafka.sh status  exit 0 when a broker answers on the port
#   scripts/kafka.sh reset   stop and delete its data
# Listeners: PLAINTEXT on IGA_KAFKA_PORT (9092), and SASL_SSL on IGA_KAFKA_SASL_PORT (9094) for the
# tests of TLS and SASL: a certificate for 127.0.0.1 from the test CA in scripts/kafka/tls (ca.pem),
# users iga (PLAIN) and iga-scram (SCRAM-SHA-512), both with the password iga-secret. TEST ONLY.
# Settings: IGA_KAFKA_PORT (9092), IGA_KAFKA_SASL_PORT (9094), IGA_KAFKA_CONTROLLER_PORT (9093), IGA_KAFKA_HEAP (768m).
source "$(dirname "$0")/lib.sh"

KAFKA_VERSION=$(sed -n 's:.*<kafka.version>\(.*\)</kafka.version>.*:\1:p' "$IGA_ROOT/scripts/kafka/pom.xml")
PORT="${IGA_KAFKA_PORT:-9092}"
CPORT="${IGA_KAFKA_CONTROLLER_PORT:-9093}"
SPORT="${IGA_KAFKA_SASL_PORT:-9094}"
TLS="$IGA_ROOT/scripts/kafka/tls"
HOME_DIR="$IGA_CACHE/kafka"
LIBS="$HOME_DIR/libs-$KAFKA_VERSION"
RUN="$HOME_DIR/run-$PORT"
PIDFILE="$RUN/broker.pid"


fetch_jars() {
  [ -f "$LIBS/.complete" ] && return 0
  command -v mvn >/dev/null || die "Maven (mvn) is needed to fetch the Kafka broker jars from Maven Central"
  command -v java >/dev/null || die "Java 17+ is needed to run the Kafka broker"
  say "fetching Apache Kafka $KAFKA_VERSION broker jars from Maven Central (once, into $LIBS)"
  rm -rf "$LIBS"; mkdir -p "$LIBS"
  (cd "$IGA_ROOT/scripts/kafka" && mvn -q -B dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory="$LIBS") \
    || die "mvn could not resolve org.apache.kafka:kafka_2.13:$KAFKA_VERSION"
  touch "$LIBS/.complete"
}

write_config() {
  mkdir -p "$RUN/data" "$RUN/logs"
  cat > "$RUN/server.properties" <<PROPS
process.roles=broker,controller
node.id=1
controller.quorum.bootstrap.servers=127.0.0.1:$CPORT
listeners=PLAINTEXT://127.0.0.1:$PORT,SASL_SSL://127.0.0.1:$SPORT,CONTROLLER://127.0.0.1:$CPORT
advertised.listeners=PLAINTEXT://127.0.0.1:$PORT,SASL_SSL://127.0.0.1:$SPORT
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,SASL_SSL:SASL_SSL,CONTROLLER:PLAINTEXT
listener.name.sasl_ssl.sasl.enabled.mechanisms=PLAIN,SCRAM-SHA-512
listener.name.sasl_ssl.plain.sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required user_iga="iga-secret";
listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;
listener.name.sasl_ssl.ssl.keystore.location=$TLS/broker.p12
listener.name.sasl_ssl.ssl.keystore.type=PKCS12
listener.name.sasl_ssl.ssl.keystore.password=iga-test
listener.name.sasl_ssl.ssl.key.password=iga-test
log.dirs=$RUN/data
num.partitions=6
auto.create.topics.enable=false
offsets.topic.replication.factor=1
offsets.topic.num.partitions=6
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
transaction.state.log.num.partitions=6
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
log.segment.bytes=67108864
log.cleaner.dedupe.buffer.size=33554432
PROPS
}

java_cmd() { java -Xms256m -Xmx"${IGA_KAFKA_HEAP:-768m}" -XX:+UseG1GC -Dkafka.logs.dir="$RUN/logs" \
  -Dlog4j2.configurationFile="$IGA_ROOT/scripts/kafka/log4j2.properties" -cp "$LIBS/*" "$@"; }

# The SCRAM user lives in the cluster metadata; adding it again only renews it.
add_scram_user() {
  java_cmd kafka.admin.ConfigCommand --bootstrap-server "127.0.0.1:$PORT" --alter --entity-type users --entity-name iga-scram \
    --add-config 'SCRAM-SHA-512=[iterations=8192,password=iga-secret]' > "$RUN/logs/scram.log" 2>&1 \
    || { cat "$RUN/logs/scram.log" >&2; die "adding the SCRAM test user failed"; }
}

up() {
  if port_open "$PORT"; then
    if port_open "$SPORT"; then say "Kafka already answers on 127.0.0.1:$PORT (SASL_SSL on $SPORT)"; return 0; fi
    # A broker of ours started before the SASL_SSL listener existed: start it again with today's config.
    if [ -f "$PIDFILE" ] && kill -0 "$(cat "$PIDFILE")" 2>/dev/null; then say "restarting Kafka to add the SASL_SSL listener on $SPORT"; down
    else say "Kafka answers on 127.0.0.1:$PORT but not on $SPORT (SASL_SSL): the TLS/SASL tests will fail; it was not started by this checkout"; return 0; fi
  fi
  fetch_jars
  write_config
  if [ ! -f "$RUN/data/meta.properties" ]; then
    say "formatting KRaft storage in $RUN/data"
    java_cmd kafka.tools.StorageTool format -t "$(cat /proc/sys/kernel/random/uuid | tr -d - | head -c 22)" \
      -c "$RUN/server.properties" --standalone > "$RUN/logs/format.log" 2>&1 || { cat "$RUN/logs/format.log" >&2; die "formatting Kafka storage failed"; }
  fi
  say "starting Kafka $KAFKA_VERSION on 127.0.0.1:$PORT (log: $RUN/logs)"
  nohup bash -c "$(declare -f java_cmd); LIBS='$LIBS' RUN='$RUN' IGA_ROOT='$IGA_ROOT' java_cmd kafka.Kafka '$RUN/server.properties'" \
    > "$RUN/logs/stdout.log" 2>&1 &
  echo $! > "$PIDFILE"
  for _ in $(seq 1 120); do
    if port_open "$PORT" && port_open "$SPORT"; then add_scram_user; say "Kafka is up (SASL_SSL on $SPORT)"; return 0; fi
    kill -0 "$(cat "$PIDFILE")" 2>/dev/null || { tail -30 "$RUN/logs/stdout.log" >&2; die "the Kafka broker exited during start-up"; }
    sleep 0.5
  done
  die "Kafka did not open 127.0.0.1:$PORT and :$SPORT within 60 s (see $RUN/logs)"
}

down() {
  if [ -f "$PIDFILE" ] && kill -0 "$(cat "$PIDFILE")" 2>/dev/null; then
    say "stopping Kafka"; pkill -TERM -P "$(cat "$PIDFILE")" 2>/dev/null || true; kill "$(cat "$PIDFILE")" 2>/dev/null || true
    for _ in $(seq 1 60); do port_open "$PORT" || break; sleep 0.5; done
  fi
  rm -f "$PIDFILE"
}

case "${1:-up}" in
  up) up ;;
  down) down ;;
  status) if port_open "$PORT"; then say "Kafka answers on 127.0.0.1:$PORT"; else say "Kafka does not answer on 127.0.0.1:$PORT"; exit 1; fi ;;
  reset) down; rm -rf "$RUN"; say "Kafka data deleted" ;;
  *) die "usage: scripts/kafka.sh up|down|status|reset" ;;
esac
