"""All-pairs Spearman on pairwise-complete samples: every row of a matrix against every other, each
pair re-ranked within the samples both rows have (as etl.stats.spearman does for one pair, and R's
cor.test on pairwise-complete data).

There is no single matrix product for this when values are missing: the rank of a value depends on
which samples the other row has. Three exact paths, chosen per pair:

- **Both rows complete** (no missing value): the overlap is every sample, so the ranks are each
  row's own and rho is the Pearson correlation of centred ranks, one matrix product for the whole
  block. Ranks are half-integers, so every product and sum is exact in a double, whatever order
  BLAS adds them in: rho is the same double as the one-pair kernel's.
- **Neither row has ties** among its values (continuous data: the usual case): two walks over the
  rows' sort orders give 0-based ranks within the overlap (a counter that counts only samples the
  other row has), and rho = (sum rx ry - n (n - 1)^2 / 4) / (n (n^2 - 1) / 12), exact in integers.
  Branch-free and allocation-free: about 2n simple steps per pair.
- **Otherwise** (a row with tied values): the same two walks taken a group of equal values at a
  time, giving each shared member the group's average rank (kept doubled, so still integers), with
  the variances' tie correction.

`approximate_all_pairs` is the rank-once shortcut (ranks over each row's own samples, then the
Pearson correlation of those ranks on the shared samples, from four matrix products): fast, and
wrong wherever an overlap is not the whole row. It exists to be measured against (benchmarks/).
"""

from __future__ import annotations

import dataclasses
import math

import numba as nb
import numpy as np

from omicskb.etl.stats.kernels import KERNEL_LOCK
from omicskb.etl.stats.spearman import MIN_SHARED, sort_orders

_TOO_FEW, _NO_VARIANCE = 1, 2


@nb.njit(cache=True, nogil=True, inline="always")
def _pair_without_ties(ox: np.ndarray, px: int, mx: np.ndarray, oy: np.ndarray, py: int, my: np.ndarray, min_n: int,
                       rx: np.ndarray) -> tuple[int, float]:
    """(shared samples, rho) of two rows without tied values; rho NaN below min_n shared samples.

    The walk up x's order gives rx[k], the 0-based rank of x_k among the shared samples; the walk up
    y's order counts the shared samples below each one (its rank in y) and adds rank x times rank y."""
    c = 0
    for i in range(px):
        k = ox[i]
        rx[k] = c
        c += my[k]
    if c < min_n:
        return c, np.nan
    d = 0
    dot = 0
    for i in range(py):
        k = oy[i]
        m = mx[k]
        dot += m * d * rx[k]
        d += m
    n = c
    # 4 (sum rx ry - n ((n - 1) / 2)^2) and 4 n (n^2 - 1) / 12: integers, so the quotient is one rounding
    cov4 = 4 * dot - n * (n - 1) * (n - 1)
    var4 = n * (n * n - 1) // 3
    return n, cov4 / var4


@nb.njit(cache=True, nogil=True, inline="always")
def _pair_with_ties(ox: np.ndarray, px: int, gx: np.ndarray, mx: np.ndarray, oy: np.ndarray, py: int, gy: np.ndarray, my: np.ndarray,
                    min_n: int, rx2: np.ndarray) -> tuple[int, float, int]:
    """_pair_without_ties for rows that may hold tied values: (shared samples, rho, reason code).
    g marks the positions of the sort order where a new value starts; the tied members of a group
    that are shared get its average rank, kept doubled (2c + m + 1 for the m shared members above c
    others) so that every sum stays an integer. The variances lose sum(m^3 - m) / 12 over the groups."""
    c = 0
    tx = 0
    i = 0
    while i < px:
        j = i + 1
        while j < px and gx[j] == 0:
            j += 1
        m = 0
        for a in range(i, j):
            m += my[ox[a]]
        doubled = 2 * c + m + 1
        for a in range(i, j):
            rx2[ox[a]] = doubled
        tx += m * m * m - m
        c += m
        i = j
    if c < min_n:
        return c, np.nan, _TOO_FEW
    d = 0
    ty = 0
    dot = 0
    i = 0
    while i < py:
        j = i + 1
        while j < py and gy[j] == 0:
            j += 1
        m = 0
        total = 0
        for a in range(i, j):
            k = oy[a]
            shared = mx[k]
            m += shared
            total += shared * rx2[k]
        dot += (2 * d + m + 1) * total
        ty += m * m * m - m
        d += m
        i = j
    n = c
    sxx4 = (n * (n * n - 1) - tx) // 3
    syy4 = (n * (n * n - 1) - ty) // 3
    if sxx4 == 0 or syy4 == 0:
        return n, np.nan, _NO_VARIANCE
    cov4 = dot - n * (n + 1) * (n + 1)
    return n, cov4 / math.sqrt(sxx4 * syy4), 0


