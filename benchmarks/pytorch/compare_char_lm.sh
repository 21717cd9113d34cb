#!/bin/bash
# The char-LM training step in DL4J (RationalTransformerBlock, CharLmStepBenchmark) and in PyTorch
# (char_lm_step.py), alternating whole runs of each ROUNDS times so that a change of machine load affects both
# alike; prints every run's medians and, per variant, the median over the rounds and the ratio DL4J / PyTorch.
#
#   benchmarks/pytorch/compare_char_lm.sh [--d-model 64 --context 64 ...]     (from the repository root)
#
# Environment: ROUNDS (default 3), STEPS (timed steps per run, default 30), WARMUP (default 10), VARIANTS
# (default gelu,swiglu,rational-glu,rational-glu-attn), JAVA_OPTS (extra JVM flags), MVN_FLAGS (e.g. -o), SKIP_BUILD=1
# (use the classes already built); OMP_WAIT_POLICY and OPENBLAS_THREAD_TIMEOUT reach both sides alike (see
# docs/benchmarks.md). Needs /usr/bin/python3 with
# python3-torch and an optimized BLAS (the Python script refuses otherwise), Maven and Java 17.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROUNDS=${ROUNDS:-3}
STEPS=${STEPS:-30}
WARMUP=${WARMUP:-10}
VARIANTS=${VARIANTS:-gelu,swiglu,rational-glu,rational-glu-attn}
OUT=$(mktemp -d)
if [ "${SKIP_BUILD:-0}" != 1 ] || [ ! -f benchmarks/target/cp.txt ]; then
  # one reactor build: the library and the samples resolve to this checkout's modules
  mvn -B -q ${MVN_FLAGS:-} -pl dl4j-rational,samples,benchmarks package dependency:build-classpath -DskipTests \
      -Dmdep.outputFile=target/cp.txt
fi
cp benchmarks/target/cp.txt "$OUT/cp.txt"
# the reactor's own classes, not whatever an earlier 'install' left in the local repository
CP="benchmarks/target/classes:samples/target/classes:dl4j-rational/target/classes:$(tr ':' '\n' < "$OUT/cp.txt" | grep -v -e '/org/rationalnn/' -e "^$(pwd)/" | paste -sd:)"
for r in $(seq 1 "$ROUNDS"); do
  echo "== round $r / $ROUNDS: DL4J"
  java --add-modules jdk.incubator.vector -Xmx3g -Dlogback.configurationFile=benchmarks/target/classes/logback.xml ${JAVA_OPTS:-} -cp "$CP" org.rationalnn.benchmarks.CharLmStepBenchmark \
      --variants "$VARIANTS" --warmup "$WARMUP" --steps "$STEPS" "$@" 2>&1 | grep -v "^WARNING" | tee "$OUT/java-$r.txt"
  echo "== round $r / $ROUNDS: PyTorch"
  /usr/bin/python3 benchmarks/pytorch/char_lm_step.py step --variants "$VARIANTS" --warmup "$WARMUP" \
      --steps "$STEPS" "$@" | tee "$OUT/torch-$r.txt"
done
/usr/bin/python3 - "$OUT" "$ROUNDS" <<'PY'
import statistics, sys
out, rounds = sys.argv[1], int(sys.argv[2])
def read(path):
    return {l.split("\t")[1]: (float(l.split("\t")[2]), float(l.split("\t")[3]))
            for l in open(path) if l.startswith("RESULT\t")}
java = [read("%s/java-%d.txt" % (out, r)) for r in range(1, rounds + 1)]
torch = [read("%s/torch-%d.txt" % (out, r)) for r in range(1, rounds + 1)]
print("\n%-20s %14s %14s %12s %12s   %s" % ("variant", "DL4J ms", "PyTorch ms", "DL4J/PyTorch", "(of minima)",
                                            "per-round ratios"))
for v in java[0]:
    j = statistics.median(x[v][0] for x in java)
    t = statistics.median(x[v][0] for x in torch)
    jm = min(x[v][1] for x in java)
    tm = min(x[v][1] for x in torch)
    per = ", ".join("%.2f" % (java[r][v][0] / torch[r][v][0]) for r in range(rounds))
    print("%-20s %14.2f %14.2f %12.2f %12.2f   %s" % (v, j, t, j / t, jm / tm, per))
print("(medians over %d rounds of per-run medians; minima over all steps)" % rounds)
PY
cat /proc/loadavg
echo "OMP_WAIT_POLICY=${OMP_WAIT_POLICY:-unset} OPENBLAS_THREAD_TIMEOUT=${OPENBLAS_THREAD_TIMEOUT:-unset}"
