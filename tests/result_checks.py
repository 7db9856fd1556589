"""One comparison of a topic result computed fresh with the same result stored and read back."""

import dataclasses

import pandas as pd


def assert_same_result(
    a, b, *, ignore_index: bool = False, check_types: bool = False, **frame_kwargs
):
    """Assert dataclass results *a* and *b* are equal field by field (nested results too).

    Frames and series are compared with pandas' testers (*frame_kwargs* passed on, e.g.
    ``check_dtype=False``); *ignore_index* drops the frames' index first; every other
    field must be equal (and, with *check_types*, of the same type: top-level fields only).
    """
    assert type(a) is type(b), (type(a), type(b))
    for f in dataclasses.fields(a):
        x, y = getattr(a, f.name), getattr(b, f.name)
        if isinstance(x, pd.DataFrame):
            if ignore_index:
                x, y = x.reset_index(drop=True), y.reset_index(drop=True)
            pd.testing.assert_frame_equal(x, y, obj=f.name, **frame_kwargs)
        elif isinstance(x, pd.Series):
            pd.testing.assert_series_equal(x, y, obj=f.name, **frame_kwargs)
        elif dataclasses.is_dataclass(x) and not isinstance(x, type):
            # Nested results: same comparison, types checked at the top level only.
            assert_same_result(x, y, ignore_index=ignore_index, **frame_kwargs)
        else:
            assert x == y, f.name
            if check_types:
                assert type(x) is type(y), f.name
