"""The import floor: what one process needs to read an import file and clean the two columns
that cost most, and nothing else (no database).

    .venv/bin/python bench/import_floor.py PATH.csv [--region DE]

Streams the CSV through the import's own reader (contacts.imports.reading.iter_rows), and
for each data row validates the "E-mail Address" column and normalises the "Mobile Phone"
column with the project's own cleaning functions (contacts.phones.normalize_email +
Django's validate_email, as contacts.imports.mapping does; contacts.phones.phone_cell_parse
with the workspace's country). The real import does more per row (all columns, dedupe,
writes, change log); its ratio to this floor says how much more (issue: ≤ 2× at 100,000
rows).
"""

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

EMAIL_HEADER = "E-mail Address"
PHONE_HEADER = "Mobile Phone"


def floor_run(path: Path, region: str = "DE") -> dict[str, float]:
    """Parse `path` (UTF-8 CSV with EMAIL_HEADER and PHONE_HEADER columns), validate every
    email and normalise every phone. Returns {"floor_rows", "floor_s" (wall seconds),
    "floor_cpu_s" (this process's CPU seconds), "floor_rows_per_s", "floor_invalid_emails",
    "floor_invalid_phones"}. Needs Django set up (the validators' translations). Raises
    ValueError when a header is missing."""
    from django.core.exceptions import ValidationError
    from django.core.validators import validate_email

    from contacts.imports.reading import iter_rows
    from contacts.phones import normalize_email, phone_cell_parse

    start, cpu = time.perf_counter(), time.process_time()
    rows = bad_email = bad_phone = 0
    with path.open("rb") as fh:
        header = next(iter_rows(fh, file_format="csv", skip_header=False))[1]
    if EMAIL_HEADER not in header or PHONE_HEADER not in header:
        raise ValueError(f"{path} lacks {EMAIL_HEADER!r} or {PHONE_HEADER!r}")
    e_col, p_col = header.index(EMAIL_HEADER), header.index(PHONE_HEADER)
    with path.open("rb") as fh:
        for _line, cells in iter_rows(fh, file_format="csv"):
            rows += 1
            try:
                validate_email(normalize_email(cells[e_col]))
            except ValidationError:
                bad_email += 1
            try:
                phone_cell_parse(cells[p_col], region)
            except ValidationError:
                bad_phone += 1
    seconds = time.perf_counter() - start
    return {
        "floor_rows": rows,
        "floor_s": round(seconds, 3),
        "floor_cpu_s": round(time.process_time() - cpu, 3),
        "floor_rows_per_s": round(rows / seconds, 1) if seconds else 0.0,
        "floor_invalid_emails": bad_email,
        "floor_invalid_phones": bad_phone,
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("path", type=Path)
    parser.add_argument("--region", default="DE")
    args = parser.parse_args()
    import os

    os.environ.setdefault("DEBUG", "true")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "crm_site.settings")
    import django

    django.setup()
    result = floor_run(args.path, args.region)
    print(
        f"floor: {result['floor_rows']:,} rows in {result['floor_s']:.2f} s "
        f"(CPU {result['floor_cpu_s']:.2f} s), {result['floor_rows_per_s']:,.0f} rows/s; "
        f"invalid emails {result['floor_invalid_emails']:,}, phones {result['floor_invalid_phones']:,}"
    )


if __name__ == "__main__":
    main()
