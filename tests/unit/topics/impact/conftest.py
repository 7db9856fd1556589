"""Shared data sets of the impact tests."""

import pytest


@pytest.fixture(scope="module")
def organ():
    causaldata = pytest.importorskip("causaldata")
    od = causaldata.organ_donations.load_pandas().data
    # The Effect ch. 18: California adopted active-choice registration in Q3 2011.
    od["Treated"] = (
        (od["State"] == "California") & od["Quarter"].isin(["Q32011", "Q42011", "Q12012"])
    ).astype(int)
    return od
