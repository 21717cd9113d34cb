#!/bin/bash
# Fits of the 0.1.0 fitter for FitErrorTable's "before" column (docs/fitting.md).
# Usage, from the repository root:  benchmarks/fit-errors-0.1.0.sh OUT.tsv [COMMIT]
# COMMIT defaults to a9a5261, the last commit of the one-class 0.1.0 RationalFit. The script checks it out into a
# temporary git worktree, builds its library jar (offline, no tests), compiles benchmarks' FitErrorRun.java from
# this checkout against that jar with javac and runs it with --legacy-c-type (0.1.0's C (m, n + 1) is today's
# C (m, n)); the worktree is removed on exit.
set -euo pipefail
if [ $# -lt 1 ]; then echo "usage: $0 OUT.tsv [COMMIT]" >&2; exit 2; fi
out=$(realpath -m "$1")
commit=${2:-a9a5261}
repo=$(git rev-parse --show-toplevel)
m2=${M2_REPO:-$HOME/.m2/repository}
tmp=$(mktemp -d)
git -C "$repo" worktree add --detach "$tmp/old" "$commit" >&2
trap 'git -C "$repo" worktree remove --force "$tmp/old"; rm -rf "$tmp"' EXIT
(cd "$tmp/old" && mvn -B -o -q -pl dl4j-rational package -DskipTests >&2)
jar=$(ls "$tmp"/old/dl4j-rational/target/dl4j-rational-*.jar | grep -v -e sources -e javadoc | head -1)
hv=$(sed -n 's:.*<hipparchus.version>\(.*\)</hipparchus.version>.*:\1:p' "$tmp/old/pom.xml")
sv=$(sed -n 's:.*<slf4j.version>\(.*\)</slf4j.version>.*:\1:p' "$tmp/old/pom.xml")
cp="$jar:$m2/org/hipparchus/hipparchus-core/$hv/hipparchus-core-$hv.jar"
cp="$cp:$m2/org/hipparchus/hipparchus-optim/$hv/hipparchus-optim-$hv.jar:$m2/org/slf4j/slf4j-api/$sv/slf4j-api-$sv.jar"
javac --release 17 -d "$tmp/classes" -cp "$cp" "$repo/benchmarks/src/main/java/org/rationalnn/benchmarks/FitErrorRun.java"
java -cp "$tmp/classes:$cp" org.rationalnn.benchmarks.FitErrorRun --legacy-c-type --out "$out"
echo "wrote $out (fits of $commit)" >&2
