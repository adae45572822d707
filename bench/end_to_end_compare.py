#!/usr/bin/env python3
"""End to end: `kseg fit` of a users file (CSV, gzip CSV, Parquet) against pandas + scikit-learn (and
scikit-learn-intelex) pipelines doing the same work.

Every tool reads the file written by `kseg generate` (the Parquet copy is written once by pyarrow from the CSV),
prepares the same features and fits K-means with k = 16, 20 Lloyd iterations from k-means++ (one restart, tolerance
0; each tool seeds with its own k-means++, so the starts differ but the iteration work is the same), then writes
segments.csv (id, segment, distance) and centroids.csv. The Python pipeline mirrors kseg's default preparation:
numeric columns imputed with their median, log1p where the column is non-negative with sample skewness > 2, z-scored
(population standard deviation), constant columns dropped; categorical columns one-hot encoded (the 50 most frequent
levels, a "(missing)" level for gaps, the rest as "(other)"), each block's 1 scaled to 1 / sqrt(1 - sum of squared
shares) so it weighs like one numeric column. kseg writes more (model.json with the drift reference, profiles,
segment names, report.html).

Each tool runs in its own process, alternately, --rounds times; the table gives medians of wall seconds, CPU seconds
(user + sys of the process, all threads: the steadier figure on a shared machine) and peak RSS (wait4), and each
tool's phases as it times them itself (kseg: summary.json; Python: around each step, after its imports, which are
in the wall and CPU seconds only). "after K-means" is the wall time of everything after the fit (for kseg: the
segment file, centroids, model with its drift reference, profiles, report and the process's exit).

  .venv/bin/pip install -r bench/requirements.txt -r bench/requirements-python.txt
  bench/compare --only end-to-end --users 1000000               # the same, from bench/compare
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

def python_pipeline(path, out_dir, tool):
    t0 = time.perf_counter()
    import numpy as np
    import pandas as pd
    if tool == "pandas+sklearnex":
        from sklearnex.cluster import KMeans
    else:
        from sklearn.cluster import KMeans

    t_import = time.perf_counter()
    df = pd.read_parquet(path) if path.endswith(".parquet") else pd.read_csv(path, engine="pyarrow")
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


PYTHON_TOOLS = ["pandas+sklearn", "pandas+sklearnex"]


def inputs(kseg, python, users, work, formats):
    """The generated CSV and, as asked, its gzip and Parquet copies (Parquet written by pyarrow from the CSV)."""
    path = os.path.join(work, f"users_{users}.csv")
    if not os.path.exists(path):
        log(f"generating {path}")
        subprocess.run([kseg, "generate", "--users", str(users), "--seed", str(SEED), "--out", path, "--quiet"],
                       check=True)
    paths = {"csv": path, "csv.gz": path + ".gz", "parquet": path[:-4] + ".parquet"}
    if "csv.gz" in formats and not os.path.exists(paths["csv.gz"]):
        with open(paths["csv.gz"] + ".tmp", "wb") as out:
            subprocess.run(["gzip", "-6", "-c", path], stdout=out, check=True)
        os.replace(paths["csv.gz"] + ".tmp", paths["csv.gz"])
    if "parquet" in formats and not os.path.exists(paths["parquet"]):
        log(f"writing {paths['parquet']} with pyarrow")
        subprocess.run([python, "-c", "import sys, pyarrow.csv as c, pyarrow.parquet as p; "
                        "p.write_table(c.read_csv(sys.argv[1]), sys.argv[2] + '.tmp'); "
                        "import os; os.replace(sys.argv[2] + '.tmp', sys.argv[2])", path, paths["parquet"]],
                       check=True)
    return [paths[f] for f in formats]


def kseg_run(kseg, path, out_dir, threads, env):
    rc, wall, cpu, rss, _, err = run([kseg, "fit", path, "--k", str(K), "--max-iter", str(ITERS), "--seed", str(SEED),
                                      "--device", "cpu", "--threads", str(threads), "--out", out_dir, "--quiet"], env)
    if rc != 0:
        return {"error": f"kseg failed on {path}: {err}"}
    s = json.load(open(os.path.join(out_dir, "summary.json")))["seconds"]
    segments_mb = os.path.getsize(os.path.join(out_dir, "segments.csv")) / 1e6
    return {"wall": wall, "cpu": cpu, "rss": rss, "read": s["read_and_prepare"], "fit": s["fit"], "write": s["write"],
            "after": wall - s["read_and_prepare"] - s["fit"], "segments_mb_s": segments_mb / s["write"]}


def python_run(python, tool, path, out_dir, env):
    rc, wall, cpu, rss, out, err = run([python, os.path.abspath(__file__), "--child", path, out_dir, tool], env)
    if rc != 0:
        return {"error": f"{tool} failed on {path}: {err}"}
    phases = json.loads(out.strip().splitlines()[-1])
    return {"wall": wall, "cpu": cpu, "rss": rss, "read": phases["read"] + phases["prepare"], "fit": phases["fit"],
            "write": phases["write"], "after": phases["write"]}


def python_tools(python, wanted):
    """The Python pipelines whose modules import in python; the others are reported and skipped."""
    tools = []
    for tool in wanted:
        module = "sklearnex" if tool == "pandas+sklearnex" else "sklearn"
        probe = subprocess.run([python, "-c", f"import pandas, pyarrow, {module}"], capture_output=True)
        if probe.returncode != 0:
            log(f"skipping {tool}: `import pandas, pyarrow, {module}` failed in {python}; "
                f"pip install -r bench/requirements.txt -r bench/requirements-python.txt")
            continue
        tools.append(tool)
    return tools


def end_to_end(kseg, python, users_list, rounds, threads, work, formats=("csv", "csv.gz", "parquet"),
               tools=None):
    """Runs every tool on every input, alternately; returns {(users, input name, tool): [runs]}."""
    os.makedirs(work, exist_ok=True)
    env = dict(os.environ, OMP_NUM_THREADS=str(threads), OPENBLAS_NUM_THREADS=str(threads))
    tools = ["kseg"] + python_tools(python, PYTHON_TOOLS if tools is None else tools)
    results = {}
    for users in users_list:
        for path in inputs(kseg, python, users, work, formats):
            for rnd in range(rounds):
                order = tools[rnd % len(tools):] + tools[:rnd % len(tools)]  # rotate: no tool always first
                for tool in order:
                    out_dir = os.path.join(work, "out_" + tool.replace("+", "_"))
                    os.makedirs(out_dir, exist_ok=True)
                    r = (kseg_run(kseg, path, out_dir, threads, env) if tool == "kseg"
                         else python_run(python, tool, path, out_dir, env))
                    if "error" in r:
                        log(f"{os.path.basename(path)} {tool} round {rnd + 1}: FAILED {r['error'][-400:]}")
                        continue
                    r["load"] = os.getloadavg()[0]
                    results.setdefault((users, os.path.basename(path), tool), []).append(r)
                    log(f"{os.path.basename(path)} {tool} round {rnd + 1}: " +
                        ", ".join(f"{k} {v:.2f}" for k, v in r.items()))
    return results


def end_to_end_table(results, work):
    lines = ["| input | MB | tool | wall s | CPU s | read + prepare s | K-means s | write s | after K-means s "
             "| after / K-means | wall / K-means | segments.csv MB/s | peak RSS MB | load |",
             "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for (users, name, tool), runs in results.items():
        med = {k: statistics.median(r[k] for r in runs) for k in runs[0]}
        size = os.path.getsize(os.path.join(work, name)) / 1e6
        rate = f"{med['segments_mb_s']:.0f}" if "segments_mb_s" in med else ""
        lines.append(f"| {name} ({users:,} users) | {size:.0f} | {tool} | {med['wall']:.2f} | {med['cpu']:.2f} "
                     f"| {med['read']:.2f} | {med['fit']:.2f} | {med['write']:.2f} | {med['after']:.2f} "
                     f"| {med['after'] / med['fit']:.2f}x | {med['wall'] / med['fit']:.2f}x | {rate} "
                     f"| {med['rss']:.0f} | {min(r['load'] for r in runs):.0f}-{max(r['load'] for r in runs):.0f} |")
    return "\n".join(lines)


def main():
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        python_pipeline(sys.argv[2], sys.argv[3], sys.argv[4] if len(sys.argv) > 4 else "pandas+sklearn")
        return
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--kseg", default="build-cpu/cli/kseg", help="kseg binary")
    p.add_argument("--python", default=sys.executable, help="Python with pandas, pyarrow and scikit-learn")
    p.add_argument("--users", type=int, action="append", help="users per file (repeatable; default 1000000)")
    p.add_argument("--formats", default="csv,csv.gz,parquet", help="inputs: csv, csv.gz, parquet (comma-separated)")
    p.add_argument("--rounds", type=int, default=3, help="alternating rounds (default 3)")
    p.add_argument("--threads", type=int, default=os.cpu_count(), help="threads for every tool (default: all cores)")
    p.add_argument("--work", default=os.path.join(tempfile.gettempdir(), "kseg-e2e"), help="data and outputs")
    p.add_argument("--tools", default=",".join(PYTHON_TOOLS), help="Python pipelines to run beside kseg ('' for none)")
    p.add_argument("--skip-python", action="store_true", help="time kseg only")
    p.add_argument("--json", help="also write every run to this JSON file")
    args = p.parse_args()
    tools = [] if args.skip_python else [t for t in args.tools.split(",") if t]
    results = end_to_end(args.kseg, args.python, args.users or [1_000_000], args.rounds, args.threads, args.work,
                         [f for f in args.formats.split(",") if f], tools)
    print(end_to_end_table(results, args.work))
    if args.json:
        json.dump([{"users": u, "input": n, "tool": t, "runs": r} for (u, n, t), r in results.items()],
                  open(args.json, "w"), indent=1)


if __name__ == "__main__":
    main()
