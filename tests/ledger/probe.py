"""Read one file as the import does, in a fresh process, and print what it cost:
``python -m tests.ledger.probe PATH`` → JSON {"outcome", "seconds", "peak_mb", "rows"}.

``peak_mb`` is the process's peak resident memory while reading (VmHWM, reset just
before: ``/proc/self/clear_refs``) minus its resident memory just before: everything
reading took, C allocations (expat, zlib) included. (``ru_maxrss`` would not do: a
child keeps the peak of the process it was forked from.)"""

import json
import os
import sys
import time


def status_mb(field):
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    raise LookupError(field)


def reset_peak():
    with open("/proc/self/clear_refs", "w") as clear:
        clear.write("5")  # resets VmHWM to the current resident size


def main(path):
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "matrix.settings.test")
    import django

    django.setup()
    from ledger import parsing, specs

    spec = specs.default()
    reset_peak()
    before = status_mb("VmRSS")
    start = time.perf_counter()
    try:
        with open(path, "rb") as file:
            sheet = parsing.read(file, os.path.basename(path), spec)
        outcome, rows = "read", len(sheet.rows)
    except parsing.FileProblem as problem:
        outcome, rows = problem.code, 0
        message = problem.message
    else:
        message = ""
    seconds = time.perf_counter() - start
    peak = status_mb("VmHWM")
    print(
        json.dumps(
            {
                "outcome": outcome,
                "message": message,
                "seconds": seconds,
                "peak_mb": max(0.0, peak - before),
                "rows": rows,
            },
            ensure_ascii=False,
        )
    )


if __name__ == "__main__":
    main(sys.argv[1])
