#!/usr/bin/env python3
"""Final inertia of kseg fit --hierarchy against scikit-learn's BisectingKMeans on the same data, k and strategy.

Each workload is written once as a float32 .npy; kseg reads it with --scale none --log none (the raw features, as
scikit-learn sees them). Both get the same k, strategy, n_init and tol; seeds differ in meaning (each tool draws its
own k-means++), so medians over several seeds are compared. scikit-learn runs twice: with init="k-means++" (kseg's
seeding of every split) and with its own default, init="random". A flat kseg fit of the same k is listed for the
trade-off (a tree's leaves are constrained by its splits; flat K-means is not).

  .venv/bin/python bench/bisecting_compare.py --kseg build-cpu/cli/kseg [--seeds 3] [--json out.json]
"""
import argparse
import json
import os
import statistics
import subprocess
import tempfile
import time

import numpy as np
from sklearn.cluster import BisectingKMeans
from sklearn.datasets import make_blobs


def workloads():
    blobs, _ = make_blobs(n_samples=100_000, n_features=16, centers=20, cluster_std=np.linspace(0.5, 3.0, 20),
                          random_state=7)
    uniform = np.random.default_rng(3).uniform(-1.0, 1.0, size=(100_000, 8))
    return [("blobs 100k x 16 (20 centres)", blobs.astype(np.float32), 8),
            ("blobs 100k x 16 (20 centres)", blobs.astype(np.float32), 20),
            ("uniform 100k x 8", uniform.astype(np.float32), 16)]


def inertia(x, labels, centres):
    x = x.astype(np.float64)
    return float(((x - centres.astype(np.float64)[labels]) ** 2).sum())


def kseg_fit(kseg, npy, k, seed, split, hierarchy, out):
    args = [kseg, "fit", npy, "--k", str(k), "--seed", str(seed), "--scale", "none", "--log", "none", "--out", out,
            "--device", "cpu", "--threads", "2", "--quiet"]
    if hierarchy:
        args += ["--hierarchy", "--split", split]
    start = time.perf_counter()
    subprocess.run(args, check=True)
    seconds = time.perf_counter() - start
    with open(os.path.join(out, "summary.json")) as f:
        return json.load(f)["inertia"], seconds


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--kseg", default="build-cpu/cli/kseg")
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--json")
    a = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for name, x, k in workloads():
            npy = os.path.join(tmp, "x.npy")
            np.save(npy, x)
            for split, strategy in (("largest-inertia", "biggest_inertia"), ("largest", "largest_cluster")):
                ks, sk, sk_random, flat, ks_s, sk_s = [], [], [], [], [], []
                for seed in range(a.seeds):
                    value, seconds = kseg_fit(a.kseg, npy, k, seed, split, True, os.path.join(tmp, "tree"))
                    ks.append(value)
                    ks_s.append(seconds)
                    start = time.perf_counter()
                    model = BisectingKMeans(n_clusters=k, random_state=seed, bisecting_strategy=strategy,
                                            init="k-means++", n_init=1, tol=1e-4, algorithm="lloyd").fit(x)
                    sk_s.append(time.perf_counter() - start)
                    sk.append(inertia(x, model.labels_, model.cluster_centers_))
                    model = BisectingKMeans(n_clusters=k, random_state=seed, bisecting_strategy=strategy,
                                            init="random", n_init=1, tol=1e-4, algorithm="lloyd").fit(x)
                    sk_random.append(inertia(x, model.labels_, model.cluster_centers_))
                    if split == "largest-inertia":
                        flat.append(kseg_fit(a.kseg, npy, k, seed, split, False, os.path.join(tmp, "flat"))[0])
                row = {"workload": name, "k": k, "split": split, "kseg": statistics.median(ks),
                       "sklearn": statistics.median(sk), "sklearn_random": statistics.median(sk_random), "kseg_flat": statistics.median(flat) if flat else None,
                       "kseg_s": statistics.median(ks_s), "sklearn_s": statistics.median(sk_s),
                       "kseg_all": ks, "sklearn_all": sk}
                rows.append(row)
                flat_text = f"{row['kseg_flat']:.6e}" if flat else ""
                print(f"| {name} | {k} | {split} | {row['kseg']:.6e} | {row['sklearn']:.6e} | "
                      f"{row['kseg'] / row['sklearn']:.4f} | {row['sklearn_random']:.6e} | {flat_text} | {row['kseg_s']:.2f} | "
                      f"{row['sklearn_s']:.2f} |", flush=True)
    if a.json:
        with open(a.json, "w") as f:
            json.dump(rows, f, indent=2)


if __name__ == "__main__":
    main()
