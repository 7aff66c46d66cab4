#!/usr/bin/env bash
# One side-by-side run for benchmarks/RESULTS.md: images/s of a recipe training step (batch 64) at
# width 0.25 and 1 on ILGPU's CPU accelerator, on the OpenCL device (PoCL on a CPU-only machine, from
# benchmarks/tools/fetch-pocl.sh) and on LibTorch's CPU build (benchmarks/peers/TorchSharpVgg, built
# here on demand), with the machine's load average before each measurement.
#
#   benchmarks/cpu-backends.sh [CPU_STEPS_AT_WIDTH_1]   # default 2 (a width-1 step takes ~30 s on the simulator)
set -euo pipefail
cd "$(dirname "$0")/.."
export OCL_ICD_VENDORS="${OCL_ICD_VENDORS:-${XDG_CACHE_HOME:-$HOME/.cache}/ilgpucnn/opencl-vendors}"
cpu_steps_w1="${1:-2}"
dotnet build src/IlgpuCnn.Cli -c Release -v q -nologo >/dev/null
dotnet build benchmarks/peers/TorchSharpVgg -c Release -v q -nologo >/dev/null
cli=(dotnet src/IlgpuCnn.Cli/bin/Release/net10.0/ilgpucnn.dll)
peer=(dotnet benchmarks/peers/TorchSharpVgg/bin/Release/net10.0/TorchSharpVgg.dll)
load() { echo "  (load average $(cut -d' ' -f1-3 /proc/loadavg))"; }
for width in 0.25 1; do
  cpu_steps=5; [ "$width" = 1 ] && cpu_steps="$cpu_steps_w1"
  load; "${cli[@]}" bench --device cpu --width "$width" --steps "$cpu_steps" | head -2
  load; "${cli[@]}" bench --device opencl --width "$width" --steps 10 | head -2
  load; "${peer[@]}" --width "$width" --steps 10 --warmup 2
done
