"""Make tests/fixtures.py importable as ``fixtures`` without turning tests/ into a package."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

import pytest

# The slow tiers (real ffmpeg encodes, the hot folder's watcher threads, a Dask cluster, a browser):
# `pytest -m "not slow"` leaves them out and runs in well under a minute.
SLOW_MODULES = {"test_video", "test_video_batch", "test_watch", "test_dask"}


def pytest_collection_modifyitems(items):
    for item in items:
        name = item.module.__name__
        if name in SLOW_MODULES or name.startswith("test_video") or item.get_closest_marker("browser"):
            item.add_marker(pytest.mark.slow)


def pytest_configure(config):
    config.addinivalue_line("markers", "slow: real encodes, watchers, clusters or a browser (left out by -m 'not slow')")
    config.addinivalue_line("markers", "browser: drives a real Chromium")
