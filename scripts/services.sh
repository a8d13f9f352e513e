#!/usr/bin/env bash
# Makes sure the services the integration tests talk to run on loopback:
# Redis on 127.0.0.1:6379 and NATS with JetStream on 127.0.0.1:4222.
# Installs them from Debian's packages when they are absent (as root), starts
# them when they are not running, and fails loudly when it cannot: the
# integration tests are never skipped.
set -euo pipefail

REDIS_PORT=6379
NATS_PORT=4222

log() { printf 'services: %s\n' "$*" >&2; }

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

wait_port() {
  local port=$1 name=$2
  for _ in $(seq 1 100); do
    port_open "$port" && return 0
    sleep 0.1
  done
  log "$name did not start on 127.0.0.1:$port"
  return 1
}

apt_updated=
install_pkg() {
  if [ "$(id -u)" != 0 ]; then
    log "$1 is not installed and this is not root: install it with 'apt-get install -y $1'"
    return 1
  fi
  if [ -z "$apt_updated" ]; then
    log "apt-get update"
    DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2
    apt_updated=1
  fi
  log "installing $1"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$1" >&2
}

# The fault tests start private redis-server and nats-server processes of
# their own, so the binaries must be there even when the services run.
command -v redis-server >/dev/null || install_pkg redis-server
command -v nats-server >/dev/null || [ -x /usr/sbin/nats-server ] || install_pkg nats-server

if port_open $REDIS_PORT; then
  log "redis already running on 127.0.0.1:$REDIS_PORT"
else
  command -v redis-server >/dev/null || install_pkg redis-server
  mkdir -p /tmp/hw-redis
  log "starting redis-server"
  redis-server --daemonize yes --bind 127.0.0.1 --port $REDIS_PORT --save "" --appendonly no \
    --dir /tmp/hw-redis --logfile /tmp/hw-redis/redis.log
  wait_port $REDIS_PORT redis
fi

if port_open $NATS_PORT; then
  log "nats already running on 127.0.0.1:$NATS_PORT"
else
  command -v nats-server >/dev/null || [ -x /usr/sbin/nats-server ] || install_pkg nats-server
  NATS_BIN=$(command -v nats-server || echo /usr/sbin/nats-server)
  mkdir -p /tmp/hw-nats
  log "starting nats-server with JetStream"
  nohup "$NATS_BIN" -a 127.0.0.1 -p $NATS_PORT -js -sd /tmp/hw-nats/store -l /tmp/hw-nats/nats.log \
    >/dev/null 2>&1 &
  wait_port $NATS_PORT nats
fi

# The dashboard's browser tests drive Debian's Chromium (they fail, not
# skip, in CI without it).
if command -v chromium >/dev/null; then
  log "chromium already installed"
else
  install_pkg chromium
fi
