#!/usr/bin/env bash
# Load test: gunicorn (production settings, WhiteNoise) on PostgreSQL, on loopback.
#
#   DATABASE_URL=postgres://postgres@127.0.0.1:5432/pm_scale bench/load/run.sh [WHAT] [SECONDS] [USERS]
#
# WHAT is "list" (list pages on their own, driven by wrk: a C load generator, so the
# 2 cores go to the app rather than to the generator), "mixed" (signed-in users browsing
# the list, searching, opening enterprises and the dashboard, driven by locust headless,
# which reports per page), or "all" (the default: both, one after the other).
#
# LOCUST_CLASS picks locust's users for "mixed": "ListOnly" drives the list alone from
# locust instead of wrk; "Reader Editor" adds one member of staff saving a membership
# return every 5 s (every write moves the data version, so cached lists are recomputed).
#
# Needs a database with demo users (seed_demo --scale 50000). Locust lives in its own
# virtual environment (bench/load/.venv) pinned by bench/load/requirements.lock; wrk is
# Debian's package (apt-get install wrk).
set -euo pipefail
export LOAD_USERS=${LOAD_USERS:-district_leader,jiaonan_staff,jiaonan_leader}
cd "$(dirname "$0")/../.."
what=${1:-all}
seconds=${2:-60}
users=${3:-8}
port=8765
base=http://127.0.0.1:$port
: "${DATABASE_URL:?set DATABASE_URL to a PostgreSQL database with demo data}"

if [ "$what" != list ] && [ ! -x bench/load/.venv/bin/locust ]; then
  python3 -m venv bench/load/.venv
  bench/load/.venv/bin/pip install -q --require-hashes -r bench/load/requirements.lock 2>&1 | grep -v "^WARNING: Location" || true
fi
if [ "$what" != mixed ] && ! command -v wrk >/dev/null; then
  echo "wrk is missing: apt-get install wrk" >&2
  exit 1
fi
python3 dev.py setup >/dev/null

export DEBUG=false SECRET_KEY=load-test-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz
export ALLOWED_HOSTS=127.0.0.1 SECURE_SSL_REDIRECT=false SESSION_COOKIE_SECURE=false
export CSRF_COOKIE_SECURE=false SECURE_HSTS_SECONDS=0 CSRF_TRUSTED_ORIGINS=$base
# An empty cache, so cached pages are earned during the run, not left over from the last
# one; then what an operator runs after each deploy (docs/DEPLOY.md): warm the dashboard.
CACHE_DIR=$(mktemp -d /tmp/load-cache.XXXXXX)
export CACHE_DIR
.venv/bin/python manage.py migrate -v0
.venv/bin/python manage.py collectstatic --no-input -v0
if [ "$what" != list ]; then .venv/bin/python manage.py warm_dashboard >/dev/null; fi
GUNICORN_BIND=127.0.0.1:$port GUNICORN_ACCESS_LOG=/dev/null \
  .venv/bin/gunicorn -c deploy/gunicorn.conf.py matrix.wsgi --daemon --pid /tmp/load-gunicorn.pid
trap 'kill "$(cat /tmp/load-gunicorn.pid)" 2>/dev/null || true; sleep 1; rm -rf "$CACHE_DIR" || true' EXIT
for _ in $(seq 1 50); do curl -sf -o /dev/null $base/accounts/login/ && break; sleep 0.2; done
echo "gunicorn workers: $(pgrep -P "$(cat /tmp/load-gunicorn.pid)" | wc -l), users: $users, ${seconds}s"

# Signs in as $1 and prints the session id.
session_of() {
  local jar token
  jar=$(mktemp)
  token=$(curl -s -c "$jar" "$base/accounts/login/" |
    sed -n 's/.*name="csrfmiddlewaretoken" value="\([^"]*\)".*/\1/p' | head -1)
  curl -s -b "$jar" -c "$jar" -o /dev/null -H "Referer: $base/accounts/login/" \
    --data-urlencode "username=$1" --data-urlencode "password=demo-pass-2026" \
    --data-urlencode "csrfmiddlewaretoken=$token" "$base/accounts/login/"
  awk '$6 == "sessionid" {print $7}' "$jar"
  rm -f "$jar"
}

if [ "$what" != mixed ]; then
  sessions=""
  for name in ${LOAD_USERS//,/ }; do sessions+="$(session_of "$name"),"; done
  echo "== list pages on their own (wrk, $users connections)"
  # --timeout 10s: wrk gives up on a request after 2 s by default and counts it as an
  # error; locust and browsers wait. Slow requests show in the latencies instead.
  SESSIONS=$sessions wrk -t2 -c"$users" -d"${seconds}s" --timeout 10s -s bench/load/list.lua "$base" |
    grep -E '^list pages'
fi
if [ "$what" != list ]; then
  echo "== mixed (locust, $users users)"
  bench/load/.venv/bin/locust -f bench/load/locustfile.py --headless -u "$users" -r "$users" \
    -t "${seconds}s" --host "$base" --only-summary ${LOCUST_CLASS:-Reader} 2>&1 | sed -n '/Type/,$p'
fi
