"""Cold start of the shipped package, as Lambda pays it.

``out/dev/deployment.zip`` (``make package STAGE=dev``) is unpacked into a read-only directory and
imported in fresh interpreters that write no bytecode, with the runtime's boto3 behind it
(``infra/coldstart.py``). It prints:

1. the archive: its size zipped and unzipped, and what takes the room;
2. ``import app`` against ``import boto3``, alternately in fresh interpreters, median of ``runs``
   (target: ratio at most 1.2), and how many modules the import compiled from source (target 0);
3. each function started cold and called once against moto's server (the API registers a
   signal, the authorizer checks a token, the match function sends three mails, the lifecycle
   job runs its night): what it loaded and how long import and first call took (one run each);
4. what ``PYDANTIC_DISABLE_PLUGINS`` saves the API when it builds its first model.

The last line holds the key figures. ``--without-bytecode`` measures the same archive with its
``.pyc`` files removed, as ``chalice package`` alone would ship it.

Run: ``.venv/bin/python -m benchmarks.cold_start [runs] [--archive PATH] [--without-bytecode]``
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import zipfile
from collections import Counter
from pathlib import Path

from infra import coldstart
from infra.package import OUT_DIR

ARCHIVE = OUT_DIR / "dev" / "deployment.zip"
RATIO_TARGET = 1.2
SIZE_TARGET = 4_000_000
HEAVY = ("pydantic", "jinja2", "phonenumbers", "boto3")
API_MODULES = ("chalicelib.schemas", "chalicelib.presenters")


def _mb(size: float) -> str:
    return f"{size / 1_000_000:.1f} MB"


def archive_figures(archive: Path) -> int:
    with zipfile.ZipFile(archive) as package:
        entries = package.infolist()
    zipped = archive.stat().st_size
    unzipped = sum(entry.file_size for entry in entries)
    room: Counter[str] = Counter()
    bytecode = 0
    for entry in entries:
        top = entry.filename.split("/", 1)[0]
        room["*.dist-info" if top.endswith(".dist-info") else top] += entry.compress_size
        if entry.filename.endswith(".pyc"):
            bytecode += entry.compress_size
    compiled = sum(entry.filename.endswith(".pyc") for entry in entries)
    print(f"{archive.name}: {_mb(zipped)} zipped (target <= {_mb(SIZE_TARGET)}), {_mb(unzipped)} unzipped, ", end="")
    print(f"{len(entries)} files, bytecode for {compiled} modules ({_mb(bytecode)} of it zipped)")
    for name, size in room.most_common(8):
        print(f"  {name:32s} {_mb(size)} zipped")
    return zipped


def import_ratio(box: coldstart.Sandbox, runs: int) -> float:
    report = box.modules_after("import app")
    compiled = report.compiled_in_package()
    loaded = len(report.from_package())
    print(f"import app loads {loaded} modules from the package and compiles {len(compiled)} from source")
    box.import_seconds("app")  # warms the file system cache, not counted
    app_times, boto3_times = [], []
    for _ in range(runs):
        app_times.append(box.import_seconds("app"))
        boto3_times.append(box.import_seconds("boto3"))
    ratio = statistics.median(a / b for a, b in zip(app_times, boto3_times, strict=True))
    print(f"  import app    median {statistics.median(app_times) * 1000:6.1f} ms over {runs} fresh interpreters")
    print(f"  import boto3  median {statistics.median(boto3_times) * 1000:6.1f} ms")
    print(f"  ratio app/boto3 median {ratio:.2f} (target <= {RATIO_TARGET})")
    return ratio


def functions(box: coldstart.Sandbox) -> dict[str, set[str]]:
    """Each function's cold start; returns the heavy libraries and API modules each loaded."""
    loaded_by: dict[str, set[str]] = {}
    print("each function started cold and called once (one run; the call includes boto3 and moto's server):")
    with coldstart.emulated_stage("dev") as (environment, calls):
        for name, call in calls.items():
            started = coldstart.cold_start(box, call, environment)
            report = started.report
            loaded = {m for m in (*HEAVY, *API_MODULES) if m in report.modules}
            loaded_by[name] = loaded
            print(
                f"  {name:10s} import {started.import_seconds * 1000:5.0f} ms, first call "
                f"{started.call_seconds * 1000:5.0f} ms, {len(report.from_package()):3d} modules from the "
                f"package, {len(report.compiled_in_package())} compiled from source; "
                f"loads {', '.join(sorted(loaded)) or 'none of ' + '/'.join(HEAVY)}"
            )
    return loaded_by


def plugin_scan(box: coldstart.Sandbox, runs: int) -> None:
    """pydantic looks for plugins in every distribution's entry points when it builds its first model."""
    code = "import time\nfrom pydantic.plugin._loader import get_plugins\n"
    code += "started = time.perf_counter()\nlist(get_plugins())\nprint(time.perf_counter() - started)\n"

    def seconds(environment: dict[str, str]) -> float:
        return float(box.run(code, environment).strip().splitlines()[-1])

    scanned = statistics.median(seconds({}) for _ in range(runs))
    disabled = statistics.median(seconds({"PYDANTIC_DISABLE_PLUGINS": "__all__"}) for _ in range(runs))
    print(f"pydantic's plugin lookup on the API's first model: {scanned * 1000:.2f} ms, ", end="")
    print(f"with PYDANTIC_DISABLE_PLUGINS {disabled * 1000:.2f} ms")


def without_bytecode(archive: Path, target: Path) -> Path:
    with zipfile.ZipFile(archive) as original, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as stripped:
        for entry in original.infolist():
            if not entry.filename.endswith(".pyc"):
                stripped.writestr(entry, original.read(entry), compresslevel=9)
    return target


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.cold_start", description=__doc__.splitlines()[0])
    parser.add_argument("runs", nargs="?", type=int, default=15)
    parser.add_argument("--archive", type=Path, default=ARCHIVE, help="default: out/dev/deployment.zip")
    parser.add_argument("--without-bytecode", action="store_true", help="remove the archive's .pyc files first")
    arguments = parser.parse_args(argv)
    if not arguments.archive.exists():
        parser.error(f"{arguments.archive} is missing: make package STAGE=dev")
    with tempfile.TemporaryDirectory(prefix="cold-start-") as scratch:
        archive = arguments.archive
        if arguments.without_bytecode:
            archive = without_bytecode(archive, Path(scratch) / archive.name)
        measure(archive, arguments.runs)


def measure(archive: Path, runs: int) -> None:
    zipped = archive_figures(archive)
    with coldstart.sandbox(archive) as box:
        before = box.files()
        ratio = import_ratio(box, runs)
        loaded_by = functions(box)
        plugin_scan(box, max(3, runs // 3))
        unchanged = box.files() == before
    print(f"the read-only package directory is {'unchanged' if unchanged else 'CHANGED: something wrote to it'}")
    others = ("authorizer", "match", "lifecycle")
    api_free = all(not loaded_by[name] & {"pydantic", *API_MODULES} for name in others)
    print(
        f"cold start: import app/boto3 {ratio:.2f} (target <= {RATIO_TARGET}); authorizer, match and lifecycle "
        f"load the API's models and pydantic: {'no' if api_free else 'YES'}; deployment.zip {_mb(zipped)} "
        f"(target <= {_mb(SIZE_TARGET)})"
    )


if __name__ == "__main__":
    main()
