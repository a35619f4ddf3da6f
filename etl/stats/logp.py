"""p-values kept as log10: from a standard normal deviate, and back to p where a double holds it."""

from __future__ import annotations

import math

import numpy as np
from scipy import special

LN10 = math.log(10.0)


def two_sided_log10_p(z_abs: np.ndarray) -> np.ndarray:
    """log10 of 2 Phi(-|z|), from the normal tail in log space: finite far below p = 1e-300."""
    return np.minimum(0.0, (math.log(2.0) + special.log_ndtr(-np.abs(z_abs))) / LN10)


def p_from_log10(log10_p: np.ndarray) -> np.ndarray:
    """10 ** log10_p: underflows to 0 below about 1e-308 (log10 p keeps it)."""
    with np.errstate(under="ignore"):
        return np.power(10.0, log10_p)


def z_from_log10_p(log10_p: np.ndarray) -> np.ndarray:
    """|z| with 2 Phi(-|z|) = p, from the two-sided log10 p without leaving log space (so p far
    below 1e-308 too); p = 0 (log10 p = -inf) gives inf."""
    with np.errstate(divide="ignore"):
        return -special.ndtri_exp(np.asarray(log10_p, dtype=np.float64) * LN10 - math.log(2.0))
