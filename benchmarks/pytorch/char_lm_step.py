#!/usr/bin/python3
"""PyTorch peer of dl4j-rational's benchmarks (a benchmark peer only: never a dependency of the library).

Two measurements, each timed the same way as the Java side (warm-up, then interleaved rounds, median and minimum):

1. ``step``: the training step (forward, backward, Adam update) of the char-LM model of
   ``CharLanguageModelSample`` / ``CharLmStepBenchmark``: one-hot characters (86) plus 16 sinusoidal position
   features -> bias-free linear map to d -> 2 causal pre-norm transformer blocks (4 heads) -> linear map to the
   characters, cross-entropy at every position; 32 windows of T characters, Adam (lr 3e-3), gradient L2 norm clipped
   to 1.0 per layer (DL4J's ClipL2PerLayer), float32. Feed-forward kinds: ``gelu`` (hidden 4d), ``swiglu`` and
   ``rational-glu`` (hidden matched to the GELU block's parameter count, as on the Java side), and
   ``rational-glu-attn`` (rational attention). The rational parts are written here in plain PyTorch from the formula
   of RationalTransformerBlock's Javadoc (autograd does the backward pass):
       R(x) = P(x) / Q(x), P = a0 + a1 x + ... + a5 x^5, Q = 1 + |b1 x + ... + b4 x^4|      (version B, (5, 4))
       rational attention: z = (s - max_j s) * M, a = M R_a(z)^2 / (sum_j M R_a(z)^2 + 1e-9), R_a of type (3, 4).
2. ``elementwise``: R alone, forward and forward + backward (with the coefficient gradients) on 8,388,608 float32
   elements [32, 64, 4096], computed the way PAU's pure-PyTorch path computes it: the powers of x, the two
   polynomials and the quotient as tensor expressions, the backward pass by autograd (written from the formula;
   PAU's code is not used). Version A or B, one coefficient set (PAU's layer-wise sharing) or one per channel.

Run (Debian: ``apt-get install python3-torch libopenblas0-pthread``), from the repository root:

    /usr/bin/python3 benchmarks/pytorch/char_lm_step.py step --d-model 64 --context 64
    /usr/bin/python3 benchmarks/pytorch/char_lm_step.py step --d-model 128 --context 128
    /usr/bin/python3 benchmarks/pytorch/char_lm_step.py elementwise

The script uses 2 threads (torch.set_num_threads(2)), runs itself again without OPENBLAS_CORETYPE /
OPENBLAS_L2_SIZE in its environment if they are set, and refuses to run (exit code 3) when matrix products do not
run on an optimized BLAS (Debian's python3-torch uses whatever libblas.so.3 the system provides; the reference
BLAS, Debian's default, is about 20x slower and makes every timing meaningless).
"""

import argparse
import math
import os
import statistics
import sys
import time

BLAS_ENV = ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")
MIN_GFLOPS = 30.0  # OpenBLAS with 2 threads on an idle 2-core x86-64: 100-140; reference BLAS: ~5

if any(k in os.environ for k in BLAS_ENV):
    env = {k: v for k, v in os.environ.items() if k not in BLAS_ENV}
    os.execve(sys.executable, [sys.executable] + sys.argv, env)

try:
    import torch
    import torch.nn as nn
    import torch.nn.functional as F
except ImportError:
    sys.exit("char_lm_step.py: PyTorch is not installed for " + sys.executable
             + " (Debian: apt-get install python3-torch libopenblas0-pthread)")

THREADS = 2


