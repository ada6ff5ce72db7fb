#!/usr/bin/env bash
# The GPU check, in one call on the lent GPU machine (NVIDIA driver, nvcc, PyTorch; no Java, no
# network). Prepare dist/gpu here first with scripts/gpu-prepare.sh, then run from the repo root:
#
#   run tool: command "scripts/gpu-check.sh", carry ["dist/gpu"], timeout_s 540
#
# It unpacks the jlinked runtime, runs the kernels-cuda tests (kernels vs the reference, gradient
# checks, loss curve, flat memory), times each kernel at the network's shapes, trains the article's network for one epoch on the GPU with
# mnist.jar --backend cuda, runs the PyTorch reference for one epoch with --device cuda beside it,
# and prints a short table last. Logs go to $OUT (so they come back) or /tmp/gpu-check.
set -uo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
dist="$(cd "${1:-$root/dist/gpu}" 2>/dev/null && pwd)" || { echo "gpu-check: no ${1:-dist/gpu}; run scripts/gpu-prepare.sh first" >&2; exit 2; }
logs="${OUT:-/tmp}/gpu-check"
mkdir -p "$logs"
stage_timeout="${STAGE_TIMEOUT:-240}"
now() { date +%s.%N; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b - a }'; }

echo "== GPU"
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader > "$logs/gpu.txt" 2>&1 \
    || echo "no nvidia-smi / no GPU" > "$logs/gpu.txt"
cat "$logs/gpu.txt"

echo "== Java runtime"
jre="/tmp/jresnet-jre"
rm -rf "$jre" && mkdir -p "$jre"
if command -v xz >/dev/null; then
    tar -C "$jre" -xJf "$dist/jre.tar.xz"
else
    python3 -c 'import sys, tarfile; tarfile.open(sys.argv[1]).extractall(sys.argv[2])' "$dist/jre.tar.xz" "$jre"
fi
java="$jre/jre/bin/java"
"$java" --version | head -1 || { echo "gpu-check: the runtime does not start" >&2; exit 2; }
jvm=(-Xss512k --enable-native-access=ALL-UNNAMED --add-modules jdk.incubator.vector -Djava.awt.headless=true)
cuda_jars="$dist/lib/kernels-cuda.jar:$dist/lib/jcuda.jar:$dist/lib/jcuda-natives-driver.jar"

echo "== kernels-cuda tests"
t0=$(now)
# from kernels-cuda/, where PtxTest finds src/main/cuda (its sync check runs if this nvcc is 13.0); the
# CPU-only suites (the kernel emulator, the curve-bound calibration) already ran in CI
(cd "$root/kernels-cuda" && timeout "$stage_timeout" "$java" "${jvm[@]}" -jar "$dist/lib/junit-console.jar" execute \
    --disable-banner --details=tree --fail-if-no-tests \
    --class-path "$dist/lib/kernels-cuda-tests.jar:$cuda_jars:$dist/lib/core.jar:$dist/lib/core-tests.jar" \
    --scan-class-path "$dist/lib/kernels-cuda-tests.jar" \
    --exclude-classname '.*(Emulated.*|TrainingTolerance)Test') > "$logs/tests.log" 2>&1
tests_rc=$?
t1=$(now)
grep -E "SKIPPED|\[kernels-cuda\]|✘|MethodSource|Exception|expected" "$logs/tests.log" | head -40
tail -16 "$logs/tests.log"
passed=$(grep -Eo '[0-9]+ tests successful' "$logs/tests.log" | grep -Eo '^[0-9]+' || echo "?")
failed=$(grep -Eo '[0-9]+ tests failed' "$logs/tests.log" | grep -Eo '^[0-9]+' || echo "?")
skipped=$(grep -Eo '[0-9]+ tests skipped' "$logs/tests.log" | grep -Eo '^[0-9]+' || echo "?")
aborted=$(grep -Eo '[0-9]+ tests aborted' "$logs/tests.log" | grep -Eo '^[0-9]+' || echo "?")
classes_aborted=$(grep -Eo '[0-9]+ containers aborted' "$logs/tests.log" | grep -Eo '^[0-9]+' || echo "?")

echo "== per-kernel times at the seed network's shapes (batch 64)"
(cd "$root/kernels-cuda" && timeout 120 "$java" "${jvm[@]}" \
    -cp "$dist/lib/kernels-cuda-tests.jar:$cuda_jars:$dist/lib/core.jar:$dist/lib/junit-console.jar" \
    org.jresnet.kernels.cuda.GpuOpTimes) > "$logs/op-times.log" 2>&1
cat "$logs/op-times.log"

echo "== jresnet: one epoch, --backend cuda"
jr_line="not run"
jr_time="-"
if [[ -f "$dist/app/mnist.jar" ]]; then
    t2=$(now)
    # kernels-cuda first on the class path, so this build of the backend is the one found
    timeout "$stage_timeout" "$java" "${jvm[@]}" -cp "$cuda_jars:$dist/app/mnist.jar" org.jresnet.mnist.cli.Launcher \
        --backend cuda --epochs 1 --data "$dist/data/mnist" --out "$logs/run" --no-plot --log-every 5 \
        > "$logs/jresnet.log" 2>&1
    jr_rc=$?
    t3=$(now)
    jr_time="$(secs "$t2" "$t3")"
    tail -8 "$logs/jresnet.log"
    jr_line="$(grep -E '^epoch 1/1:' "$logs/jresnet.log" | tail -1)"
    [[ -n "$jr_line" ]] || jr_line="failed (exit $jr_rc): $(tail -1 "$logs/jresnet.log")"
else
    echo "skipped: $dist/app/mnist.jar is missing (build mnist, rerun scripts/gpu-prepare.sh)"
fi

echo "== PyTorch: one epoch, --device cuda"
t4=$(now)
timeout "$stage_timeout" python3 "$dist/reference/pytorch_seed.py" --data "$dist/data/mnist" --epochs 1 --device cuda \
    > "$logs/pytorch.log" 2>&1
pt_rc=$?
t5=$(now)
tail -4 "$logs/pytorch.log"
pt_line="$(grep -E '^epoch 1:' "$logs/pytorch.log" | tail -1)"
[[ -n "$pt_line" ]] || pt_line="failed (exit $pt_rc): $(tail -1 "$logs/pytorch.log")"

echo
echo "== summary ($(cat "$logs/gpu.txt" 2>/dev/null | head -1))"
printf '%-28s %-9s %s\n' "what" "wall s" "result"
printf '%-28s %-9s %s\n' "kernels-cuda tests" "$(secs "$t0" "$t1")" \
    "exit $tests_rc: $passed passed, $failed failed, $skipped skipped, $aborted aborted, $classes_aborted classes skipped by assumption"
printf '%-28s %-9s %s\n' "jresnet --backend cuda" "$jr_time" "$jr_line"
printf '%-28s %-9s %s\n' "pytorch --device cuda" "$(secs "$t4" "$t5")" "$pt_line"
exit $tests_rc