@nb.njit(parallel=True, cache=True)
def _upper_pairs(values: np.ndarray, order_narrow: np.ndarray, present: np.ndarray, mask: np.ndarray, tied: np.ndarray, starts: np.ndarray,
                 complete: np.ndarray, min_n: int, rho: np.ndarray, n_out: np.ndarray) -> None:
    """rho and n_out (packed upper triangles, see packed_index) for every x < y except pairs of
    complete rows (the caller's matrix product fills those). Rows are taken in pairs (t, R - 1 - t),
    so every task holds about R pairs; a row's pairs are contiguous in the packed arrays."""
    rows, samples = values.shape
    half = (rows + 1) // 2
    for task in nb.prange(half):
        t = np.int64(task)  # prange's index is unsigned: rows - 1 - t would be a float
        rx = np.zeros(samples, dtype=np.int64)
        for side in range(2):
            x = t if side == 0 else rows - 1 - t
            if side == 1 and x == t:
                break
            base = x * rows - (x * (x + 1)) // 2 - x - 1
            for y in range(x + 1, rows):
                if complete[x] and complete[y]:
                    continue
                if tied[x] or tied[y]:
                    n, r, _ = _pair_with_ties(order_narrow[x], present[x], starts[x], mask[x], order_narrow[y], present[y], starts[y], mask[y],
                                              min_n, rx)
                else:
                    n, r = _pair_without_ties(order_narrow[x], present[x], mask[x], order_narrow[y], present[y], mask[y], min_n, rx)
                rho[base + y] = r
                n_out[base + y] = n


def packed_size(rows: int) -> int:
    return rows * (rows - 1) // 2


def packed_index(x: np.ndarray, y: np.ndarray, rows: int) -> np.ndarray:
    """Where the pair (x, y), x != y, sits in a packed upper triangle of `rows` rows (row-major)."""
    low, high = np.minimum(x, y).astype(np.int64), np.maximum(x, y).astype(np.int64)
    return low * rows - (low * (low + 1)) // 2 + (high - low - 1)


def unpack(packed: np.ndarray, rows: int, diagonal) -> np.ndarray:
    """The symmetric rows x rows matrix of a packed upper triangle."""
    square = np.full((rows, rows), diagonal, dtype=packed.dtype)
    upper = np.triu_indices(rows, 1)
    square[upper] = packed
    square.T[upper] = packed
    return square


@nb.njit(parallel=True, cache=True)
def _pack(square: np.ndarray, packed: np.ndarray) -> None:
    rows = square.shape[0]
    for x in nb.prange(rows):
        base = x * rows - (x * (x + 1)) // 2 - x - 1
        for y in range(x + 1, rows):
            packed[base + y] = square[x, y]


def pack(square: np.ndarray) -> np.ndarray:
    packed = np.empty(packed_size(square.shape[0]), dtype=square.dtype)
    _pack(square, packed)
    return packed


@nb.njit(parallel=True, cache=True)
def _scatter_block(block: np.ndarray, full: np.ndarray, chunk: int, rows: int, samples: int, rho: np.ndarray, n_out: np.ndarray) -> None:
    """Rows 0..chunk-1 of a matrix-product block of complete rows (block[a, b] for rows full[a],
    full[b], full ascending) into the packed triangles, for b > a; chunk 0 means the whole block."""
    count = chunk if chunk > 0 else full.shape[0]
    for a in nb.prange(count):
        x = full[a]
        base = x * rows - (x * (x + 1)) // 2 - x - 1
        for b in range(a + 1, full.shape[0]):
            rho[base + full[b]] = block[a, b]
            n_out[base + full[b]] = samples


