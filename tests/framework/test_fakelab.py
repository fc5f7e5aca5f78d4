"""The fake lab is a real lab: it passes the conformance checks that need no web page."""

import pytest

from workbench.testing import CHECKS, check_page_renders

from .fakelab import FAKE


@pytest.mark.parametrize("check", [c for c in CHECKS if c is not check_page_renders],
                         ids=lambda c: c.__name__)
def test_fake_lab_conforms(check, tmp_path):
    check(FAKE, tmp_path)
