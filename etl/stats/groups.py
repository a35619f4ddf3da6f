"""Phenotype tests of every row of a feature matrix against one sample attribute (METHODS.md):

- categorical: Kruskal-Wallis H with the tie correction, p from chi-square on k - 1 degrees of
  freedom (scipy.stats.kruskal); unsigned;
- ordinal: Jonckheere-Terpstra, the sum over ordered pairs of levels of the Mann-Whitney counts
  (ties count one half), with the normal approximation and the tie-corrected variance of Hollander
  and Wolfe; signed by z (positive: values rise with the level);
- survival: the Cox partial-likelihood score test at beta = 0 of the feature's value (Breslow's
  handling of tied times): U = sum over events of (x - the risk set's mean), I = sum over events of
  the risk set's variance, chi-square U^2 / I on 1 degree of freedom; signed by U, the direction
  of the coefficient (the reference code's sign is always positive: not copied).

Each row uses the samples where both the value and the attribute are present. Rows that miss the
minimum counts get no test and a reason. p is kept as log10 p (chi-square and normal tails in log
space). One compiled pass per row (numba), no Python loop over rows.
"""

from __future__ import annotations

import dataclasses

import numba as nb
import numpy as np
from scipy import special

from omicskb.etl.stats.kernels import KERNEL_LOCK
from omicskb.etl.stats.logp import LN10, p_from_log10, two_sided_log10_p
from omicskb.etl.stats.spearman import sort_orders

MIN_GROUP_SAMPLES = 20  # categorical and ordinal: values with a level
MIN_SURVIVAL_SAMPLES = 10
MIN_PER_HALF = 10  # survival: values on each side of the median
MIN_EVENTS = 5

_TESTED, _TOO_FEW, _ONE_GROUP, _ALL_EQUAL, _FEW_EVENTS, _FEW_PER_HALF = 0, 1, 2, 3, 4, 5
_REASONS = np.array([None, "too few samples", "fewer than two levels with values", "all values equal", f"fewer than {MIN_EVENTS} events",
                     f"fewer than {MIN_PER_HALF} samples on a side of the median"], dtype=object)


@dataclasses.dataclass
class GroupTest:
    """Per row: samples used, the statistic (H, JT, or the score chi-square), z (signed; NaN for
    Kruskal-Wallis), log10 p, p, direction (+1/-1; NaN when unsigned or untested) and the reason."""

    n: np.ndarray
    statistic: np.ndarray
    z: np.ndarray
    log10_p: np.ndarray
    p: np.ndarray
    direction: np.ndarray
    reason: np.ndarray

    @property
    def tested(self) -> np.ndarray:
        return ~np.isnan(self.log10_p)

    @property
    def signed_log10_p(self) -> np.ndarray:
        """direction x -log10 p; unsigned tests count as positive."""
        return np.where(np.isnan(self.direction), 1.0, self.direction) * -self.log10_p


def prepare() -> float:
    """Load these kernels from numba's disk cache, or compile them on first use; returns the seconds."""
    import time

    started = time.perf_counter()
    values = np.arange(60.0).reshape(2, 30)
    codes = np.repeat([0, 1, 2], 10)
    kruskal_rows(values, codes)
    jonckheere_rows(values, codes)
    cox_score_rows(values, np.arange(30.0), np.ones(30))
    return time.perf_counter() - started


def _masked(values: np.ndarray, present: np.ndarray) -> np.ndarray:
    """values with NaN where the attribute is missing (so the sort leaves those samples out)."""
    values = np.array(values, dtype=np.float64, ndmin=2)
    values[:, ~present] = np.nan
    return values


