"""The progress bar on stderr: files done of the files the library found (tqdm), and one bar per
video encode in seconds of the clip. Hidden when stderr is not a terminal unless ASSETKIT_PROGRESS is set."""
from __future__ import annotations

import os
import sys
from pathlib import Path


class Progress:
    def __init__(self, enabled: bool, desc: str):
        self.enabled, self.desc = enabled, desc
        self.bar, self.total, self.encodes = None, None, {}

    @property
    def shows(self) -> bool:
        """Will a bar be drawn (so video encodes are worth reporting)?"""
        return self.enabled and (bool(os.environ.get("ASSETKIT_PROGRESS")) or sys.stderr.isatty())

    def _tqdm(self, **kw):
        from tqdm import tqdm

        tqdm.monitor_interval = 0  # no monitor thread: a process with one thread forks its pool workers
        return tqdm(file=sys.stderr, disable=None if not os.environ.get("ASSETKIT_PROGRESS") else False, **kw)

    def start(self, total: int) -> None:
        """The library's count of the files it will prepare (outputs inside an input folder excluded)."""
        self.total = total
        if self.enabled and total:
            self.bar = self._tqdm(total=total, desc=self.desc, unit="file", dynamic_ncols=True)

    def __call__(self, r) -> None:
        if self.bar:
            self.bar.set_postfix_str(Path(r.source).name[:30], refresh=False)
            self.bar.update(1)

    def encoding(self, source: str, slot: str, done: float, total: float) -> None:
        if not self.bar or self.bar.disable:
            return
        bar = self.encodes.get((source, slot))
        if bar is None:
            bar = self.encodes[(source, slot)] = self._tqdm(
                total=round(total, 1), desc=f"{Path(source).name[:24]} {slot}", unit="s", leave=False,
                position=len(self.encodes) + 1, bar_format="{desc}: {percentage:3.0f}%|{bar}| {n:.1f}/{total:.1f} s")
        bar.n = round(min(done, total), 1)
        bar.refresh()
        if done >= total:
            self.encodes.pop((source, slot)).close()

    def close(self) -> None:
        for bar in [*self.encodes.values(), self.bar]:
            if bar:
                bar.close()
