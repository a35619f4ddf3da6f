"""The standard normal upper tail in plain SQL, for saved queries that recompute a Meta P: DuckDB
and PostgreSQL have no erf, and p must stay exact where it underflows a double.

ln Phi(-a) for a >= 0, as arithmetic only (no loops, no functions but exp and ln), so one text runs
on both backends:
- a < 2.5: ln(1/2 - phi(a) a S(a^2)), S(y) = sum_n y^n / (2n+1)!!, the series of Phi(a) - 1/2
  (50 terms, Horner form);
- a >= 2.5: -a^2/2 - ln sqrt(2 pi) - ln CF(a), with Laplace's continued fraction for the Mills
  ratio, CF(a) = a + 1/(a + 2/(a + 3/(...))), 60 levels; in log space, so a = 40 or 10^5 is fine.
Against scipy.special.log_ndtr the absolute error in ln p is below 2e-13 over the whole range
(tests/test_normal_sql.py). The saved queries hold the generated text; a test checks it is current.
"""

from __future__ import annotations

import math

SPLIT = 2.5
SERIES_TERMS = 50
FRACTION_DEPTH = 60


def _literal(value: float) -> str:
    return repr(float(value))


def log_upper_tail_sql(a: str) -> str:
    """ln Phi(-a) for the SQL expression `a` (a column name: it is repeated), a >= 0."""
    coefficients = []
    double_factorial = 1.0
    for n in range(SERIES_TERMS + 1):
        if n:
            double_factorial *= 2 * n + 1
        coefficients.append(1.0 / double_factorial)
    horner = _literal(coefficients[-1])
    for c in reversed(coefficients[:-1]):
        horner = f"({horner} * {a} * {a} + {_literal(c)})"
    fraction = a
    for k in range(FRACTION_DEPTH, 0, -1):
        fraction = f"({a} + {k}.0 / {fraction})"
    inv_sqrt_2pi = _literal(1.0 / math.sqrt(2.0 * math.pi))
    log_sqrt_2pi = _literal(0.5 * math.log(2.0 * math.pi))
    return (
        f"CASE WHEN {a} < {SPLIT} THEN ln(0.5 - exp(-{a} * {a} / 2.0) * {inv_sqrt_2pi} * {a} * {horner})\n"
        f"     ELSE -{a} * {a} / 2.0 - {log_sqrt_2pi} - ln({fraction}) END"
    )


def evaluate(a: float) -> float:
    """The same arithmetic in Python (for the tests' error bound)."""
    if a < SPLIT:
        y = a * a
        coefficients = [1.0]
        double_factorial = 1.0
        for n in range(1, SERIES_TERMS + 1):
            double_factorial *= 2 * n + 1
            coefficients.append(1.0 / double_factorial)
        s = 0.0
        for c in reversed(coefficients):
            s = s * y + c
        return math.log(0.5 - math.exp(-y / 2.0) / math.sqrt(2.0 * math.pi) * a * s)
    t = a
    for k in range(FRACTION_DEPTH, 0, -1):
        t = a + k / t
    return -a * a / 2.0 - 0.5 * math.log(2.0 * math.pi) - math.log(t)
