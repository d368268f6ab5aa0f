"""Node tools the export tests check with: EventCatalog's linter and SDK and the MDX compiler
(pinned in tests/node/package-lock.json), and Mermaid's browser bundle. Installed once into
.cache/node (git-ignored) with npm's ordinary commands; reinstalled when the lockfile
changes."""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import tarfile
from pathlib import Path

import pytest

NODE = Path(__file__).parent / "node"
CACHE = Path(__file__).parents[1] / ".cache" / "node"
MERMAID = "mermaid@12.3.0"
NPM = shutil.which("npm")

needs_node = pytest.mark.skipif(not (NPM and shutil.which("node")),
                                reason="Node.js and npm are not installed")


def _npm(*args: str, cwd: Path) -> None:
    subprocess.run([NPM, *args, "--no-audit", "--no-fund", "--loglevel=error"], cwd=cwd,
                   check=True, timeout=600, capture_output=True)


def tools() -> Path:
    """The folder whose node_modules hold the checkers; read_catalog.mjs is copied in."""
    lock = (NODE / "package-lock.json").read_bytes()
    stamp = CACHE / ".installed"
    digest = hashlib.sha256(lock).hexdigest()
    if not stamp.exists() or stamp.read_text() != digest:
        CACHE.mkdir(parents=True, exist_ok=True)
        for name in ("package.json", "package-lock.json"):
            shutil.copy(NODE / name, CACHE / name)
        _npm("ci", "--ignore-scripts", cwd=CACHE)
        stamp.write_text(digest)
    shutil.copy(NODE / "read_catalog.mjs", CACHE / "read_catalog.mjs")
    return CACHE


def mermaid_bundle() -> Path:
    """mermaid.min.js, from the package's own tarball (`npm pack`), without its 150
    dependencies that the bundle already holds."""
    bundle = CACHE / f"{MERMAID}.min.js"
    if not bundle.exists():
        CACHE.mkdir(parents=True, exist_ok=True)
        _npm("pack", MERMAID, "--pack-destination", str(CACHE), cwd=CACHE)
        tarball = next(CACHE.glob("mermaid-*.tgz"))
        with tarfile.open(tarball) as archive:
            member = archive.extractfile("package/dist/mermaid.min.js")
            bundle.write_bytes(member.read())
        tarball.unlink()
    return bundle


def lint(folder: Path) -> subprocess.CompletedProcess:
    linter = tools() / "node_modules" / "@eventcatalog" / "linter" / "dist" / "cli" / "index.js"
    return subprocess.run(["node", str(linter), str(folder)], capture_output=True, text=True,
                          timeout=120)


def read_back(folder: Path) -> dict:
    """What EventCatalog's SDK reads from the folder, and MDX compile errors."""
    done = subprocess.run(["node", str(tools() / "read_catalog.mjs"), str(folder)],
                          capture_output=True, text=True, timeout=120, check=True)
    return json.loads(done.stdout)