def check_blas():
    """GFLOP/s of a 2048x256x256 float32 matmul and the BLAS library mapped into the process; exits if slow."""
    a = torch.randn(2048, 256)
    b = torch.randn(256, 256)
    for _ in range(3):
        a @ b
    n = 20
    t0 = time.perf_counter()
    for _ in range(n):
        a @ b
    gflops = 2 * 2048 * 256 * 256 * n / (time.perf_counter() - t0) / 1e9
    blas = sorted({line.split()[-1] for line in open("/proc/self/maps")
                   if "blas" in line.lower() and len(line.split()) >= 6})
    config = torch.__config__.show()
    info = [part for part in config.replace(",", "\n").splitlines() if "BLAS_INFO" in part]
    print("torch %s, %d threads, %s, matmul 2048x256x256: %.1f GFLOP/s, BLAS libraries mapped: %s"
          % (torch.__version__, torch.get_num_threads(), info[0].strip() if info else "BLAS_INFO unknown", gflops,
             ", ".join(blas) or "none"))
    optimized = any(name in p.lower() for p in blas for name in ("openblas", "mkl", "blis"))
    # Debian's reference BLAS lives in .../blas/libblas.so.3; if it is mapped at all and products are slow, it is
    # the one that runs (e.g. when preloaded); without any optimized library there is nothing else to run
    reference_mapped = any("/blas/libblas" in p for p in blas)
    if not optimized or (reference_mapped and gflops < MIN_GFLOPS):
        sys.stderr.write("char_lm_step.py: refusing to run: torch's matrix products run on the reference BLAS (%s, "
                         "%.1f GFLOP/s for 2048x256x256); every timing would be meaningless. Install an optimized "
                         "provider, e.g. 'apt-get install libopenblas0-pthread' (update-alternatives then points "
                         "libblas.so.3 to it).\n" % (", ".join(blas) or "no optimized BLAS library mapped", gflops))
        sys.exit(3)
    if gflops < MIN_GFLOPS:
        print("warning: only %.1f GFLOP/s with an optimized BLAS: is the machine busy (load %s)?" % (gflops, load()))
    return gflops


def load():
    try:
        return open("/proc/loadavg").read().strip()
    except OSError:
        return "unknown"


def cpu_model():
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return "unknown CPU"


# ----------------------------------------------------------------------------------------------- rationals

def fit_silu(m, n, lo=-3.0, hi=3.0):
    """Coefficients of a (m, n) rational close to SiLU (linearized least squares; good enough for timing)."""
    x = torch.linspace(lo, hi, 2001, dtype=torch.float64)
    f = x * torch.sigmoid(x)
    # P(x) - f(x) (b1 x + ... + bn x^n) = f(x)
    cols = [x ** i for i in range(m + 1)] + [-f * x ** k for k in range(1, n + 1)]
    sol = torch.linalg.lstsq(torch.stack(cols, 1), f.unsqueeze(1)).solution.squeeze(1)
    return sol[:m + 1].float(), sol[m + 1:].float()


def fit_exp_half(m, n, lo=-8.0, hi=0.0):
    """Coefficients of a (m, n) rational close to exp(z/2) on [-8, 0] (R_a, so that R_a^2 ~ exp)."""
    x = torch.linspace(lo, hi, 2001, dtype=torch.float64)
    f = torch.exp(x / 2)
    cols = [x ** i for i in range(m + 1)] + [-f * x ** k for k in range(1, n + 1)]
    sol = torch.linalg.lstsq(torch.stack(cols, 1), f.unsqueeze(1)).solution.squeeze(1)
    return sol[:m + 1].float(), sol[m + 1:].float()


def rational(x, a, b, version="B"):
    """R(x) = P(x) / Q(x) with coefficients a [S, m+1], b [S, n] broadcast over x (PAU's pure-PyTorch style:
    powers of x as tensors, autograd backward). Version A: Q = 1 + sum |b_k| |x|^k; B: Q = 1 + |sum b_k x^k|."""
    m = a.shape[-1] - 1
    n = b.shape[-1]
    powers = [torch.ones_like(x), x]
    for _ in range(2, max(m, n) + 1):
        powers.append(powers[-1] * x)
    p = sum(a[..., i:i + 1] * powers[i] for i in range(m + 1))
    if version == "A":
        ax = x.abs()
        q = 1 + sum(b[..., k - 1:k].abs() * ax ** k for k in range(1, n + 1))
    else:
        q = 1 + sum(b[..., k - 1:k] * powers[k] for k in range(1, n + 1)).abs()
    return p / q


