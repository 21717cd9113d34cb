#!/usr/bin/python3
"""Summarises a JFR recording of a benchmark run: where the main thread's time goes.

JFR samples Java threads running Java code (jdk.ExecutionSample) and Java threads inside native methods
(jdk.NativeMethodSample; ND4J's ops and BLAS run there). Both are counted for the thread named by --thread
(default: main), so the fractions are fractions of that thread's wall time; ND4J's OpenMP worker threads are not
Java threads and are not sampled (their work shows as time the main thread spends in the native call that started
it). Prints the top frames by self time, and inclusive time of every frame whose name matches a --group pattern.

    jfr print --events jdk.ExecutionSample,jdk.NativeMethodSample rec.jfr > rec.txt
    /usr/bin/python3 benchmarks/profile/jfr_summary.py rec.txt --group InferenceSession --group NativeBlock
"""
import argparse
import collections
import re
import sys


def events(path):
    """Yields (event type, thread name, [frames, top first]) from `jfr print` output."""
    kind = None
    thread = None
    frames = []
    in_stack = False
    for line in open(path, encoding="utf-8", errors="replace"):
        s = line.strip()
        m = re.match(r"^(jdk\.\w+) \{$", s)
        if m:
            kind, thread, frames, in_stack = m.group(1), None, [], False
            continue
        if s.startswith("sampledThread =") or s.startswith("eventThread ="):
            t = re.search(r'"([^"]*)"', s)
            thread = t.group(1) if t else s
        elif s.startswith("stackTrace = ["):
            in_stack = True
        elif in_stack and s == "]":
            in_stack = False
        elif in_stack and s and s != "...":
            frames.append(re.sub(r"\s+line:.*$", "", s))
        elif s == "}" and kind:
            yield kind, thread, frames
            kind = None


def main():
    p = argparse.ArgumentParser()
    p.add_argument("file")
    p.add_argument("--thread", default="main")
    p.add_argument("--top", type=int, default=25)
    p.add_argument("--group", action="append", default=[], help="regex; inclusive share of matching frames")
    a = p.parse_args()
    self_count = collections.Counter()
    groups = collections.Counter()
    kinds = collections.Counter()
    total = 0
    for kind, thread, frames in events(a.file):
        if thread != a.thread or not frames:
            continue
        total += 1
        kinds[kind] += 1
        self_count[frames[0]] += 1
        for g in a.group:
            if any(re.search(g, f) for f in frames):
                groups[g] += 1
    if total == 0:
        sys.exit("no samples of thread %r" % a.thread)
    print("%d samples of thread %r: %s" % (total, a.thread, dict(kinds)))
    print("\ninclusive share by group:")
    for g in a.group:
        print("  %6.1f %%  %s" % (100.0 * groups[g] / total, g))
    print("\ntop frames by self samples:")
    for f, c in self_count.most_common(a.top):
        print("  %6.1f %%  %s" % (100.0 * c / total, f))


if __name__ == "__main__":
    main()
