"""The old ``evalkit.impact`` path keeps working, and the topic imports only what it needs."""

from __future__ import annotations

import subprocess
import sys

import evalkit.impact as old
from evalkit.topics.impact import compute, did, present


def test_compat_module_re_exports_the_moved_objects():
    for name in old.__all__:
        moved = [getattr(m, name) for m in (did, compute, present) if hasattr(m, name)]
        assert moved, name
        assert getattr(old, name) is moved[0], name


def test_compute_and_present_do_not_import_statsmodels_api_or_matplotlib():
    # statsmodels.api pulls in every statsmodels sub-package (issue 19); the estimators
    # need only statsmodels.regression.linear_model. Plotting imports matplotlib lazily.
    code = (
        "import sys, evalkit.topics.impact.compute, evalkit.topics.impact.present; "
        "print(sorted(m for m in ('statsmodels.api', 'matplotlib', "
        "'statsmodels.regression.linear_model') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "['statsmodels.regression.linear_model']"
