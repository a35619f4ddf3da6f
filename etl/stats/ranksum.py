"""Two-sample Wilcoxon rank-sum tests of every row of two matrices at once, as R's
`wilcox.test(x, y)` does them with its defaults (METHODS.md section 1):

- ranks with ties averaged; U = the rank sum of x minus n_x (n_x + 1) / 2 (R's W);
- the exact null distribution when both groups have fewer than 50 values and there are no ties;
- otherwise the normal approximation with the tie correction of the variance and a continuity
  correction of 0.5 towards the mean;
- p two-sided, kept as log10 p: the normal tail is evaluated in log space (scipy.special.log_ndtr),
  so p far below 1e-300 stays finite and exact to double precision;
- the Hodges-Lehmann shift x - y as the exact median of all pairwise differences; its sign gives the
  direction of the signed p (a shift of exactly 0 counts as positive);
- z: the standard normal deviate of the two-sided p, signed by that direction. Meta P (Stouffer)
  sums it, so no p is ever turned back into a z (an exact p is small enough for ndtri: >= 1e-29).

Rows are sorted once (numpy, in C), then one compiled pass per row (etl.stats.kernels) merges the
sorted groups for U and the tie term (ties cost nothing where there are none) and selects the
Hodges-Lehmann median without forming the m x n differences.
"""

from __future__ import annotations

import dataclasses
import functools
import math
import os
import threading
from concurrent.futures import ThreadPoolExecutor

import numpy as np
from scipy import special

from omicskb.etl.stats.box import Box, BoxArrays
from omicskb.etl.stats.kernels import KERNEL_LOCK, rank_sum_range, rank_sum_rows, sort_rows
from omicskb.etl.stats.logp import p_from_log10, two_sided_log10_p

MIN_X = 20  # tumors
MIN_Y = 10  # normals
EXACT_BELOW = 50  # R: exact when both groups are smaller than this and nothing is tied
CHUNK_ROWS = 2048  # rows sorted and tested at a time by rank_sum_with_boxes (a few MB: stays in cache)

REASON_FEW_X = "fewer than {} tumor values"
REASON_FEW_Y = "fewer than {} normal values"
REASON_ALL_EQUAL = "all values equal"


@dataclasses.dataclass
class RankSum:
    """One test per row; NaN where a row was not tested (`reason` says why)."""

    n_x: np.ndarray  # int64 non-missing values of x (tumors)
    n_y: np.ndarray  # int64 non-missing values of y (normals)
    median_x: np.ndarray
    median_y: np.ndarray
    u: np.ndarray  # Mann-Whitney U of x (R's W)
    z: np.ndarray  # signed by `direction`: 2 * Phi(-|z|) is the two-sided p
    log10_p: np.ndarray  # two-sided, <= 0, finite wherever tested
    exact: np.ndarray  # bool: the exact distribution gave p
    hl_shift: np.ndarray  # Hodges-Lehmann x - y
    reason_code: np.ndarray  # int8: -1 when tested, else why not as an index into reason_labels
    reason_labels: tuple[str, ...]

    @property
    def reason(self) -> np.ndarray:
        """object: None when tested, else why not."""
        return np.array([*self.reason_labels, None], dtype=object)[self.reason_code]  # (code -1: the last)

    @property
    def tested(self) -> np.ndarray:
        return ~np.isnan(self.log10_p)

    @property
    def direction(self) -> np.ndarray:
        """+1 where the shift is >= 0, -1 below; NaN where untested."""
        return np.where(np.isnan(self.hl_shift) | ~self.tested, np.nan, np.where(self.hl_shift >= 0, 1.0, -1.0))

    @property
    def p(self) -> np.ndarray:
        """10 ** log10_p: underflows to 0 below about 1e-308 (log10_p keeps it)."""
        return p_from_log10(self.log10_p)

    @property
    def signed_p(self) -> np.ndarray:
        return self.direction * self.p

    @property
    def signed_log10_p(self) -> np.ndarray:
        """direction x -log10 p: the sorting key of METHODS.md."""
        return self.direction * -self.log10_p


