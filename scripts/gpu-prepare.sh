#!/usr/bin/env bash
# Builds dist/gpu/ (git-ignored): everything scripts/gpu-check.sh needs on the lent GPU machine,
# which has the NVIDIA driver, nvcc and PyTorch but no Java and no network.
#
#   scripts/gpu-prepare.sh            # then: run tool with carry ["dist/gpu"], command scripts/gpu-check.sh
#
# dist/gpu/
#   jre.tar.xz     a jlinked Java 25 runtime (modules found by jdeps, plus jdk.incubator.vector); the
#                  image is left uncompressed and xz compresses the archive: 21 MiB instead of 39
#   lib/           kernels-cuda (+ its tests), core (+ its tests), JCuda with only libJCudaDriver,
#                  the JUnit console launcher
#   app/mnist.jar  the application, when mnist/target/mnist.jar has been built (another module)
#   data/mnist/    the four MNIST IDX files, from ../shared/data/mnist
#   reference/     pytorch_seed.py, from ../shared/reference
# The whole folder must stay under the run tool's 64 MiB carry limit; this script checks it.
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
export JAVA_HOME="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}"
out="$root/${1:-dist/gpu}"
shared="${SHARED:-$root/../shared}"
junit_console_version=1.14.4   # the JUnit Platform release of the junit-bom 5.14.4 the build uses
limit_mib=64
version=0.1.0-SNAPSHOT

say() { echo "gpu-prepare: $*"; }

rm -rf "$out"
mkdir -p "$out/lib" "$out/app" "$out/data/mnist" "$out/reference"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

say "building kernels-cuda and its test jar (tests run in CI, not here)"
./mvnw -q -pl kernels-cuda package -DskipTests
cp "kernels-cuda/target/kernels-cuda-$version.jar" "$out/lib/kernels-cuda.jar"
cp "kernels-cuda/target/kernels-cuda-$version-tests.jar" "$out/lib/kernels-cuda-tests.jar"

say "copying core, JCuda and the JUnit console launcher"
./mvnw -q -pl kernels-cuda dependency:copy-dependencies -DincludeScope=test -DoutputDirectory="$tmp/deps" \
    -DexcludeGroupIds=org.junit.jupiter,org.junit.platform,org.opentest4j,org.apiguardian
cp "$tmp/deps/core-$version.jar" "$out/lib/core.jar"
cp "$tmp/deps/core-$version-tests.jar" "$out/lib/core-tests.jar"
cp "$tmp"/deps/jcuda-1*.jar "$out/lib/jcuda.jar"
# JCuda's natives jar carries NVRTC, the PTX compiler and the runtime API too (26 MB unpacked);
# the backend uses only the driver API, so only libJCudaDriver travels.
mkdir -p "$tmp/natives"
(cd "$tmp/natives" && unzip -q "$tmp"/deps/jcuda-natives-*-linux-x86_64.jar 'lib/libJCudaDriver-*')
"$JAVA_HOME/bin/jar" --create --file "$out/lib/jcuda-natives-driver.jar" -C "$tmp/natives" lib
./mvnw -q -pl kernels-cuda dependency:copy \
    -Dartifact="org.junit.platform:junit-platform-console-standalone:$junit_console_version" \
    -DoutputDirectory="$tmp/console"
cp "$tmp"/console/junit-platform-console-standalone-*.jar "$out/lib/junit-console.jar"

if [[ -f mnist/target/mnist.jar ]]; then
    cp mnist/target/mnist.jar "$out/app/mnist.jar"
    # a fat jar that bundles all of JCuda's natives would not fit: keep only the driver library
    if unzip -l "$out/app/mnist.jar" | grep -q 'lib/libJNvPTXCompiler'; then
        zip -q -d "$out/app/mnist.jar" 'lib/libJNvPTXCompiler-*' 'lib/libJNvrtc-*' 'lib/libJCudaRuntime-*'
    fi
else
    say "WARNING: mnist/target/mnist.jar is not built (./mvnw -q -pl mnist package): gpu-check will skip training"
fi

say "copying MNIST and the PyTorch reference from $shared"
cp "$shared"/data/mnist/*-ubyte* "$out/data/mnist/"
cp "$shared/reference/pytorch_seed.py" "$out/reference/"

say "finding the Java modules the jars use"
mods="$("$JAVA_HOME/bin/jdeps" --ignore-missing-deps --print-module-deps --multi-release 25 \
    "$out"/lib/*.jar "$out"/app/*.jar 2>/dev/null || true)"
# jdeps cannot see the Vector API behind the launcher's re-exec, nor the HTTP server it loads by name;
# JUnit's console scans the test jar through the zip file system (jdk.zipfs)
mods="$(echo "${mods:-java.base},jdk.incubator.vector,jdk.httpserver,jdk.zipfs" | tr ',' '\n' | sort -u | paste -sd, -)"
say "jlink --add-modules $mods"
"$JAVA_HOME/bin/jlink" --add-modules "$mods" --strip-debug --no-header-files --no-man-pages --compress=zip-0 \
    --output "$tmp/jre"
"$tmp/jre/bin/java" --version | head -1
say "compressing the runtime with xz (about a minute)"
XZ_OPT="-6 -T0" tar -C "$tmp" -cJf "$out/jre.tar.xz" jre

du -ab "$out" | sort -k2 | awk '$1 > 100000 { printf "  %6.1f MiB  %s\n", $1 / 1048576, $2 }'
total=$(du -sb "$out" | cut -f1)
say "total $(awk -v b="$total" 'BEGIN { printf "%.1f", b / 1048576 }') MiB in $out (limit $limit_mib MiB)"
if (( total >= limit_mib * 1024 * 1024 )); then
    say "ERROR: over the $limit_mib MiB the run tool carries" >&2
    exit 1
fi
