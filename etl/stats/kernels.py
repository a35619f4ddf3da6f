"""Compiled per-row kernels (numba) for the work numpy cannot do as whole-array operations.

numpy sorts each row in C (`sort_rows`, or a chunk of rows at a time in etl.stats.ranksum's
`rank_sum_with_boxes`); these kernels then walk the sorted rows once. Each comes as a serial
`*_range` kernel over a range of rows (no GIL: callers run ranges in threads of their own) and as a
parallel one over every row (numba's threads):

- `rank_sum_rows`: per row the counts, medians, Mann-Whitney U and tie term by one merge of the
  sorted x and y (ties handled only where they occur), and the exact Hodges-Lehmann shift by
  selection in the sorted matrix of differences x_i - y_j. The brute force (every difference, then
  a partition) costs m n per row; selection counts in O(m + n) per step and needs a handful of
  steps, so the whole matrix of differences is never built.
- `box_rows` / `box_outliers`: type-7 quartiles, Tukey whiskers and the outlying values.

numba is the one compiled dependency: the Hodges-Lehmann median and the per-row merges have no
vectorised numpy form that is not O(m n) in memory and time. Compiled code is cached on disk
(`cache=True`); the first call in a fresh install compiles it (about 30 s on this 2-core machine;
`prepare` does it up front), later processes load it in under a second.
"""

from __future__ import annotations

import concurrent.futures
import os
import threading
import time

import numba as nb
import numpy as np

# numba's default threading layer (workqueue) aborts the process when two Python threads run parallel
# kernels at once; callers hold this lock around every kernel call.
KERNEL_LOCK = threading.Lock()

GATHER = 128  # candidates left when the selection stops counting and selects among them
_IQR_PER_SD = 1.3489795003921634  # a normal distribution's IQR in standard deviations
_ROWS_PER_TASK = 256  # rows per parallel task


def prepare() -> float:
    """Load the kernels from numba's disk cache, or compile them on first use (about 30 s); returns
    the seconds spent. Lets a caller say why its first call takes long, instead of hiding the
    compile inside its first block."""
    started = time.perf_counter()
    from omicskb.etl.stats.ranksum import rank_sum_with_boxes  # (it imports this module)

    x, y = sort_rows(np.zeros((1, 2))), sort_rows(np.ones((1, 2)))
    ints = [np.empty(1, dtype=np.int64) for _ in range(2)]
    floats = [np.empty(1) for _ in range(5)]
    fences = np.empty((1, 4))
    with KERNEL_LOCK:
        rank_sum_rows(x, y, 1, 1, False, *ints, *floats)
        box_rows(x, ints[0], *[np.empty(1) for _ in range(7)], fences, ints[1], np.empty(1, dtype=np.int64))
        box_outliers(x, fences, np.zeros(1, dtype=np.int64), np.empty(2, dtype=np.int64), np.empty(2, dtype=np.int64), np.empty(2),
                     np.empty(2, dtype=np.bool_))
    rank_sum_with_boxes(np.arange(40.0).reshape(2, 20), np.arange(20.0).reshape(2, 10), min_x=1, min_y=1)  # the serial kernels, and the exact-p table
    return time.perf_counter() - started


def sort_rows(values: np.ndarray) -> np.ndarray:
    """Each row sorted ascending, NaN last: a copy, sorted in place by numpy (in C), two threads
    over halves of the rows."""
    out = np.array(values, dtype=np.float64, order="C")
    rows = out.shape[0]
    workers = min(os.cpu_count() or 1, 4)
    if rows < 2048 or workers < 2:
        out.sort(axis=1)
        return out
    bounds = np.linspace(0, rows, workers + 1).astype(np.int64)
    with concurrent.futures.ThreadPoolExecutor(workers) as pool:
        list(pool.map(lambda i: out[bounds[i]:bounds[i + 1]].sort(axis=1), range(workers)))
    return out


@nb.njit(cache=True, nogil=True)
def _n_valid(row):
    """Values before the first NaN of a sorted row (NaN sorts last)."""
    lo, hi = 0, row.shape[0]
    while lo < hi:
        mid = (lo + hi) // 2
        if np.isnan(row[mid]):
            hi = mid
        else:
            lo = mid + 1
    return lo


