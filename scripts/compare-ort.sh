#!/usr/bin/env bash
# Warm evaluation of the 10k MNIST test set, side by side: ONNX Runtime for Java (CPU, 2 intra-op
# threads, ALL_OPT) against this engine (simd, 2 threads, the app's Evaluation) in one JVM, rounds
# alternating with a pause before each pass (ORT's threads spin after a run), then PyTorch eager (2 threads, no_grad) on the same weights; two such passes.
# --batch is ORT's and PyTorch's batch; this engine evaluates as `mnist.jar eval` does, in batches of
# the model's own evaluation size (64 for the seed net, where larger ones measured no faster). The
# model is exported with `mnist.jar export` (so ORT runs what our exporter writes); each engine
# prints its accuracy, which must agree.
#
#   scripts/compare-ort.sh MODEL.safetensors [--data DIR] [--batch N] [--passes N] [--separate]
#
# --separate runs each engine alone in a JVM of its own (the two JVMs one after the other, their
# order alternating by pass), so that neither runs beside the other's threads, JIT or memory.
#
# Needs the built mnist.jar (./mvnw -B -DskipTests package), PyTorch for /usr/bin/python3
# (apt-get install -y python3-torch; without it the PyTorch rows are skipped) and fetches
# com.microsoft.onnxruntime:onnxruntime:1.22.0 into ~/.m2 with ./mvnw. Rounds 0-9 of each engine are
# warm-up (our JIT was still compiling in rounds 2-8); the median of rounds 10-19 is printed, and at
# the end the median over passes.
set -euo pipefail
cd "$(dirname "$0")/.."
[ $# -ge 1 ] || { echo "usage: $0 MODEL.safetensors [--data DIR] [--batch N] [--passes N] [--separate]" >&2; exit 2; }
model=$1; shift
data=../shared/data/mnist
batch=1000
passes=2
separate=0
while [ $# -gt 0 ]; do
  case "$1" in
    --data) data=$2; shift 2 ;;
    --batch) batch=$2; shift 2 ;;
    --passes) passes=$2; shift 2 ;;
    --separate) separate=1; shift ;;
    *) echo "usage: $0 MODEL.safetensors [--data DIR] [--batch N] [--passes N] [--separate]" >&2; exit 2 ;;
  esac
done
[ -z "${JAVA_HOME:-}" ] && [ -x /usr/lib/jvm/temurin-25-jdk-amd64/bin/java ] && export JAVA_HOME=/usr/lib/jvm/temurin-25-jdk-amd64
jar=mnist/target/mnist.jar
[ -f "$jar" ] || { echo "compare-ort: $jar not found; build it with ./mvnw -B -DskipTests package" >&2; exit 1; }
[ -f "$model" ] || { echo "compare-ort: $model not found (train one: java -jar $jar --data $data)" >&2; exit 1; }
ort=$HOME/.m2/repository/com/microsoft/onnxruntime/onnxruntime/1.22.0/onnxruntime-1.22.0.jar
[ -f "$ort" ] || ./mvnw -B -q dependency:get -Dartifact=com.microsoft.onnxruntime:onnxruntime:1.22.0
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$JAVA_HOME/bin/java" -jar "$jar" export --model "$model" --onnx "$work/model.onnx" 2>&1 | grep -v '^WARNING'
"$JAVA_HOME/bin/javac" -cp "$jar:$ort" -d "$work" scripts/ort/OrtCompare.java
torch_ok=0
/usr/bin/python3 -c 'import torch' 2>/dev/null && torch_ok=1
[ $torch_ok = 1 ] || echo "compare-ort: no PyTorch for /usr/bin/python3 (apt-get install -y python3-torch); its rows are skipped"
echo "compare-ort: $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1) (family $(sed -n 's/^cpu family[[:space:]]*: //p' /proc/cpuinfo | head -1), model $(sed -n 's/^model[[:space:]]*: //p' /proc/cpuinfo | head -1)), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
for p in $(seq 1 "$passes"); do
  echo "== pass $p"
  engines=both
  if [ $separate = 1 ]; then engines=$([ $((p % 2)) = 1 ] && echo "ort jresnet" || echo "jresnet ort"); fi
  for e in $engines; do
    "$JAVA_HOME/bin/java" --add-modules jdk.incubator.vector -Djdk.incubator.vector.VECTOR_ACCESS_OOB_CHECK=0 \
      -XX:+UseSerialGC -cp "$work:$jar:$ort" OrtCompare "$data" "$work/model.onnx" "$model" "$batch" "$e" 2>&1 \
      | grep -v '^WARNING' | tee -a "$work/log"
  done
  if [ $torch_ok = 1 ]; then
    /usr/bin/python3 scripts/ort/torch_eval.py ../shared/reference/pytorch_seed.py "$model" "$data" "$batch" 20 10 \
      | tee -a "$work/log"
  fi
done
echo "== medians over $passes passes (img/s, warm, 10k test images, ORT and PyTorch at batch $batch, jresnet at the app's evaluation batch, 2 threads$([ $separate = 1 ] && echo ", each engine in its own JVM"))"
awk '/^median of rounds/ && /ORT/ && !/alone/ {gsub(",", ""); o[++no] = $6; j[++nj] = $8}
     /alone in its JVM: ORT/ {o[++no] = $10}
     /alone in its JVM: jresnet/ {j[++nj] = $10}
     /^median of rounds/ && /PyTorch/ {t[++nt] = $6}
     function med(a, n,   i, k, v) { for (i = 2; i <= n; i++) { v = a[i]; for (k = i - 1; k >= 1 && a[k] > v; k--) a[k + 1] = a[k]; a[k + 1] = v }
                                   return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2 }
     END { mj = med(j, nj); mo = med(o, no); printf "jresnet %.0f  ONNX Runtime %.0f  ratio %.2fx", mj, mo, mj / mo;
           if (nt) { mt = med(t, nt); printf "  PyTorch %.0f  ratio %.2fx", mt, mj / mt }; print "" }' "$work/log"
