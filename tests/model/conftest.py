from __future__ import annotations

import pytest

from tmtui.core.datasets import generate_preset


@pytest.fixture(scope="session")
def tmbench():
    return generate_preset("tmbench")