@nb.njit(parallel=True, cache=True)
def _group_starts(values: np.ndarray, order: np.ndarray, present: np.ndarray, starts: np.ndarray, tied: np.ndarray) -> None:
    """starts[r, i] = 1 where position i of row r's sort order holds a value its predecessor does
    not; tied[r]: the row has two equal values."""
    for r in nb.prange(values.shape[0]):
        for i in range(present[r]):
            if i == 0 or values[r, order[r, i]] != values[r, order[r, i - 1]]:
                starts[r, i] = 1
            else:
                tied[r] = True


@nb.njit(parallel=True, cache=True)
def _average_ranks(values: np.ndarray, order: np.ndarray, present: np.ndarray) -> np.ndarray:
    """1-based ranks of each row's values among its own non-missing ones, ties averaged; 0 where missing."""
    out = np.zeros(values.shape)
    for r in nb.prange(values.shape[0]):
        i = 0
        n = present[r]
        while i < n:
            j = i
            while j + 1 < n and values[r, order[r, j + 1]] == values[r, order[r, i]]:
                j += 1
            rank = 0.5 * (i + j) + 1.0
            for k in range(i, j + 1):
                out[r, order[r, k]] = rank
            i = j + 1
    return out


def prepare() -> float:
    """Load the kernels from numba's cache, or compile them; returns the seconds spent."""
    import time

    started = time.perf_counter()
    values = np.arange(72.0).reshape(3, 24) % 7
    values[0, 3] = np.nan
    rho, n = spearman_all_pairs_packed(values)
    # the p-value pass calls scipy through C pointers, which numba cannot cache: compiled per process
    log10_p_and_meta(rho, n, 3, np.arange(3), MetaAccumulators(3))
    candidates_by_row(rho, 3, 1, with_q=True)
    candidates_by_row(MetaAccumulators(3).log10_p(), 3, 1)
    return time.perf_counter() - started


@dataclasses.dataclass
class PreparedRows:
    """A matrix's rows made ready for the walks: sort orders (int64, and narrow for the walks),
    non-missing counts, presence masks, where each run of equal values starts, which rows have ties,
    which are complete."""

    values: np.ndarray
    order: np.ndarray
    order_narrow: np.ndarray
    present: np.ndarray
    mask: np.ndarray
    starts: np.ndarray
    tied: np.ndarray
    complete: np.ndarray


def prepare_rows(values: np.ndarray) -> PreparedRows:
    values = np.ascontiguousarray(values, dtype=np.float64)
    rows, samples = values.shape
    order, present = sort_orders(values)
    order = order.astype(np.int64, copy=False)
    # narrow types for the walks: half the memory traffic of int64 (about 25% faster)
    order_narrow = order.astype(np.int16 if samples < 2**15 else np.int32)
    mask = (~np.isnan(values)).astype(np.uint8)
    starts = np.zeros(values.shape, dtype=np.uint8)
    tied = np.zeros(rows, dtype=np.bool_)
    _group_starts(values, order, present, starts, tied)
    return PreparedRows(values, order, order_narrow, present, mask, starts, tied, present == samples)


def spearman_all_pairs_packed(values: np.ndarray, min_n: int = MIN_SHARED, prepared: PreparedRows | None = None) -> tuple[np.ndarray, np.ndarray]:
    """(rho, n) of every pair x < y of rows, as packed upper triangles (packed_index): exact
    pairwise-complete Spearman, NaN where a pair has fewer than min_n shared samples or no variance
    in them; n the shared samples (int16, or int32 beyond 32,767 samples). 8 + 2 bytes a pair: 28k
    rows (a real RNA dataset) take 3.9 GB, where square matrices would take 7.9."""
    r = prepared or prepare_rows(values)
    rows, samples = r.values.shape
    rho = np.full(packed_size(rows), np.nan)
    n = np.zeros(packed_size(rows), dtype=np.int16 if samples < 2**15 else np.int32)
    with KERNEL_LOCK:
        _upper_pairs(r.values, r.order_narrow, r.present, r.mask, r.tied, r.starts, r.complete, min_n, rho, n)
    full = np.flatnonzero(r.complete).astype(np.int64)
    if len(full) > 1:
        _complete_block(r, full, samples, min_n, rho, n)
    return rho, n


COMPLETE_CHUNK = 512  # complete rows per matrix product: 512 x 28k doubles is 115 MB, where the whole block of a 28k-row RNA dataset is 6.3 GB


