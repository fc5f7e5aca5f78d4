"""The committed default case of each lab, with a manifest of seeds and sha256 sums.

``datasets/manifest.json`` records, per lab, the seed and size its default case was generated
with and the sha256 of every file. ``workbench data refresh`` regenerates them on purpose; a
test regenerates them and compares, so the generator and the committed files never drift apart.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import tempfile
from pathlib import Path

from workbench.lab import Case, Lab, dump_json

DEFAULT_SEED = 2024
DEFAULT_SIZE = "class"


def datasets_dir() -> Path:
    """The datasets folder: the repository's in a checkout, the wheel's copy when installed."""
    here = Path(__file__).resolve().parent
    for candidate in (here.parent / "datasets", here / "_datasets"):
        if (candidate / "manifest.json").is_file():
            return candidate
    raise FileNotFoundError("no datasets/manifest.json next to the workbench package")


def manifest(root: Path | None = None) -> dict:
    root = root or datasets_dir()
    return json.loads((root / "manifest.json").read_text(encoding="utf-8"))


def sha256_tree(root: Path) -> dict[str, str]:
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


def default_case(lab: Lab, root: Path | None = None) -> Case:
    """The lab's committed default case, or (if not committed) one generated into a cache."""
    root = root or datasets_dir()
    entry = manifest(root).get("labs", {}).get(lab.slug)
    folder = root / lab.slug
    if entry and (folder / "public").is_dir():
        return Case.load(folder, lab.slug)
    seed = entry["seed"] if entry else DEFAULT_SEED
    size = entry["size"] if entry else DEFAULT_SIZE
    cache = Path(tempfile.gettempdir()) / "lab-workbench-cases" / f"{lab.slug}-{seed}-{size}"
    fresh = (cache / "public" / "case.json").is_file() and (
        not entry or "sha256" not in entry or sha256_tree(cache) == entry["sha256"])
    if not fresh:  # missing, or made by an older generator than the manifest records
        tmp = cache.with_name(cache.name + ".tmp")
        shutil.rmtree(tmp, ignore_errors=True)
        lab.make_case(seed, size, out=tmp)
        shutil.rmtree(cache, ignore_errors=True)
        tmp.rename(cache)
    return Case.load(cache, lab.slug)


def refresh(labs: list[Lab], root: Path | None = None, *, commit_files: set[str] | None = None,
            ) -> dict:
    """Regenerate default cases and rewrite the manifest.

    A manifest entry with ``"committed": false`` (large raw logs) keeps only the seed, size and
    sums; its case is generated on first use and checked against the sums. ``commit_files``
    overrides which labs' files are stored in the repository.
    """
    root = root or datasets_dir()
    data = manifest(root) if (root / "manifest.json").is_file() else {}
    data.setdefault("labs", {})
    for lab in labs:
        entry = data["labs"].get(lab.slug, {"seed": DEFAULT_SEED, "size": DEFAULT_SIZE})
        with tempfile.TemporaryDirectory() as tmp:
            case = lab.make_case(entry["seed"], entry["size"], out=Path(tmp) / lab.slug)
            entry["sha256"] = sha256_tree(case.root)
            target = root / lab.slug
            shutil.rmtree(target, ignore_errors=True)
            stored = (entry.get("committed", True) if commit_files is None
                      else lab.slug in commit_files)
            entry["committed"] = stored
            if stored:
                shutil.copytree(case.root, target)
        data["labs"][lab.slug] = entry
    dump_json(data, root / "manifest.json")
    return data
