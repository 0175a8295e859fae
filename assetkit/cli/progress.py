"""The progress bar on stderr: files done of the files the library found (tqdm)."""
from __future__ import annotations

import os
import sys
from pathlib import Path


class Progress:
    """One bar of files, plus one bar per video encode (seconds of the clip). Hidden when stderr is
    not a terminal (unless ASSETKIT_PROGRESS is set) or when ``enabled`` is false."""

    def __init__(self, enabled: bool, desc: str):
        self.enabled, self.desc = enabled, desc
        self.bar, self.total = None, None
        self.encodes: dict = {}

    def start(self, total: int) -> None:
        """Called by the library with the number of files it will prepare (outputs excluded)."""
        self.total = total
        if self.enabled and total:
            from tqdm import tqdm

            self.bar = tqdm(total=total, desc=self.desc, unit="file", file=sys.stderr, dynamic_ncols=True,
                            disable=None if not os.environ.get("ASSETKIT_PROGRESS") else False)

    @property
    def live(self) -> bool:
        return bool(self.bar) and not self.bar.disable

    def __call__(self, r) -> None:
        if self.bar:
            self.bar.set_postfix_str(Path(r.source).name[:30], refresh=False)
            self.bar.update(1)

    def encoding(self, source: str, slot: str, done: float, total: float) -> None:
        if not self.live:
            return
        from tqdm import tqdm

        key = (source, slot)
        bar = self.encodes.get(key)
        if bar is None:
            bar = self.encodes[key] = tqdm(total=round(total, 1), desc=f"{Path(source).name[:24]} {slot}",
                                           unit="s", file=sys.stderr, leave=False, position=len(self.encodes),
                                           bar_format="{desc}: {percentage:3.0f}%|{bar}| {n:.1f}/{total:.1f} s")
        bar.n = round(min(done, total), 1)
        bar.refresh()
        if done >= total:
            bar.close()
            del self.encodes[key]

    def close(self) -> None:
        for bar in self.encodes.values():
            bar.close()
        if self.bar:
            self.bar.close()
