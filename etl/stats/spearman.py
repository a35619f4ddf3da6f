"""Spearman correlation on pairwise-complete samples, as R's cor.test(method = "spearman",
exact = FALSE) and scipy.stats.spearmanr compute it on the samples both vectors have.

Each pair is re-ranked within its own overlap (ties averaged): ranking once over every sample and
correlating the ranks of the shared ones is a different number whenever values are missing (see
../shared/docs/METHODS.md), so this never does that.

p is two-sided from t = rho sqrt((n - 2) / (1 - rho^2)) on n - 2 degrees of freedom, kept as
log10 p: below the smallest double the Student t tail is summed in log space (`log10_t_two_sided`),
so a p under 1e-308 stays finite. |rho| = 1 gives p = 0 and log10 p = -inf: t is infinite there,
and no finite p is the right one.

Rules (METHODS.md): at least `min_n` (10) shared samples and non-zero variance in both, else no rho
and a reason.
"""

from __future__ import annotations

import dataclasses
import math

import numba as nb
import numpy as np
from scipy import special

from omicskb.etl.stats.kernels import KERNEL_LOCK
from omicskb.etl.stats.logp import LN10

MIN_SHARED = 10
TOO_FEW = "fewer than 10 shared samples"
NO_VARIANCE = "no variance in the shared samples"
_ROWS_PER_TASK = 64

# reason codes the kernel writes (0: tested)
_TOO_FEW, _NO_VARIANCE = 1, 2


@dataclasses.dataclass
class Spearman:
    """Per row of Y: shared samples with x, rho, t, p, log10 p (NaN when untested), the reason."""

    n: np.ndarray  # int64
    rho: np.ndarray
    t: np.ndarray
    p: np.ndarray
    log10_p: np.ndarray
    reason: np.ndarray  # object: None when tested

    @property
    def tested(self) -> np.ndarray:
        return ~np.isnan(self.rho)

    @property
    def signed_log10_p(self) -> np.ndarray:
        """sign(rho) x -log10 p (rho = 0 counts as positive)."""
        return np.where(self.rho >= 0, 1.0, -1.0) * -self.log10_p


@nb.njit(cache=True, nogil=True)
def _overlap_ranks(values: np.ndarray, order: np.ndarray, n_present: int, other: np.ndarray, ranks: np.ndarray) -> int:
    """Set ranks[k], for every sample k where both `values` and `other` have a value, to the
    average (1-based) rank of values[k] among those samples; returns how many there are. `order`
    lists values' non-missing samples ascending by value (n_present of them), so this is one walk,
    O(samples), with no sort: ties are handled only where they occur."""
    kept = 0
    i = 0
    while i < n_present:
        value = values[order[i]]
        j = i
        while j + 1 < n_present and values[order[j + 1]] == value:
            j += 1
        in_both = 0
        for k in range(i, j + 1):
            if other[order[k]] == other[order[k]]:
                in_both += 1
        if in_both:
            rank = kept + 0.5 * (in_both + 1)  # the mean of kept + 1 .. kept + in_both
            for k in range(i, j + 1):
                if other[order[k]] == other[order[k]]:
                    ranks[order[k]] = rank
            kept += in_both
        i = j + 1
    return kept


@nb.njit(cache=True, nogil=True)
def _pair(x: np.ndarray, x_order: np.ndarray, x_present: int, y: np.ndarray, y_order: np.ndarray, y_present: int, min_n: int,
          rx: np.ndarray, ry: np.ndarray) -> tuple[int, float, int]:
    """(shared samples, rho or NaN, reason code) of x and y over the samples where both have a
    value, each re-ranked within them. Ranks are half-integers, so the sums below are exact in a
    double and rho is one rounding from the true quotient."""
    n = _overlap_ranks(x, x_order, x_present, y, rx)
    if n < min_n:
        return n, np.nan, _TOO_FEW
    _overlap_ranks(y, y_order, y_present, x, ry)
    mean = 0.5 * (n + 1)
    sxy, sxx, syy = 0.0, 0.0, 0.0
    for k in range(x.shape[0]):
        if x[k] == x[k] and y[k] == y[k]:
            dx, dy = rx[k] - mean, ry[k] - mean
            sxy += dx * dy
            sxx += dx * dx
            syy += dy * dy
    if sxx == 0.0 or syy == 0.0:
        return n, np.nan, _NO_VARIANCE
    return n, sxy / math.sqrt(sxx * syy), 0


