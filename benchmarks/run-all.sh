#!/bin/bash
# Every table of docs/benchmarks.md in one go (about 35-45 minutes on 2 idle cores), from the repository root:
#
#   benchmarks/run-all.sh            # the full run; output also goes to benchmarks/target/run-all-DATE.txt
#   benchmarks/run-all.sh --smoke    # tiny sizes and iterations: checks that every command runs (times meaningless)
#
# Tables: (a) element-wise: our kernels vs DL4J's activations vs a plain copy (JMH), and the PAU-style pure-PyTorch
# rational (char_lm_step.py elementwise); (b) ActivationRational (IActivation) vs the kernels alone; (c) MLP training
# step (JMH); (d) Fashion-MNIST CNN, rational per channel vs ReLU (CnnEpochBenchmark); (e) char-LM training step per
# feed-forward kind vs PyTorch at d 64 / T 64 and d 128 / T 128 (compare_char_lm.sh). Each table is preceded by the
# date, the CPU (model and SIMD flags) and the exact command. The PyTorch parts are skipped, with a message, when
# /usr/bin/python3 has no torch; char_lm_step.py itself refuses to run on the reference BLAS.
# Environment: MVN_FLAGS (default -o: offline), TABLES (default "a c d e"; b comes with a).
# OMP_WAIT_POLICY=PASSIVE in the environment (inherited by every JVM and by PyTorch) stops ND4J's and PyTorch's
# OpenMP threads from spinning between ops; on 2 cores it makes the training-step tables 2-4x faster on both sides
# (docs/benchmarks.md); OPENBLAS_THREAD_TIMEOUT=4 does the same for the OpenBLAS threads behind ND4J's matrix
# products (the char-LM step at d 128 about 1.3x faster). The header of each table prints the values in effect.
set -euo pipefail
cd "$(dirname "$0")/.."
SMOKE=0
if [ "${1:-}" = "--smoke" ]; then
  SMOKE=1