def _complete_block(r: PreparedRows, full: np.ndarray, samples: int, min_n: int, rho: np.ndarray, n: np.ndarray) -> None:
    """The pairs of complete rows: the Pearson correlation of centred ranks, from matrix products a
    chunk of rows at a time, scattered into the packed triangles."""
    rows = r.values.shape[0]
    if samples < min_n:
        _scatter_block(np.full((len(full), len(full)), np.nan), full, 0, rows, samples, rho, n)
        return
    ranks = _average_ranks(r.values[full], r.order[full], r.present[full])
    centred = ranks - 0.5 * (samples + 1)
    squares = np.einsum("ij,ij->i", centred, centred)
    for start in range(0, len(full), COMPLETE_CHUNK):
        stop = min(len(full), start + COMPLETE_CHUNK)
        cross = centred[start:stop] @ centred[start:].T  # rows start..stop against rows start..end
        with np.errstate(invalid="ignore", divide="ignore"):
            block = cross / np.sqrt(np.outer(squares[start:stop], squares[start:]))  # 0 / 0 = NaN where a row has no variance
        _scatter_block(block, full[start:], stop - start, rows, samples, rho, n)


def spearman_all_pairs(values: np.ndarray, min_n: int = MIN_SHARED, prepared: PreparedRows | None = None) -> tuple[np.ndarray, np.ndarray]:
    """spearman_all_pairs_packed as symmetric rows x rows matrices (NaN and 0 on the diagonal)."""
    rho, n = spearman_all_pairs_packed(values, min_n, prepared)
    rows = np.asarray(values).shape[0]
    return unpack(rho, rows, np.nan), unpack(n, rows, 0)


@nb.njit(parallel=True, cache=True)
def _indexed_pairs(order_narrow: np.ndarray, present: np.ndarray, mask: np.ndarray, tied: np.ndarray, starts: np.ndarray, xs: np.ndarray,
                   ys: np.ndarray, min_n: int, n_out: np.ndarray, rho_out: np.ndarray, code_out: np.ndarray) -> None:
    pairs, samples = xs.shape[0], mask.shape[1]
    tasks = (pairs + 255) // 256
    for task in nb.prange(tasks):
        rx = np.zeros(samples, dtype=np.int64)
        for i in range(task * 256, min(pairs, (task + 1) * 256)):
            x, y = xs[i], ys[i]
            if tied[x] or tied[y]:
                n, r, code = _pair_with_ties(order_narrow[x], present[x], starts[x], mask[x], order_narrow[y], present[y], starts[y], mask[y],
                                             min_n, rx)
            else:
                n, r = _pair_without_ties(order_narrow[x], present[x], mask[x], order_narrow[y], present[y], mask[y], min_n, rx)
                code = _TOO_FEW if r != r else 0
            n_out[i], rho_out[i], code_out[i] = n, r, code


def spearman_row_pairs_prepared(prepared: PreparedRows, xs: np.ndarray, ys: np.ndarray, min_n: int = MIN_SHARED):
    """Row xs[i] against row ys[i] for every i, with p: etl.stats.spearman.spearman_paired of
    values[xs] and values[ys] without copying the rows, by this module's walks (the same n and rho,
    bit for bit)."""
    from omicskb.etl.stats.spearman import _finish

    xs = np.ascontiguousarray(xs, dtype=np.int64)
    ys = np.ascontiguousarray(ys, dtype=np.int64)
    n = np.zeros(len(xs), dtype=np.int64)
    rho = np.empty(len(xs))
    codes = np.zeros(len(xs), dtype=np.int8)
    with KERNEL_LOCK:
        _indexed_pairs(prepared.order_narrow, prepared.present, prepared.mask, prepared.tied, prepared.starts, xs, ys, min_n, n, rho, codes)
    return _finish(n, rho, codes)


def approximate_all_pairs(values: np.ndarray, min_n: int = MIN_SHARED, prepared: PreparedRows | None = None) -> tuple[np.ndarray, np.ndarray]:
    """The rank-once approximation (not exact when values are missing): each row ranked over its own
    samples, then the Pearson correlation of those ranks on each pair's shared samples, from four
    matrix products. Same shapes and rules (min_n, variance) as spearman_all_pairs."""
    values = np.ascontiguousarray(values, dtype=np.float64)
    if prepared is None:
        order, present = sort_orders(values)
        order = order.astype(np.int64, copy=False)
    else:
        order, present = prepared.order, prepared.present
    ranks = _average_ranks(values, order, present)
    mask = (~np.isnan(values)).astype(np.float64)
    n = mask @ mask.T
    sums = ranks @ mask.T  # [x, y]: sum of x's ranks over the samples y has
    squares = (ranks * ranks) @ mask.T
    rho = ranks @ ranks.T
    n_out = np.zeros(n.shape, dtype=np.int16 if values.shape[1] < 2**15 else np.int32)
    _approximate_finish(n, sums, squares, rho, min_n, n_out)
    return rho, n_out