def rank_sum(x: np.ndarray, y: np.ndarray, *, min_x: int = MIN_X, min_y: int = MIN_Y, x_sorted: np.ndarray | None = None,
             y_sorted: np.ndarray | None = None) -> RankSum:
    """Test x against y row by row: x is (rows x samples of one group), y (rows x the other's),
    NaN = missing. Rows with fewer than min_x / min_y values, or with every value equal, get a
    reason and no test. x_sorted / y_sorted: the same rows already sorted (kernels.sort_rows), to
    share one sort with the box statistics."""
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    if x.ndim != 2 or y.ndim != 2 or x.shape[0] != y.shape[0]:
        raise ValueError(f"x and y must be matrices with the same rows, not {x.shape} and {y.shape}")
    rows = x.shape[0]
    xs = sort_rows(x) if x_sorted is None else x_sorted
    ys = sort_rows(y) if y_sorted is None else y_sorted
    n_x, n_y = np.empty(rows, dtype=np.int64), np.empty(rows, dtype=np.int64)
    median_x, median_y, u, tie_term, hl = (np.empty(rows) for _ in range(5))
    with KERNEL_LOCK:
        rank_sum_rows(xs, ys, min_x, min_y, False, n_x, n_y, median_x, median_y, u, tie_term, hl)
    return _finish(n_x, n_y, median_x, median_y, u, tie_term, hl, min_x, min_y)


def _finish(n_x: np.ndarray, n_y: np.ndarray, median_x: np.ndarray, median_y: np.ndarray, u: np.ndarray, tie_term: np.ndarray,
            hl: np.ndarray, min_x: int, min_y: int) -> RankSum:
    """The tests from the kernels' counts, medians, U, tie terms and shifts (`u` is written)."""
    rows = len(n_x)
    n = (n_x + n_y).astype(np.float64)
    labels = (REASON_FEW_Y.format(min_y), REASON_FEW_X.format(min_x), REASON_ALL_EQUAL)
    reason_code = np.full(rows, -1, dtype=np.int8)
    few_y = n_y < min_y
    few_x = n_x < min_x
    reason_code[few_y] = 0
    reason_code[few_x] = 1  # the first shortfall named wins
    all_equal = ~(few_x | few_y) & (tie_term >= n**3 - n)  # one tie group holds every value
    reason_code[all_equal] = 2
    tested = ~(few_x | few_y | all_equal)

    mn = n_x.astype(np.float64) * n_y
    exact = tested & (n_x < EXACT_BELOW) & (n_y < EXACT_BELOW) & (tie_term == 0)
    normal = tested & ~exact
    log10_p = np.full(rows, np.nan)
    z_abs = np.full(rows, np.nan)

    # Normal approximation: R's z with the continuity correction towards the mean.
    d = u[normal] - mn[normal] / 2
    nn = n[normal]
    sigma = np.sqrt(mn[normal] / 12 * ((nn + 1) - tie_term[normal] / (nn * (nn - 1))))
    z = np.abs(d - 0.5 * np.sign(d)) / sigma
    z_abs[normal] = z
    log10_p[normal] = two_sided_log10_p(z)

    if exact.any():
        p_exact = _exact_p(u[exact], n_x[exact], n_y[exact])
        log10_p[exact] = np.log10(p_exact)
        z_abs[exact] = np.where(p_exact >= 1.0, 0.0, -special.ndtri(p_exact / 2))

    direction = np.where(hl >= 0, 1.0, -1.0)
    u[~tested] = np.nan
    return RankSum(n_x=n_x, n_y=n_y, median_x=median_x, median_y=median_y, u=u, z=np.where(tested, direction * z_abs, np.nan),
                   log10_p=log10_p, exact=exact, hl_shift=hl, reason_code=reason_code, reason_labels=labels)


