#!/usr/bin/env bash
# Whether the convolution plans' rules pick the fastest path on this CPU: for each of the seed
# net's convolutions (batch 64) and kernel, the chosen path against each alternative that serves
# the shape, alternating in one JVM (bench/probes/.../PlanProbe.java). Each line: the shape, the
# kernel (fwd, in = input gradient, w = weight gradient), both medians, B/A (above 1: the chosen
# path is faster) and the largest difference between the two outputs. Where the alternative is the
# path the rules chose at this vector width (the list covers both widths), the line times a path
# against itself: the noise of the others.
#   bench/plan-probe.sh [THREADS]        (needs the build: ./mvnw -B -DskipTests install)
set -euo pipefail
cd "$(dirname "$0")/.."
export JAVA_HOME="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}"
cp="kernels-cpu/target/kernels-cpu-0.1.0-SNAPSHOT.jar:core/target/core-0.1.0-SNAPSHOT.jar"
for j in ${cp//:/ }; do [ -f "$j" ] || { echo "plan-probe: $j missing; build first" >&2; exit 2; }; done
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
"$JAVA_HOME/bin/javac" -nowarn --add-modules jdk.incubator.vector -cp "$cp" -d "$out" \
    bench/probes/org/jresnet/kernels/cpu/PlanProbe.java 2>&1 | grep -v 'incubat' || true
echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs) (family $(grep -m1 'cpu family' /proc/cpuinfo | cut -d: -f2 | xargs), model $(grep -m1 '^model' /proc/cpuinfo | cut -d: -f2 | xargs)), $(nproc) cores"
# shape (n c h w oc k pad), kernel, the alternative
while read -r shape kind path; do
    "$JAVA_HOME/bin/java" --add-modules jdk.incubator.vector -Djdk.incubator.vector.VECTOR_ACCESS_OOB_CHECK=0 \
        -XX:+UseSerialGC -cp "$out:$cp" org.jresnet.kernels.cpu.PlanProbe ${shape//_/ } "$kind" "$path" "${1:-1}" 2>&1 \
        | grep -v '^WARNING: Using incubator modules'
done <<'LIST'
64_16_12_12_16_3_1 fwd WIDE
64_16_12_12_16_3_1 fwd IM2COL
64_16_12_12_16_3_1 in FOLD
64_16_12_12_16_3_1 w WIDE
64_16_12_12_16_3_1 w ROWS
64_16_12_12_16_3_1 w ALONG_PIXELS
64_16_12_12_32_5_0 fwd IM2COL
64_16_12_12_32_5_0 in AS_FORWARD
64_16_12_12_32_5_0 in FOLD
64_16_12_12_32_5_0 w ROWS
64_32_4_4_32_3_1 fwd SHIFTED
64_32_4_4_32_3_1 fwd IM2COL
64_32_4_4_32_3_1 in AS_FORWARD
64_32_4_4_32_3_1 in FOLD
64_32_4_4_32_3_1 w ROWS
64_32_4_4_32_3_1 w ALONG_PIXELS
LIST
