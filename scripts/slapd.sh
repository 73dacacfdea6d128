#!/usr/bin/env bash
# A local OpenLDAP directory (Debian's slapd) on 127.0.0.1, for the LDAP driver's tests and the demo.
#   scripts/slapd.sh up      install slapd and ldap-utils if missing, write the config, load the base entries once, start, wait
#   scripts/slapd.sh down    stop it
#   scripts/slapd.sh status  exit 0 when it answers on the port
#   scripts/slapd.sh reset   stop it and delete its data
# It runs as a process of its own (not the system service) with its config and mdb database in
# .cache/slapd/<port>/. Schemas: core, cosine, inetorgperson, and from scripts/slapd/schema/ eduPerson,
# norEduPerson and igaStream (the account id and version). The ppolicy overlay has a default policy
# with pwdLockout, so setting pwdAccountLockedTime (000001010000Z: until removed) locks an entry.
# Listeners: ldap:// on IGA_LDAP_PORT (3890), with StartTLS, and ldaps:// on IGA_LDAPS_PORT (6360;
# 0 = none); the certificate for 127.0.0.1 and localhost comes from the test CA in scripts/kafka/tls.
# Entries (suffix IGA_LDAP_SUFFIX, default dc=example,dc=no):
#   ou=people,<suffix>                  the people; the driver bind DN may write here
#   cn=admin,<suffix>                   root DN, password iga-ldap-admin (tests: wipe, inspect)
#   cn=iga-stream,ou=services,<suffix>  the driver's bind DN, password iga-ldap-driver
#   cn=default,ou=policies,<suffix>     the default password policy
# The passwords are for local tests only; never use them anywhere else.
source "$(dirname "$0")/lib.sh"

PORT="${IGA_LDAP_PORT:-3890}"
LDAPS_PORT="${IGA_LDAPS_PORT:-6360}"
SUFFIX="${IGA_LDAP_SUFFIX:-dc=example,dc=no}"
ROOT_DN="cn=admin,$SUFFIX"
ROOT_PASSWORD="iga-ldap-admin"
DRIVER_DN="cn=iga-stream,ou=services,$SUFFIX"
DRIVER_PASSWORD="iga-ldap-driver"
RUN="$IGA_CACHE/slapd/$PORT"
PIDFILE="$RUN/slapd.pid"
SCHEMA="$IGA_ROOT/scripts/slapd/schema"
TLS_SRC="$IGA_ROOT/scripts/kafka/tls"
SYSTEM_SCHEMA=/etc/ldap/schema
MODULES=/usr/lib/ldap

url() { printf 'ldap://127.0.0.1:%s/' "$PORT"; }
listeners() { if [ "$LDAPS_PORT" != 0 ]; then printf '%s ldaps://127.0.0.1:%s/' "$(url)" "$LDAPS_PORT"; else url; fi; }
answers() { ldapsearch -x -LLL -o nettimeout=2 -H "$(url)" -b '' -s base namingContexts >/dev/null 2>&1; }

