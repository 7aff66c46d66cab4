#!/usr/bin/env bash
# Builds what benchmarks/gpu-check.sh needs on a GPU machine that has no .NET: self-contained
# linux-x64 publishes of the CLI and of the test suite (an xunit v3 executable), packed into
# .publish/gpu.tar.xz (git-ignored). Optional: --data DIR --rows N also packs the first N training
# and 2,000 test rows of CIFAR-10 as Parquet (ilgpucnn data --export) into .publish/data.
set -euo pipefail
cd "$(dirname "$0")/.."
DATA=""
ROWS=10000
while [ $# -gt 0 ]; do
  case "$1" in
    --data) DATA="$2"; shift 2 ;;
    --rows) ROWS="$2"; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
rm -rf .publish
mkdir -p .publish
common=(-c Release -r linux-x64 --self-contained true -p:PublishTrimmed=false -p:DebugType=none -p:GenerateDocumentationFile=false)
dotnet publish src/IlgpuCnn.Cli "${common[@]}" -o .publish/cli
dotnet publish tests/IlgpuCnn.Tests "${common[@]}" -o .publish/tests
parts=(cli tests)
if [ -n "$DATA" ]; then
  .publish/cli/ilgpucnn data --data "$DATA" --export .publish/data --train-limit "$ROWS" --test-limit 2000
  parts+=(data)
fi
tar -C .publish -cJf .publish/gpu.tar.xz "${parts[@]}"
rm -rf .publish/cli .publish/tests .publish/data
ls -la .publish/gpu.tar.xz
echo "carry .publish to the GPU machine and run: benchmarks/gpu-check.sh [--data .publish/data --train-limit $ROWS]"
