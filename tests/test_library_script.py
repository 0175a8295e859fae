"""Issue 12 defect 2: the README's library example, saved as a plain script (no ``__main__`` guard),
runs as written with the library's default (a process pool on a multi-core machine), and prints its
findings once, not once per worker."""
from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import fixtures as fx

README = Path(__file__).resolve().parents[1] / "README.md"


def test_readme_library_example_runs_as_a_plain_script(tmp_path):
    block = README.read_text(encoding="utf-8").split("## As a library", 1)[1]
    code = re.search(r"```python\n(.*?)```", block, re.S).group(1)
    (tmp_path / "example.py").write_text(code, encoding="utf-8")
    (tmp_path / "photos").mkdir()
    fx.make_photo(tmp_path / "photos" / "a.jpg", (1700, 1300), gps=True)
    fx.make_photo(tmp_path / "photos" / "b.jpg", (1400, 1200))
    fx.make_photo(tmp_path / "photo.jpg", (1600, 1200))
    env = {**os.environ, "PYTHONPATH": str(README.parent)}
    p = subprocess.run([sys.executable, "example.py"], cwd=tmp_path, env=env, capture_output=True, text=True,
                       timeout=240)
    assert p.returncode == 0, p.stderr[-2000:]
    assert "bootstrapping" not in p.stderr and "BrokenProcessPool" not in p.stderr, p.stderr[-2000:]
    lines = [line for line in p.stdout.splitlines() if " gps-present " in line]
    assert len(lines) == 1, p.stdout  # printed by the script once, not again by each worker
    assert (tmp_path / "prepared" / "instagram-post" / "a.jpg").is_file()
