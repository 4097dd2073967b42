from __future__ import annotations

import pay_common


def test_public_surface_is_explicit_and_sorted() -> None:
    assert pay_common.__all__ == sorted(pay_common.__all__)
    for name in pay_common.__all__:
        assert getattr(pay_common, name) is not None
