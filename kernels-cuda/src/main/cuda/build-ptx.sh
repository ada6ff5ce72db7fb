#!/usr/bin/env bash
# Regenerates the committed PTX from the .cu sources. Run it after editing a kernel, then commit
# both: the build never needs nvcc (it packages the committed PTX), and PtxTest fails whenever nvcc
# is present and the committed PTX no longer matches the sources.
#
#   kernels-cuda/src/main/cuda/build-ptx.sh
#
# Target: compute_75 PTX (the lowest virtual arch nvcc 13 accepts), JIT-compiled by the driver for
# newer GPUs such as the H200 (sm_90). nvcc 13 writes PTX ISA 9.0, which needs driver R580+.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
out="$here/../resources/org/jresnet/kernels/cuda/ptx"
nvcc="${NVCC:-nvcc}"
command -v "$nvcc" >/dev/null || { echo "build-ptx: nvcc not found (set NVCC=/path/to/nvcc)" >&2; exit 1; }
read -r -a flags < "$here/nvcc-flags.txt"
mkdir -p "$out"
cd "$here"
for cu in *.cu; do
    "$nvcc" "${flags[@]}" -o "$out/${cu%.cu}.ptx" "$cu"
    echo "build-ptx: $cu -> ${out#"$here/"}/${cu%.cu}.ptx"
done
