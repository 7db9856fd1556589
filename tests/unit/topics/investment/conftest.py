"""Fixtures of the investment topic tests: one small curated dataset and its computed result."""

import pytest
from investment_cases import write_dataset

from evalkit.topics.investment import compute

YEAR, AS_OF = 2026, "2026-10-31"


@pytest.fixture(scope="session")
def investment_data(tmp_path_factory):
    """A data folder with curated funds_monthly / projects, targets and landing configuration."""
    return write_dataset(tmp_path_factory.mktemp("investment_data"))


@pytest.fixture(scope="session")
def investment_result(investment_data):
    """``compute.run(2026, "2026-10-31")`` on :func:`investment_data` (computed once per session)."""
    return compute.run(YEAR, AS_OF, investment_data)
