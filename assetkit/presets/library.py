"""The slots known in a run: lookup by id, platform aliases (``--for instagram``), did-you-mean."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable

from ..errors import UsageError, suggest
from .model import KINDS, Slot


@dataclass
class PresetLibrary:
    """All slots known in this run, by id, and each platform's default slot per kind of media."""

    slots: dict[str, Slot] = field(default_factory=dict)
    defaults: dict[str, dict[str, str]] = field(default_factory=dict)  # platform -> kind -> slot id
    files: dict[str, str] = field(default_factory=dict)  # platform -> file it came from

    @property
    def platforms(self) -> list[str]:
        return sorted(self.defaults)

    def get(self, slot_id: str) -> Slot:
        try:
            return self.slots[slot_id]
        except KeyError:
            near = suggest(slot_id, self.slots)
            hint = f" (did you mean {near!r}?)" if near else ""
            raise UsageError(
                f"unknown slot {slot_id!r}{hint}; known slots: {', '.join(sorted(self.slots))}"
            ) from None

    def resolve(self, spec: str | Iterable[str], kinds: Iterable[str] = KINDS) -> list[Slot]:
        """Turn ``"instagram"``, ``"instagram/post,facebook/cover"`` or a list into slots.

        A bare platform name stands for its default slot for each kind of media asked for, so
        ``--for instagram`` gives instagram/post for photos and instagram/video for videos.
        """
        items = spec.split(",") if isinstance(spec, str) else list(spec)
        out: list[Slot] = []
        for raw in items:
            item = raw.strip().lower()
            if not item:
                continue
            if "/" in item:
                chosen = [self.get(item)]
            elif item in self.defaults:
                chosen = [self.get(sid) for k, sid in self.defaults[item].items() if k in kinds]
            else:
                near = suggest(item, [*self.platforms, *self.slots])
                hint = f" (did you mean {near!r}?)" if near else ""
                raise UsageError(
                    f"unknown platform or slot {raw.strip()!r}{hint}; platforms: {', '.join(self.platforms)}"
                    f"; slots: {', '.join(sorted(self.slots))}"
                )
            out.extend(s for s in chosen if s not in out)
        if not out:
            raise UsageError("no slot given: use --for PLATFORM or --for PLATFORM/SLOT")
        return out