@nb.njit(parallel=True, cache=True)
def spearman_rows(x: np.ndarray, x_order: np.ndarray, x_present: int, y: np.ndarray, y_order: np.ndarray, y_present: np.ndarray, min_n: int,
                  n_out: np.ndarray, rho_out: np.ndarray, reason_out: np.ndarray) -> None:
    """For each row of y (rows x samples): _pair(x, that row)."""
    rows, samples = y.shape
    tasks = (rows + _ROWS_PER_TASK - 1) // _ROWS_PER_TASK
    for task in nb.prange(tasks):
        rx, ry = np.empty(samples), np.empty(samples)
        for row in range(task * _ROWS_PER_TASK, min(rows, (task + 1) * _ROWS_PER_TASK)):
            n_out[row], rho_out[row], reason_out[row] = _pair(x, x_order, x_present, y[row], y_order[row], y_present[row], min_n, rx, ry)


@nb.njit(parallel=True, cache=True)
def spearman_paired_rows(x: np.ndarray, x_order: np.ndarray, x_present: np.ndarray, y: np.ndarray, y_order: np.ndarray, y_present: np.ndarray,
                         min_n: int, n_out: np.ndarray, rho_out: np.ndarray, reason_out: np.ndarray) -> None:
    """For each row i of x and y (both rows x samples, the same samples): _pair(x[i], y[i])."""
    rows, samples = y.shape
    tasks = (rows + _ROWS_PER_TASK - 1) // _ROWS_PER_TASK
    for task in nb.prange(tasks):
        rx, ry = np.empty(samples), np.empty(samples)
        for row in range(task * _ROWS_PER_TASK, min(rows, (task + 1) * _ROWS_PER_TASK)):
            n_out[row], rho_out[row], reason_out[row] = _pair(x[row], x_order[row], x_present[row], y[row], y_order[row], y_present[row], min_n, rx, ry)


_MAX_INDEX_BITS = 20  # beyond a million samples per row, argsort (keys would lose too many bits)


