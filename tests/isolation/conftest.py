"""The leak canaries run in a shuffled order: ``PY_APM_SHUFFLE_SEED``, else the day's date (a
seed every pytest-xdist worker derives alike: xdist requires the same order in each), printed
in the header to replay a run. The closing check stays where it is, after them."""

from __future__ import annotations

import os
import random
import time

import pytest

SEED_ENV = "PY_APM_SHUFFLE_SEED"
#: Defined last in their module, never shuffled: they stay after every canary.
KEPT_LAST = {"test_nothing_left_by_the_last_one"}


def _seed() -> int:
    return int(os.environ.get(SEED_ENV) or time.strftime("%Y%m%d", time.gmtime()))


def pytest_report_header(config: pytest.Config) -> str:
    return f"leak canaries shuffled with {SEED_ENV}={_seed()}"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    here = os.path.dirname(__file__)
    mine = [
        i
        for i, item in enumerate(items)
        if str(item.path).startswith(here) and getattr(item, "originalname", "") not in KEPT_LAST
    ]
    shuffled = [items[i] for i in mine]
    random.Random(_seed()).shuffle(shuffled)
    for i, item in zip(mine, shuffled, strict=True):
        items[i] = item
