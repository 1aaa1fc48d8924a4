#!/usr/bin/env bash
# Gradescope runs this once, when it builds the autograder's image (Ubuntu, as root).
# It installs micrograd_edu and its grade extra (the grader, Jupyter, what the notebooks
# import) from the wheel that `make autograder` put next to it.
set -euo pipefail
cd "$(dirname "$0")"
apt-get update -q
apt-get install -y -q python3 python3-venv python3-pip
python3 -m venv /opt/micrograd_edu
PIP="/opt/micrograd_edu/bin/pip --disable-pip-version-check -q"
# Notebook 07 compares with PyTorch: a CPU build, pinned, before the package.
if [ -f with-torch ]; then
    $PIP install "torch==2.13.0" --index-url https://download.pytorch.org/whl/cpu
fi
WHEEL=$(ls micrograd_edu-*.whl)
$PIP install "${WHEEL}[grade,rl]"