@nb.njit(cache=True, nogil=True)
def _median(v, n):
    """numpy's median of the first n sorted values: the mean of the middle two when n is even."""
    if n == 0:
        return np.nan
    half = n // 2
    if n % 2 == 1:
        return v[half]
    return (v[half - 1] + v[half]) / 2.0


@nb.njit(cache=True, nogil=True)
def _type7(v, n, share):
    """Type-7 quantile of the first n sorted values, with numpy's rounding of the interpolation."""
    if n == 0:
        return np.nan
    position = (n - 1) * share
    low = int(np.floor(position))
    high = min(low + 1, n - 1)
    below = v[low]
    above = v[high]
    fraction = position - low
    difference = above - below
    if fraction >= 0.5:
        return above - difference * (1 - fraction)
    return below + difference * fraction


@nb.njit(cache=True, nogil=True)
def _u_and_ties(xs, m, ys, n):
    """U of x (rank sum minus m (m + 1) / 2, ties given their mean rank) and sum(t^3 - t) over
    tie groups, by one merge of the sorted values."""
    i = 0
    j = 0
    placed = 0
    rank_sum = 0.0
    tie_term = 0.0
    while i < m or j < n:
        if j >= n or (i < m and xs[i] < ys[j]):
            v = xs[i]
        else:
            v = ys[j]
        in_x = 0
        while i < m and xs[i] == v:
            i += 1
            in_x += 1
        in_y = 0
        while j < n and ys[j] == v:
            j += 1
            in_y += 1
        t = in_x + in_y
        rank_sum += in_x * (placed + (t + 1) / 2.0)
        if t > 1:
            tie_term += float(t) * t * t - t
        placed += t
    return rank_sum - m * (m + 1) / 2.0, tie_term


@nb.njit(cache=True, nogil=True)
def _count_by_merge(xpad, ypad, m, n, pivots, count, jb):
    """Per row i, jb[k, i] = the first j with xs[i] - ys[j] <= pivots[k], for `count` (2 or 4)
    pivots at once: merges of x with y, interleaved (independent chains) and branch-free (a merge
    with branches mispredicts on most rows). xpad/ypad end in -inf/+inf sentinels; jb has room
    for m + 1 columns."""
    p0, p1, p2, p3 = pivots[0], pivots[1], pivots[2], pivots[3]
    i0 = j0 = i1 = j1 = i2 = j2 = i3 = j3 = 0
    if count == 4:
        for _ in range(m + n):
            up0 = np.int64(xpad[i0] - ypad[j0] > p0)
            up1 = np.int64(xpad[i1] - ypad[j1] > p1)
            up2 = np.int64(xpad[i2] - ypad[j2] > p2)
            up3 = np.int64(xpad[i3] - ypad[j3] > p3)
            jb[0, i0] = j0
            jb[1, i1] = j1
            jb[2, i2] = j2
            jb[3, i3] = j3
            j0 += up0
            j1 += up1
            j2 += up2
            j3 += up3
            i0 = min(i0 + 1 - up0, m)
            i1 = min(i1 + 1 - up1, m)
            i2 = min(i2 + 1 - up2, m)
            i3 = min(i3 + 1 - up3, m)
    else:
        for _ in range(m + n):
            up0 = np.int64(xpad[i0] - ypad[j0] > p0)
            up1 = np.int64(xpad[i1] - ypad[j1] > p1)
            jb[0, i0] = j0
            jb[1, i1] = j1
            j0 += up0
            j1 += up1
            i0 = min(i0 + 1 - up0, m)
            i1 = min(i1 + 1 - up1, m)


