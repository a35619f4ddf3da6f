"""The normal upper tail in plain SQL (etl/stats/normal_sql.py): against scipy over the whole range,
far past |z| = 38 where p underflows a double, on DuckDB (the macro and the query's text) and on
PostgreSQL; and the saved files hold what the generator writes."""

from __future__ import annotations

import importlib.util
import math
from pathlib import Path

import duckdb
import numpy as np
import pytest
import sqlalchemy as sa
from scipy import special

from omicskb.etl.db import make_engine
from omicskb.etl.queries import MACROS_FILE, QUERIES_DIR
from omicskb.etl.stats.normal_sql import evaluate, log_upper_tail_sql

ROOT = Path(__file__).resolve().parent.parent
POINTS = np.concatenate([np.linspace(0, 12, 1201), [2.4999999999, 2.5, 2.5000000001, 15.0, 20.0, 37.9, 38.0, 38.5, 40.0, 60.0, 100.0, 1e3, 1e5]])
BOUND = 2e-13  # absolute error in ln p (relative error in p)


def check(got: np.ndarray) -> None:
    expected = special.log_ndtr(-POINTS)
    error = np.abs(got - expected)
    moderate = POINTS <= 40
    assert error[moderate].max() < BOUND, POINTS[moderate][np.argmax(error[moderate])]
    assert (error / np.abs(expected)).max() < 1e-14  # beyond: ln p itself is huge, its relative error tiny
    assert np.isfinite(got).all()


def test_the_arithmetic_matches_scipy():
    check(np.array([evaluate(a) for a in POINTS]))
    assert math.isclose(evaluate(40.0) / math.log(10), -349.4370064593458, rel_tol=1e-12)


def test_the_duckdb_macro_matches_scipy():
    con = duckdb.connect()
    text = (QUERIES_DIR / MACROS_FILE).read_text()
    con.execute(text[text.index("CREATE OR REPLACE TEMP MACRO norm_log_upper_tail"):])  # the others need the schema
    con.execute("CREATE TABLE t AS SELECT unnest(?::DOUBLE[]) AS a, generate_subscripts(?::DOUBLE[], 1) AS i", [POINTS.tolist(), POINTS.tolist()])
    got = np.array([r[0] for r in con.execute("SELECT norm_log_upper_tail(a) FROM t ORDER BY i").fetchall()])
    check(got)


@pytest.mark.postgres
def test_postgresql_computes_the_same_text(pg_target):
    engine = make_engine(pg_target)
    with engine.connect() as conn:
        got = []
        for start in range(0, len(POINTS), 200):
            chunk = POINTS[start:start + 200].tolist()
            rows = conn.execute(
                sa.text(f"SELECT {log_upper_tail_sql('a')} FROM unnest(CAST(:v AS double precision[])) WITH ORDINALITY AS t(a, i) ORDER BY i"), {"v": chunk}
            ).all()
            got += [r[0] for r in rows]
    engine.dispose()
    check(np.array(got))


def test_the_files_hold_what_the_generator_writes():
    spec = importlib.util.spec_from_file_location("write_normal_tail_sql", ROOT / "scripts" / "write_normal_tail_sql.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    for name, column in module.TARGETS.items():
        text = (ROOT / name).read_text()
        assert module.rewrite(text, column) == text, f"{name} is stale: run python scripts/write_normal_tail_sql.py"
        assert log_upper_tail_sql(column) in text