def approximate_all_pairs_packed(values: np.ndarray, min_n: int = MIN_SHARED, prepared: PreparedRows | None = None) -> tuple[np.ndarray, np.ndarray]:
    """approximate_all_pairs as packed upper triangles (what spearman_all_pairs_packed returns)."""
    rho, n = approximate_all_pairs(values, min_n, prepared)
    return pack(rho), pack(n)


@nb.njit(parallel=True, cache=True)
def _approximate_finish(n: np.ndarray, sums: np.ndarray, squares: np.ndarray, cross: np.ndarray, min_n: int, n_out: np.ndarray) -> None:
    """In place, cross becomes the Pearson correlation of the ranks on the shared samples, in 64 x 64
    tiles so that the [y, x] entries it also reads stay in cache."""
    rows = n.shape[0]
    tile = 64
    tiles = (rows + tile - 1) // tile
    for bx in nb.prange(tiles):
        for by in range(tiles):
            for x in range(bx * tile, min(rows, (bx + 1) * tile)):
                for y in range(by * tile, min(rows, (by + 1) * tile)):
                    k = n[x, y]
                    n_out[x, y] = np.int64(k) if x != y else 0
                    if x == y or k < min_n:
                        cross[x, y] = np.nan
                        continue
                    var_x = squares[x, y] - sums[x, y] * sums[x, y] / k
                    var_y = squares[y, x] - sums[y, x] * sums[y, x] / k
                    if not (var_x > 1e-9 and var_y > 1e-9):
                        cross[x, y] = np.nan
                        continue
                    cross[x, y] = (cross[x, y] - sums[x, y] * sums[y, x] / k) / math.sqrt(var_x * var_y)


# ---------------------------------------------------------------------------------------------
# p-values and the Meta P accumulators over every pair. scipy's own special functions (the ones
# log10_t_two_sided and z_from_log10_p call), reached from numba through their C entry points.

def _scipy_special(name: str, arguments: int):
    """scipy.special.cython_special's C function `name` taking `arguments` doubles, as a ctypes
    function numba can call. Its exported name depends on the scipy version (stdtr is plain in
    1.11 and fused in 1.17, log_ndtr fused in both): each candidate's C signature is checked."""
    import ctypes

    from scipy.special import cython_special

    wanted = "double (" + ", ".join(["double"] * arguments) + ", int __pyx_skip_dispatch)"
    get_name = ctypes.pythonapi.PyCapsule_GetName
    get_name.restype, get_name.argtypes = ctypes.c_char_p, [ctypes.py_object]
    get_pointer = ctypes.pythonapi.PyCapsule_GetPointer
    get_pointer.restype, get_pointer.argtypes = ctypes.c_void_p, [ctypes.py_object, ctypes.c_char_p]
    exported = cython_special.__pyx_capi__
    for candidate in (name, f"__pyx_fuse_0{name}", f"__pyx_fuse_1{name}"):
        capsule = exported.get(candidate)
        if capsule is not None and get_name(capsule).decode() == wanted:
            address = get_pointer(capsule, get_name(capsule))
            return ctypes.CFUNCTYPE(ctypes.c_double, *([ctypes.c_double] * arguments), ctypes.c_int)(address)
    raise ImportError(f"scipy.special.cython_special exports no {wanted.replace('(', name + '(', 1)}")


try:
    _stdtr = _scipy_special("stdtr", 2)
    _ndtri_exp = _scipy_special("ndtri_exp", 1)
    _log_ndtr = _scipy_special("log_ndtr", 1)
    _SPECIAL_MISSING = None
except ImportError as exc:  # only all-pairs trans needs them: the rest of omicskb still works
    _stdtr = _ndtri_exp = _log_ndtr = None
    _SPECIAL_MISSING = str(exc)


