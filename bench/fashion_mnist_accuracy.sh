#!/usr/bin/env bash
# Fashion-MNIST accuracy: NeuralSharp's CLI vs PyTorch on the same recipe, in one run.
# Needs: apt-get install -y dataset-fashion-mnist python3-torch
# Usage: bench/fashion_mnist_accuracy.sh [seeds...]   (default seeds: 0 1 2)
set -euo pipefail
cd "$(dirname "$0")/.."
DATA=/usr/share/datasets/fashion-mnist
[ -d "$DATA" ] || { echo "missing $DATA (apt-get install dataset-fashion-mnist)"; exit 1; }
seeds=("$@"); [ ${#seeds[@]} -gt 0 ] || seeds=(0 1 2)
dotnet build src/NeuralSharp.Cli -c Release -v q -nologo >/dev/null
CLI=src/NeuralSharp.Cli/bin/Release/net10.0/NeuralSharp.Cli
out=$(mktemp -d)
printf '| seed | NeuralSharp test accuracy | NeuralSharp train time (s) | PyTorch test accuracy | PyTorch train time (s) |\n|---|---|---|---|---|\n'
for seed in "${seeds[@]}"; do
  s0=$(date +%s.%N)
  ns=$("$CLI" train --data "$DATA" --hidden 256 --epochs 5 --optimizer adam --seed "$seed" --output "$out/m$seed" | tail -1 | awk '{print $3}')
  s1=$(date +%s.%N)
  pt=$(/usr/bin/python3 bench/reference/fashion_mnist_torch.py "$DATA" --seed "$seed" | tail -1 | awk '{print $3}')
  s2=$(date +%s.%N)
  printf '| %s | %s | %.1f | %s | %.1f |\n' "$seed" "$ns" "$(echo "$s1 - $s0" | bc)" "$pt" "$(echo "$s2 - $s1" | bc)"
done
rm -rf "$out"
