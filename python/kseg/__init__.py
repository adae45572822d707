"""kseg: K-means segmentation of user profiles, on the GPU where there is one.

``kseg.KMeans`` is a scikit-learn compatible estimator over kseg's K-means core (hand-written AVX-512/AVX2 CPU
kernels with OpenMP, or the CUDA backend where the extension was built with it). It gives the same labels and
centres as ``kseg fit X.npy --scale none --log none`` with the same seed and options.
"""

from ._kmeans import KMeans
from ._kseg import __version__

__all__ = ["KMeans", "__version__"]