def _require_special() -> None:
    if _SPECIAL_MISSING:
        raise RuntimeError(f"all-pairs trans needs scipy's C special functions, and this scipy has not got them: {_SPECIAL_MISSING}")
_LN10 = math.log(10.0)
_LN2 = math.log(2.0)


@nb.njit(cache=False, nogil=True)
def _log10_t_tail(t: float, df: float) -> float:
    """etl.stats.spearman._log10_t_tail for one value: log10 p below 1e-300, in log space."""
    a, b = 0.5 * df, 0.5
    log_sum = np.logaddexp(math.log(df), 2.0 * math.log(t))
    log_x = math.log(df) - log_sum
    log_1mx = 2.0 * math.log(t) - log_sum
    x = math.exp(log_x)
    series, term = 1.0, 1.0
    for k in range(200):
        term = term * (a + b + k) / (a + 1.0 + k) * x
        series = series + term
        if term < 1e-17 * series:
            break
    log_beta = math.lgamma(a) + math.lgamma(b) - math.lgamma(a + b)
    return (a * log_x + b * log_1mx - math.log(a) - log_beta + math.log(series)) / _LN10


@nb.njit(cache=False, nogil=True)
def _log10_p(rho: float, n: int) -> float:
    """log10 of the two-sided p of a Spearman rho on n samples, as etl.stats.spearman._finish."""
    df = float(n - 2)
    if rho == 1.0 or rho == -1.0:
        return -np.inf
    ratio = df / ((rho + 1.0) * (1.0 - rho))
    t = abs(rho * math.sqrt(ratio if ratio > 0.0 else 0.0))
    p2 = 2.0 * _stdtr(df, -t, 0)
    out = math.log10(p2) if p2 > 0.0 else -np.inf
    if out < -300.0:
        out = _log10_t_tail(t, df)
    return out if out < 0.0 else 0.0


@nb.njit(parallel=True, cache=False)
def _log10_p_and_meta(rho: np.ndarray, n: np.ndarray, rows: int, feature_at: np.ndarray, features: int, signed_z: np.ndarray, cohorts: np.ndarray,
                      votes: np.ndarray) -> None:
    """Over the packed pairs of `rows` rows: rho becomes log10 p (NaN stays NaN), and every tested
    pair adds to its features' Meta P accumulators (a packed upper triangle over `features`, indexed
    by feature_at): signed_z += sign(rho) |z|, cohorts += 1, votes += sign(rho)."""
    half = (rows + 1) // 2
    for task in nb.prange(half):
        t = np.int64(task)
        for side in range(2):
            x = t if side == 0 else rows - 1 - t
            if side == 1 and x == t:
                break
            base = x * rows - (x * (x + 1)) // 2 - x - 1
            for y in range(x + 1, rows):
                r = rho[base + y]
                if r != r:
                    continue
                log10_p = _log10_p(r, n[base + y])
                rho[base + y] = log10_p
                z = np.inf if log10_p == -np.inf else -_ndtri_exp(log10_p * _LN10 - _LN2, 0)
                i, j = feature_at[x], feature_at[y]
                if i > j:
                    i, j = j, i
                at = i * features - (i * (i + 1)) // 2 + (j - i - 1)
                if r >= 0.0:
                    signed_z[at] += z
                    votes[at] += 1
                else:
                    signed_z[at] -= z
                    votes[at] -= 1
                cohorts[at] += 1


def log10_p_and_meta(rho: np.ndarray, n: np.ndarray, rows: int, feature_at: np.ndarray, accumulators: "MetaAccumulators") -> None:
    """In place: rho (packed, from spearman_all_pairs_packed) becomes log10 p; the pairs are added
    to the Meta P accumulators."""
    _require_special()
    with KERNEL_LOCK:
        _log10_p_and_meta(rho, n, rows, feature_at.astype(np.int64), accumulators.features, accumulators.signed_z, accumulators.cohorts,
                          accumulators.votes)