def sort_orders(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per row, the sample indexes ascending by value (NaN last; the order of equal values is
    unspecified) and how many are not NaN.

    numpy sorts int64 with SIMD code about six times as fast as it argsorts doubles, so each value
    becomes one int64 key: its bits made order-preserving (negative values' magnitude bits flipped,
    NaN the largest), with the lowest b bits replaced by the sample index (b bits hold any index).
    The sorted keys give the indexes. Clearing those b bits only merges values that agree in all
    their other bits into one run of keys ordered by index; `_settle_runs` orders each such run by
    value, so the result is exact."""
    values = np.asarray(values, dtype=np.float64)
    samples = values.shape[-1]
    bits = max(1, (samples - 1).bit_length())
    nan = np.isnan(values)
    present = (~nan).sum(axis=-1).astype(np.int64)
    if bits > _MAX_INDEX_BITS:
        return np.argsort(values, axis=-1, kind="stable"), present
    flat = values.reshape(-1, samples)
    keys = np.empty(flat.shape, dtype=np.int64)
    _fill_keys(flat, flat.view(np.int64), bits, keys)
    keys.sort(axis=-1)
    order = np.empty_like(keys)
    _settle_runs(flat, keys, present.reshape(-1), bits, order)
    return order.reshape(values.shape), present


@nb.njit(parallel=True, cache=True)
def _fill_keys(values: np.ndarray, raw: np.ndarray, bits: int, keys: np.ndarray) -> None:
    """keys[r, k]: values[r, k]'s bits made order-preserving, the lowest `bits` of them k."""
    clear = ~np.int64((1 << bits) - 1)
    for r in nb.prange(values.shape[0]):
        for k in range(values.shape[1]):
            if values[r, k] != values[r, k]:
                key = np.int64(0x7FFFFFFFFFFFFFFF)
            elif raw[r, k] < 0:
                key = raw[r, k] ^ np.int64(0x7FFFFFFFFFFFFFFF)
            else:
                key = raw[r, k]
            keys[r, k] = (key & clear) | k


@nb.njit(parallel=True, cache=True)
def _settle_runs(values: np.ndarray, keys: np.ndarray, present: np.ndarray, bits: int, order: np.ndarray) -> None:
    """order[r] = the index bits of the sorted keys[r], then each run of keys equal above those bits
    (values equal, or differing only in their lowest bits) put in ascending order of value: an
    insertion sort, as runs are short and equal values never move."""
    mask = np.int64((1 << bits) - 1)
    for r in nb.prange(values.shape[0]):
        for k in range(values.shape[1]):
            order[r, k] = keys[r, k] & mask
        n = present[r]
        i = 0
        while i < n:
            high = keys[r, i] >> bits
            j = i + 1
            while j < n and (keys[r, j] >> bits) == high:
                j += 1
            for a in range(i + 1, j):
                index = order[r, a]
                value = values[r, index]
                b = a - 1
                while b >= i and values[r, order[r, b]] > value:
                    order[r, b + 1] = order[r, b]
                    b -= 1
                order[r, b + 1] = index
            i = j


def log10_t_two_sided(t: np.ndarray, df: np.ndarray) -> np.ndarray:
    """log10 of the two-sided Student t p, 2 P(T_df > |t|), finite far below 1e-308.

    Where the double holds it, scipy's stdtr (what scipy.stats.t.sf uses). Below, the regularised
    incomplete beta I_x(df/2, 1/2) with x = df / (df + t^2), summed in log space:
    log I_x(a, b) = a log x + b log(1 - x) - log a - log B(a, b) + log 2F1(a + b, 1; a + 1; x),
    whose series converges fast there (x is below 1e-5 when p is below 1e-300 and df >= 8)."""
    t = np.abs(np.asarray(t, dtype=np.float64))
    df = np.asarray(df, dtype=np.float64)
    t, df = np.broadcast_arrays(t, df)
    with np.errstate(divide="ignore"):
        out = np.log10(2.0 * special.stdtr(df, -t))
    deep = (out < -300.0) & np.isfinite(t)
    if deep.any():
        out[deep] = _log10_t_tail(t[deep], df[deep])
    return np.minimum(out, 0.0)


def _log10_t_tail(t: np.ndarray, df: np.ndarray) -> np.ndarray:
    a, b = 0.5 * df, 0.5
    log_sum = np.logaddexp(np.log(df), 2.0 * np.log(t))  # log(df + t^2)
    log_x = np.log(df) - log_sum
    log_1mx = 2.0 * np.log(t) - log_sum
    x = np.exp(log_x)
    series, term = np.ones_like(x), np.ones_like(x)
    for k in range(200):
        term = term * (a + b + k) / (a + 1.0 + k) * x
        series = series + term
        if np.all(term < 1e-17 * series):
            break
    log_beta = special.gammaln(a) + special.gammaln(b) - special.gammaln(a + b)
    return (a * log_x + b * log_1mx - np.log(a) - log_beta + np.log(series)) / LN10


def prepare() -> float:
    """Load these kernels from numba's disk cache, or compile them on first use; returns the seconds
    spent (as etl.stats.kernels.prepare does for the rank-sum kernels)."""
    import time

    started = time.perf_counter()
    values = np.arange(24.0).reshape(2, 12)
    spearman_one_vs_rows(values[0], values)
    spearman_paired(values, values[::-1].copy())
    return time.perf_counter() - started


def spearman_one_vs_rows(x: np.ndarray, y: np.ndarray, min_n: int = MIN_SHARED) -> Spearman:
    """Spearman of the vector x against every row of y (rows x samples, NaN = missing), each pair on
    the samples both have, re-ranked there."""
    x = np.ascontiguousarray(x, dtype=np.float64)
    y = np.ascontiguousarray(y, dtype=np.float64)
    if y.ndim != 2 or x.shape != (y.shape[1],):
        raise ValueError(f"x has shape {x.shape}; y must be rows x {x.shape[0]} samples, not {y.shape}")
    return _run(spearman_rows, x, y, min_n)


def spearman_paired(x: np.ndarray, y: np.ndarray, min_n: int = MIN_SHARED) -> Spearman:
    """Spearman of row i of x against row i of y (both rows x the same samples, NaN = missing), for
    every i: cis associations (a gene's RNA against its protein, say)."""
    x = np.ascontiguousarray(x, dtype=np.float64)
    y = np.ascontiguousarray(y, dtype=np.float64)
    if x.ndim != 2 or x.shape != y.shape:
        raise ValueError(f"x and y must both be rows x samples of one shape, not {x.shape} and {y.shape}")
    return _run(spearman_paired_rows, x, y, min_n)


def _run(kernel, x: np.ndarray, y: np.ndarray, min_n: int) -> Spearman:
    """Sort orders of x and y, `kernel` (spearman_rows or spearman_paired_rows) over y's rows, p."""
    rows = y.shape[0]
    n = np.zeros(rows, dtype=np.int64)
    rho = np.empty(rows)
    codes = np.zeros(rows, dtype=np.int8)
    x_order, x_present = sort_orders(x)
    y_order, y_present = sort_orders(y)
    if x.ndim == 1:
        x_present = int(x_present)  # one vector: a count, not an array of them
    with KERNEL_LOCK:
        kernel(x, x_order, x_present, y, y_order, y_present, min_n, n, rho, codes)
    return _finish(n, rho, codes)


def finish_pairs(n: np.ndarray, rho: np.ndarray) -> Spearman:
    """t, p and log10 p of pairs whose n and rho are known (NaN rho: untested, no reason given)."""
    n = np.asarray(n, dtype=np.int64)
    rho = np.asarray(rho, dtype=np.float64)
    return _finish(n, rho, np.zeros(len(rho), dtype=np.int8))


def _finish(n: np.ndarray, rho: np.ndarray, codes: np.ndarray) -> Spearman:
    df = (n - 2).astype(np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        # as scipy.stats.spearmanr: t = rho sqrt(df / ((rho + 1)(1 - rho)))
        t = rho * np.sqrt(np.clip(df / ((rho + 1.0) * (1.0 - rho)), 0.0, None))
        t = np.where(np.abs(rho) == 1.0, np.copysign(np.inf, rho), t)
    tested = ~np.isnan(rho)
    log10_p = np.full(rho.shape, np.nan)
    p = np.full(rho.shape, np.nan)
    if tested.any():
        log10_p[tested] = log10_t_two_sided(t[tested], df[tested])
        with np.errstate(under="ignore"):
            p[tested] = np.power(10.0, log10_p[tested])
        exact_p = 2.0 * special.stdtr(df[tested], -np.abs(t[tested]))
        # scipy's own p wherever it is a normal double: bit for bit the reference's value
        usable = exact_p > 1e-300
        p_tested = p[tested]
        p_tested[usable] = np.minimum(exact_p[usable], 1.0)
        p[tested] = p_tested
    reason = np.array([None, TOO_FEW, NO_VARIANCE], dtype=object)[codes]
    return Spearman(n=n, rho=rho, t=t, p=p, log10_p=log10_p, reason=reason)
