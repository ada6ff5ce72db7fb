#!/usr/bin/env bash
# Two builds' training steps compared in one JVM (see bench/ab/SameJvmAb.java): blocks of 300 steps
# of the seed net, alternating between the two builds' engines, 16 rounds after a warm-up of both.
# Runs it twice, in both load orders, because the build loaded second reads ~3% faster on one
# thread whichever it is; the last line is the ratio with that bias cancelled:
# sqrt((B/A with A loaded first) / (A/B with B loaded first)).
#   bench/ab-same-jvm.sh A/benchmarks.jar B/benchmarks.jar [simd1|simd2]
# e.g. A built from a worktree of the commit before a change, B = bench/target/benchmarks.jar.
# Both jars must be this project's benchmarks.jar (the step uses its Impl and RandomBatch).
set -euo pipefail
cd "$(dirname "$0")/.."
export JAVA_HOME="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}"
[ $# -ge 2 ] || { echo "usage: bench/ab-same-jvm.sh A.jar B.jar [simd1|simd2]" >&2; exit 2; }
for j in "$1" "$2"; do [ -f "$j" ] || { echo "ab-same-jvm: no such jar: $j" >&2; exit 2; }; done
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
"$JAVA_HOME/bin/javac" -nowarn -cp "$2" -d "$out/step" bench/ab/org/jresnet/bench/AbStep.java
"$JAVA_HOME/bin/javac" -nowarn -d "$out/main" bench/ab/SameJvmAb.java
run() {
    "$JAVA_HOME/bin/java" --add-modules jdk.incubator.vector -Djdk.incubator.vector.VECTOR_ACCESS_OOB_CHECK=0 \
        -XX:+UseSerialGC -Xmx4g -Dimpl="${3:-simd2}" -cp "$out/main" SameJvmAb "$out/step" "$1" "$2" 2>&1 \
        | grep -v '^WARNING: Using incubator modules' | tee -a "$out/log"
}
echo "== A = $1 loaded first"
run "$1" "$2" "${3:-simd2}"
echo "== B = $2 loaded first (the roles of A and B below are swapped)"
run "$2" "$1" "${3:-simd2}"
grep '^median' "$out/log" | sed -E 's/.*B\/A ([0-9.]+).*/\1/' | paste -sd' ' \
    | awk '{ printf "B/A, load order cancelled: %.3f (%.3f with A first, %.3f with B first)\n", sqrt($1 / $2), $1, 1 / $2 }'
