"""Box-plot statistics per row (METHODS.md section 1): quartiles of type 7 (R's default, numpy's
'linear'), whiskers at the most extreme values within 1.5 x IQR of the quartiles (Tukey's inner
fences), and the outlying values: mild between 1.5 and 3 x IQR beyond the quartiles, extreme beyond
3 x IQR (the outer fences).

Each row is sorted once (numpy); one compiled pass per row (etl.stats.kernels) reads the quartiles,
whiskers and outlier counts off the sorted values, and a second finds the outliers in column order."""

from __future__ import annotations

import dataclasses

import numpy as np

from omicskb.etl.stats.kernels import KERNEL_LOCK, box_outliers, box_rows, sort_rows


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
    n_mild: np.ndarray  # int64 per row
    n_extreme: np.ndarray


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


def box_stats(values: np.ndarray, ordered: np.ndarray | None = None) -> Box:
    """One box per row of `values` (NaN = missing); NaN statistics where a row has no value.
    `ordered`: the same rows already sorted (kernels.sort_rows), to share one sort."""
    values = np.ascontiguousarray(values, dtype=np.float64)
    if ordered is None:
        ordered = sort_rows(values)
    rows = values.shape[0]
    n = np.empty(rows, dtype=np.int64)
    n_mild, n_extreme = np.empty(rows, dtype=np.int64), np.empty(rows, dtype=np.int64)
    minimum, q1, median, q3, maximum, whisker_low, whisker_high = (np.empty(rows) for _ in range(7))
    fences = np.empty((rows, 4))
    with KERNEL_LOCK:
        box_rows(ordered, n, minimum, q1, median, q3, maximum, whisker_low, whisker_high, fences, n_mild, n_extreme)
    starts = np.zeros(rows, dtype=np.int64)
    np.cumsum((n_mild + n_extreme)[:-1], out=starts[1:])
    total = int(n_mild.sum() + n_extreme.sum())
    out_rows, out_columns = np.empty(total, dtype=np.int64), np.empty(total, dtype=np.int64)
    out_values, out_extreme = np.empty(total), np.empty(total, dtype=np.bool_)
    with KERNEL_LOCK:
        box_outliers(values, fences, starts, out_rows, out_columns, out_values, out_extreme)
    return Box(n=n, minimum=minimum, q1=q1, median=median, q3=q3, maximum=maximum, whisker_low=whisker_low, whisker_high=whisker_high,
               outlier_rows=out_rows, outlier_columns=out_columns, outlier_values=out_values, outlier_extreme=out_extreme,
               n_mild=n_mild, n_extreme=n_extreme)
