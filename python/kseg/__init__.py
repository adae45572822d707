"""kseg: K-means segmentation of user profiles, on the GPU where there is one.

``kseg.KMeans`` is a scikit-learn compatible estimator over kseg's K-means core (hand-written AVX-512/AVX2 CPU
kernels with OpenMP, or the CUDA backend where the extension was built with it). It gives the same labels and
centres as ``kseg fit X.npy --scale none --log none`` with the same seed and options.

``kseg.Segmenter`` is the kseg program's workflow on user tables (pandas, polars, pyarrow or a path): fit, assign,
sweep, profiles, drift, update and compare, with the same preparation, segments and ``model.json`` as the program.
"""

from ._kmeans import KMeans
from ._kseg import __version__
from ._segmenter import Segmenter

__all__ = ["KMeans", "Segmenter", "__version__"]
