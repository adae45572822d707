"""The kseg package as users get it: what the imported package holds, a short fit of each front door, help() texts.

Run by ctest against the build tree, and by scripts/python-package-test.sh against a wheel installed into a fresh
virtual environment (outside the source tree), which also sets KSEG_WHEEL and KSEG_WHEEL_BUILD_DIR for the checks of
the wheel itself.
"""

import inspect
import json
import os
import pathlib
import pydoc
import shutil
import zipfile

import numpy as np
import pytest

import kseg

PACKAGE_DIR = pathlib.Path(kseg.__file__).parent


def test_the_imported_package_holds_the_extension_stubs_and_marker():
    names = {p.name for p in PACKAGE_DIR.iterdir()}
    assert "py.typed" in names and "_kseg.pyi" in names
    assert any(n.startswith("_kseg.") and n.endswith(".so") for n in names), sorted(names)
    assert pathlib.Path(kseg._kseg.__file__).parent == PACKAGE_DIR


def test_installed_package_is_not_the_source_tree():
    # Under scripts/python-package-test.sh, kseg must come from the virtual environment's site-packages.
    site = os.environ.get("KSEG_EXPECTED_SITE")
    if not site:
        pytest.skip("KSEG_EXPECTED_SITE not set (set by scripts/python-package-test.sh)")
    assert PACKAGE_DIR == pathlib.Path(site) / "kseg"


def test_kmeans_finds_three_separated_groups():
    rng = np.random.default_rng(0)
    centres = np.array([[0.0, 0.0], [20.0, 0.0], [0.0, 20.0]])
    truth = np.repeat(np.arange(3), 200)
    x = centres[truth] + rng.normal(size=(600, 2))
    km = kseg.KMeans(n_clusters=3, random_state=1).fit(x)
    # Every true group lands in one cluster of its own: the labels are a relabelling of the truth.
    pairs = set(zip(truth.tolist(), km.labels_.tolist()))
    assert len(pairs) == 3 and len({label for _, label in pairs}) == 3
    np.testing.assert_allclose(np.sort(km.cluster_centers_[:, 0]), [0, 0, 20], atol=0.5)
    assert km.predict(centres).tolist() == [label for _, label in sorted(pairs)]


def test_segmenter_on_a_small_dataframe():
    pd = pytest.importorskip("pandas")
    pytest.importorskip("pyarrow")
    rng = np.random.default_rng(2)
    n = 400
    spend = np.where(np.arange(n) < n // 2, 10.0, 500.0) + rng.normal(0, 1, n)
    users = pd.DataFrame(
        {
            "user_id": [f"u{i}" for i in range(n)],
            "spend": spend,
            "visits": np.where(np.arange(n) < n // 2, 2.0, 40.0) + rng.normal(0, 0.1, n),
        }
    )
    seg = kseg.Segmenter(k=2, seed=3, log="none").fit(users)
    segments = seg.segments_
    assert len(segments) == n and list(segments["id"][:2]) == ["u0", "u1"]
    labels = segments["segment"].to_numpy()
    # The two spend levels are the two segments.
    assert len(set(labels[: n // 2])) == 1 and len(set(labels[n // 2 :])) == 1 and labels[0] != labels[-1]
    np.testing.assert_array_equal(seg.predict(users), labels)


def test_help_of_kmeans_documents_every_parameter_and_method():
    text = pydoc.render_doc(kseg.KMeans, renderer=pydoc.plaintext)
    for name in inspect.signature(kseg.KMeans).parameters:
        assert f"{name} :" in text, name
    for section in ("Parameters", "Attributes", "Examples"):
        assert section in text
    for method in ("fit", "predict", "fit_predict", "transform", "fit_transform", "score"):
        doc = inspect.getdoc(getattr(kseg.KMeans, method))
        assert doc and "Parameters" in doc and "Returns" in doc, method


def test_public_api_is_annotated():
    for function in (kseg.KMeans.__init__, kseg.KMeans.fit, kseg.KMeans.predict, kseg.KMeans.transform,
                     kseg.KMeans.score):
        hints = inspect.signature(function)
        assert hints.return_annotation is not inspect.Signature.empty, function.__name__
        for parameter in list(hints.parameters.values())[1:]:
            assert parameter.annotation is not inspect.Parameter.empty, (function.__name__, parameter.name)


def test_wheel_contents():
    wheel = os.environ.get("KSEG_WHEEL")
    if not wheel:
        pytest.skip("KSEG_WHEEL not set (set by scripts/python-package-test.sh)")
    names = zipfile.ZipFile(wheel).namelist()
    package = sorted(n for n in names if not n.startswith("kseg-"))
    extension = [n for n in package if n.startswith("kseg/_kseg.") and n.endswith(".so")]
    assert len(extension) == 1, package
    expected = {
        "kseg/__init__.py",
        "kseg/_kmeans.py",
        "kseg/_profile_build.py",
        "kseg/_segmenter.py",
        "kseg/_segmenter_workflows.py",
        "kseg/_tables.py",
        "kseg/_kseg.pyi",
        "kseg/py.typed",
    }
    assert expected <= set(package)
    # Nothing else: no build tree, object files, caches or tests.
    assert set(package) - expected - set(extension) == set(), package
    assert all(n.startswith("kseg-0.1.0.dist-info/") for n in names if n.startswith("kseg-"))


def test_wheel_build_is_portable_and_cuda_as_cmake_decided():
    build_dir = os.environ.get("KSEG_WHEEL_BUILD_DIR")
    if not build_dir:
        pytest.skip("KSEG_WHEEL_BUILD_DIR not set (set by scripts/python-package-test.sh)")
    commands = json.load(open(pathlib.Path(build_dir) / "compile_commands.json"))
    assert commands, "no compile commands"
    native = [c["file"] for c in commands if "-march=native" in c["command"]]
    assert native == [], native
    cache = (pathlib.Path(build_dir) / "CMakeCache.txt").read_text()
    assert "KSEG_NATIVE:BOOL=OFF" in cache or "KSEG_NATIVE:UNINITIALIZED=OFF" in cache
    # cmake/KsegCuda.cmake: unless KSEG_CUDA=OFF, the backend is built exactly where a CUDA compiler exists (on the
    # PATH or in /usr/local/cuda), and then the kernels/*.cu files are among the compiled ones.
    cuda_off = any(line.startswith("KSEG_CUDA:") and line.endswith("=OFF") for line in cache.splitlines())
    nvcc = shutil.which("nvcc") or os.path.exists("/usr/local/cuda/bin/nvcc")
    kernels = [c["file"] for c in commands if c["file"].endswith(".cu")]
    assert kseg._kseg.cuda_compiled() == (bool(nvcc) and not cuda_off)
    assert bool(kernels) == kseg._kseg.cuda_compiled()


def test_cpu_only_extension_needs_no_cuda_library():
    if kseg._kseg.cuda_compiled():
        pytest.skip("this extension has the CUDA backend")
    binary = pathlib.Path(kseg._kseg.__file__).read_bytes()
    for library in (b"libcudart.so", b"libcublas.so"):
        assert library not in binary
