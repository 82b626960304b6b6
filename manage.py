#!/usr/bin/env python
"""Django's command-line utility for administrative tasks."""

import os
import sys


def main():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "matrix.settings.base")
    # Commands and the task worker get the longer statement timeout; runserver serves
    # web requests and keeps the web one (matrix/db.py, DB_*STATEMENT_TIMEOUT_MS).
    from matrix.db import ROLE_VARIABLE, role_for_argv

    os.environ[ROLE_VARIABLE] = role_for_argv(sys.argv)
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
