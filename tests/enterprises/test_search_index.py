"""pg_trgm serves the Chinese substring search on PostgreSQL (issue 3)."""

import pytest
from django.db import connection

pytestmark = pytest.mark.django_db


@pytest.fixture
def postgresql():
    if connection.vendor != "postgresql":
        pytest.skip("runs in the PostgreSQL pass: pg_trgm exists only there")


def test_trigram_indexes_exist(postgresql):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'enterprises_enterprise'"
        )
        indexes = dict(cursor.fetchall())
    assert "gin_trgm_ops" in indexes["ent_name_trgm"]
    assert "gin_trgm_ops" in indexes["ent_uscc_trgm"]


def test_the_database_can_index_chinese_trigrams(postgresql):
    """With LC_CTYPE = C, pg_trgm ignores non-ASCII characters and the index is useless."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT datctype FROM pg_database WHERE datname = current_database()")
        (ctype,) = cursor.fetchone()
        cursor.execute("SELECT show_trgm('机械有限公司')")
        (trigrams,) = cursor.fetchone()
    assert ctype != "C", "create the database with a UTF-8 LC_CTYPE (docs/DEPLOY.md)"
    # Multibyte trigrams are stored hashed (e.g. "0x958696"); under LC_CTYPE = C there
    # would be none at all for Chinese text.
    assert len(trigrams) >= 4