class MetaAccumulators:
    """Stouffer's Meta P of every pair of `features` (0..features-1), built a cohort at a time:
    per pair, the sum of sign(rho) |z| over cohorts, the number of cohorts, and the vote (cohorts
    with rho >= 0 minus the rest). The majority direction is the vote's sign (a tie counts as +),
    and Z = majority x sum / sqrt(cohorts): the agreeing cohorts add |z|, the opposing ones take it
    away (etl.stats.combine.stouffer). Packed upper triangle: 10 bytes a pair."""

    def __init__(self, features: int):
        self.features = features
        size = features * (features - 1) // 2
        self.signed_z = np.zeros(size)
        self.cohorts = np.zeros(size, dtype=np.int8)
        self.votes = np.zeros(size, dtype=np.int8)

    def log10_p(self) -> np.ndarray:
        """The two-sided log10 Meta P of every pair (packed); NaN without a cohort, or where
        perfect correlations of opposite signs make Z undefined. Computed in place of the sums
        (no temporaries: 28k features are 3.1 GB an array), so the accumulators are spent."""
        if self.signed_z is None:
            raise RuntimeError("the Meta P accumulators were already turned into log10 p")
        _require_special()
        out = self.signed_z
        with KERNEL_LOCK:
            _meta_log10_p(out, self.cohorts)
        self.signed_z = None
        return out


@nb.njit(parallel=True, cache=False)
def _meta_log10_p(signed_z: np.ndarray, cohorts: np.ndarray) -> None:
    for i in nb.prange(signed_z.shape[0]):
        k = cohorts[i]
        if k == 0:
            signed_z[i] = np.nan
            continue
        z = abs(signed_z[i]) / math.sqrt(float(k))
        if z != z:
            signed_z[i] = np.nan  # perfect correlations of opposite signs: inf - inf
            continue
        value = (_LN2 + _log_ndtr(-z, 0)) / _LN10
        signed_z[i] = value if value < 0.0 else 0.0


@nb.njit(parallel=True, cache=True)
def _row_candidates(packed: np.ndarray, features: int, top: int, slack: float, with_q: bool, out_rows: np.ndarray, out_log10_q: np.ndarray,
                    out_counts: np.ndarray) -> None:
    """For each row i of a packed triangle of log10 p: the partners j at most `slack` above the
    row's top-th smallest (the candidates an exact recomputation then ranks), at most
    out_rows.shape[1]; with_q: each one's BH log10 q over the row's tested partners, q_(k) the least
    p_(j) m / j over j >= k (as etl.stats.combine.bh_log10_q)."""
    width = out_rows.shape[1]
    for task in nb.prange(features):
        i = np.int64(task)
        row = np.empty(features)
        m = 0
        for j in range(features):
            if j == i:
                row[j] = np.nan
            else:
                a, b = (i, j) if i < j else (j, i)
                row[j] = packed[a * features - (a * (a + 1)) // 2 + (b - a - 1)]
                if row[j] == row[j]:
                    m += 1
        if m == 0:
            out_counts[i] = 0
            continue
        tested = np.empty(m)
        k = 0
        for j in range(features):
            if row[j] == row[j]:
                tested[k] = row[j]
                k += 1
        keep = min(top, m)
        if with_q:
            tested = np.sort(tested)
            cut = tested[keep - 1] + slack
            least = np.empty(m)
            running = np.inf
            log_m = math.log10(m)
            for k in range(m - 1, -1, -1):
                scaled = tested[k] + log_m - math.log10(k + 1)
                if scaled < running:
                    running = scaled
                least[k] = running
        else:
            cut = np.partition(tested, keep - 1)[keep - 1] + slack
        count = 0
        for j in range(features):
            if row[j] <= cut and count < width:
                out_rows[i, count] = j
                if with_q:
                    q = least[np.searchsorted(tested, row[j])]
                    out_log10_q[i, count] = q if q < 0.0 else 0.0
                count += 1
        out_counts[i] = count


def candidates_by_row(packed: np.ndarray, features: int, top: int, slack: float = 1e-9, with_q: bool = False) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """Per row of a packed upper triangle of log10 p (NaN: untested): the indexes of its top
    partners (smallest log10 p) and of any within `slack` of the top-th (which an exact
    recomputation may order differently); with_q, their BH log10 q within the row (else NaN)."""
    width = max(1, min(features, top * 4 + 16))  # room for ties at the cut, never more than a row
    rows = np.full((features, width), -1, dtype=np.int64)
    log10_q = np.full((features, width), np.nan)
    counts = np.zeros(features, dtype=np.int64)
    with KERNEL_LOCK:
        _row_candidates(packed, features, top, slack, with_q, rows, log10_q, counts)
    return [rows[i, :counts[i]] for i in range(features)], [log10_q[i, :counts[i]] for i in range(features)]