@nb.njit(cache=True, nogil=True)
def _rank_walk(values: np.ndarray, order: np.ndarray, n: int, codes: np.ndarray, k: int,
               rank_sums: np.ndarray, counts: np.ndarray) -> tuple[float, float, float]:
    """Average ranks of the n present values (in `order`), summed per group code into rank_sums,
    counted into counts; returns (sum of t^3 - t, sum of t(t-1)(2t+5), and of t(t-1)(t-2)) over tie blocks."""
    for g in range(k):
        rank_sums[g] = 0.0
        counts[g] = 0
    tie3, tie_a, tie_b = 0.0, 0.0, 0.0
    i = 0
    while i < n:
        j = i
        while j + 1 < n and values[order[j + 1]] == values[order[i]]:
            j += 1
        t = j - i + 1
        rank = 0.5 * (i + j) + 1.0
        for m in range(i, j + 1):
            g = codes[order[m]]
            rank_sums[g] += rank
            counts[g] += 1
        if t > 1:
            tie3 += t * t * t - t
            tie_a += t * (t - 1.0) * (2.0 * t + 5.0)
            tie_b += t * (t - 1.0) * (t - 2.0)
        i = j + 1
    return tie3, tie_a, tie_b


@nb.njit(parallel=True, cache=True)
def _kruskal_rows(values, order, present, codes, k, min_n, n_out, h_out, df_out, reason_out):
    for r in nb.prange(values.shape[0]):
        n = present[r]
        n_out[r] = n
        h_out[r] = np.nan
        if n < min_n:
            reason_out[r] = _TOO_FEW
            continue
        rank_sums = np.zeros(k)
        counts = np.zeros(k, dtype=np.int64)
        tie3, _, _ = _rank_walk(values[r], order[r], n, codes, k, rank_sums, counts)
        groups = 0
        total = 0.0
        for g in range(k):
            if counts[g] > 0:
                groups += 1
                total += rank_sums[g] * rank_sums[g] / counts[g]
        if groups < 2:
            reason_out[r] = _ONE_GROUP
            continue
        correction = 1.0 - tie3 / (n * n * n - n)
        if correction <= 0.0:
            reason_out[r] = _ALL_EQUAL
            continue
        h_out[r] = (12.0 / (n * (n + 1.0)) * total - 3.0 * (n + 1.0)) / correction
        df_out[r] = groups - 1
        reason_out[r] = _TESTED


def kruskal_rows(values: np.ndarray, codes: np.ndarray, min_n: int = MIN_GROUP_SAMPLES) -> GroupTest:
    """Kruskal-Wallis of each row across the groups codes[j] (0..k-1; -1 = no level), as
    scipy.stats.kruskal on the samples with both a value and a level."""
    codes = np.asarray(codes, dtype=np.int64)
    values = _masked(values, codes >= 0)
    order, present = sort_orders(values)
    rows = values.shape[0]
    n, h, df, reason = np.zeros(rows, np.int64), np.empty(rows), np.zeros(rows, np.int64), np.zeros(rows, np.int8)
    with KERNEL_LOCK:
        _kruskal_rows(values, order, present, np.maximum(codes, 0), max(int(codes.max(initial=-1)) + 1, 1), min_n, n, h, df, reason)
    tested = ~np.isnan(h)
    log10_p = np.full(rows, np.nan)
    p = np.minimum(special.chdtrc(df[tested], h[tested]), 1.0)
    with np.errstate(divide="ignore"):
        tail = np.log10(p)
    deep = p < 1e-300  # the chi-square tail in log space there
    if deep.any():
        tail[deep] = _log10_chi2_sf(h[tested][deep], df[tested][deep])
    log10_p[tested] = tail
    return GroupTest(n=n, statistic=h, z=np.full(rows, np.nan), log10_p=log10_p, p=p_from_log10(log10_p), direction=np.full(rows, np.nan),
                     reason=_REASONS[reason])


def _log10_chi2_sf(x: np.ndarray, df: np.ndarray) -> np.ndarray:
    """log10 of the chi-square upper tail far below 1e-300: the leading terms of the asymptotic
    series of the upper incomplete gamma, Q(a, y) ~ y^(a-1) e^-y / Gamma(a) (1 + (a-1)/y + ...)."""
    a, y = 0.5 * df.astype(np.float64), 0.5 * x
    series, term = np.ones_like(y), np.ones_like(y)
    for m in range(1, 30):
        term = term * (a - m) / y
        series = series + term
        if np.all(np.abs(term) < 1e-17 * np.abs(series)):
            break
    return ((a - 1.0) * np.log(y) - y - special.gammaln(a) + np.log(series)) / LN10


