#!/usr/bin/env bash
# Real services on loopback for the provider integration tests: MariaDB
# (root over TCP with an empty password, as sqlx sends it), Redis, RabbitMQ
# with its management API, and moto standing in for AWS IAM. The machine may
# come with some of them running and others stopped; each step checks first
# and is skipped when already done. Idempotent; prints one line per service.
set -euo pipefail

die() { echo "services.sh: $*" >&2; exit 1; }
# Runs a command silently, showing its output only if it fails.
quiet() {
  local out
  if ! out="$("$@" 2>&1)"; then printf '%s\n' "$out" >&2; return 1; fi
}
tcp_open() { timeout 2 bash -c "exec 3<>/dev/tcp/127.0.0.1/$1" 2>/dev/null; }

# ---------------------------------------------------------------- MariaDB
MARIADB="$(command -v mariadb || command -v mysql || true)"
MARIADB_ADMIN="$(command -v mariadb-admin || command -v mysqladmin || true)"
[ -x /usr/sbin/mariadbd ] && [ -n "$MARIADB" ] && [ -n "$MARIADB_ADMIN" ] \
  || die "MariaDB: mariadb-server / mariadb-client are not installed"
mdb_sock() { "$MARIADB" --protocol=socket -u root -N -B "$@"; }
mdb_tcp() { "$MARIADB" --protocol=tcp -h 127.0.0.1 -P 3306 -u root --password= -N -B "$@"; }

if ! "$MARIADB_ADMIN" --protocol=socket ping --silent >/dev/null 2>&1; then
  # mariadbd refuses to run as root: make the config say so for any starter,
  # and say it on the command line too (this image's my.cnf includes no conf.d).
  if ! /usr/sbin/mariadbd --print-defaults | grep -q -- '--user='; then
    install -d /etc/mysql/mariadb.conf.d
    printf '[mysqld]\nuser = mysql\n' > /etc/mysql/mariadb.conf.d/99-run-as-mysql.cnf
  fi
  install -d -o mysql -g mysql -m 755 /run/mysqld
  install -d -o mysql -g adm -m 2750 /var/log/mysql
  [ -d /var/lib/mysql/mysql ] || quiet mariadb-install-db --user=mysql --datadir=/var/lib/mysql
  start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd -- --user=mysql
  for _ in $(seq 1 60); do
    "$MARIADB_ADMIN" --protocol=socket ping --silent >/dev/null 2>&1 && break
    sleep 1
  done
  "$MARIADB_ADMIN" --protocol=socket ping --silent >/dev/null 2>&1 || {
    tail -n 20 /var/log/mysql/error.log >&2 2>/dev/null || true
    die "MariaDB: mariadbd did not answer ping within 60 s"
  }
fi

# Root over TCP from 127.0.0.1 with an empty password. sqlx cannot log in to
# an account whose FIRST method is unix_socket ("unix_socket OR
# mysql_native_password"); "mysql_native_password USING PASSWORD('') OR
# unix_socket" works for it and keeps socket login for the OS root.
mdb_fix_account() { # USER HOST
  mdb_sock -e "ALTER USER '$1'@'$2' IDENTIFIED VIA mysql_native_password USING PASSWORD('') OR unix_socket"
}
mdb_account_exists() { # USER HOST
  [ "$(mdb_sock -e "SELECT COUNT(*) FROM mysql.global_priv WHERE User='$1' AND Host='$2'")" = 1 ]
}
if ! err="$(mdb_tcp -e 'SELECT 1' 2>&1 >/dev/null)"; then
  # The error names the client host as the server saw it: '127.0.0.1' with
  # skip-name-resolve, 'localhost' without. Fix the account that host picks;
  # with 'localhost', root@127.0.0.1 (if any) matches as well.
  client_host="$(sed -n "s/.*Access denied for user 'root'@'\([^']*\)'.*/\1/p" <<<"$err")"
  [ -n "$client_host" ] || die "MariaDB: root over TCP failed for another reason than auth: $err"
  for host in "$client_host" 127.0.0.1; do
    mdb_account_exists root "$host" || continue
    mdb_fix_account root "$host"
    mdb_tcp -e 'SELECT 1' >/dev/null 2>&1 && break
  done
