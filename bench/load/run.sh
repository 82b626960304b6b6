#!/usr/bin/env bash
# Load test: gunicorn (production settings, WhiteNoise) on PostgreSQL, driven by locust
# headless on loopback. Prints requests/s, median and p95 per page, and failures.
#
#   DATABASE_URL=postgres://postgres@127.0.0.1:5432/pm_scale bench/load/run.sh [SECONDS] [USERS]
#   LOAD_CLASS=ListOnly ... bench/load/run.sh 60 8      # list pages on their own
#
# Needs a database with demo users (seed_demo --scale 50000). Locust lives in its own
# virtual environment (bench/load/.venv) pinned by bench/load/requirements.lock.
set -euo pipefail
cd "$(dirname "$0")/../.."
seconds=${1:-60}
users=${2:-8}
: "${DATABASE_URL:?set DATABASE_URL to a PostgreSQL database with demo data}"

if [ ! -x bench/load/.venv/bin/locust ]; then
  python3 -m venv bench/load/.venv
  bench/load/.venv/bin/pip install -q --require-hashes -r bench/load/requirements.lock
fi
python3 dev.py setup >/dev/null

export DEBUG=false SECRET_KEY=load-test-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz
export ALLOWED_HOSTS=127.0.0.1 SECURE_SSL_REDIRECT=false SESSION_COOKIE_SECURE=false
export CSRF_COOKIE_SECURE=false SECURE_HSTS_SECONDS=0 CSRF_TRUSTED_ORIGINS=http://127.0.0.1:8765
.venv/bin/python manage.py migrate -v0
.venv/bin/python manage.py collectstatic --no-input -v0
GUNICORN_BIND=127.0.0.1:8765 GUNICORN_ACCESS_LOG=/dev/null \
  .venv/bin/gunicorn -c deploy/gunicorn.conf.py matrix.wsgi --daemon --pid /tmp/load-gunicorn.pid
trap 'kill "$(cat /tmp/load-gunicorn.pid)" 2>/dev/null || true' EXIT
for _ in $(seq 1 50); do curl -sf -o /dev/null http://127.0.0.1:8765/accounts/login/ && break; sleep 0.2; done

echo "gunicorn workers: $(pgrep -P "$(cat /tmp/load-gunicorn.pid)" | wc -l), users: $users, ${seconds}s"
bench/load/.venv/bin/locust -f bench/load/locustfile.py --headless -u "$users" -r "$users" \
  -t "${seconds}s" --host http://127.0.0.1:8765 --only-summary \
  ${LOAD_CLASS:+"$LOAD_CLASS"} 2>&1 | sed -n '/Type/,$p'