@nb.njit(parallel=True, cache=True)
def _jonckheere_rows(values, order, present, codes, k, min_n, n_out, jt_out, mean_out, var_out, reason_out):
    for r in nb.prange(values.shape[0]):
        n = present[r]
        n_out[r] = n
        jt_out[r] = np.nan
        if n < min_n:
            reason_out[r] = _TOO_FEW
            continue
        below = np.zeros(k, dtype=np.int64)  # values seen so far (strictly smaller than the block), per level
        in_block = np.zeros(k, dtype=np.int64)
        counts = np.zeros(k, dtype=np.int64)
        jt = 0.0
        tie_a, tie_b, tie_c = 0.0, 0.0, 0.0
        row, ordr = values[r], order[r]
        i = 0
        while i < n:
            j = i
            while j + 1 < n and row[ordr[j + 1]] == row[ordr[i]]:
                j += 1
            for g in range(k):
                in_block[g] = 0
            for m in range(i, j + 1):
                in_block[codes[ordr[m]]] += 1
            # each value of level g beats every smaller value of a lower level; ties with a lower level count one half
            smaller, tied = 0.0, 0.0
            for g in range(k):
                jt += in_block[g] * (smaller + 0.5 * tied)
                smaller += below[g]
                tied += in_block[g]
            for g in range(k):
                below[g] += in_block[g]
                counts[g] += in_block[g]
            t = j - i + 1
            if t > 1:
                tie_a += t * (t - 1.0) * (2.0 * t + 5.0)
                tie_b += t * (t - 1.0) * (t - 2.0)
                tie_c += t * (t - 1.0)
            i = j + 1
        levels = 0
        sum_sq, grp_a, grp_b, grp_c = 0.0, 0.0, 0.0, 0.0
        for g in range(k):
            c = float(counts[g])
            if c > 0:
                levels += 1
            sum_sq += c * c
            grp_a += c * (c - 1.0) * (2.0 * c + 5.0)
            grp_b += c * (c - 1.0) * (c - 2.0)
            grp_c += c * (c - 1.0)
        if levels < 2:
            reason_out[r] = _ONE_GROUP
            continue
        nn = float(n)
        var = (nn * (nn - 1.0) * (2.0 * nn + 5.0) - grp_a - tie_a) / 72.0 \
            + grp_b * tie_b / (36.0 * nn * (nn - 1.0) * (nn - 2.0)) + grp_c * tie_c / (8.0 * nn * (nn - 1.0))
        if var <= 0.0:
            reason_out[r] = _ALL_EQUAL
            continue
        jt_out[r] = jt
        mean_out[r] = (nn * nn - sum_sq) / 4.0
        var_out[r] = var
        reason_out[r] = _TESTED


def jonckheere_rows(values: np.ndarray, codes: np.ndarray, min_n: int = MIN_GROUP_SAMPLES) -> GroupTest:
    """Jonckheere-Terpstra of each row across ordered levels codes[j] (0 lowest .. k-1; -1 = none):
    JT = sum over level pairs g < h of #{(a in g, b in h): a < b} + #{a = b} / 2; z = (JT - E) / sd
    with E = (N^2 - sum n_g^2) / 4 and Hollander and Wolfe's tie-corrected variance; two-sided p
    from the normal; direction = sign of z."""
    codes = np.asarray(codes, dtype=np.int64)
    values = _masked(values, codes >= 0)
    order, present = sort_orders(values)
    rows = values.shape[0]
    n, jt, mean, var, reason = np.zeros(rows, np.int64), np.empty(rows), np.zeros(rows), np.zeros(rows), np.zeros(rows, np.int8)
    with KERNEL_LOCK:
        _jonckheere_rows(values, order, present, np.maximum(codes, 0), max(int(codes.max(initial=-1)) + 1, 1), min_n, n, jt, mean, var, reason)
    with np.errstate(invalid="ignore"):
        z = (jt - mean) / np.sqrt(var)
    return _normal_test(n, jt, z, reason)


