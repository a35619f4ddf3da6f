"""etl.db.bulk_insert on both backends for every column form derive stages: numpy float (NaN is
NULL), integer and bool arrays, masked arrays (masked is NULL) and CodedText. On DuckDB these are
built from their buffers (etl.db.arrow_array), not by pyarrow's conversion, which imports pandas:
the rows must be exactly what pyarrow's conversion of the same Python values gives, and what
PostgreSQL's COPY path stores."""

from __future__ import annotations

import math
import subprocess
import sys

import numpy as np
import pyarrow as pa
import sqlalchemy as sa

from omicskb.etl.db import CodedText, arrow_array, bulk_insert, make_engine, numpy_of

ROWS = 1000  # more than a byte of validity bits, and not a multiple of 8


def columns() -> dict:
    rng = np.random.default_rng(7)
    values = rng.normal(size=ROWS)
    values[rng.random(ROWS) < 0.3] = np.nan
    tested = rng.random(ROWS) < 0.8
    codes = rng.integers(-1, 3, size=ROWS).astype(np.int8)
    return {
        "feature_id": rng.integers(0, 2**40, size=ROWS),
        "n_tumor": rng.integers(0, 200, size=ROWS).astype(np.int32),
        "n_normal": rng.integers(0, 200, size=ROWS),
        "p": values,
        "exact": np.ma.MaskedArray(rng.random(ROWS) < 0.5, mask=~tested),
        "hl_shift": np.ma.MaskedArray(values * 2, mask=~tested),  # masked, and NaN: both NULL
        "skip_reason": CodedText(codes, ("fewer than 10 normal values", "fewer than 20 tumor values", "all values equal")),
    }


def expected_rows(data: dict) -> list[tuple]:
    """The same columns as Python values, NULL as None: what pyarrow's own conversion stores."""
    def python(values):
        if isinstance(values, CodedText):
            return values.tolist()
        if isinstance(values, np.ma.MaskedArray):
            return [None if m or (isinstance(v, float) and math.isnan(v)) else v for v, m in zip(values.data.tolist(), np.ma.getmaskarray(values).tolist())]
        return [None if isinstance(v, float) and math.isnan(v) else v for v in values.tolist()]

    return sorted(zip(*(python(v) for v in data.values())), key=lambda r: r[0])


def test_arrays_staged_from_their_buffers_store_what_pyarrow_would(seeded):
    engine = make_engine(seeded)
    with engine.begin() as conn:
        features = conn.execute(sa.text("SELECT feature_id FROM feature ORDER BY feature_id LIMIT :n"), {"n": ROWS}).scalars().all()
        assert len(features) == ROWS
        dataset, release, run = conn.execute(sa.text("SELECT d.dataset_id, d.release_id, r.run_id FROM dataset AS d, load_run AS r ORDER BY 1, 3 LIMIT 1")).one()
        comparison = conn.execute(sa.text(
            "INSERT INTO tn_comparison (cohort_code, omics_type, tumor_dataset_id, normal_dataset_id, tumor_release_id, normal_release_id, is_default, "
            "n_tumor_samples, n_normal_samples, n_features, n_tested, run_id) "
            "SELECT cohort_code, omics_type, dataset_id, dataset_id, :r, :r, false, 0, 0, 0, 0, :run FROM dataset WHERE dataset_id = :d RETURNING comparison_id"),
            {"d": dataset, "r": release, "run": run}).scalar_one()
        data = {**columns(), "feature_id": np.array(features, dtype=np.int64)}
        assert bulk_insert(conn, "tn_result", data, extra={"comparison_id": comparison}) == ROWS
        stored = conn.execute(sa.text(f"SELECT {', '.join(data)} FROM tn_result WHERE comparison_id = :c ORDER BY feature_id"), {"c": comparison}).all()
        conn.rollback()
    engine.dispose()
    assert [tuple(r) for r in stored] == expected_rows(data)


def test_arrow_array_equals_pyarrows_conversion_and_numpy_of_reads_it_back():
    data = {**columns(), "feature_id": np.arange(ROWS) * 3}
    types = {"feature_id": pa.int64(), "n_tumor": pa.int64(), "n_normal": pa.int64(), "p": pa.float64(), "exact": pa.bool_(), "hl_shift": pa.float64(),
             "skip_reason": pa.string()}
    for name, values in data.items():
        built = arrow_array(values, types[name])
        reference = pa.array(CodedText.tolist(values) if isinstance(values, CodedText) else
                             (np.ma.MaskedArray(values.data, mask=np.ma.getmaskarray(values) | (np.isnan(values.data) if values.dtype.kind == "f" else False)).tolist()
                              if isinstance(values, np.ma.MaskedArray) else values), type=types[name], from_pandas=True)
        assert built.cast(types[name]).to_pylist() == reference.to_pylist(), name
        if types[name] in (pa.int64(), pa.float64()):
            back = numpy_of(pa.chunked_array([built.slice(0, 10), built.slice(10)]))
            assert np.array_equal(back, reference.to_numpy(zero_copy_only=False), equal_nan=True), name


def test_a_derive_does_not_import_pandas(duckdb_target, omicskb):
    """pyarrow's conversions import pandas (half a second holding the GIL, at the start of the
    pipeline); derive stages and reads only through etl.db's own. The derive runs in a fresh
    process: pyarrow keeps pandas once it has imported it."""
    from conftest import SEEDS

    target = duckdb_target
    assert omicskb(target, "load", "seeds", SEEDS).exit_code == 0
    code = f"""
import sys
from omicskb.etl.db import make_engine
from omicskb.etl.tumor_normal import run_derive
report = run_derive(make_engine({target!r}), 'derive (test)')
assert report.tests > 0 and report.computed, report
print(sorted(m for m in sys.modules if m.split('.')[0] == 'pandas')[:3])
"""
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.strip().splitlines()[-1] == "[]", done.stdout
