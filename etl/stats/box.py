"""Box-plot statistics per row (METHODS.md section 1): quartiles of type 7 (R's default, numpy's
'linear'), whiskers at the most extreme values within 1.5 x IQR of the quartiles (Tukey's inner
fences), and the outlying values: mild between 1.5 and 3 x IQR beyond the quartiles, extreme beyond
3 x IQR (the outer fences).

Each row is sorted once (numpy); one compiled pass per row (etl.stats.kernels) reads the quartiles,
whiskers and outlier counts off the sorted values, and a second finds the outliers in column order."""

from __future__ import annotations

import dataclasses

import numpy as np

from omicskb.etl.stats.kernels import KERNEL_LOCK, box_outliers, box_outliers_range, box_range, box_rows, sort_rows


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
    arrays = BoxArrays(rows)
    with KERNEL_LOCK:
        box_rows(ordered, *arrays.per_row())
    starts = np.zeros(rows, dtype=np.int64)
    np.cumsum((arrays.n_mild + arrays.n_extreme)[:-1], out=starts[1:])
    outliers = _outlier_arrays(int(arrays.n_mild.sum() + arrays.n_extreme.sum()))
    with KERNEL_LOCK:
        box_outliers(values, arrays.fences, starts, *outliers)
    return arrays.build([outliers])


def _outlier_arrays(total: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Rows, columns, values and is-extreme of `total` outliers, to be filled."""
    return np.empty(total, dtype=np.int64), np.empty(total, dtype=np.int64), np.empty(total), np.empty(total, dtype=np.bool_)


class BoxArrays:
    """The per-row arrays of the boxes of `rows` rows, filled a range of rows at a time
    (`fill`, from any thread), then assembled into a Box (`build`)."""

    def __init__(self, rows: int) -> None:
        self.n = np.empty(rows, dtype=np.int64)
        self.n_mild, self.n_extreme = np.empty(rows, dtype=np.int64), np.empty(rows, dtype=np.int64)
        self.stats = [np.empty(rows) for _ in range(7)]  # minimum, q1, median, q3, maximum, whisker_low, whisker_high
        self.fences = np.empty((rows, 4))

    def per_row(self, start: int = 0, stop: int | None = None) -> list[np.ndarray]:
        """box_rows' output arguments, for rows start..stop-1."""
        return [self.n[start:stop], *(s[start:stop] for s in self.stats), self.fences[start:stop], self.n_mild[start:stop], self.n_extreme[start:stop]]

    def fill(self, values: np.ndarray, ordered: np.ndarray, start: int, stop: int) -> tuple[np.ndarray, ...]:
        """Rows start..stop-1 from their values and the same rows sorted (both only those rows);
        returns their outliers, rows counted in the whole matrix."""
        arguments = self.per_row(start, stop)
        box_range(ordered, *arguments, 0, stop - start)
        counts = self.n_mild[start:stop] + self.n_extreme[start:stop]
        starts = np.zeros(stop - start, dtype=np.int64)
        np.cumsum(counts[:-1], out=starts[1:])
        outliers = _outlier_arrays(int(counts.sum()))
        box_outliers_range(values, arguments[8], starts, *outliers, 0, stop - start)
        outliers[0][:] += start
        return outliers

    def build(self, outliers: list[tuple[np.ndarray, ...]]) -> Box:
        """The Box, from `fill`'s outliers in row order."""
        rows, columns, values, extreme = (np.concatenate(parts) if len(outliers) != 1 else parts[0] for parts in zip(*outliers)) \
            if outliers else _outlier_arrays(0)
        minimum, q1, median, q3, maximum, whisker_low, whisker_high = self.stats
        return Box(n=self.n, minimum=minimum, q1=q1, median=median, q3=q3, maximum=maximum, whisker_low=whisker_low, whisker_high=whisker_high,
                   outlier_rows=rows, outlier_columns=columns, outlier_values=values, outlier_extreme=extreme,
                   n_mild=self.n_mild, n_extreme=self.n_extreme)