@nb.njit(parallel=True, cache=True)
def _cox_score_rows(values, time_order, time, event, min_n, min_half, min_events, n_out, u_out, info_out, reason_out):
    samples = values.shape[1]
    for r in nb.prange(values.shape[0]):
        row = values[r]
        n = 0
        events = 0
        for s in range(samples):
            if row[s] == row[s]:
                n += 1
                events += event[s]
        n_out[r] = n
        u_out[r] = np.nan
        if n < min_n:
            reason_out[r] = _TOO_FEW
            continue
        if events < min_events:
            reason_out[r] = _FEW_EVENTS
            continue
        present = np.empty(n)
        m = 0
        for s in range(samples):
            if row[s] == row[s]:
                present[m] = row[s]
                m += 1
        median = np.median(present)
        low = 0
        for v in present:
            if v <= median:
                low += 1
        if low < min_half or n - low < min_half:  # the median split: at or below it, above it
            reason_out[r] = _FEW_PER_HALF
            continue
        # walk samples from the latest time down, growing the risk set (time >= t); at each distinct
        # time add that time's samples first, then score its events (Breslow)
        s0, s1, s2, u, info = 0.0, 0.0, 0.0, 0.0, 0.0
        i = 0
        while i < samples:
            j = i
            while j + 1 < samples and time[time_order[j + 1]] == time[time_order[i]]:
                j += 1
            for q in range(i, j + 1):
                x = row[time_order[q]]
                if x == x:
                    s0 += 1.0
                    s1 += x
                    s2 += x * x
            mean = s1 / s0 if s0 > 0 else 0.0
            var = s2 / s0 - mean * mean if s0 > 0 else 0.0
            for q in range(i, j + 1):
                x = row[time_order[q]]
                if x == x and event[time_order[q]] == 1:
                    u += x - mean
                    info += var
            i = j + 1
        if info <= 0.0:
            reason_out[r] = _ALL_EQUAL
            continue
        u_out[r] = u
        info_out[r] = info
        reason_out[r] = _TESTED


def cox_score_rows(values: np.ndarray, time: np.ndarray, event: np.ndarray, min_n: int = MIN_SURVIVAL_SAMPLES,
                   min_half: int = MIN_PER_HALF, min_events: int = MIN_EVENTS) -> GroupTest:
    """The Cox score test at beta = 0 of each row's values as the covariate, for survival (time,
    event 0/1; NaN time = no follow-up, left out). statistic = U^2 / I (chi-square, 1 df); z = U /
    sqrt(I); direction = sign of U, the coefficient's."""
    time = np.asarray(time, dtype=np.float64)
    event = np.asarray(event, dtype=np.float64)
    known = ~np.isnan(time) & ~np.isnan(event)
    values = _masked(values, known)
    time_filled = np.where(known, time, -np.inf)  # left out anyway: their values are NaN
    time_order = np.argsort(-time_filled, kind="stable").astype(np.int64)
    rows = values.shape[0]
    n, u, info, reason = np.zeros(rows, np.int64), np.empty(rows), np.zeros(rows), np.zeros(rows, np.int8)
    with KERNEL_LOCK:
        _cox_score_rows(values, time_order, time_filled, np.where(known, event, 0.0).astype(np.int64), min_n, min_half, min_events, n, u, info, reason)
    with np.errstate(invalid="ignore", divide="ignore"):
        z = u / np.sqrt(info)
    return _normal_test(n, z * z, z, reason)


def _normal_test(n: np.ndarray, statistic: np.ndarray, z: np.ndarray, reason: np.ndarray) -> GroupTest:
    """A test whose two-sided p is the normal tail of z (NaN: untested), signed by z."""
    log10_p = np.where(np.isnan(z), np.nan, two_sided_log10_p(np.where(np.isnan(z), 0.0, z)))
    direction = np.where(np.isnan(z), np.nan, np.where(z >= 0, 1.0, -1.0))
    return GroupTest(n=n, statistic=statistic, z=z, log10_p=log10_p, p=p_from_log10(log10_p), direction=direction, reason=_REASONS[reason])
