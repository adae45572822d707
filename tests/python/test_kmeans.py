"""kseg.KMeans: scikit-learn's estimator checks, equality with `kseg fit`, determinism, pickling, weights, errors."""

import csv
import json
import os
import pickle
import subprocess

import numpy as np
import pytest
from sklearn.utils.estimator_checks import check_estimator

import kseg

# Checks kseg.KMeans does not pass, with the reason (also listed in README.md, "Python").
EXPECTED_FAILED_CHECKS = {
    "check_sample_weight_equivalence_on_dense_data": (
        "the check shuffles the weighted rows but not the repeated ones; kseg's seeding draws rows by running sums in "
        "row order, so the same centres can come out in another order (labels permuted). With rows in the same "
        "order, weights equal repeated rows exactly: test_integer_weights_equal_copied_rows"
    ),
}


def blobs(n=3000, d=6, k=5, seed=1):
    rng = np.random.default_rng(seed)
    centres = rng.normal(0.0, 6.0, size=(k, d))
    labels = rng.integers(0, k, size=n)
    return (centres[labels] + rng.normal(size=(n, d))).astype(np.float32), labels


def test_check_estimator():
    check_estimator(kseg.KMeans(n_clusters=3, random_state=0), expected_failed_checks=EXPECTED_FAILED_CHECKS)


def test_same_labels_and_centres_as_the_cli(tmp_path):
    x, _ = blobs()
    np.save(tmp_path / "x.npy", x)
    out = tmp_path / "out"
    subprocess.run(
        [os.environ["KSEG_BINARY"], "fit", str(tmp_path / "x.npy"), "--k", "5", "--seed", "3", "--scale", "none",
         "--log", "none", "--max-iter", "50", "--tol", "1e-5", "--out", str(out), "--quiet", "--device", "cpu"],
        check=True,
    )
    km = kseg.KMeans(n_clusters=5, random_state=3, max_iter=50, tol=1e-5, device="cpu").fit(x)
    with open(out / "segments.csv", newline="") as f:
        cli_labels = np.array([int(row["segment"]) for row in csv.DictReader(f)])
    np.testing.assert_array_equal(km.labels_, cli_labels)
    model = json.load(open(out / "model.json"))
    np.testing.assert_array_equal(km.cluster_centers_, np.array(model["centroids"], dtype=np.float32))


def test_threads_do_not_change_the_result():
    x, _ = blobs(n=20000)
    one = kseg.KMeans(n_clusters=7, random_state=5, n_threads=1).fit(x)
    two = kseg.KMeans(n_clusters=7, random_state=5, n_threads=2).fit(x)
    np.testing.assert_array_equal(one.labels_, two.labels_)
    np.testing.assert_array_equal(one.cluster_centers_, two.cluster_centers_)
    assert one.inertia_ == two.inertia_


def test_recovers_planted_blobs():
    from sklearn.metrics import adjusted_rand_score

    x, truth = blobs(k=4, seed=7)
    km = kseg.KMeans(n_clusters=4, n_init=3, random_state=0).fit(x)
    assert adjusted_rand_score(truth, km.labels_) > 0.95
    np.testing.assert_array_equal(km.predict(x), km.labels_)
    assert km.score(x) == pytest.approx(-km.inertia_, rel=1e-5)


def test_pickle_holds_the_model():
    x, _ = blobs()
    km = kseg.KMeans(n_clusters=5, random_state=2).fit(x)
    again = pickle.loads(pickle.dumps(km))
    np.testing.assert_array_equal(again.cluster_centers_, km.cluster_centers_)
    np.testing.assert_array_equal(again.predict(x[:100]), km.predict(x[:100]))


def test_integer_weights_equal_copied_rows():
    x, _ = blobs(n=500, k=3, seed=11)
    w = np.random.default_rng(0).integers(0, 4, size=len(x))  # 0: the row is left out
    weighted = kseg.KMeans(n_clusters=3, random_state=9, tol=0, max_iter=100).fit(x, sample_weight=w)
    copied = kseg.KMeans(n_clusters=3, random_state=9, tol=0, max_iter=100).fit(np.repeat(x, w, axis=0))
    np.testing.assert_allclose(weighted.cluster_centers_, copied.cluster_centers_, rtol=1e-5, atol=1e-5)
    assert weighted.inertia_ == pytest.approx(copied.inertia_, rel=1e-5)


def test_dtypes_and_layouts_give_the_same_fit():
    x, _ = blobs()
    ref = kseg.KMeans(n_clusters=5, random_state=4).fit(x)
    for variant in (x.astype(np.float64), np.asfortranarray(x), x.tolist()):
        km = kseg.KMeans(n_clusters=5, random_state=4).fit(variant)
        np.testing.assert_array_equal(km.labels_, ref.labels_)
    assert kseg.KMeans(n_clusters=5, random_state=4).fit(x.astype(np.float64)).cluster_centers_.dtype == np.float64


@pytest.mark.parametrize(
    "make, message",
    [
        (lambda x: x.__setitem__((3, 1), np.nan) or x, "NaN"),
        (lambda x: x.__setitem__((0, 0), np.inf) or x, "infinity"),
        (lambda x: x[:2], "n_samples=2 should be >= n_clusters=5"),
    ],
)
def test_bad_input_raises_value_error(make, message):
    x, _ = blobs(n=100)
    with pytest.raises(ValueError, match=message):
        kseg.KMeans(n_clusters=5, random_state=0).fit(make(x.copy()))


def test_bad_parameters_raise_value_error():
    x, _ = blobs(n=100)
    for params in ({"algorithm": "elkan"}, {"init": "kmeans"}, {"device": "tpu"}, {"n_init": 0}, {"tol": -1.0}):
        with pytest.raises(ValueError):
            kseg.KMeans(n_clusters=3, **params).fit(x)
    with pytest.raises(ValueError, match="features"):
        kseg.KMeans(n_clusters=3, random_state=0).fit(x).predict(x[:, :3])