# Debian's packages, once. The package's own service must not run: a container's policy-rc.d
# usually stops it from starting; where none does, it is stopped and disabled here.
install_packages() {
  local missing=()
  command -v slapd >/dev/null || [ -x /usr/sbin/slapd ] || missing+=(slapd)
  command -v ldapsearch >/dev/null || missing+=(ldap-utils)
  command -v openssl >/dev/null || missing+=(openssl)
  [ ${#missing[@]} -eq 0 ] && return 0
  apt_install slapd "${missing[@]}"
  stop_system_service
}

stop_system_service() {
  if [ -d /run/systemd/system ] && command -v systemctl >/dev/null; then
    systemctl disable --now slapd >/dev/null 2>&1 || true
  fi
  local pid
  pid=$(cat /run/slapd/slapd.pid 2>/dev/null || true)
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
    say "stopping the slapd system service that the package started (pid $pid)"
    invoke-rc.d slapd stop >/dev/null 2>&1 || kill "$pid" 2>/dev/null || true
  fi
}

# The listener's key and certificate, from the test broker's PKCS#12 (password iga-test).
write_tls() {
  mkdir -p "$RUN/tls"
  [ -s "$RUN/tls/server.key" ] && [ "$RUN/tls/server.key" -nt "$TLS_SRC/broker.p12" ] && return 0
  openssl pkcs12 -in "$TLS_SRC/broker.p12" -passin pass:iga-test -nocerts -nodes 2>/dev/null \
    | openssl pkey -out "$RUN/tls/server.key" || die "could not read the key from $TLS_SRC/broker.p12"
  openssl pkcs12 -in "$TLS_SRC/broker.p12" -passin pass:iga-test -clcerts -nokeys 2>/dev/null \
    | openssl x509 -out "$RUN/tls/server.crt" || die "could not read the certificate from $TLS_SRC/broker.p12"
  chmod 600 "$RUN/tls/server.key"
}

write_config() {
  mkdir -p "$RUN/data"
  local root_hash
  root_hash=$(slappasswd -s "$ROOT_PASSWORD")
  cat > "$RUN/slapd.conf" <<CONF
# Written by scripts/slapd.sh: edit the script, not this file.
include $SYSTEM_SCHEMA/core.schema
include $SYSTEM_SCHEMA/cosine.schema
include $SYSTEM_SCHEMA/inetorgperson.schema
include $SCHEMA/eduperson.schema
include $SCHEMA/noreduperson.schema
include $SCHEMA/igastream.schema

pidfile $RUN/slapd.pid
argsfile $RUN/slapd.args
logfile $RUN/slapd.log
loglevel none

modulepath $MODULES
moduleload back_mdb
# OpenLDAP 2.5 (Debian 12) builds the ppolicy schema into the overlay: no ppolicy.schema include.
moduleload ppolicy

TLSCACertificateFile $TLS_SRC/ca.pem
TLSCertificateFile $RUN/tls/server.crt
TLSCertificateKeyFile $RUN/tls/server.key

database mdb
suffix "$SUFFIX"
rootdn "$ROOT_DN"
rootpw $root_hash
directory $RUN/data
maxsize 268435456
index objectClass eq
index uid,mail,employeeNumber,eduPersonPrincipalName,igaAccountId eq

overlay ppolicy
ppolicy_default "cn=default,ou=policies,$SUFFIX"
# A password that a client writes in clear is stored hashed ({SSHA}).
ppolicy_hash_cleartext

# The root DSE and the schema are public, so clients can discover the server.
access to dn.base="" by * read
access to dn.base="cn=Subschema" by * read
# Passwords: used to bind, never read; the driver sets those of people.
access to dn.subtree="ou=people,$SUFFIX" attrs=userPassword
  by dn.exact="$DRIVER_DN" write
  by anonymous auth
  by self write
  by * none
access to attrs=userPassword
  by anonymous auth
  by self write
  by * none
# The people: the driver writes (entries, attributes, pwdAccountLockedTime); other users read.
access to dn.subtree="ou=people,$SUFFIX"
  by dn.exact="$DRIVER_DN" write
  by users read
  by * none
access to *
  by users read
  by * none
CONF
}

# The base entries, loaded once into an empty database (slapadd, before the server starts).
load_base_entries() {
  [ -f "$RUN/data/.loaded" ] && return 0
  local top="${SUFFIX%%,*}"; top="${top#*=}"
  slapadd -q -f "$RUN/slapd.conf" -l /dev/stdin > "$RUN/slapadd.log" 2>&1 <<LDIF || { cat "$RUN/slapadd.log" >&2; die "loading the base entries failed"; }
dn: $SUFFIX
objectClass: dcObject
objectClass: organization
dc: $top
o: iga-stream test directory

dn: ou=people,$SUFFIX
objectClass: organizationalUnit
ou: people

dn: ou=services,$SUFFIX
objectClass: organizationalUnit
ou: services

dn: $DRIVER_DN
objectClass: organizationalRole
objectClass: simpleSecurityObject
cn: iga-stream
description: iga-stream's LDAP driver (test only)
userPassword: $(slappasswd -s "$DRIVER_PASSWORD")

dn: ou=policies,$SUFFIX
objectClass: organizationalUnit
ou: policies

dn: cn=default,ou=policies,$SUFFIX
objectClass: organizationalRole
objectClass: pwdPolicy
cn: default
pwdAttribute: userPassword
pwdLockout: TRUE
pwdMaxFailure: 0
pwdLockoutDuration: 0
pwdMustChange: FALSE
pwdAllowUserChange: TRUE
pwdCheckQuality: 0
LDIF
  touch "$RUN/data/.loaded"
}

up() {
  if answers; then say "slapd already answers on $(url)"; return 0; fi
  port_open "$PORT" && die "127.0.0.1:$PORT is taken by something that is not an LDAP server (set IGA_LDAP_PORT)"
  install_packages
  write_tls
  write_config
  slaptest -Q -u -f "$RUN/slapd.conf" > "$RUN/slaptest.log" 2>&1 || { cat "$RUN/slaptest.log" >&2; die "slapd's config is invalid ($RUN/slapd.conf)"; }
  load_base_entries
  say "starting slapd on $(listeners) (suffix $SUFFIX, data in $RUN)"
  rm -f "$PIDFILE"
  # slapd forks into the background by itself and writes its pid file.
  slapd -h "$(listeners)" -f "$RUN/slapd.conf" > "$RUN/stdout.log" 2>&1 \
    || { cat "$RUN/stdout.log" "$RUN/slapd.log" 2>/dev/null | tail -20 >&2; die "slapd did not start"; }
  for _ in $(seq 1 60); do
    if answers; then say "slapd is up (root DN $ROOT_DN, driver DN $DRIVER_DN; test-only passwords)"; return 0; fi
    sleep 0.25
  done
  tail -20 "$RUN/slapd.log" >&2 2>/dev/null || true
  die "slapd did not answer on $(url) within 15 s (see $RUN/slapd.log)"
}

down() {
  local pid
  pid=$(cat "$PIDFILE" 2>/dev/null || true)
  # Only our slapd: a stale pid file's pid may belong to another process by now.
  if [ -n "$pid" ] && tr '\0' ' ' < "/proc/$pid/cmdline" 2>/dev/null | grep -qE -- "slapd .*-f .*/slapd/$PORT/slapd\.conf"; then
    say "stopping slapd (pid $pid)"
    kill "$pid"
    for _ in $(seq 1 40); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
  fi
  rm -f "$PIDFILE"
}

case "${1:-up}" in
  up) up ;;
  down) down ;;
  status) if answers; then say "slapd answers on $(url)"; else say "slapd does not answer on $(url)"; exit 1; fi ;;
  reset) down; rm -rf "$RUN"; say "slapd data deleted ($RUN)" ;;
  *) die "usage: scripts/slapd.sh up|down|status|reset" ;;
esac
