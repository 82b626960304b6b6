"""Trigram (pg_trgm) indexes so that substring search on name and USCC (``contains``,
i.e. LIKE '%…%') stays fast at district scale. PostgreSQL only; SQLite skips it."""

from django.db import migrations

FORWARD = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX IF NOT EXISTS ent_name_trgm ON enterprises_enterprise USING gin (name gin_trgm_ops)",
    "CREATE INDEX IF NOT EXISTS ent_uscc_trgm ON enterprises_enterprise USING gin (uscc gin_trgm_ops)",
]
BACKWARD = ["DROP INDEX IF EXISTS ent_name_trgm", "DROP INDEX IF EXISTS ent_uscc_trgm"]


def run(statements):
    def apply(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for sql in statements:
            schema_editor.execute(sql)

    return apply


class Migration(migrations.Migration):
    dependencies = [("enterprises", "0001_initial")]

    operations = [migrations.RunPython(run(FORWARD), run(BACKWARD))]
