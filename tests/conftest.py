"""Make tests/fixtures.py importable as ``fixtures`` without turning tests/ into a package."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
