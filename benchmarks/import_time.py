"""Cold import time of ``app.py`` as a ratio to ``import boto3``, each in a fresh interpreter.

Both are measured alternately in one run, so machine noise hits both alike; the figure is the
median ratio. Target: at most 2.0.

Run: ``.venv/bin/python -m benchmarks.import_time [runs]``
"""

from __future__ import annotations

import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PROBE = "import time; t = time.perf_counter(); import {module}; print(time.perf_counter() - t)"


def measure(module: str) -> float:
    output = subprocess.run(
        [sys.executable, "-c", PROBE.format(module=module)],
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return float(output.strip().splitlines()[-1])


def main(runs: int = 9) -> None:
    measure("app")  # warm the file system cache and bytecode, not counted
    app_times, boto3_times = [], []
    for _ in range(runs):
        app_times.append(measure("app"))
        boto3_times.append(measure("boto3"))
    ratios = [a / b for a, b in zip(app_times, boto3_times, strict=True)]
    print(f"runs: {runs}")
    print(f"import app    median {statistics.median(app_times) * 1000:7.1f} ms")
    print(f"import boto3  median {statistics.median(boto3_times) * 1000:7.1f} ms")
    print(f"ratio app/boto3 median {statistics.median(ratios):.2f} (target <= 2.0)")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 9)
