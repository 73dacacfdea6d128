#!/usr/bin/env bash
# Makes the TLS material of the local test broker's SASL_SSL listener (scripts/kafka.sh): a test
# CA (tls/ca.pem, what clients trust) and the broker's key and certificate for 127.0.0.1 and
# localhost, signed by that CA (tls/broker.p12, password "iga-test"). TEST ONLY: the keys are in
# the repository so every clone's broker and tests agree; never use them anywhere else.
# Run it again only to renew them (valid 100 years).
set -euo pipefail
cd "$(dirname "$0")/tls"
rm -f ca.p12 ca.pem broker.p12 broker.csr broker.crt
P=iga-test
keytool -genkeypair -alias ca -keyalg RSA -keysize 2048 -validity 36500 -dname "CN=iga-stream test CA" \
  -ext bc:c -keystore ca.p12 -storetype PKCS12 -storepass "$P" -keypass "$P"
keytool -exportcert -rfc -alias ca -keystore ca.p12 -storepass "$P" -file ca.pem
keytool -genkeypair -alias broker -keyalg RSA -keysize 2048 -validity 36500 -dname "CN=127.0.0.1" \
  -keystore broker.p12 -storetype PKCS12 -storepass "$P" -keypass "$P"
keytool -certreq -alias broker -keystore broker.p12 -storepass "$P" -file broker.csr
keytool -gencert -alias ca -keystore ca.p12 -storepass "$P" -infile broker.csr -outfile broker.crt -rfc \
  -validity 36500 -ext SAN=IP:127.0.0.1,DNS:localhost -ext KU=digitalSignature,keyEncipherment -ext EKU=serverAuth
keytool -importcert -noprompt -alias ca -file ca.pem -keystore broker.p12 -storepass "$P"
keytool -importcert -alias broker -file broker.crt -keystore broker.p12 -storepass "$P"
rm -f ca.p12 broker.csr broker.crt
echo "wrote $(pwd)/ca.pem and $(pwd)/broker.p12"
