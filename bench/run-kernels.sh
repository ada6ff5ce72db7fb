#!/usr/bin/env bash
# Builds the simd kernels and the benchmarks, then runs them all and prints the CPU, the backend
# (vector width, GEMM tiles), the path each conv layer takes, and one table:
# kernel, shape, GFLOP/s (median), % of the FP32 peak measured in the same run, 2 vs 1 threads.
#   bench/run-kernels.sh             # 3 warm-up + 5 measured 1 s iterations per benchmark (~10 min)
#   bench/run-kernels.sh --quick     # 2 + 3 iterations
#   bench/run-kernels.sh --smoke     # 1 iteration of 0.2 s: checks the plumbing, numbers meaningless
#   bench/run-kernels.sh --no-build  # use the existing bench/target/benchmarks.jar
#   bench/run-kernels.sh --forks 3   # every benchmark in 3 fresh JVMs, medians over all (3x as long)
#   bench/run-kernels.sh --avx2      # the AVX2 stand-in on an AVX-512 CPU: the JIT held to AVX2
#                                    # (-XX:UseAVX=2: 16 vector registers, 8-lane vectors, 4-row tiles)
# Any single JMH benchmark by hand:
#   java --add-modules jdk.incubator.vector -jar bench/target/benchmarks.jar ConvBench -p impl=simd1 -f 1 -wi 3 -i 5
set -euo pipefail
cd "$(dirname "$0")/.."
export JAVA_HOME="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}"
args=()
jvm=()
build=1
for a in "$@"; do
    case "$a" in
        --no-build) build=0 ;;
        --avx2) jvm+=(-XX:UseAVX=2) ;;
        *) args+=("$a") ;;
    esac
done
if [[ $build == 1 ]]; then
    ./mvnw -q package -pl bench -am -DskipTests
fi
"$JAVA_HOME/bin/java" "${jvm[@]}" --add-modules jdk.incubator.vector -cp bench/target/benchmarks.jar \
    org.jresnet.bench.KernelReport "${args[@]}" > bench/target/kernel-report.txt 2>&1 || {
    tail -40 bench/target/kernel-report.txt; exit 1; }
sed -n '/^CPU: /,$p' bench/target/kernel-report.txt
echo "(full JMH output: bench/target/kernel-report.txt)"
