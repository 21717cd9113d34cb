#!/usr/bin/python3
"""Tables (a) and (b) of docs/benchmarks.md from the JMH CSV files of ActivationBenchmark and, when given, the
output of ``char_lm_step.py elementwise`` (PAU-style pure PyTorch), all from the same run of benchmarks/run-all.sh.

    benchmarks/elementwise_table.py RATIONAL.csv BUILTINS.csv [TORCH.txt]

Bandwidth: the copy reads and writes one array (2 N elements moved); the rational forward moves the same 2 N, the
forward + backward with all coefficient gradients reads x twice and eps once and writes out and dx (5 N), so its
bandwidth share is 2.5 x copy time / its time. (b) is the IActivation forward + backprop (ActivationRational, input
copied first as a layer does) over the kernels alone with the same two copies.
"""
import csv
import sys


def read_jmh(path):
    rows = {}
    with open(path) as f:
        for r in csv.DictReader(f):
            name = r["Benchmark"].rsplit(".", 1)[-1]
            key = (r.get("Param: version", ""), r.get("Param: sharing", ""), r.get("Param: dataType", ""))
            rows[(name,) + key] = (float(r["Score"]), r["Score Error (99.9%)"])
    return rows


def read_torch(path):
    out = {}
    try:
        for line in open(path):
            if line.startswith("RESULT\t"):
                parts = line.rstrip("\n").split("\t")
                out[parts[1]] = float(parts[2])
    except OSError:
        pass
    return out


def main():
    if len(sys.argv) not in (3, 4):
        sys.exit(__doc__)
    rat = read_jmh(sys.argv[1])
    builtins = read_jmh(sys.argv[2])
    torch = read_torch(sys.argv[3]) if len(sys.argv) == 4 else {}
    combos = sorted({k[1:] for k in rat if k[0] == "copy"}, key=lambda c: (c[2] != "FLOAT", c[0], c[1]))
    print("\n(a) element-wise, ms per call (JMH mean), bandwidth = share of the plain copy's bytes per second, same run")
    print("%-7s %-8s %-7s %8s %9s %6s %11s %6s %12s %12s %10s %10s" % (
        "version", "sharing", "type", "copy", "forward", "bw %", "fwd+bwd", "bw %", "PAU-PyT fwd", "PAU-PyT f+b",
        "x fwd", "x f+b"))
    for v, s, dt in combos:
        copy = rat[("copy", v, s, dt)][0]
        fwd = rat.get(("rationalForward", v, s, dt), (float("nan"),))[0]
        fb = rat.get(("rationalForwardBackward", v, s, dt), (float("nan"),))[0]
        tf = torch.get("%s %s forward" % (v, s.lower())) if dt == "FLOAT" else None
        tfb = torch.get("%s %s forward+backward" % (v, s.lower())) if dt == "FLOAT" else None
        print("%-7s %-8s %-7s %8.2f %9.2f %6.0f %11.2f %6.0f %12s %12s %10s %10s" % (
            v, s, dt, copy, fwd, 100 * copy / fwd, fb, 100 * 2.5 * copy / fb,
            "%.1f" % tf if tf else "-", "%.1f" % tfb if tfb else "-",
            "%.4f" % (fwd / tf) if tf else "-", "%.4f" % (fb / tfb) if tfb else "-"))
    print("(x fwd, x f+b: ours / PAU-style pure PyTorch, float32; '-' where PyTorch did not run)")
    print("\n(a) DL4J built-in activations, version A CHANNEL run (ms per call, JMH mean)")
    for dt in sorted({k[3] for k in builtins}, key=lambda d: d != "FLOAT"):
        names = ["copy", "reluForward", "reluForwardWithCopy", "tanhForward", "tanhForwardBackward",
                 "rationalForwardInPlace"]
        print("  %-7s " % dt + "  ".join("%s %.2f" % (n, builtins[(n, "A", "CHANNEL", dt)][0]) for n in names
                                          if (n, "A", "CHANNEL", dt) in builtins))
    print("\n(b) ActivationRational forward + backprop vs the kernels alone (both with the layer's two input copies)")
    print("%-7s %-8s %-7s %12s %12s %8s" % ("version", "sharing", "type", "IActivation", "kernels", "ratio"))
    for v, s, dt in combos:
        a = rat.get(("activationForwardBackward", v, s, dt))
        k = rat.get(("kernelForwardBackwardWithCopies", v, s, dt))
        if a and k:
            print("%-7s %-8s %-7s %12.2f %12.2f %8.3f" % (v, s, dt, a[0], k[0], a[0] / k[0]))


if __name__ == "__main__":
    main()
