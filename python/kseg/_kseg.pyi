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

class FitProducts:
    """A fit's products, kept for segments_fit_write."""

def segments_fit(source: str | Any, request: dict[str, Any]) -> dict[str, Any]: ...
def segments_fit_write(
    products: FitProducts,
    dir: str,
    out_format: str = "csv",
    hash_ids: bool = False,
    hash_key_file: str = "",
    csv_safe_ids: bool = False,
) -> None: ...
def segments_assign(model: str, source: str | Any, request: dict[str, Any], mode: str = "tree") -> dict[str, Any]: ...
def model_centroids(model: str, name: str) -> dict[str, list[Any]]: ...
def segments_sweep(source: str | Any, request: dict[str, Any], options: dict[str, Any]) -> dict[str, Any]: ...
def segments_drift(
    model: str, source: str | Any, request: dict[str, Any], psi_threshold: float, distance_threshold: float
) -> dict[str, Any]: ...
def segments_update(
    model: str, source: str | Any, request: dict[str, Any], params: dict[str, Any], reopen: bool
) -> dict[str, Any]: ...
def segments_compare(
    before_name: str,
    before_ids: list[str],
    before_segments: list[int],
    after_name: str,
    after_ids: list[str],
    after_segments: list[int],
) -> dict[str, str]: ...
class UpdateProducts:
    """An update's products, kept for segments_update_write."""

def segments_update_write(products: UpdateProducts, dir: str) -> None: ...
def fit_profiles(products: FitProducts) -> dict[str, Any]: ...

class ProfileBuildProducts:
    """A profile build's products, kept for profile_build_write."""

def profile_build(source: str | Any, request: dict[str, Any]) -> dict[str, Any]: ...
def profile_build_write(products: ProfileBuildProducts, users_path: str) -> None: ...
