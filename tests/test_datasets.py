"""The committed default datasets match their generators, byte for byte (sha256)."""

from __future__ import annotations

from pathlib import Path

import pytest

from workbench import registry
from workbench.datasets import datasets_dir, manifest, sha256_tree


def _registered() -> dict:
    try:
        return registry.labs()
    except Exception:  # tests/conformance reports the broken registry itself
        return {}


ENTRIES = manifest().get("labs", {})
LABS = _registered()


def test_every_registered_lab_has_a_manifest_entry():
    assert LABS, "no lab is registered (or the registry cannot load; see tests/conformance)"
    missing = sorted(set(LABS) - set(ENTRIES))
    assert not missing, f"no datasets/manifest.json entry for {missing}; run " \
                        "`workbench data refresh LAB`"


@pytest.mark.parametrize("slug", sorted(set(LABS) & set(ENTRIES)))
def test_regenerated_case_matches_manifest(slug, tmp_path):
    entry = ENTRIES[slug]
    case = LABS[slug].make_case(entry["seed"], entry["size"], out=tmp_path / slug)
    assert sha256_tree(case.root) == entry["sha256"], (
        f"{slug}: the generator no longer reproduces the committed case; if that is on "
        "purpose, run `workbench data refresh` and commit the result")


@pytest.mark.parametrize("slug", sorted(set(LABS) & set(ENTRIES)))
def test_committed_files_match_manifest(slug):
    folder: Path = datasets_dir() / slug
    if not folder.is_dir():  # manifest-only labs are generated on first use
        assert ENTRIES[slug].get("committed") is False, (
            f"{slug}: datasets/{slug} is missing but the manifest says it is committed; "
            "run `workbench data refresh`")
        assert ENTRIES[slug]["sha256"], f"{slug}: manifest entry without sums"
        return
    assert sha256_tree(folder) == ENTRIES[slug]["sha256"]
