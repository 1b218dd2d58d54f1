#!/usr/bin/env bash
# NeuralSharp benchmark suite: our kernels and models vs OpenBLAS and PyTorch, in one run on this machine.
# Prints a header (machine, versions, date, command) and one Markdown table per section.
#
# Usage: bench/run.sh [--quick] [--install] [sgemm] [train] [infer] [softmax] [NeuralSharp.Bench options]
#   --quick    fewer/shorter repetitions: a smoke test (under a minute after the build)
#   --install  apt-get install the reference packages if they are missing (otherwise only a hint is printed)
#   other arguments go to NeuralSharp.Bench (--threads 1,2  --peak 225  --no-torch; see bench/README.md)
# Environment: BENCH_OPENBLAS_CORETYPE forces an OpenBLAS kernel family (OPENBLAS_CORETYPE is cleared so that
# OpenBLAS, in the benchmark and inside PyTorch, picks its best kernels for this CPU).
set -euo pipefail
cd "$(dirname "$0")/.."
command_line="bench/run.sh${*:+ $*}"
PY=/usr/bin/python3
OPENBLAS=/usr/lib/x86_64-linux-gnu/openblas-pthread/libopenblas.so.0

install=0
args=()
for a in "$@"; do
  if [ "$a" = --install ]; then install=1; else args+=("$a"); fi
done

command -v dotnet >/dev/null || { echo "dotnet not found (install the .NET 10 SDK)"; exit 1; }
missing=()
[ -f "$OPENBLAS" ] || missing+=(libopenblas0-pthread)
{ [ -x "$PY" ] && "$PY" -c "import torch, numpy" 2>/dev/null; } || missing+=(python3-torch python3-numpy)
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$install" = 1 ]; then
    apt-get update -qq && apt-get install -y -qq "${missing[@]}" >/dev/null
  else
    echo "hint: missing reference packages; their columns are skipped. Install with: apt-get install -y ${missing[*]} (or run with --install)" >&2
  fi
fi
torch_version=$("$PY" -c "import torch; print(torch.__version__)" 2>/dev/null || echo "not installed")
[ "$torch_version" = "not installed" ] && args+=(--no-torch)

if [ -n "${OPENBLAS_CORETYPE:-}" ]; then
  echo "note: clearing OPENBLAS_CORETYPE=$OPENBLAS_CORETYPE so OpenBLAS picks its own kernels (set BENCH_OPENBLAS_CORETYPE to force one)" >&2
  unset OPENBLAS_CORETYPE
fi
[ -n "${BENCH_OPENBLAS_CORETYPE:-}" ] && export OPENBLAS_CORETYPE="$BENCH_OPENBLAS_CORETYPE"

log=$(mktemp)
if ! dotnet build bench/NeuralSharp.Bench/NeuralSharp.Bench.csproj -c Release -v q -nologo >"$log" 2>&1; then
  cat "$log"; rm -f "$log"; exit 1
fi
rm -f "$log"

model=$(lscpu | sed -n 's/^Model name:[[:space:]]*//p' | head -1)
family=$(lscpu | sed -n 's/^CPU family:[[:space:]]*//p' | head -1)
cpumodel=$(lscpu | sed -n 's/^Model:[[:space:]]*//p' | head -1)
cpus=$(nproc)
cores=$(lscpu -p=core 2>/dev/null | grep -v '^#' | sort -u | wc -l)
avx512=$(grep -qw avx512f /proc/cpuinfo && echo "AVX-512" || echo "no AVX-512")
blas_version=$(dpkg-query -W -f='${Version}' libopenblas0-pthread 2>/dev/null || echo "not installed")
echo "## NeuralSharp benchmarks"
echo
echo "- Machine: $model (family $family, model $cpumodel), $cores core(s) / $cpus logical CPU(s), $avx512; load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "- .NET: SDK $(dotnet --version), runtime $(dotnet --list-runtimes | sed -n 's/^Microsoft.NETCore.App \([^ ]*\).*/\1/p' | tail -1); PyTorch: $torch_version (Debian python3-torch, $PY); OpenBLAS: $blas_version (Debian libopenblas0-pthread)"
echo "- Date: $(date -u '+%Y-%m-%d %H:%M UTC'); commit $(git rev-parse --short HEAD 2>/dev/null || echo '?')"
echo "- Command: \`$command_line\`"
echo
exec bench/NeuralSharp.Bench/bin/Release/net10.0/NeuralSharp.Bench --python "$PY" --torch-script bench/reference/mlp_torch.py "${args[@]}"
