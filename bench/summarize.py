#!/usr/bin/env python3
"""Medians over repeated Google Benchmark JSON outputs: summarize.py LABEL=file1.json,file2.json ... (one LABEL per build).

Prints one Markdown table row per benchmark: for each label the median wall time (ms), GFLOP/s, vs_sgemm and rows/s.
"""
import json
import statistics
import sys


def load(files):
    runs = {}
    for path in files:
        with open(path) as f:
            for b in json.load(f)["benchmarks"]:
                runs.setdefault(b["name"], []).append(b)
    return runs


def median(rows, key):
    values = [r[key] for r in rows if key in r]
    return statistics.median(values) if values else None


def main():
    builds = []
    for arg in sys.argv[1:]:
        label, files = arg.split("=", 1)
        builds.append((label, load(files.split(","))))
    names = list(builds[-1][1].keys())
    header = ["benchmark"]
    for label, _ in builds:
        header += [f"{label} ms", f"{label} GFLOP/s", f"{label} vs SGEMM", f"{label} Mrows/s"]
    print("| " + " | ".join(header) + " |")
    print("|" + "---|" * len(header))
    for name in names:
        cells = [name.replace("/real_time", "").replace("/min_time:1.000", "")]
        for _, runs in builds:
            rows = runs.get(name, [])
            fmt = lambda v, spec: "" if v is None else format(v, spec)
            cells += [fmt(median(rows, "real_time"), ".1f"), fmt(median(rows, "GFLOP/s"), ".1f"),
                      fmt(median(rows, "vs_sgemm"), ".2f"),
                      fmt(None if median(rows, "rows/s") is None else median(rows, "rows/s") / 1e6, ".1f")]
        print("| " + " | ".join(cells) + " |")
        sys.stdout.flush()
    print(f"\n{len(builds)} builds; medians of {', '.join(str(len(next(iter(r.values()), []))) for _, r in builds)} runs")


if __name__ == "__main__":
    main()