class Rational(nn.Module):
    """A trainable rational, one coefficient set (layer-wise sharing), applied element-wise."""

    def __init__(self, a, b):
        super().__init__()
        self.a = nn.Parameter(a.clone().view(1, -1))
        self.b = nn.Parameter(b.clone().view(1, -1))

    def forward(self, x):
        shape = x.shape
        return rational(x.reshape(1, -1), self.a, self.b).reshape(shape)


# ----------------------------------------------------------------------------------------------- the model

class Block(nn.Module):
    """Pre-norm causal transformer block: u = x + Attn(LN1(x)), y = u + FFN(LN2(u))."""

    def __init__(self, d, heads, hidden, ffn, rational_attention):
        super().__init__()
        self.heads = heads
        self.ln1 = nn.LayerNorm(d, eps=1e-5)
        self.ln2 = nn.LayerNorm(d, eps=1e-5)
        self.q = nn.Linear(d, d)
        self.k = nn.Linear(d, d)
        self.v = nn.Linear(d, d)
        self.o = nn.Linear(d, d)
        self.ffn = ffn
        if ffn == "gelu":
            self.w1 = nn.Linear(d, hidden)
        else:
            self.wg = nn.Linear(d, hidden)
            self.wu = nn.Linear(d, hidden)
            if ffn == "rational-glu":
                self.gate = Rational(*fit_silu(5, 4))
        self.w2 = nn.Linear(hidden, d)
        self.attn_rational = Rational(*fit_exp_half(3, 4)) if rational_attention else None

    def attention(self, z):
        mb, t, d = z.shape
        h = self.heads
        q = self.q(z).view(mb, t, h, d // h).transpose(1, 2)
        k = self.k(z).view(mb, t, h, d // h).transpose(1, 2)
        v = self.v(z).view(mb, t, h, d // h).transpose(1, 2)
        s = q @ k.transpose(-1, -2) / math.sqrt(d // h)
        mask = torch.ones(t, t, dtype=torch.bool).tril()
        if self.attn_rational is None:
            a = torch.softmax(s.masked_fill(~mask, -1e9), dim=-1)
        else:
            s = s.masked_fill(~mask, -1e9)
            m = mask.to(s.dtype)
            zz = (s - s.max(dim=-1, keepdim=True).values) * m
            r = self.attn_rational(zz)
            phi = r * r * m
            a = phi / (phi.sum(dim=-1, keepdim=True) + 1e-9)
        return self.o((a @ v).transpose(1, 2).reshape(mb, t, d))

    def feed_forward(self, z):
        if self.ffn == "gelu":
            return self.w2(F.gelu(self.w1(z), approximate="tanh"))
        g = self.wg(z)
        act = F.silu(g) if self.ffn == "swiglu" else self.gate(g)
        return self.w2(act * self.wu(z))

    def forward(self, x):
        u = x + self.attention(self.ln1(x))
        return u + self.feed_forward(self.ln2(u))


def glu_hidden(d):
    """The GLU hidden width whose block has the parameter count closest to the GELU block's (hidden 4d): the
    attention (4 d^2 + 4 d) and LayerNorms (4 d) are common; GELU's FFN has 8 d^2 + 5 d, a GLU's 3 d h + 2 h + d."""
    target = 8 * d * d + 5 * d
    return min(range(1, 4 * d + 1), key=lambda h: abs(3 * d * h + 2 * h + d - target))


class Model(nn.Module):
    def __init__(self, variant, vocabulary, positions, d, heads, layers):
        super().__init__()
        ffn = "rational-glu" if variant.startswith("rational-glu") else variant
        hidden = 4 * d if ffn == "gelu" else glu_hidden(d)
        self.hidden = hidden
        self.embed = nn.Linear(vocabulary + positions, d, bias=False)
        self.blocks = nn.ModuleList([Block(d, heads, hidden, ffn, variant == "rational-glu-attn")
                                     for _ in range(layers)])
        self.out = nn.Linear(d, vocabulary)

    def forward(self, x):
        h = self.embed(x)
        for b in self.blocks:
            h = b(h)
        return self.out(h)

    def layers(self):
        return [self.embed] + list(self.blocks) + [self.out]


def batch(mb, t, vocabulary, positions, generator):
    chars = torch.randint(0, vocabulary, (mb, t + 1), generator=generator)
    x = torch.zeros(mb, t, vocabulary + positions)
    x.scatter_(2, chars[:, :t].unsqueeze(2), 1.0)
    pos = torch.arange(t, dtype=torch.float32).unsqueeze(1)
    i = torch.arange(positions // 2, dtype=torch.float32)
    w = pos / torch.pow(10000.0, 2 * i / positions)
    x[:, :, vocabulary::2] = torch.sin(w)
    x[:, :, vocabulary + 1::2] = torch.cos(w)
    return x, chars[:, 1:]


def step_benchmark(args):
    g = torch.Generator().manual_seed(args.seed)
    torch.manual_seed(args.seed)
    x, y = batch(args.batch, args.context, args.vocabulary, args.positions, g)
    runs = {}
    for v in args.variants:
        model = Model(v, args.vocabulary, args.positions, args.d_model, args.heads, args.layers)
        opt = torch.optim.Adam(model.parameters(), lr=3e-3)

        def step(model=model, opt=opt):
            opt.zero_grad(set_to_none=True)
            logits = model(x)
            loss = F.cross_entropy(logits.reshape(-1, args.vocabulary), y.reshape(-1))
            loss.backward()
            for layer in model.layers():
                torch.nn.utils.clip_grad_norm_(layer.parameters(), 1.0)
            opt.step()
            return loss.item()

        for _ in range(args.warmup):
            step()
        runs[v] = (step, [], model.hidden, sum(p.numel() for p in model.parameters()))
    for _ in range(args.steps):
        for v, (step, times, _, _) in runs.items():
            t0 = time.perf_counter()
            step()
            times.append((time.perf_counter() - t0) * 1e3)
    print("char-LM step: d %d, T %d, mb %d, %d heads, %d blocks, vocabulary %d + %d positions; %d warm-up and %d timed "
          "steps per model, interleaved" % (args.d_model, args.context, args.batch, args.heads, args.layers,
                                            args.vocabulary, args.positions, args.warmup, args.steps))
    report({v: r[1] for v, r in runs.items()}, {v: "hidden %d, %d parameters" % (r[2], r[3]) for v, r in runs.items()})


def elementwise_benchmark(args):
    shape = (32, 64, 4096)
    torch.manual_seed(args.seed)
    x0 = (torch.rand(shape) - 0.5) * 6
    eps = torch.randn(shape)
    cases = {}
    for version in args.versions:
        for sharing in args.sharings:
            sets = 1 if sharing == "layer" else shape[1]
            a0, b0 = fit_silu(5, 4)
            if version == "A":
                b0 = b0.abs()
            a = a0.view(1, -1).repeat(sets, 1).view(1, sets, 1, 6).contiguous().requires_grad_(True)
            b = b0.view(1, -1).repeat(sets, 1).view(1, sets, 1, 4).contiguous().requires_grad_(True)
            # coefficient columns broadcast as [1, S, 1] over [32, 64, 4096] (S = 1 or 64)

            def fwd(a=a, b=b, version=version, sets=sets):
                with torch.no_grad():
                    return rational_cols(x0, a, b, version, sets)

            def fwd_bwd(a=a, b=b, version=version, sets=sets):
                xg = x0.detach().requires_grad_(True)
                a.grad = None
                b.grad = None
                out = rational_cols(xg, a, b, version, sets)
                out.backward(eps)
                return xg.grad

            key = "%s %s" % (version, sharing)
            cases[key + " forward"] = fwd
            cases[key + " forward+backward"] = fwd_bwd
    copy_out = torch.empty(shape)
    cases["copy (read + write 32 MB)"] = lambda: copy_out.copy_(x0)
    for f in cases.values():
        for _ in range(args.warmup):
            f()
    times = {k: [] for k in cases}
    for _ in range(args.steps):
        for k, f in cases.items():
            t0 = time.perf_counter()
            f()
            times[k].append((time.perf_counter() - t0) * 1e3)
    print("rational (5,4) element-wise, PAU-style pure PyTorch (autograd), %d float32 elements %s; %d warm-up and %d "
          "timed runs each, interleaved" % (x0.numel(), list(shape), args.warmup, args.steps))
    report(times, {})


def rational_cols(x, a, b, version, sets):
    """R over x [32, 64, 4096] with coefficients a [1, S, 1, m+1], b [1, S, 1, n] (S = 1 or 64)."""
    m = a.shape[-1] - 1
    n = b.shape[-1]
    ac = [a[..., i].view(1, sets, 1) for i in range(m + 1)]
    bc = [b[..., k].view(1, sets, 1) for k in range(n)]
    powers = [None, x]
    for _ in range(2, max(m, n) + 1):
        powers.append(powers[-1] * x)
    p = ac[0] + sum(ac[i] * powers[i] for i in range(1, m + 1))
    if version == "A":
        ax = x.abs()
        apow = [None, ax]
        for _ in range(2, n + 1):
            apow.append(apow[-1] * ax)
        q = 1 + sum(bc[k - 1].abs() * apow[k] for k in range(1, n + 1))
    else:
        q = 1 + sum(bc[k - 1] * powers[k] for k in range(1, n + 1)).abs()
    return p / q


def report(times, notes):
    first = next(iter(times))
    med0 = statistics.median(times[first])
    min0 = min(times[first])
    print()
    print("%-34s %10s %10s %8s %8s" % ("case", "median ms", "min ms", "x med", "x min"))
    for k, t in times.items():
        med = statistics.median(t)
        print("%-34s %10.2f %10.2f %8.3f %8.3f  %s" % (k, med, min(t), med / med0, min(t) / min0, notes.get(k, "")))
    print("(ratios to %s)" % first)
    for k, t in times.items():
        print("RESULT\t%s\t%.3f\t%.3f" % (k, statistics.median(t), min(t)))
    print("load %s" % load())


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="what", required=True)
    s = sub.add_parser("step", help="char-LM training step")
    s.add_argument("--variants", default="gelu,swiglu,rational-glu,rational-glu-attn")
    s.add_argument("--d-model", type=int, default=64)
    s.add_argument("--context", type=int, default=64)
    s.add_argument("--batch", type=int, default=32)
    s.add_argument("--heads", type=int, default=4)
    s.add_argument("--layers", type=int, default=2)
    s.add_argument("--vocabulary", type=int, default=86)
    s.add_argument("--positions", type=int, default=16)
    s.add_argument("--warmup", type=int, default=10)
    s.add_argument("--steps", type=int, default=30)
    s.add_argument("--seed", type=int, default=42)
    s.add_argument("--threads", type=int, default=THREADS, help="torch threads (default 2, the peer setting)")
    s.add_argument("--format", default="NCW", help="accepted for the shared command line of compare_char_lm.sh; "
                   "the DL4J network's layout, no meaning here ([mb, T, features] always)")
    e = sub.add_parser("elementwise", help="rational forward / forward+backward, PAU-style")
    e.add_argument("--versions", default="A,B")
    e.add_argument("--sharings", default="layer,channel")
    e.add_argument("--warmup", type=int, default=3)
    e.add_argument("--steps", type=int, default=10)
    e.add_argument("--seed", type=int, default=1)
    e.add_argument("--threads", type=int, default=THREADS, help="torch threads (default 2, the peer setting)")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    print("%s | %d cores | %s | load %s" % (cpu_model(), os.cpu_count(), time.strftime("%Y-%m-%d %H:%M:%S %z"),
                                           load()))
    check_blas()
    if args.what == "step":
        args.variants = [v.strip() for v in args.variants.split(",") if v.strip()]
        for v in args.variants:
            if v not in ("gelu", "swiglu", "rational-glu", "rational-glu-attn"):
                sys.exit("unknown variant %r: use gelu, swiglu, rational-glu, rational-glu-attn" % v)
        step_benchmark(args)
    else:
        args.versions = [v.strip().upper() for v in args.versions.split(",")]
        args.sharings = [v.strip().lower() for v in args.sharings.split(",")]
        elementwise_benchmark(args)


if __name__ == "__main__":
    main()