fi
account="$(mdb_tcp -e 'SELECT CURRENT_USER()' 2>&1)" \
  || die "MariaDB: root cannot log in over TCP 127.0.0.1:3306 with an empty password: $account"
acct_user="${account%@*}" acct_host="${account##*@}"
create="$(mdb_sock -e "SHOW CREATE USER '$acct_user'@'$acct_host'")"
first="$(sed -n 's/.* IDENTIFIED VIA \([A-Za-z0-9_]*\).*/\1/p' <<<"$create")"
if [ -n "$first" ] && [ "$first" != mysql_native_password ]; then
  mdb_fix_account "$acct_user" "$acct_host"
  create="$(mdb_sock -e "SHOW CREATE USER '$acct_user'@'$acct_host'")"
  first="$(sed -n 's/.* IDENTIFIED VIA \([A-Za-z0-9_]*\).*/\1/p' <<<"$create")"
  [ "$first" = mysql_native_password ] || die "MariaDB: could not fix $account: $create"
fi
[ "$(mdb_tcp -e 'SELECT 1')" = 1 ] || die "MariaDB: SELECT 1 over TCP as root failed"
echo "MariaDB ready on 127.0.0.1:3306 (root, empty password; TCP root is $account)"

# ------------------------------------------------------------------ Redis
command -v redis-server >/dev/null && command -v redis-cli >/dev/null \
  || die "Redis: redis-server / redis-tools are not installed"
redis_up() { [ "$(redis-cli -h 127.0.0.1 -p 6379 ping 2>/dev/null)" = PONG ]; }
if ! redis_up; then
  # The same command this kind of machine starts it with before the session.
  install -d /var/lib/redis /var/log/redis
  quiet redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" \
    --appendonly no --dir /var/lib/redis --logfile /var/log/redis/ci.log
  for _ in $(seq 1 30); do redis_up && break; sleep 0.5; done
  redis_up || { tail -n 20 /var/log/redis/ci.log >&2 || true; die "Redis: no PONG on 127.0.0.1:6379"; }
fi
echo "Redis ready on 127.0.0.1:6379 (default user, no password)"

