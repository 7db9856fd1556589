"""Fixtures shared by the integration tests."""

import pytest

from evalkit.core import paths
from evalkit.run import site


@pytest.fixture(scope="module")
def staged(tmp_path_factory):
    """The site project staged from the committed reports (``build/site-src`` in a scratch build).

    ``make test`` points EVALKIT_REPORTS_DIR at nbval's scratch copy; staging reads the
    committed reports.
    """
    build = tmp_path_factory.mktemp("build")
    mp = pytest.MonkeyPatch()
    mp.setenv("EVALKIT_BUILD_DIR", str(build))
    mp.setenv("EVALKIT_REPORTS_DIR", str(paths.ROOT / "reports"))
    try:
        yield site.stage_project(renderer="smalldocs")
    finally:
        mp.undo()
