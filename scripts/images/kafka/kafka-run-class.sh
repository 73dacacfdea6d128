#!/bin/sh
# Runs a Kafka main class on the image's jars: the broker (kafka.Kafka) with the broker's heap and
# log4j2.yaml, every other class (the tools) with a small heap and tools-log4j2.yaml. The variables are
# those of Kafka's own scripts: KAFKA_HEAP_OPTS, KAFKA_JVM_PERFORMANCE_OPTS, KAFKA_LOG4J_OPTS, KAFKA_OPTS.
class="$1"; shift
if [ "$class" = kafka.Kafka ]; then
  heap="${KAFKA_HEAP_OPTS:--Xmx1G -Xms1G}"
  log4j="${KAFKA_LOG4J_OPTS:--Dlog4j2.configurationFile=/opt/kafka/config/log4j2.yaml}"
else
  # A tool run inside the broker's container (a health check) must not take the broker's heap.
  heap="-Xmx256M"
  tools_log4j=/opt/kafka/config/tools-log4j2.yaml
  # Before the first configuration (`run` configures through this script) only the default exists.
  [ -f "$tools_log4j" ] || tools_log4j=/etc/kafka/docker/tools-log4j2.yaml
  log4j="-Dlog4j2.configurationFile=$tools_log4j"
fi
perf="${KAFKA_JVM_PERFORMANCE_OPTS:--server -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -XX:InitiatingHeapOccupancyPercent=35 -XX:+ExplicitGCInvokesConcurrent -Djava.awt.headless=true}"
# shellcheck disable=SC2086 # the option variables hold several options each
exec java $heap $perf $log4j -Dkafka.logs.dir=/opt/kafka/logs ${KAFKA_OPTS:-} -cp '/opt/kafka/libs/*' "$class" "$@"