@nb.njit(cache=True, nogil=True)
def _count_by_search(xs, ys, m, a, b, pivots, jb):
    """As _count_by_merge for two pivots, by branch-free binary searches within each row's range
    [a[i], b[i]) (which must hold the answer: lo < pivot < hi)."""
    p0, p1 = pivots[0], pivots[1]
    for i in range(m):
        xi = xs[i]
        base0 = a[i]
        base1 = a[i]
        size = b[i] - base0
        if size > 0:
            while size > 1:
                half = size >> 1
                base0 += half * np.int64(xi - ys[base0 + half] > p0)
                base1 += half * np.int64(xi - ys[base1 + half] > p1)
                size -= half
            base0 += np.int64(xi - ys[base0] > p0)
            base1 += np.int64(xi - ys[base1] > p1)
        jb[0, i] = base0
        jb[1, i] = base1


@nb.njit(cache=True, nogil=True)
def _starts_below(xs, ys, m, n, pivot, jb, ja):
    """From jb (where differences <= pivot start, per row), ja (where those < pivot start);
    returns the numbers of differences <= pivot and < pivot."""
    le = 0
    lt = 0
    for i in range(m):
        xi = xs[i]
        j = jb[i]
        le += n - j
        while j < n and xi - ys[j] >= pivot:  # equal to the pivot: rare with continuous values
            j += 1
        ja[i] = j
        lt += n - j
    return le, lt


@nb.njit(cache=True, nogil=True)
def _middle_at_pivot(xs, ys, m, n, pivot, le, lt, k1, k2, jb, ja):
    """The mean of order statistics k1 and k2 when the pivot is one of them."""
    if lt <= k1:
        v1 = pivot
    else:  # lt == k1 + 1 == k2: the first is the largest difference below the pivot
        v1 = -np.inf
        for i in range(m):
            if ja[i] < n:
                d = xs[i] - ys[ja[i]]
                if d > v1:
                    v1 = d
    if le > k2:
        v2 = pivot
    else:  # the second is the smallest difference above it
        v2 = np.inf
        for i in range(m):
            if jb[i] > 0:
                d = xs[i] - ys[jb[i] - 1]
                if d < v2:
                    v2 = d
    return (v1 + v2) / 2.0


@nb.njit(cache=True, nogil=True)
def _random_candidate(xs, ys, m, a, b, candidates, state):
    """The candidate difference number `state` mod `candidates` (a quickselect-style pivot)."""
    r = state % candidates
    for i in range(m):
        width = b[i] - a[i]
        if r < width:
            return xs[i] - ys[a[i] + r]
        r -= width
    return np.nan


@nb.njit(cache=True, nogil=True)
def _select_in_place(v, count, k):
    """The k-th smallest of v[:count] (0-based), reordering v[:count] so that v[k] holds it, the
    values before it are <= and those after it >= (a quickselect, with no allocation)."""
    lo = 0
    hi = count - 1
    while hi > lo:
        mid = (lo + hi) // 2  # median of three as the pivot
        if v[mid] < v[lo]:
            v[mid], v[lo] = v[lo], v[mid]
        if v[hi] < v[lo]:
            v[hi], v[lo] = v[lo], v[hi]
        if v[hi] < v[mid]:
            v[hi], v[mid] = v[mid], v[hi]
        pivot = v[mid]
        i = lo
        j = hi
        while i <= j:
            while v[i] < pivot:
                i += 1
            while v[j] > pivot:
                j -= 1
            if i <= j:
                v[i], v[j] = v[j], v[i]
                i += 1
                j -= 1
        if k <= j:
            hi = j
        elif k >= i:
            lo = i
        else:
            return v[k]
    return v[k]


