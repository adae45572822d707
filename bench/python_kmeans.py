#!/usr/bin/env python3
"""kseg.KMeans against scikit-learn, scikit-learn-intelex and faiss-cpu, in one Python process, on the same array.

Every estimator starts from the same initial centres and runs exactly --iters Lloyd iterations (tol 0), with all
cores; estimators alternate for --rounds rounds and the table gives the median fit time per iteration and kseg's
speed ratio, with the CPU seconds (user + sys, all threads) of each fit: on a loaded machine those, not the wall
times, compare the tools. The binding's overhead is kseg.KMeans.fit against `kseg fit` on the same .npy (the CLI's
own fit timing from summary.json, same start, same iterations; the CLI's CPU seconds are its whole process).

  .venv/bin/pip install -r bench/requirements-python.txt
  PYTHONPATH=build/python .venv/bin/python bench/python_kmeans.py --kseg build/cli/kseg [--n 1000000 --d 32 --k 64]
"""
import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time

import numpy as np


def data(n, d, k, seed=0):
    # Overlapping Gaussian clouds, so 20 iterations never converge early (BENCHMARKING.md, trap 3).
    rng = np.random.default_rng(seed)
    centres = rng.normal(0.0, 1.0, size=(k, d)).astype(np.float32)
    x = centres[rng.integers(0, k, size=n)] + rng.normal(0.0, 1.0, size=(n, d)).astype(np.float32)
    init = x[rng.choice(n, size=k, replace=False)].copy()
    return np.ascontiguousarray(x, dtype=np.float32), init


def inertia(x, centres):
    x64 = x.astype(np.float64)
    c64 = centres.astype(np.float64)
    best = np.full(len(x), np.inf)
    for start in range(0, len(c64), 16):
        block = c64[start : start + 16]
        dist = (x64**2).sum(1)[:, None] - 2 * x64 @ block.T + (block**2).sum(1)[None, :]
        best = np.minimum(best, dist.min(1))
    return float(np.maximum(best, 0).sum())


def fitters(iters, threads):
    out = {}
    import kseg

    out["kseg"] = lambda x, init: kseg.KMeans(len(init), init=init, max_iter=iters, tol=0.0).fit(x).cluster_centers_
    from sklearn.cluster import KMeans as SkKMeans

    out["sklearn"] = lambda x, init: SkKMeans(len(init), init=init, n_init=1, max_iter=iters, tol=0.0).fit(x).cluster_centers_
    try:
        from sklearnex.cluster import KMeans as ExKMeans

        out["sklearnex"] = lambda x, init: ExKMeans(len(init), init=init, n_init=1, max_iter=iters, tol=0.0).fit(x).cluster_centers_
    except ImportError:
        print("sklearnex missing: pip install scikit-learn-intelex", file=sys.stderr)
    try:
        import faiss

        faiss.omp_set_num_threads(threads)

        def faiss_fit(x, init):
            km = faiss.Kmeans(x.shape[1], len(init), niter=iters, max_points_per_centroid=len(x), seed=0)
            km.train(x, init_centroids=init)
            return km.centroids

        out["faiss"] = faiss_fit
    except ImportError:
        print("faiss missing: pip install faiss-cpu", file=sys.stderr)
    return out


def children_cpu_seconds():
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def cli_fit_seconds(kseg_binary, x, init, iters):
    """The CLI's fit (wall seconds from summary.json) and its process's CPU seconds."""
    with tempfile.TemporaryDirectory() as work:
        np.save(os.path.join(work, "x.npy"), x)
        np.save(os.path.join(work, "init.npy"), init)
        cpu_before = children_cpu_seconds()
        subprocess.run([kseg_binary, "fit", os.path.join(work, "x.npy"), "--k", str(len(init)), "--init",
                        os.path.join(work, "init.npy"), "--scale", "none", "--log", "none", "--max-iter", str(iters),
                        "--tol", "0", "--device", "cpu", "--quiet", "--out", os.path.join(work, "out")], check=True)
        cpu = children_cpu_seconds() - cpu_before
        return json.load(open(os.path.join(work, "out", "summary.json")))["seconds"]["fit"], cpu


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=1_000_000)
    parser.add_argument("--d", type=int, default=32)
    parser.add_argument("--k", type=int, default=64)
    parser.add_argument("--iters", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--kseg", help="the kseg program, for the binding-overhead row")
    args = parser.parse_args()
    threads = os.cpu_count()
    x, init = data(args.n, args.d, args.k)
    tools = fitters(args.iters, threads)
    times = {name: [] for name in tools}
    cpu = {name: [] for name in tools}
    centres = {}
    cli = []
    for fit in tools.values():  # warm-up: imports, thread pools, first-touch of the libraries' buffers
        fit(x[: min(len(x), 50_000)], init.copy())
    for _ in range(args.rounds):
        for name, fit in tools.items():
            start, cpu_start = time.perf_counter(), time.process_time()
            centres[name] = np.asarray(fit(x, init.copy()), dtype=np.float32)
            times[name].append(time.perf_counter() - start)
            cpu[name].append(time.process_time() - cpu_start)
        if args.kseg:
            cli.append(cli_fit_seconds(args.kseg, x, init, args.iters))
    try:
        from threadpoolctl import threadpool_info

        blas = ", ".join(f"{p.get('internal_api')} {p.get('architecture', '')}".strip() for p in threadpool_info())
    except ImportError:
        blas = "threadpoolctl missing"
    print(f"{args.n} x {args.d}, k = {args.k}, {args.iters} iterations from the same centres, {threads} threads, "
          f"{args.rounds} rounds; BLAS: {blas}")
    print("| estimator | s/iter (median) | CPU s per fit (median) | inertia | kseg faster by (wall) | by CPU s |")
    print("|---|---|---|---|---|---|")
    kseg_time = statistics.median(times["kseg"])
    kseg_cpu = statistics.median(cpu["kseg"])
    for name in tools:
        t = statistics.median(times[name])
        c = statistics.median(cpu[name])
        print(f"| {name} | {t / args.iters:.4f} | {c:.2f} | {inertia(x, centres[name]):.6e} | "
              f"{'' if name == 'kseg' else f'{t / kseg_time:.2f}x'} | "
              f"{'' if name == 'kseg' else f'{c / kseg_cpu:.2f}x'} |")
    if cli:
        cli_fit = statistics.median(fit for fit, _ in cli)
        overhead = kseg_time / cli_fit - 1
        print(f"\nkseg.KMeans.fit {kseg_time:.3f} s against `kseg fit`'s fit {cli_fit:.3f} s (medians; per round: "
              f"{', '.join(f'{a:.3f}/{b:.3f}' for a, (b, _) in zip(times['kseg'], cli))}): binding overhead "
              f"{100 * overhead:+.1f}%; CPU s: kseg.KMeans.fit {kseg_cpu:.2f}, the kseg process "
              f"{statistics.median(c for _, c in cli):.2f} (reading the .npy and writing included)")


if __name__ == "__main__":
    main()