elif [ $# -gt 0 ]; then
  echo "usage: benchmarks/run-all.sh [--smoke]" >&2
  exit 2
fi
MVN_FLAGS=${MVN_FLAGS:--o}
TABLES=${TABLES:-a c d e}
mkdir -p benchmarks/target
LOG=benchmarks/target/run-all-$(date -u +%Y%m%d-%H%M%S).txt
exec > >(tee "$LOG") 2>&1

cpu_line() {
  local model flags
  model=$(grep -m1 '^model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')
  flags=$(grep -m1 '^flags' /proc/cpuinfo | tr ' ' '\n' | grep -E '^(sse4_2|avx|avx2|fma|avx512f|avx512bw|avx512vl|avx512_bf16)$' | paste -sd' ')
  echo "CPU: $model | $(nproc) cores | SIMD: $flags | load $(cut -d' ' -f1-3 /proc/loadavg) | OMP_WAIT_POLICY=${OMP_WAIT_POLICY:-unset} OPENBLAS_THREAD_TIMEOUT=${OPENBLAS_THREAD_TIMEOUT:-unset}"
}
table() {
  echo
  echo "=================================================================================================="
  echo "TABLE $1"
  echo "date: $(date -u '+%Y-%m-%d %H:%M:%S UTC')"
  cpu_line
}
run() {
  local line="$*"
  echo "command: ${line//$CP/\$CP}"
  "$@"
}
have_torch() {
  /usr/bin/python3 -c 'import torch' 2>/dev/null
}

echo "run-all.sh $( [ $SMOKE = 1 ] && echo '--smoke (times meaningless)' ) | git $(git rev-parse --short HEAD 2>/dev/null || echo '?') | $(java -version 2>&1 | head -1)"
cpu_line
# one reactor build, so that the samples and the library resolve to this checkout's modules (each module writes
# its own target/cp.txt; the benchmarks' is the one used)
mvn -B -q $MVN_FLAGS -pl dl4j-rational,samples,benchmarks package dependency:build-classpath -DskipTests \
    -Dmdep.outputFile=target/cp.txt
# the reactor's own classes, not whatever an earlier 'install' left in the local repository
CP="benchmarks/target/classes:samples/target/classes:dl4j-rational/target/classes:$(tr ':' '\n' < benchmarks/target/cp.txt | grep -v -e '/org/rationalnn/' -e "^$(pwd)/" | paste -sd:)"
echo "CP=$CP"
# one logback configuration (the samples bring their own), inherited by JMH's forked JVMs
JAVA=(java --add-modules jdk.incubator.vector -Xmx4g -Dlogback.configurationFile=benchmarks/target/classes/logback.xml
      -cp "$CP")
if [ $SMOKE = 1 ]; then
  JMH_ITER=(-f 1 -wi 0 -i 1 -w 100ms -r 100ms)
else
  # the Vector API kernels need several seconds of JIT warm-up before their times settle
  JMH_ITER=(-f 1 -wi 4 -i 4 -w 2s -r 2s)
fi

if [[ " $TABLES " == *" a "* ]]; then
  table "a+b: element-wise, 8,388,608 elements [32, 64, 4096], rational (5,4); (b) IActivation vs kernels"
  if [ $SMOKE = 1 ]; then PARAMS=(-p version=A -p sharing=CHANNEL -p dataType=FLOAT); else PARAMS=(); fi
  run "${JAVA[@]}" org.openjdk.jmh.Main "${JMH_ITER[@]}" "${PARAMS[@]}" -rf csv -rff benchmarks/target/elementwise.csv \
      'ActivationBenchmark\.(copy|rationalForward|rationalForwardBackward|activationForwardBackward|kernelForwardBackwardWithCopies)$' \
      2>&1 | grep -v '^WARNING'
  run "${JAVA[@]}" org.openjdk.jmh.Main "${JMH_ITER[@]}" -p version=A -p sharing=CHANNEL \
      $( [ $SMOKE = 1 ] && echo "-p dataType=FLOAT" ) -rf csv -rff benchmarks/target/builtins.csv \
      'ActivationBenchmark\.(copy|reluForward|reluForwardWithCopy|tanhForward|tanhForwardBackward|rationalForwardInPlace)$' \
      2>&1 | grep -v '^WARNING'
  TORCH=benchmarks/target/elementwise-torch.txt
  : > "$TORCH"
  if have_torch; then
    if [ $SMOKE = 1 ]; then EW=(--warmup 0 --steps 1 --versions A --sharings channel); else EW=(--warmup 2 --steps 5); fi
    run /usr/bin/python3 benchmarks/pytorch/char_lm_step.py elementwise "${EW[@]}" | tee "$TORCH" \
      || echo "PyTorch element-wise: char_lm_step.py refused or failed (see above)"
  else
    echo "PyTorch element-wise: skipped (no torch for /usr/bin/python3; Debian: apt-get install python3-torch libopenblas0-pthread)"
  fi
  /usr/bin/python3 benchmarks/elementwise_table.py benchmarks/target/elementwise.csv \
      benchmarks/target/builtins.csv "$TORCH"
fi

if [[ " $TABLES " == *" c "* ]]; then
  table "c: MLP 256-512-512-10 training step, mb 128, Adam, float32"
  # JMH refuses an option given twice, so the MLP's iteration settings replace the shared ones
  if [ $SMOKE = 1 ]; then MLP=("${JMH_ITER[@]}" -p activation=relu,rational-layer); else MLP=(-f 1 -wi 2 -i 5 -w 1s -r 2s); fi
  run "${JAVA[@]}" org.openjdk.jmh.Main "${MLP[@]}" 'MlpTrainingBenchmark' 2>&1 | grep -v '^WARNING'
fi

if [[ " $TABLES " == *" d "* ]]; then
  table "d: Fashion-MNIST CNN (FashionMnistSample, 16/32 channels), rational per channel vs ReLU"
  if [ $SMOKE = 1 ]; then CNN=(--warmup 1 --batches 2); else CNN=(--warmup 10 --batches 80); fi
  run "${JAVA[@]}" org.rationalnn.benchmarks.CnnEpochBenchmark --activations relu,rational-channel "${CNN[@]}" \
      2>&1 | grep -v '^WARNING'
fi

if [[ " $TABLES " == *" e "* ]]; then
  if [ $SMOKE = 1 ]; then
    SIZES=("--d-model 32 --context 16 --batch 4")
    export ROUNDS=1 STEPS=1 WARMUP=1
  else
    SIZES=("--d-model 64 --context 64" "--d-model 128 --context 128")
  fi
  for size in "${SIZES[@]}"; do
    table "e: char-LM training step per feed-forward kind, DL4J RationalTransformerBlock vs PyTorch, $size"
    if [ $SMOKE = 0 ] && [[ "$size" == *"128"* ]]; then export ROUNDS=2 STEPS=15 WARMUP=5; fi
    if [ $SMOKE = 0 ] && [[ "$size" != *"128"* ]]; then export ROUNDS=3 STEPS=30 WARMUP=10; fi
    if have_torch; then
      # shellcheck disable=SC2086
      run env SKIP_BUILD=1 MVN_FLAGS="$MVN_FLAGS" ROUNDS=$ROUNDS STEPS=$STEPS WARMUP=$WARMUP \
          benchmarks/pytorch/compare_char_lm.sh $size
    else
      echo "PyTorch side skipped (no torch for /usr/bin/python3); DL4J side only:"
      # shellcheck disable=SC2086
      run "${JAVA[@]}" org.rationalnn.benchmarks.CharLmStepBenchmark --warmup "$WARMUP" --steps "$STEPS" $size \
          2>&1 | grep -v '^WARNING'
    fi
  done
fi
echo
echo "all tables written to $LOG"
