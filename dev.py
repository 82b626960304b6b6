#!/usr/bin/env python3
"""The project's two everyday commands; each bootstraps its own virtual environment.

    python3 dev.py run [--port N]   set up, migrate, load demo data, start the task worker
                                    (imports run in it) and serve http://127.0.0.1:8000
    python3 dev.py test             set up and run the whole test suite (ruff, migrations
                                    check, pytest)

Only Python >= 3.11 is assumed. Both commands are idempotent: the virtual environment
is (re)installed only when requirements.lock changes.
"""

import contextlib
import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PY = BIN / ("python.exe" if os.name == "nt" else "python")
LOCK = ROOT / "requirements.lock"
STAMP = VENV / ".lock-sha256"


def sh(*args, **kwargs):
    print("+", " ".join(str(a) for a in args), flush=True)
    return subprocess.run([str(a) for a in args], cwd=ROOT, **kwargs)


def must(*args, **kwargs):
    result = sh(*args, **kwargs)
    if result.returncode != 0:
        sys.exit(result.returncode)


def bootstrap():
    if sys.version_info < (3, 11):  # noqa: UP036 - this script may be started by an old Python
        sys.exit(f"Python >= 3.11 is required (this is {sys.version.split()[0]}).")
    if not PY.exists():
        print("Creating virtual environment in .venv", flush=True)
        venv.EnvBuilder(with_pip=True).create(VENV)
    digest = hashlib.sha256(LOCK.read_bytes()).hexdigest()
    if not STAMP.exists() or STAMP.read_text().strip() != digest:
        must(PY, "-m", "pip", "install", "--quiet", "--upgrade", "pip")
        must(PY, "-m", "pip", "install", "--quiet", "--require-hashes", "-r", LOCK)
        STAMP.write_text(digest)


def run(args):
    port = "8000"
    if args[:1] == ["--port"] and len(args) > 1 and args[1].isdigit():
        port = args[1]
    elif args:
        sys.exit(__doc__)
    bootstrap()
    must(PY, "manage.py", "migrate", "--no-input")
    must(PY, "manage.py", "seed_demo")
    # The task worker reads and writes imports off the request (ledger/tasks.py); it
    # reloads on code changes like the development server.
    print("+ starting the task worker (manage.py db_worker)", flush=True)
    worker = subprocess.Popen([str(PY), "manage.py", "db_worker", "--no-startup-delay"], cwd=ROOT)
    print(f"\nServing on http://127.0.0.1:{port}/  (Ctrl+C to stop)\n", flush=True)
    try:
        with contextlib.suppress(KeyboardInterrupt):
            sh(PY, "manage.py", "runserver", f"127.0.0.1:{port}")
    finally:
        if worker.poll() is None:
            worker.terminate()
            try:
                worker.wait(timeout=15)
            except subprocess.TimeoutExpired:
                worker.kill()


def test(extra):
    bootstrap()
    must(BIN / "ruff", "check", ".")
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "matrix.settings.test"}
    must(PY, "manage.py", "makemigrations", "--check", "--dry-run", env=env)
    result = sh(PY, "-m", "pytest", *extra, env=env)
    if result.returncode == 5:
        print("pytest collected no tests: that is a failure here.", file=sys.stderr)
        sys.exit(1)
    sys.exit(result.returncode)


def main(argv):
    if len(argv) < 2 or argv[1] not in {"run", "test", "setup"}:
        sys.exit(__doc__)
    if argv[1] == "run":
        run(argv[2:])
    elif argv[1] == "setup":
        bootstrap()
    else:
        test(argv[2:])


if __name__ == "__main__":
    main(sys.argv)
