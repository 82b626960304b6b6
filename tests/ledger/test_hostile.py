"""Hostile spreadsheets (issue 14): each is refused or read within the budget set in the
settings (IMPORT_HOSTILE_SECONDS, IMPORT_HOSTILE_MB), with a clear Chinese message.

Each file is read in a fresh process (``probe.py``), so that its peak memory is its own
and counts everything (expat's and zlib's buffers too), not only Python objects.
"""

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from ledger import parsing
from ledger.models import ImportBatch

from . import hostile
from .conftest import upload_file

ROOT = Path(__file__).resolve().parents[2]
EXPECTED = {
    "wide_rows": "read",
    "wide_rows_100k": "read",
    "huge_merge": "read",
    "shared_strings_bomb": "part_too_large",
    "shared_strings_bomb_200mb": "zip_bomb",
    "far_row": "row_number",
    "zip_bomb": "part_too_large",
    "lying_zip": "damaged",
    "entity_bomb": "dtd",
    "many_merges": "too_many_merges",
    "csv_wide": "too_wide",
    "csv_blank_lines": "too_many_rows",
}
CHINESE = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    folder = tmp_path_factory.mktemp("hostile")
    return {
        name: build(folder / f"{name}.{'csv' if name.startswith('csv') else 'xlsx'}")
        for name, build in hostile.HOSTILE.items()
    }


def probe(path):
    out = subprocess.run(
        [sys.executable, "-m", "tests.ledger.probe", str(path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        env={"DJANGO_SETTINGS_MODULE": "matrix.settings.test", "PATH": "/usr/bin:/bin"},
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_every_hostile_file_has_an_expected_outcome():
    assert set(EXPECTED) == set(hostile.HOSTILE)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_refused_or_read_within_the_budget(name, files):
    size = files[name].stat().st_size
    assert size <= settings.IMPORT_MAX_BYTES  # inside the upload limit: a real attack
    result = probe(files[name])
    assert result["outcome"] == EXPECTED[name], result
    assert result["seconds"] <= settings.IMPORT_HOSTILE_SECONDS, result
    assert result["peak_mb"] <= settings.IMPORT_HOSTILE_MB, result
    if result["outcome"] != "read":
        assert CHINESE.search(result["message"]), result["message"]


def test_the_probe_measures_memory(tmp_path):
    """The budget test cannot pass by measuring nothing: a file that must be held in
    memory (a 19 MB line) shows up."""
    result = probe(hostile.csv_wide(tmp_path / "wide.csv"))
    assert result["peak_mb"] > 10


@pytest.mark.parametrize(
    "name, fragment",
    [("far_row", "500,000,000"), ("huge_merge", None), ("wide_rows", None)],
)
def test_through_the_import_page(name, fragment, files, staff_client, shuicheng):
    data = files[name].read_bytes()
    response = staff_client.post(reverse("ledger:upload"), {"file": upload_file(data, "台账.xlsx")})
    batch = ImportBatch.objects.get()
    assert response.status_code == 302 and response.url == batch.get_absolute_url()
    page = staff_client.get(batch.get_absolute_url())
    assert page.status_code == 200
    if fragment:
        assert batch.status == ImportBatch.Status.FAILED
        assert fragment in batch.error and fragment in page.content.decode()
        assert batch.upload is None  # the file is not kept once it is refused
    else:
        assert batch.status == ImportBatch.Status.PREVIEW


@pytest.mark.parametrize("name", ["shared_strings_bomb_200mb", "zip_bomb", "entity_bomb"])
def test_bombs_are_refused_in_the_request_before_anything_is_stored(name, files, staff_client):
    data = files[name].read_bytes()
    if name == "entity_bomb":  # the DTD is only seen when parsing: in the worker
        with pytest.raises(parsing.FileProblem) as info:
            parsing.read(files[name].open("rb"), "台账.xlsx")
        assert info.value.code == "dtd"
        return
    response = staff_client.post(reverse("ledger:upload"), {"file": upload_file(data, "台账.xlsx")})
    assert response.status_code == 200
    assert response.context["form"].errors["file"]
    assert not ImportBatch.objects.exists()