# --------------------------------------------------------------- RabbitMQ
command -v rabbitmq-server >/dev/null || die "RabbitMQ: rabbitmq-server is not installed"
RABBIT_CONF=/etc/rabbitmq/rabbitmq.conf
RABBIT_NODE="$(sed -n 's/^NODENAME=["'\'']\{0,1\}\([^"'\'']*\).*/\1/p' /etc/rabbitmq/rabbitmq-env.conf 2>/dev/null | tail -n1)"
RABBIT_NODE="${RABBITMQ_NODENAME:-${RABBIT_NODE:-rabbit@$(hostname -s)}}"
RABBIT_PID="/var/lib/rabbitmq/mnesia/$RABBIT_NODE.pid"
mgmt_api() { curl -sf -m 5 -u guest:guest "http://127.0.0.1:15672/api/$1"; }
# Every listener on 15672 is on loopback (by default it would take 0.0.0.0).
mgmt_on_loopback() {
  local addrs
  addrs="$(ss -Hltn 'sport = :15672' | awk '{print $4}')"
  [ -n "$addrs" ] && ! grep -qvE '^(127\.[0-9.]+|\[::1\]):15672$' <<<"$addrs"
}
rabbit_start() {
  if [ -f "$RABBIT_PID" ] && ! kill -0 "$(cat "$RABBIT_PID")" 2>/dev/null; then
    rm -f "$RABBIT_PID" # stale: `rabbitmqctl wait` would follow the dead pid
  fi
  [ -f "$RABBIT_PID" ] || quiet rabbitmq-server -detached
  # `await_startup` right after the start fails; `wait` on the pid file doesn't.
  quiet rabbitmqctl wait --timeout 120 "$RABBIT_PID" \
    || die "RabbitMQ: $RABBIT_NODE did not start (see /var/log/rabbitmq/)"
}
if ! { mgmt_api overview >/dev/null && mgmt_on_loopback; }; then
  if ! grep -q '^management\.tcp\.ip' "$RABBIT_CONF" 2>/dev/null; then
    printf 'management.tcp.ip = 127.0.0.1\nmanagement.tcp.port = 15672\n' >> "$RABBIT_CONF"
  fi
  if tcp_open 5672; then
    quiet rabbitmq-plugins enable rabbitmq_management # ~4 s, no restart
  else
    quiet rabbitmq-plugins enable --offline rabbitmq_management
    rabbit_start
  fi
  for _ in $(seq 1 30); do ss -Hltn 'sport = :15672' | grep -q . && break; sleep 0.5; done
  if ! mgmt_on_loopback; then
    # A broker that booted before management.tcp.ip was written binds 0.0.0.0;
    # the setting is only read at boot.
    quiet rabbitmqctl stop "$RABBIT_PID"
    rabbit_start
  fi
  for _ in $(seq 1 60); do mgmt_api overview >/dev/null && break; sleep 1; done
  mgmt_api overview >/dev/null || die "RabbitMQ: management API on 127.0.0.1:15672 does not answer guest/guest"
  mgmt_on_loopback || die "RabbitMQ: management listener is not on loopback only: $(ss -Hltn 'sport = :15672')"
fi
tcp_open 5672 || die "RabbitMQ: nothing listens on 127.0.0.1:5672"
whoami="$(mgmt_api whoami)" || die "RabbitMQ: guest cannot use the management API"
echo "RabbitMQ ready on 127.0.0.1:5672, management API on 127.0.0.1:15672 (guest/guest; whoami $whoami)"

# ------------------------------------------------------------ moto (IAM)
MOTO_VENV=/opt/moto-venv
MOTO_SPEC='moto[server]==5.2.5'
moto_up() { [ "$(curl -s -o /dev/null -m 3 -w '%{http_code}' http://127.0.0.1:5000/moto-api/ || true)" = 200 ]; }
if ! moto_up; then
  if [ ! -x "$MOTO_VENV/bin/moto_server" ]; then
    [ -x "$MOTO_VENV/bin/python" ] || quiet /usr/bin/python3 -m venv "$MOTO_VENV" \
      || die "moto: could not create $MOTO_VENV (is python3-venv installed?)"
    quiet "$MOTO_VENV/bin/pip" install -q "$MOTO_SPEC" || die "moto: pip install $MOTO_SPEC failed"
  fi
  tcp_open 5000 && die "moto: 127.0.0.1:5000 is taken by something that is not moto_server"
  # setsid + closed fds: it outlives this script and holds no caller's pipe.
  setsid nohup "$MOTO_VENV/bin/moto_server" -H 127.0.0.1 -p 5000 </dev/null >>/tmp/moto.log 2>&1 &
  for _ in $(seq 1 60); do moto_up && break; sleep 0.5; done
  moto_up || { tail -n 20 /tmp/moto.log >&2 || true; die "moto: moto_server did not answer on 127.0.0.1:5000"; }
fi
# moto picks the service from the credential scope; it checks no signature.
curl -sf -m 5 http://127.0.0.1:5000/ -d 'Action=ListUsers&Version=2010-05-08' \
  -H 'Authorization: AWS4-HMAC-SHA256 Credential=test/20240101/us-east-1/iam/aws4_request, SignedHeaders=host, Signature=0' \
  | grep -q '<ListUsersResponse' || die "moto: IAM ListUsers on 127.0.0.1:5000 failed"
echo "moto (AWS IAM) ready on http://127.0.0.1:5000 (any access key)"
