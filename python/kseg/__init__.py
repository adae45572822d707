"""kseg: K-means segmentation of user profiles, on the GPU where there is one.

``kseg.KMeans`` is a scikit-learn compatible estimator over kseg's K-means core (hand-written AVX-512/AVX2 CPU
kernels with OpenMP, or the CUDA backend where the extension was built with it). It gives the same labels and
centres as ``kseg fit X.npy --scale none --log none`` with the same seed and options.

``kseg.Segmenter`` is the kseg program's workflow on user tables (pandas, polars, pyarrow or a path): fit, assign,
sweep, profiles, drift, update and compare, with the same preparation, segments and ``model.json`` as the program.

``kseg.profile_build`` builds one row of behavioural features per user (RFM, windows, category mix, time habits) from
a raw event log, as ``kseg profile-build`` does: the table a Segmenter then fits.
"""

try:
    from . import _kseg
except ImportError as error:  # pragma: no cover - depends on where pyarrow is installed
    # Built with Parquet, the extension links pyarrow's Arrow C++ and looks for it in the pyarrow package beside kseg
    # (its RPATH). Where pyarrow is elsewhere on sys.path, importing pyarrow loads those libraries by name first.
    if "libarrow" not in str(error) and "libparquet" not in str(error):
        raise
    try:
        import pyarrow
    except ImportError:
        raise ImportError(f"kseg needs pyarrow's Arrow C++ libraries ({error}): pip install pyarrow") from error
    try:
        from . import _kseg
    except ImportError as again:
        raise ImportError(
            f"kseg was built against another pyarrow than the installed {pyarrow.__version__} ({again}): install the "
            "pyarrow release whose libarrow.so.NNNN it names (NNNN = major * 100), or rebuild kseg (pip install .)"
        ) from again

from ._kmeans import KMeans
from ._kseg import __version__
from ._profile_build import ProfileBuild, profile_build
from ._segmenter import Segmenter

__all__ = ["KMeans", "ProfileBuild", "Segmenter", "__version__", "profile_build"]
