"""Type stubs of the extension module kseg._kseg (the K-means core; use kseg.KMeans)."""

from typing import Any

import numpy as np
import numpy.typing as npt

__version__: str

def kmeans_fit(
    x: npt.NDArray[np.float32],
    sample_weight: npt.NDArray[np.float32] | None,
    n_clusters: int,
    init: str,
    init_centers: npt.NDArray[np.float32] | None,
    n_init: int,
    max_iter: int,
    tol: float,
    seed: int,
    algorithm: str,
    device: str,
    n_threads: int,
    verbose: bool,
) -> dict[str, Any]: ...
def kmeans_assign(
    x: npt.NDArray[np.float32], centers: npt.NDArray[np.float32], device: str, n_threads: int
) -> tuple[npt.NDArray[np.int32], npt.NDArray[np.float32], float]: ...
def cuda_compiled() -> bool: ...
