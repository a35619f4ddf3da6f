"""Box-plot statistics per row (METHODS.md section 1): quartiles of type 7 (R's default, numpy's
'linear'), whiskers at the most extreme values within 1.5 x IQR of the quartiles (Tukey's inner
fences), and the outlying values: mild between 1.5 and 3 x IQR beyond the quartiles, extreme beyond
3 x IQR (the outer fences)."""

from __future__ import annotations

import dataclasses

import numpy as np


@dataclasses.dataclass
class Box:
    n: np.ndarray  # int64 non-missing values
    minimum: np.ndarray
    q1: np.ndarray
    median: np.ndarray
    q3: np.ndarray
    maximum: np.ndarray
    whisker_low: np.ndarray
    whisker_high: np.ndarray
    outlier_rows: np.ndarray  # every outlying value: its (row, column), value, and whether it is extreme
    outlier_columns: np.ndarray
    outlier_values: np.ndarray
    outlier_extreme: np.ndarray

    @property
    def n_mild(self) -> np.ndarray:
        return np.bincount(self.outlier_rows[~self.outlier_extreme], minlength=len(self.n))

    @property
    def n_extreme(self) -> np.ndarray:
        return np.bincount(self.outlier_rows[self.outlier_extreme], minlength=len(self.n))

    @property
    def mild(self) -> list[list[float]]:
        """Per row, the mild outliers, ascending."""
        return self._lists(~self.outlier_extreme)

    @property
    def extreme(self) -> list[list[float]]:
        """Per row, the extreme outliers, ascending."""
        return self._lists(self.outlier_extreme)

    def _lists(self, which: np.ndarray) -> list[list[float]]:
        rows, values = self.outlier_rows[which], self.outlier_values[which]
        order = np.lexsort((values, rows))
        out: list[list[float]] = [[] for _ in range(len(self.n))]
        for r, v in zip(rows[order].tolist(), values[order].tolist()):
            out[r].append(v)
        return out


def box_stats(values: np.ndarray) -> Box:
    """One box per row of `values` (NaN = missing); NaN statistics where a row has no value."""
    values = np.asarray(values, dtype=np.float64)
    n = np.count_nonzero(~np.isnan(values), axis=1).astype(np.int64)
    ordered = np.sort(values, axis=1)  # one sort per row, NaN last; np.nanpercentile loops over rows with NaN
    q1, median, q3 = (_type7(ordered, n, share) for share in (0.25, 0.5, 0.75))
    minimum = _type7(ordered, n, 0.0)
    maximum = _type7(ordered, n, 1.0)
    iqr = q3 - q1
    inner_low, inner_high = q1 - 1.5 * iqr, q3 + 1.5 * iqr
    outer_low, outer_high = q1 - 3.0 * iqr, q3 + 3.0 * iqr
    present = ~np.isnan(values)
    with np.errstate(invalid="ignore"):
        inside = present & (values >= inner_low[:, None]) & (values <= inner_high[:, None])
        whisker_low = np.where(inside, values, np.inf).min(axis=1, initial=np.inf)
        whisker_high = np.where(inside, values, -np.inf).max(axis=1, initial=-np.inf)
        extreme_mask = present & ((values < outer_low[:, None]) | (values > outer_high[:, None]))
    whisker_low[n == 0] = np.nan
    whisker_high[n == 0] = np.nan
    rows_out, columns_out = np.nonzero(present & ~inside)  # mild or extreme
    return Box(n=n, minimum=minimum, q1=q1, median=median, q3=q3, maximum=maximum, whisker_low=whisker_low, whisker_high=whisker_high,
               outlier_rows=rows_out, outlier_columns=columns_out, outlier_values=values[rows_out, columns_out],
               outlier_extreme=extreme_mask[rows_out, columns_out])


def _type7(ordered: np.ndarray, n: np.ndarray, share: float) -> np.ndarray:
    """The type-7 quantile of each row's first n sorted values: position (n - 1) p, interpolated as
    numpy's 'linear' method does; NaN where n = 0."""
    out = np.full(ordered.shape[0], np.nan)
    has = n > 0
    if not has.any():
        return out
    position = (n[has] - 1) * share
    low = np.floor(position).astype(np.int64)
    high = np.minimum(low + 1, n[has] - 1)
    rows = ordered[has]
    below = np.take_along_axis(rows, low[:, None], axis=1)[:, 0]
    above = np.take_along_axis(rows, high[:, None], axis=1)[:, 0]
    fraction = position - low
    difference = above - below
    # numpy's rounding of the interpolation (R's (1 - h) a + h b can differ in the last bit)
    out[has] = np.where(fraction >= 0.5, above - difference * (1 - fraction), below + difference * fraction)
    return out

