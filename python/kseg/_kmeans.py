"""kseg.KMeans: a scikit-learn compatible K-means estimator over kseg's K-means core."""

from __future__ import annotations

import numbers
import warnings
from typing import Any, Literal, Union

import numpy as np
import numpy.typing as npt
from sklearn.base import BaseEstimator, ClassNamePrefixFeaturesOutMixin, ClusterMixin, TransformerMixin
from sklearn.metrics import euclidean_distances
from sklearn.utils import check_random_state
from sklearn.utils.validation import _check_sample_weight, check_is_fitted, validate_data

from . import _kseg

_INITS = ("k-means++", "k-means||", "random")
_ALGORITHMS = ("lloyd", "hamerly")
_gpu_notice_shown = False

# What the estimator accepts: any 2-D array-like (NumPy arrays, lists, pandas DataFrames).
ArrayLike = npt.ArrayLike
RandomState = Union[int, np.random.RandomState, None]


class KMeans(ClassNamePrefixFeaturesOutMixin, TransformerMixin, ClusterMixin, BaseEstimator):
    """K-means clustering with kseg's CPU kernels (or its CUDA backend), scikit-learn compatible.

    Parameters
    ----------
    n_clusters : int, default=8
        Number of clusters (segments).
    init : {"k-means++", "k-means||", "random"} or array-like of shape (n_clusters, n_features), default="k-means++"
        Seeding. "k-means++" is greedy k-means++ (2 + ln k candidates per step, as scikit-learn);
        "k-means||" is k-means parallel (Bahmani et al.), for large k; "random" draws k distinct rows;
        an array gives the starting centres.
    n_init : int or "auto", default=1
        Restarts with seeds derived from ``random_state``; the lowest inertia wins. "auto" means 1.
    max_iter : int, default=300
        Lloyd iterations per restart, at most.
    tol : float, default=1e-4
        Stop when the sum of squared centre shifts is at most ``tol`` times the mean feature variance
        (scikit-learn's rule). 0 runs until no label changes or ``max_iter``.
    random_state : int, RandomState instance or None, default=None
        Seed of every random choice. An int gives the same result as ``kseg fit --seed`` with that int.
    algorithm : {"lloyd", "hamerly"}, default="lloyd"
        "hamerly" skips rows whose label provably cannot change; the same labels as "lloyd", faster on
        well separated low-dimensional data only. CPU only.
    device : {"auto", "cpu", "cuda"} or "cuda:N", default="auto"
        "auto" uses a GPU where the extension was built with CUDA and one is usable, else the CPU.
    n_threads : int or None, default=None
        CPU threads (None: all cores). Results do not depend on it.

    Attributes
    ----------
    cluster_centers_ : ndarray of shape (n_clusters, n_features)
        Coordinates of the cluster centres, in the input's floating dtype.
    labels_ : ndarray of shape (n_samples,)
        Index of the cluster each training sample belongs to.
    inertia_ : float
        Sum of (weighted) squared distances of samples to their closest centre.
    n_iter_ : int
        Lloyd iterations run by the best restart.
    n_features_in_ : int
        Number of features seen during ``fit``.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Defined only when X has feature names that are all strings.

    Notes
    -----
    kseg computes in float32 (sums in double); float64 input is converted once, and results are returned in the
    input's floating dtype. Given a float32 C-contiguous array, kseg uses it without a copy. The GIL is released
    while kseg computes.

    Examples
    --------
    >>> import numpy as np, kseg
    >>> X = np.array([[1, 2], [1, 4], [1, 0], [10, 2], [10, 4], [10, 0]], dtype=np.float32)
    >>> km = kseg.KMeans(n_clusters=2, random_state=0).fit(X)
    >>> sorted(np.bincount(km.labels_))
    [3, 3]
    """

    def __init__(
        self,
        n_clusters: int = 8,
        *,
        init: Union[Literal["k-means++", "k-means||", "random"], ArrayLike] = "k-means++",
        n_init: Union[int, Literal["auto"]] = 1,
        max_iter: int = 300,
        tol: float = 1e-4,
        random_state: RandomState = None,
        algorithm: Literal["lloyd", "hamerly"] = "lloyd",
        device: str = "auto",
        n_threads: Union[int, None] = None,
    ) -> None:
        self.n_clusters = n_clusters
        self.init = init
        self.n_init = n_init
        self.max_iter = max_iter
        self.tol = tol
        self.random_state = random_state
        self.algorithm = algorithm
        self.device = device
        self.n_threads = n_threads

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.transformer_tags.preserves_dtype = ["float64", "float32"]
        return tags

    def _params_check(self, n_samples, n_features):
        if not isinstance(self.n_clusters, numbers.Integral) or self.n_clusters < 1:
            raise ValueError(f"n_clusters should be an integer >= 1, got {self.n_clusters!r}.")
        if n_samples < self.n_clusters:
            raise ValueError(f"n_samples={n_samples} should be >= n_clusters={self.n_clusters}.")
        if not isinstance(self.max_iter, numbers.Integral) or self.max_iter < 1:
            raise ValueError(f"max_iter should be an integer >= 1, got {self.max_iter!r}.")
        if not isinstance(self.tol, numbers.Real) or self.tol < 0:
            raise ValueError(f"tol should be a number >= 0, got {self.tol!r}.")
        n_init = 1 if isinstance(self.n_init, str) and self.n_init == "auto" else self.n_init
        if not isinstance(n_init, numbers.Integral) or n_init < 1:
            raise ValueError(f"n_init should be 'auto' or an integer >= 1, got {self.n_init!r}.")
        if self.algorithm not in _ALGORITHMS:
            raise ValueError(f"algorithm should be one of {_ALGORITHMS}, got {self.algorithm!r}.")
        if self.n_threads is not None and (not isinstance(self.n_threads, numbers.Integral) or self.n_threads < 1):
            raise ValueError(f"n_threads should be None or an integer >= 1, got {self.n_threads!r}.")
        return int(n_init)

    def _init_centers(self, n_features):
        if isinstance(self.init, str):
            if self.init not in _INITS:
                raise ValueError(f"init should be one of {_INITS} or an array, got {self.init!r}.")
            return None
        if callable(self.init):
            raise ValueError("init: a callable is not supported; pass a string or an array of starting centres.")
        centers = np.ascontiguousarray(self.init, dtype=np.float32)
        if centers.shape != (self.n_clusters, n_features):
            raise ValueError(
                f"The shape of the initial centers {centers.shape} does not match the number of clusters "
                f"{self.n_clusters} and features {n_features}."
            )
        return centers

    def _seed(self):
        if isinstance(self.random_state, numbers.Integral):
            if self.random_state < 0:
                raise ValueError(f"random_state should be None, an integer >= 0 or a RandomState, got {self.random_state}.")
            return int(self.random_state)
        return int(check_random_state(self.random_state).randint(np.iinfo(np.int32).max))

    def fit(self, X: ArrayLike, y: Any = None, sample_weight: Union[ArrayLike, None] = None) -> KMeans:
        """Compute k-means clustering.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training instances. NaN and infinite values are refused.
        y : Ignored
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative weights; a weight of 2 counts a row twice.

        Returns
        -------
        self : KMeans
            The fitted estimator.
        """
        data = validate_data(self, X, dtype=[np.float32, np.float64], order="C", accept_large_sparse=False)
        self._dtype = data.dtype
        n_init = self._params_check(data.shape[0], data.shape[1])
        centers = self._init_centers(data.shape[1])
        x32 = np.ascontiguousarray(data, dtype=np.float32)
        weights = None
        if sample_weight is not None:
            weights = _check_sample_weight(sample_weight, data, dtype=np.float32, ensure_non_negative=True)
            weights = np.ascontiguousarray(weights, dtype=np.float32)
        result = _kseg.kmeans_fit(
            x32, weights, int(self.n_clusters), str(self.init) if centers is None else "given", centers, n_init,
            int(self.max_iter), float(self.tol), self._seed(), self.algorithm, self.device,
            int(self.n_threads or 0), self._gpu_notice_wanted(),
        )
        if result["notices"]:
            warnings.warn(result["notices"].strip(), RuntimeWarning, stacklevel=2)
        self.cluster_centers_ = result["cluster_centers"].astype(self._dtype, copy=False)
        self.labels_ = result["labels"]
        self.inertia_ = float(result["inertia"])
        self.n_iter_ = int(result["n_iter"])
        self._n_features_out = self.cluster_centers_.shape[0]
        return self

    def _gpu_notice_wanted(self):
        # The CLI's "no usable GPU" notice, once per process, only where a GPU could have been used.
        global _gpu_notice_shown
        wanted = _kseg.cuda_compiled() and self.device == "auto" and not _gpu_notice_shown
        _gpu_notice_shown = _gpu_notice_shown or wanted
        return wanted

    def _assign(self, X):
        check_is_fitted(self)
        X = validate_data(self, X, dtype=[np.float32, np.float64], order="C", reset=False)
        x32 = np.ascontiguousarray(X, dtype=np.float32)
        centers = np.ascontiguousarray(self.cluster_centers_, dtype=np.float32)
        labels, sq_distances, _ = _kseg.kmeans_assign(x32, centers, self.device, int(self.n_threads or 0))
        return X, labels, sq_distances

    def predict(self, X: ArrayLike) -> npt.NDArray[np.int32]:
        """Predict the closest cluster each sample in X belongs to.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            New data, with the features the estimator was fitted on.

        Returns
        -------
        labels : ndarray of shape (n_samples,)
            Index of the closest centre of each sample (ties go to the lowest index).
        """
        return self._assign(X)[1]

    def fit_predict(
        self, X: ArrayLike, y: Any = None, sample_weight: Union[ArrayLike, None] = None
    ) -> npt.NDArray[np.int32]:
        """Compute the clustering and return each sample's cluster (``fit(X).labels_``).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training instances.
        y : Ignored
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative weights, as in ``fit``.

        Returns
        -------
        labels : ndarray of shape (n_samples,)
            Index of the cluster each sample belongs to.
        """
        return self.fit(X, sample_weight=sample_weight).labels_

    def transform(self, X: ArrayLike) -> npt.NDArray[np.floating]:
        """Transform X to a cluster-distance space.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            New data.

        Returns
        -------
        distances : ndarray of shape (n_samples, n_clusters)
            Euclidean distance of each sample to every centre, in X's floating dtype.
        """
        check_is_fitted(self)
        data = validate_data(self, X, dtype=[np.float32, np.float64], order="C", reset=False)
        return euclidean_distances(data, self.cluster_centers_.astype(data.dtype, copy=False))

    def fit_transform(
        self, X: ArrayLike, y: Any = None, sample_weight: Union[ArrayLike, None] = None
    ) -> npt.NDArray[np.floating]:
        """Compute the clustering and transform X to a cluster-distance space (``fit(X).transform(X)``).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training instances.
        y : Ignored
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative weights, as in ``fit``.

        Returns
        -------
        distances : ndarray of shape (n_samples, n_clusters)
            Euclidean distance of each sample to every centre.
        """
        return self.fit(X, sample_weight=sample_weight).transform(X)

    def score(self, X: ArrayLike, y: Any = None, sample_weight: Union[ArrayLike, None] = None) -> float:
        """Opposite of the value of X on the K-means objective.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            New data.
        y : Ignored
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative weights of the samples.

        Returns
        -------
        score : float
            Minus the (weighted) sum of squared distances of the samples to their closest centre.
        """
        data, _, sq_distances = self._assign(X)
        weights = _check_sample_weight(sample_weight, data, dtype=np.float64)
        return -float(np.dot(weights, sq_distances.astype(np.float64)))
