#!/usr/bin/env python3
"""stats.py RAW.tsv [RUNTIME...] - the result table of bench/run.sh.

RAW.tsv has one line per timed run: runtime, round, nanoseconds.  Prints,
per runtime (in the order given, else as first seen): runs, median, p90 and min in ms, and the
ratio of its median to the floor's median.  Part of the benchmark only.
"""
import math
import statistics
import sys


def p90(values):
    ordered = sorted(values)
    return ordered[max(0, math.ceil(0.9 * len(ordered)) - 1)]  # nearest rank


def main():
    if len(sys.argv) < 2:
        sys.exit("usage: stats.py RAW.tsv [RUNTIME...]")
    runs = {}
    with open(sys.argv[1]) as raw:
        for line in raw:
            name, _round, ns = line.split()
            runs.setdefault(name, []).append(int(ns) / 1e6)
    if not runs:
        sys.exit("stats.py: no successful runs")
    order = [n for n in sys.argv[2:] if n in runs] + [n for n in runs if n not in sys.argv[2:]]
    floor = statistics.median(runs["floor"]) if "floor" in runs else None
    print(f"{'runtime':<8} {'runs':>5} {'median ms':>10} {'p90 ms':>8} {'min ms':>8} {'x floor':>8}")
    for name in order:
        ms = runs[name]
        median = statistics.median(ms)
        ratio = f"{median / floor:.1f}" if floor else "-"
        print(f"{name:<8} {len(ms):>5} {median:>10.2f} {p90(ms):>8.2f} {min(ms):>8.2f} {ratio:>8}")


if __name__ == "__main__":
    main()