def rank_sum_with_boxes(x: np.ndarray, y: np.ndarray, *, min_x: int = MIN_X, min_y: int = MIN_Y,
                        workers: int | None = None) -> tuple[RankSum | None, Box | None, Box | None]:
    """rank_sum(x, y), box_stats(x) and box_stats(y), equal to them bit for bit, in one pass over
    chunks of CHUNK_ROWS rows: each chunk is copied into a buffer its thread keeps, sorted there
    (numpy, in place), and walked by the serial kernels while it is still in cache, on `workers`
    threads. No sorted copy of the whole matrices is made: on a machine where memory the process
    touches for the first time is slow (this VM: about 3 s per GB), that copy cost more than the
    sort. Without columns in x or y: no test, and no box of that side (None)."""
    x = np.ascontiguousarray(x, dtype=np.float64)
    y = np.ascontiguousarray(y, dtype=np.float64)
    if x.ndim != 2 or y.ndim != 2 or x.shape[0] != y.shape[0]:
        raise ValueError(f"x and y must be matrices with the same rows, not {x.shape} and {y.shape}")
    rows = x.shape[0]
    test = y.shape[1] > 0 and x.shape[1] > 0
    n_x, n_y = np.empty(rows, dtype=np.int64), np.empty(rows, dtype=np.int64)
    median_x, median_y, u, tie_term, hl = (np.empty(rows) for _ in range(5))
    boxes = [BoxArrays(rows) if values.shape[1] else None for values in (x, y)]  # (x's, y's): None without columns
    local = threading.local()
    spans = [(start, min(rows, start + CHUNK_ROWS)) for start in range(0, rows, CHUNK_ROWS)]

    def work(span: tuple[int, int]) -> list[tuple[np.ndarray, ...]]:
        start, stop = span
        if not hasattr(local, "buffers"):
            local.buffers = [np.empty((CHUNK_ROWS, values.shape[1])) for values in (x, y)]
        ordered = []
        for values, buffer in zip((x, y), local.buffers):
            chunk = buffer[:stop - start]
            np.copyto(chunk, values[start:stop])
            chunk.sort(axis=1)  # NaN last
            ordered.append(chunk)
        if test:
            rank_sum_range(ordered[0], ordered[1], min_x, min_y, False, n_x[start:stop], n_y[start:stop], median_x[start:stop],
                           median_y[start:stop], u[start:stop], tie_term[start:stop], hl[start:stop], 0, stop - start)
        return [box.fill(values[start:stop], chunk, start, stop) if box else None for box, values, chunk in zip(boxes, (x, y), ordered)]

    pool_size = max(1, min(workers or os.cpu_count() or 1, len(spans)))
    with ThreadPoolExecutor(pool_size, thread_name_prefix="omicskb-rank") as pool:
        outliers = list(pool.map(work, spans))
    result = _finish(n_x, n_y, median_x, median_y, u, tie_term, hl, min_x, min_y) if test else None
    box_x, box_y = (box.build([parts[i] for parts in outliers]) if box else None for i, box in enumerate(boxes))
    return result, box_x, box_y


def _exact_counts() -> np.ndarray:
    """counts[m, n, u]: orderings of m x-values and n y-values (no ties) with U = u, for m, n < 50.

    By the largest value: an x beats all n y-values (u - n, with m - 1), a y beats none (n - 1).
    Only additions of non-negative numbers, so every count, and every lower-tail sum taken from
    them, is exact to double rounding (no cancellation in the far tail)."""
    top = EXACT_BELOW - 1
    length = top * top + 1
    counts = np.zeros((top + 1, top + 1, length))
    counts[0, :, 0] = 1.0
    counts[:, 0, 0] = 1.0
    for m in range(1, top + 1):
        for n in range(1, top + 1):
            row = counts[m, n]
            row[n:] = counts[m - 1, n, : length - n]
            row += counts[m, n - 1]
    return counts


@functools.cache
def _exact_lower_tails() -> np.ndarray:
    """tails[m, n, u] = P(U <= u) for m, n < 50 (u up to m n; past it 1): the counts summed in
    order and divided by C(m + n, m), once for every (m, n), so that a block's exact p-values are
    one lookup, not a sum per pair of group sizes. (The same sums in the same order as summing
    each (m, n) on its own: bit for bit the same tails.)"""
    tails = np.cumsum(_exact_counts(), axis=2)
    top = EXACT_BELOW - 1
    sizes = np.arange(top + 1)
    tails /= np.array([[math.comb(int(m + n), int(m)) for n in sizes] for m in sizes], dtype=np.float64)[:, :, None]
    return tails


def _exact_p(u: np.ndarray, n_x: np.ndarray, n_y: np.ndarray) -> np.ndarray:
    """Two-sided exact p as R computes it: 2 x the smaller tail, at most 1. By symmetry the upper
    tail P(U >= u) is the lower tail at m n - u, so only lower tails are looked up."""
    m, n = n_x.astype(np.int64), n_y.astype(np.int64)
    uu = np.rint(u).astype(np.int64)
    tail = np.minimum(uu, m * n - uu)
    return np.minimum(1.0, 2.0 * _exact_lower_tails()[m, n, tail])


def hodges_lehmann(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Per row, the median of all pairwise differences x_i - y_j over the non-missing values
    (the mean of the two middle ones when their number is even): exact, by selection in the sorted
    matrix of differences (etl.stats.kernels); NaN where a side has no value."""
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    rows = x.shape[0]
    n_x, n_y = np.empty(rows, dtype=np.int64), np.empty(rows, dtype=np.int64)
    scratch = [np.empty(rows) for _ in range(4)]
    hl = np.empty(rows)
    xs, ys = sort_rows(x), sort_rows(y)
    with KERNEL_LOCK:
        rank_sum_rows(xs, ys, 0, 0, True, n_x, n_y, *scratch, hl)
    return hl
