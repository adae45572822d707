#!/usr/bin/env python3
"""End to end: `kseg fit` of a users CSV (plain and gzip) against a pandas + scikit-learn pipeline doing the same work.

Both sides read the file written by `kseg generate`, prepare the same features and fit K-means with k = 16, 20 Lloyd
iterations from k-means++ (one restart, tolerance 0), then write segments.csv (id, segment, distance) and
centroids.csv. The Python pipeline mirrors kseg's default preparation: numeric columns imputed with their median,
log1p where the column is non-negative with sample skewness > 2, z-scored (population standard deviation), constant
columns dropped; categorical columns one-hot encoded (the 50 most frequent levels, a "(missing)" level for gaps, the
rest as "(other)"), each block's 1 scaled to 1 / sqrt(1 - sum of squared shares) so it weighs like one numeric column.

Each tool runs in its own process, alternately, --rounds times; the table gives medians of wall seconds, CPU seconds
(user + sys of the process, all threads: the steadier figure on a shared machine) and peak RSS (wait4), and each
tool's phases as it times them itself (kseg: summary.json; Python: around each step, after its imports, which are
in the wall and CPU seconds only).

  .venv/bin/pip install -r bench/requirements.txt      # pandas and pyarrow come from scripts/python-requirements.txt
  .venv/bin/python bench/end_to_end_compare.py --kseg build-cpu/cli/kseg --rounds 3
  .venv/bin/python bench/end_to_end_compare.py --users 1000000 --users 10000000 --json e2e.json
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

K, ITERS, SEED = 16, 20, 1


def log(msg):
    print(msg, file=sys.stderr, flush=True)


# ---------------------------------------------------------------------------------------------------------------
# Child: the pandas + scikit-learn pipeline. Prints its phase times as JSON on stdout.

def python_pipeline(path, out_dir):
    t0 = time.perf_counter()
    import numpy as np
    import pandas as pd
    from sklearn.cluster import KMeans

    t_import = time.perf_counter()
    df = pd.read_csv(path, engine="pyarrow")
    t_read = time.perf_counter()
    ids = df["user_id"]
    blocks, names = [], []
    for name in df.columns:
        if name == "user_id":
            continue
        col = df[name]
        if pd.api.types.is_numeric_dtype(col):
            v = col.to_numpy(dtype=np.float64)
            present = v[~np.isnan(v)]
            if present.size == 0:
                continue
            v = np.where(np.isnan(v), np.median(present), v)
            centered = present - present.mean()
            m2, m3 = np.mean(centered ** 2), np.mean(centered ** 3)
            skew = m3 / m2 ** 1.5 if m2 > 0 else 0.0
            if present.min() >= 0 and skew > 2.0:
                v = np.log1p(np.maximum(v, 0.0))
            sd = v.std()
            if sd <= 1e-7 * (1 + abs(v.mean())):
                continue
            blocks.append(((v - v.mean()) / sd).astype(np.float32)[:, None])
            names.append(name)
        else:
            text = col.fillna("(missing)")
            counts = text.value_counts()
            kept = list(counts.index[:50])
            codes = pd.Categorical(text, categories=kept).codes  # -1: merged into (other)
            shares = counts.to_numpy() / len(text)
            sum_sq = float(np.sum(shares[:50] ** 2) + np.sum(shares[50:]) ** 2)
            if 1.0 - sum_sq < 1e-12:
                continue
            width = len(kept) + (1 if len(counts) > 50 else 0)
            one_hot = np.zeros((len(text), width), dtype=np.float32)
            rows = np.arange(len(text))
            one_hot[rows, np.where(codes >= 0, codes, width - 1)] = 1.0 / np.sqrt(1.0 - sum_sq)
            blocks.append(one_hot)
            names += [f"{name}={level}" for level in kept] + (["(other)"] if width > len(kept) else [])
    x = np.ascontiguousarray(np.hstack(blocks))
    t_prep = time.perf_counter()
    km = KMeans(n_clusters=K, init="k-means++", n_init=1, max_iter=ITERS, tol=0.0, algorithm="lloyd",
                random_state=SEED).fit(x)
    t_fit = time.perf_counter()
    distances = km.transform(x).min(axis=1)
    pd.DataFrame({"id": ids, "segment": km.labels_, "distance": distances.astype(np.float32)}).to_csv(
        os.path.join(out_dir, "segments.csv"), index=False)
    pd.DataFrame(km.cluster_centers_, columns=names).to_csv(os.path.join(out_dir, "centroids.csv"),
                                                            index_label="segment")
    t_write = time.perf_counter()
    print(json.dumps({"import": t_import - t0, "read": t_read - t_import, "prepare": t_prep - t_read, "fit": t_fit - t_prep,
                      "write": t_write - t_fit, "d": int(x.shape[1]), "iters": int(km.n_iter_)}))


# ---------------------------------------------------------------------------------------------------------------
# Parent: data, runs, table. Loads nothing large itself, so the children's peak RSS is their own.

def run(cmd, env):
    """Runs cmd; returns (exit code, wall s, CPU s (user + sys), peak RSS MB, stdout, stderr tail)."""
    start = time.perf_counter()
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        proc = subprocess.Popen(cmd, env=env, stdout=out, stderr=err)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        out.seek(0)
        err.seek(0)
        return (os.waitstatus_to_exitcode(status), wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024.0,
                out.read().decode(), err.read().decode(errors="replace")[-600:])


def inputs(kseg, users, work):
    path = os.path.join(work, f"users_{users}.csv")
    if not os.path.exists(path):
        log(f"generating {path}")
        subprocess.run([kseg, "generate", "--users", str(users), "--seed", str(SEED), "--out", path, "--quiet"],
                       check=True)
    if not os.path.exists(path + ".gz"):
        subprocess.run(["gzip", "-6", "-k", path], check=True)
    return [path, path + ".gz"]


def kseg_run(kseg, path, out_dir, threads, env):
    rc, wall, cpu, rss, _, err = run([kseg, "fit", path, "--k", str(K), "--max-iter", str(ITERS), "--seed", str(SEED),
                                      "--device", "cpu", "--threads", str(threads), "--out", out_dir, "--quiet"], env)
    if rc != 0:
        raise SystemExit(f"kseg failed on {path}: {err}")
    s = json.load(open(os.path.join(out_dir, "summary.json")))["seconds"]
    return {"wall": wall, "cpu": cpu, "rss": rss, "read": s["read_and_prepare"], "fit": s["fit"], "write": s["write"]}


def python_run(python, path, out_dir, env):
    rc, wall, cpu, rss, out, err = run([python, os.path.abspath(__file__), "--child", path, out_dir], env)
    if rc != 0:
        raise SystemExit(f"the pandas + scikit-learn pipeline failed on {path}: {err}")
    phases = json.loads(out.strip().splitlines()[-1])
    return {"wall": wall, "cpu": cpu, "rss": rss, "read": phases["read"] + phases["prepare"], "fit": phases["fit"],
            "write": phases["write"]}


def main():
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        python_pipeline(sys.argv[2], sys.argv[3])
        return
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--kseg", default="build-cpu/cli/kseg", help="kseg binary")
    p.add_argument("--python", default=sys.executable, help="Python with pandas, pyarrow and scikit-learn")
    p.add_argument("--users", type=int, action="append", help="users per file (repeatable; default 1000000)")
    p.add_argument("--rounds", type=int, default=3, help="alternating rounds (default 3)")
    p.add_argument("--threads", type=int, default=os.cpu_count(), help="threads for both (default: all cores)")
    p.add_argument("--work", default=os.path.join(tempfile.gettempdir(), "kseg-e2e"), help="data and outputs")
    p.add_argument("--skip-python", action="store_true", help="time kseg only")
    p.add_argument("--json", help="also write every run to this JSON file")
    args = p.parse_args()
    os.makedirs(args.work, exist_ok=True)
    env = dict(os.environ, OMP_NUM_THREADS=str(args.threads), OPENBLAS_NUM_THREADS=str(args.threads))
    results = {}
    for users in args.users or [1_000_000]:
        for path in inputs(args.kseg, users, args.work):
            tools = ["kseg"] + ([] if args.skip_python else ["pandas+sklearn"])
            for rnd in range(args.rounds):
                for tool in tools:
                    out_dir = os.path.join(args.work, "out_" + tool.replace("+", "_"))
                    os.makedirs(out_dir, exist_ok=True)
                    r = (kseg_run(args.kseg, path, out_dir, args.threads, env) if tool == "kseg"
                         else python_run(args.python, path, out_dir, env))
                    r["load"] = os.getloadavg()[0]
                    results.setdefault((users, os.path.basename(path), tool), []).append(r)
                    log(f"{os.path.basename(path)} {tool} round {rnd + 1}: " +
                        ", ".join(f"{k} {v:.2f}" for k, v in r.items()))
    print("| input | MB | tool | wall s | CPU s | read + prepare s | K-means s | write s | wall / K-means | peak RSS MB "
          "| load |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for (users, name, tool), runs in results.items():
        med = {k: statistics.median(r[k] for r in runs) for k in runs[0]}
        size = os.path.getsize(os.path.join(args.work, name)) / 1e6
        print(f"| {name} ({users:,} users) | {size:.0f} | {tool} | {med['wall']:.2f} | {med['cpu']:.2f} "
              f"| {med['read']:.2f} | {med['fit']:.2f} | {med['write']:.2f} | {med['wall'] / med['fit']:.1f}x "
              f"| {med['rss']:.0f} | {min(r['load'] for r in runs):.0f}-{max(r['load'] for r in runs):.0f} |")
    if args.json:
        json.dump([{"users": u, "input": n, "tool": t, "runs": r} for (u, n, t), r in results.items()],
                  open(args.json, "w"), indent=1)


if __name__ == "__main__":
    main()
