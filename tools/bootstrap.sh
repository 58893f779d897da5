#!/bin/sh
# Switchyard bootstrap: works right after `git clone` on a machine whose own node is v20.
#   sh tools/bootstrap.sh up    [args]   -> tools/cli/switchyard.ts up [args]   (npm start)
#   sh tools/bootstrap.sh test  [args]   -> tools/test/run.ts [args]            (npm test)
#   sh tools/bootstrap.sh bench [args]   -> tools/bench/run.ts [args]           (npm run bench)
# Steps: npm ci when needed; nats-server + redis-server from Debian packages when missing;
# (test only) python3-grpcio + python3-grpc-tools, prometheus (promtool) and chromium, best effort; check the pinned Node (>= 24,
# the `node` devDependency); then exec the command with node_modules/.bin first on PATH.
set -eu

say() { printf 'bootstrap: %s\n' "$*" >&2; }
die() { printf 'bootstrap: error: %s\n' "$*" >&2; exit 1; }

cmd=${1:-}
case "$cmd" in
  up|test|bench) shift ;;
  *) die "usage: sh tools/bootstrap.sh up|test|bench [args...]" ;;
esac

ROOT=$(CDPATH= cd -- "$(dirname -- "$0")/.." && pwd)
cd "$ROOT"

# --- 1. npm dependencies -------------------------------------------------------------------
need_install=no
if [ ! -d node_modules ]; then
  need_install=yes
elif [ -f package-lock.json ] && { [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; }; then
  need_install=yes
fi
if [ "$need_install" = yes ]; then
  command -v npm >/dev/null 2>&1 || die "npm not found: install Node.js (any version >= 20 with npm) first"
  if [ -f package-lock.json ]; then
    say "installing npm dependencies (npm ci)..."
    npm ci >&2 || die "npm ci failed"
  else
    say "no package-lock.json: installing npm dependencies (npm install)..."
    npm install >&2 || die "npm install failed"
  fi
fi

# --- 2. system packages ----------------------------------------------------------------------
find_bin() {
  if command -v "$1" >/dev/null 2>&1; then command -v "$1"; return 0; fi
  for d in /usr/sbin /usr/bin /usr/local/bin /sbin /bin; do
    if [ -x "$d/$1" ]; then echo "$d/$1"; return 0; fi
  done
  return 1
}

SUDO=
apt_ready=unknown
apt_updated=no
apt_prepare() {
  # sets apt_ready=yes|no; prints why not
  [ "$apt_ready" = unknown ] || return 0
  apt_ready=no
  if ! command -v apt-get >/dev/null 2>&1; then
    say "apt-get not available"
    return 0
  fi
  if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then SUDO=sudo; else say "not root and sudo not available"; return 0; fi
  fi
  apt_ready=yes
}
apt_install() {
  # apt_install pkg... ; returns non-zero on failure
  apt_prepare
  [ "$apt_ready" = yes ] || return 1
  if [ "$apt_updated" = no ]; then
    say "apt-get update..."
    $SUDO env DEBIAN_FRONTEND=noninteractive apt-get update >&2 || return 1
    apt_updated=yes
  fi
  say "apt-get install -y $*..."
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "$@" >&2
}

missing=
find_bin nats-server >/dev/null || missing="$missing nats-server"
find_bin redis-server >/dev/null || missing="$missing redis-server"
if [ -n "$missing" ]; then
  say "missing:$missing -- installing from Debian packages"
  # shellcheck disable=SC2086
  apt_install $missing || die "could not install$missing. Install them yourself (Debian/Ubuntu: sudo apt-get install -y nats-server redis-server; or put the binaries on PATH) and re-run."
  for b in $missing; do find_bin "$b" >/dev/null || die "$b still not found after installing it"; done
fi

# --- 3. python gRPC client for the interop test (test only, best effort) --------------------
if [ "$cmd" = test ]; then
  # Debian's packages land in /usr/bin/python3 (a pyenv/venv python3 on PATH will not see them).
  py_ok=no
  for py in /usr/bin/python3 python3; do
    if command -v "$py" >/dev/null 2>&1 && "$py" -c 'import grpc, grpc_tools' >/dev/null 2>&1; then py_ok=yes; break; fi
  done
  if [ "$py_ok" = no ]; then
    say "python3 grpcio/grpc-tools missing (used by the gRPC interop test)"
    if ! apt_install python3-grpcio python3-grpc-tools; then
      say "warning: could not install python3-grpcio python3-grpc-tools; the interop test will be skipped or fail"
    fi
  fi
  # Prometheus + promtool (alert rules check, e2e/telemetry.test.ts) and headless Chromium (the
  # dashboard test), best effort: the tests that need them skip with a reason when missing.
  if ! find_bin promtool >/dev/null || ! find_bin prometheus >/dev/null; then
    say "prometheus/promtool missing (used by the telemetry tests)"
    apt_install prometheus || say "warning: could not install prometheus; the Prometheus and promtool tests will be skipped"
  fi
  if ! find_bin chromium >/dev/null; then
    say "chromium missing (used by the dashboard test)"
    apt_install chromium || say "warning: could not install chromium; the dashboard browser test will be skipped"
  fi
fi

# --- 4. pinned Node runtime ---------------------------------------------------------------------
NODE="$ROOT/node_modules/.bin/node"
[ -x "$NODE" ] || NODE="$ROOT/node_modules/node/bin/node"
[ -x "$NODE" ] || die "pinned Node runtime not found (node_modules/node/bin/node); run 'npm ci' (the 'node' devDependency provides Node 24)"
major=$("$NODE" -p 'process.versions.node.split(".")[0]' 2>/dev/null) || die "cannot run $NODE"
[ "$major" -ge 24 ] 2>/dev/null || die "node_modules/.bin/node is v$major, need >= 24 (devDependency node@24); run 'npm ci'"

PATH="$ROOT/node_modules/.bin:$PATH"
export PATH

case "$cmd" in
  up)    exec "$NODE" tools/cli/switchyard.ts up "$@" ;;
  test)  exec "$NODE" tools/test/run.ts "$@" ;;
  bench) exec "$NODE" tools/bench/run.ts "$@" ;;
esac