@nb.njit(cache=True, nogil=True)
def _hodges_lehmann(xs, m, ys, n, guess, scale, xpad, ypad, a, b, jb, ja, pivots, buf):
    """The median of the m n differences d(i, j) = xs[i] - ys[j] (mean of the middle two when m n is
    even), for sorted xs and ys; exact.

    Row i of the difference matrix decreases in j, column j increases in i, so the differences
    below a value can be counted in O(m + n) without forming them. The search keeps an open value
    interval (lo, hi) that holds the middle order statistics and, per row, the index range
    [a[i], b[i]) of the differences inside it. The first step counts at four pivots around
    `guess` (the difference of medians), spaced by `scale` (its standard error); that usually
    brackets the middle and measures the density of differences there. Later steps count at two
    pivots where interpolation puts the middle ranks, a margin either side; a step that fails to
    halve the candidates is followed by random candidate pivots (expected progress whatever the
    data). Once few candidates remain, they are selected directly. Every comparison uses the
    difference exactly as it is returned, so ties among differences are counted as ties."""
    total = m * n
    k1 = (total - 1) // 2
    k2 = total // 2
    for i in range(m):
        a[i] = 0
        b[i] = n
        xpad[i] = xs[i]
    xpad[m] = -np.inf  # ends the merge's x side at m
    for j in range(n):
        ypad[j] = ys[j]
    ypad[n] = np.inf  # a difference of -inf: never above a pivot
    lo = -np.inf
    hi = np.inf
    le_lo = 0  # differences <= lo
    lt_hi = total  # differences < hi
    slope = 0.0  # differences per unit of value, near the middle
    state = np.uint64(total) * np.uint64(2654435761) + np.uint64(m)
    random_next = False
    step = 0
    while True:
        candidates = lt_hi - le_lo
        if candidates <= GATHER or step > 64:
            if candidates > buf.shape[0]:
                buf = np.empty(candidates)
            c = 0
            for i in range(m):
                for j in range(a[i], b[i]):
                    buf[c] = xs[i] - ys[j]
                    c += 1
            first = k1 - le_lo
            v1 = _select_in_place(buf, c, first)
            v2 = v1
            if k2 != k1:  # the next order statistic: the smallest of those after `first` now
                v2 = buf[first + 1]
                for k in range(first + 2, c):
                    if buf[k] < v2:
                        v2 = buf[k]
            return (v1 + v2) / 2.0
        count = 2
        if step == 0:
            count = 4
            pivots[0] = guess - scale
            pivots[1] = guess - 0.25 * scale
            pivots[2] = guess + 0.25 * scale
            pivots[3] = guess + scale
        elif random_next or slope <= 0.0:
            for k in range(2):
                state = state * np.uint64(6364136223846793005) + np.uint64(1442695040888963407)
                pivots[k] = _random_candidate(xs, ys, m, a, b, candidates, state >> np.uint64(17))
        else:
            margin = 2.0 + np.sqrt(candidates)
            if np.isfinite(lo) and np.isfinite(hi):
                slope = (lt_hi - le_lo) / (hi - lo)
                anchor, rank = lo, le_lo
            elif np.isfinite(lo):
                anchor, rank = lo, le_lo
                margin += 0.25 * (k2 - le_lo)
            else:
                anchor, rank = hi, lt_hi
                margin += 0.25 * (lt_hi - k1)
            pivots[0] = anchor + (k1 - margin - rank) / slope
            pivots[1] = anchor + (k2 + 1 + margin - rank) / slope
        for k in range(count):
            if not (pivots[k] > lo and pivots[k] < hi):
                pivots[k] = _random_candidate(xs, ys, m, a, b, candidates, np.uint64(((2 * k + 1) * candidates) // (2 * count)))
        for k in range(1, count):  # ascending (insertion sort: no allocation)
            v = pivots[k]
            at = k
            while at > 0 and pivots[at - 1] > v:
                pivots[at] = pivots[at - 1]
                at -= 1
            pivots[at] = v
        if np.isfinite(lo) and np.isfinite(hi) and count == 2:
            _count_by_search(xs, ys, m, a, b, pivots, jb)
        else:
            _count_by_merge(xpad, ypad, m, n, pivots, count, jb)
        below = -1  # the highest pivot below the middle, and the lowest above it
        above = -1
        le_below = lt_above = 0
        first_le = first_p = 0.0
        for k in range(count):
            le, lt = _starts_below(xs, ys, m, n, pivots[k], jb[k], ja[k])
            if le <= k1:
                below, le_below = k, le
            elif lt > k2:
                if above < 0:
                    above, lt_above = k, lt
            else:
                return _middle_at_pivot(xs, ys, m, n, pivots[k], le, lt, k1, k2, jb[k], ja[k])
            if step == 0:
                if k == 0:
                    first_le, first_p = le, pivots[0]
                elif k == count - 1 and pivots[k] > first_p and le > first_le:
                    slope = (le - first_le) / (pivots[k] - first_p)
        if below >= 0:
            lo, le_lo = pivots[below], le_below
            b[:m] = jb[below, :m]
        if above >= 0:
            hi, lt_hi = pivots[above], lt_above
            a[:m] = ja[above, :m]
        random_next = step > 0 and 2 * (lt_hi - le_lo) > candidates
        step += 1


@nb.njit(cache=True, nogil=True)
def rank_sum_range(xs, ys, min_x, min_y, every_row, n_x, n_y, median_x, median_y, u, tie_term, hl, start, stop):
    """Per row start..stop-1 of the sorted matrices xs and ys (NaN last): counts, medians, U and
    tie term; the Hodges-Lehmann shift where both counts reach their minimum and not every value
    is equal (elsewhere NaN), or with `every_row` wherever both have a value. Serial, without the
    GIL: callers run ranges in threads of their own (`rank_sum_rows` in numba's)."""
    width_x = max(xs.shape[1], 1)
    # work arrays once per range of rows, not per row
    a = np.empty(width_x + 1, dtype=np.int64)
    b = np.empty_like(a)
    jb = np.empty((4, width_x + 1), dtype=np.int64)
    ja = np.empty_like(jb)
    pivots = np.empty(4)
    xpad = np.empty(width_x + 1)
    ypad = np.empty(ys.shape[1] + 1)
    buf = np.empty(GATHER)
    for r in range(start, stop):
        x = xs[r]
        y = ys[r]
        m = _n_valid(x)
        n = _n_valid(y)
        n_x[r] = m
        n_y[r] = n
        median_x[r] = _median(x, m)
        median_y[r] = _median(y, n)
        u_r, ties = _u_and_ties(x, m, y, n)
        u[r] = u_r
        tie_term[r] = ties
        total = m + n
        if m == 0 or n == 0 or (not every_row and (m < min_x or n < min_y or ties >= float(total) * total * total - total)):
            hl[r] = np.nan
            continue
        iqr_x = _type7(x, m, 0.75) - _type7(x, m, 0.25)
        iqr_y = _type7(y, n, 0.75) - _type7(y, n, 0.25)
        # the standard error of a shift in location, with the spread measured robustly
        scale = np.sqrt((iqr_x * iqr_x + iqr_y * iqr_y) * (1.0 / m + 1.0 / n)) / _IQR_PER_SD
        hl[r] = _hodges_lehmann(x, m, y, n, median_x[r] - median_y[r], scale, xpad, ypad, a, b, jb, ja, pivots, buf)


@nb.njit(parallel=True, cache=True)
def rank_sum_rows(xs, ys, min_x, min_y, every_row, n_x, n_y, median_x, median_y, u, tie_term, hl):
    """rank_sum_range over every row, in parallel over tasks of rows."""
    rows = xs.shape[0]
    chunks = (rows + _ROWS_PER_TASK - 1) // _ROWS_PER_TASK
    for chunk in nb.prange(chunks):
        rank_sum_range(xs, ys, min_x, min_y, every_row, n_x, n_y, median_x, median_y, u, tie_term, hl,
                       chunk * _ROWS_PER_TASK, min(rows, (chunk + 1) * _ROWS_PER_TASK))


@nb.njit(cache=True, nogil=True)
def _box_row(ordered, r, n_out, minimum, q1, median, q3, maximum, whisker_low, whisker_high, fences, n_mild, n_extreme):
    """Row r of box_rows."""
    v = ordered[r]
    n = _n_valid(v)
    n_out[r] = n
    lower = _type7(v, n, 0.25)
    upper = _type7(v, n, 0.75)
    minimum[r] = _type7(v, n, 0.0)
    q1[r] = lower
    median[r] = _type7(v, n, 0.5)
    q3[r] = upper
    maximum[r] = _type7(v, n, 1.0)
    iqr = upper - lower
    inner_low, inner_high = lower - 1.5 * iqr, upper + 1.5 * iqr
    outer_low, outer_high = lower - 3.0 * iqr, upper + 3.0 * iqr
    fences[r, 0] = inner_low
    fences[r, 1] = inner_high
    fences[r, 2] = outer_low
    fences[r, 3] = outer_high
    if n == 0:
        whisker_low[r] = np.nan
        whisker_high[r] = np.nan
        n_mild[r] = 0
        n_extreme[r] = 0
        return
    low_end = 0  # values below the inner low fence
    while low_end < n and not v[low_end] >= inner_low:
        low_end += 1
    high_start = n  # values from here on are above the inner high fence
    while high_start > 0 and not v[high_start - 1] <= inner_high:
        high_start -= 1
    whisker_low[r] = np.inf
    whisker_high[r] = -np.inf
    for k in range(low_end, high_start):
        if v[k] <= inner_high:
            whisker_low[r] = v[k]
            break
    for k in range(high_start - 1, low_end - 1, -1):
        if v[k] >= inner_low:
            whisker_high[r] = v[k]
            break
    extreme = 0
    for k in range(low_end):
        if v[k] < outer_low or v[k] > outer_high:
            extreme += 1
    for k in range(high_start, n):
        if v[k] < outer_low or v[k] > outer_high:
            extreme += 1
    outside = low_end + (n - high_start)
    if high_start < low_end:  # a value can be outside on both sides only if the fences are NaN
        outside = n
    n_extreme[r] = extreme
    n_mild[r] = outside - extreme


@nb.njit(cache=True, nogil=True)
def box_range(ordered, n_out, minimum, q1, median, q3, maximum, whisker_low, whisker_high, fences, n_mild, n_extreme, start, stop):
    """box_rows for rows start..stop-1, serial and without the GIL."""
    for r in range(start, stop):
        _box_row(ordered, r, n_out, minimum, q1, median, q3, maximum, whisker_low, whisker_high, fences, n_mild, n_extreme)


@nb.njit(parallel=True, cache=True)
def box_rows(ordered, n_out, minimum, q1, median, q3, maximum, whisker_low, whisker_high, fences, n_mild, n_extreme):
    """Per sorted row (NaN last): type-7 quartiles, the extremes, the whiskers (the most extreme
    values within 1.5 IQR of the quartiles; inf when none is), the four fences (inner low, inner
    high, outer low, outer high) and the numbers of mild and extreme outliers."""
    for r in nb.prange(ordered.shape[0]):
        _box_row(ordered, r, n_out, minimum, q1, median, q3, maximum, whisker_low, whisker_high, fences, n_mild, n_extreme)


@nb.njit(cache=True, nogil=True)
def _outliers_of_row(values, r, fences, starts, out_rows, out_columns, out_values, out_extreme):
    """Row r's outlying values in column order, written from starts[r] on. The box counted them
    (starts[r + 1] - starts[r]), so a row without any is not read, and a row's scan stops at its last."""
    at = starts[r]
    end = starts[r + 1] if r + 1 < starts.shape[0] else out_rows.shape[0]
    if at == end:
        return
    inner_low, inner_high, outer_low, outer_high = fences[r, 0], fences[r, 1], fences[r, 2], fences[r, 3]
    for c in range(values.shape[1]):
        v = values[r, c]
        if np.isnan(v):
            continue
        if not (v >= inner_low and v <= inner_high):
            out_rows[at] = r
            out_columns[at] = c
            out_values[at] = v
            out_extreme[at] = v < outer_low or v > outer_high
            at += 1
            if at == end:
                return


@nb.njit(cache=True, nogil=True)
def box_outliers_range(values, fences, starts, out_rows, out_columns, out_values, out_extreme, start, stop):
    """box_outliers for rows start..stop-1, serial and without the GIL."""
    for r in range(start, stop):
        _outliers_of_row(values, r, fences, starts, out_rows, out_columns, out_values, out_extreme)


@nb.njit(parallel=True, cache=True)
def box_outliers(values, fences, starts, out_rows, out_columns, out_values, out_extreme):
    """The outlying values of each (unsorted) row in column order, written from starts[r] on."""
    for r in nb.prange(values.shape[0]):
        _outliers_of_row(values, r, fences, starts, out_rows, out_columns, out_values, out_extreme)
