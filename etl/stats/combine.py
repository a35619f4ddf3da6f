"""Across cohorts and within a dataset pair: Stouffer's Meta P from z (METHODS.md section 1), and
Benjamini-Hochberg q-values from log10 p. Both vectorised, both in log space."""

from __future__ import annotations

import dataclasses

import numpy as np

from omicskb.etl.stats.logp import two_sided_log10_p


@dataclasses.dataclass
class Meta:
    """One combination per row of the inputs; NaN where a row has no cohort."""

    n_cohorts: np.ndarray  # int64
    n_agree: np.ndarray  # int64: cohorts whose direction is the majority's
    z: np.ndarray  # the combined Z, in the majority's direction
    log10_p: np.ndarray  # two-sided
    direction: np.ndarray  # +1 / -1: the majority's, flipped when Z < 0; NaN without cohorts

    @property
    def signed_log10_p(self) -> np.ndarray:
        return self.direction * -self.log10_p


def stouffer(z_abs: np.ndarray, direction: np.ndarray) -> Meta:
    """Unweighted Stouffer over the columns (cohorts) of each row, NaN = no result there.

    The majority direction (a tie counts as +) sets the one-sided tests: a cohort that agrees adds
    +|z|, one that opposes -|z| (its p/2 and 1 - p/2, without computing 1 - p/2, which rounds to 1
    below p = 2e-16). Z = sum / sqrt(k); the two-sided p is 2 Phi(-|Z|), in log space; the sign is
    the majority's, flipped when Z < 0 (stouffer_with_single keeps a lone cohort's own p)."""
    z_abs = np.asarray(z_abs, dtype=np.float64)
    direction = np.asarray(direction, dtype=np.float64)
    present = ~np.isnan(z_abs) & ~np.isnan(direction)
    k = present.sum(axis=1)
    votes = np.where(present, direction, 0.0).sum(axis=1)
    majority = np.where(votes >= 0, 1.0, -1.0)
    agree = present & (direction == majority[:, None])
    n_agree = agree.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        total = np.where(present, np.where(agree, z_abs, -z_abs), 0.0).sum(axis=1)
        z = total / np.sqrt(k)
    log10_p = two_sided_log10_p(z)
    out_direction = np.where(z >= 0, majority, -majority)
    none = k == 0
    z[none] = np.nan
    log10_p[none] = np.nan
    out_direction[none] = np.nan
    return Meta(n_cohorts=k.astype(np.int64), n_agree=n_agree.astype(np.int64), z=z, log10_p=log10_p, direction=out_direction)


def stouffer_with_single(z_abs: np.ndarray, direction: np.ndarray, cohort_log10_p: np.ndarray) -> Meta:
    """stouffer(), with a one-cohort row taking that cohort's own log10 p and direction exactly."""
    meta = stouffer(z_abs, direction)
    single = meta.n_cohorts == 1
    if single.any():
        present = ~np.isnan(np.asarray(z_abs, dtype=np.float64)) & ~np.isnan(np.asarray(direction, dtype=np.float64))
        column = np.argmax(present[single], axis=1)
        rows = np.flatnonzero(single)
        meta.log10_p[rows] = np.asarray(cohort_log10_p, dtype=np.float64)[rows, column]
        meta.direction[rows] = np.asarray(direction, dtype=np.float64)[rows, column]
    return meta


def meta_p(meta: Meta, cohort_p: np.ndarray) -> np.ndarray:
    """The Meta P as a double: 10 ** log10 p, except a one-cohort row, which takes that cohort's
    own p exactly (the rows of `cohort_p` are meta's, NaN where a cohort has none)."""
    from omicskb.etl.stats.logp import p_from_log10

    p = p_from_log10(meta.log10_p)
    single = meta.n_cohorts == 1
    if single.any():
        p[single] = np.nansum(np.asarray(cohort_p, dtype=np.float64)[single], axis=1)
    return p


def stouffer_long(feature_ids: np.ndarray, cohort_at: np.ndarray, n_cohorts: int, log10_p: np.ndarray, positive: np.ndarray,
                  p: np.ndarray) -> tuple[np.ndarray, Meta, np.ndarray]:
    """stouffer_with_single from one row per (feature, cohort) test: the feature, its cohort's column
    (0..n_cohorts-1), its log10 p (z from it in log space), its direction (positive) and its p.
    Returns (the distinct feature ids, ascending; their Meta; their Meta P as a double, meta_p)."""
    from omicskb.etl.stats.logp import z_from_log10_p

    features, feature_at = np.unique(feature_ids, return_inverse=True)
    shape = (len(features), n_cohorts)
    z_abs, direction, log10, cohort_p = (np.full(shape, np.nan) for _ in range(4))
    z_abs[feature_at, cohort_at] = z_from_log10_p(log10_p)
    direction[feature_at, cohort_at] = np.where(positive, 1.0, -1.0)
    log10[feature_at, cohort_at] = log10_p
    cohort_p[feature_at, cohort_at] = p
    with np.errstate(invalid="ignore"):
        meta = stouffer_with_single(z_abs, direction, log10)
    return features, meta, meta_p(meta, cohort_p)


def bh_log10_q(log10_p: np.ndarray) -> np.ndarray:
    """Benjamini-Hochberg q-values of the finite entries, as log10 (NaN stays NaN): q_(i) is the
    smallest p_(j) m / j over j >= i, capped at 1; computed on logs, so nothing underflows."""
    log10_p = np.asarray(log10_p, dtype=np.float64)
    out = np.full(log10_p.shape, np.nan)
    tested = np.flatnonzero(~np.isnan(log10_p))
    m = len(tested)
    if m == 0:
        return out
    order = tested[np.argsort(log10_p[tested], kind="stable")]
    ranks = np.arange(1, m + 1, dtype=np.float64)
    scaled = log10_p[order] + np.log10(m) - np.log10(ranks)
    q = np.minimum.accumulate(scaled[::-1])[::-1]
    out[order] = np.minimum(q, 0.0)
    return out
