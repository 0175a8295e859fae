"""Drop folders: which folder names mean which slots.

The folders under ROOT are read on every scan, so a folder a person makes by hand (``facebook-cover``,
``Instagram Story``) is watched like the pre-made ones. Names are compared after Unicode
normalisation and case folding, with spaces and underscores read as ``-``. A folder whose name means
no slot is an *unknown* drop: files put there go to failed/ with a note listing the names that work.
"""
from __future__ import annotations

import difflib
import re
import unicodedata
from dataclasses import dataclass
from typing import Iterable

from ..errors import UsageError
from ..presets import KINDS, PresetLibrary, Slot

READY, NEEDS_REVIEW_DIR, FAILED_DIR, ORIGINALS, STATE, REPORTS = (
    "ready", "needs-review", "failed", "originals", ".assetkit", "reports")
RESERVED = {READY, NEEDS_REVIEW_DIR, FAILED_DIR, ORIGINALS, STATE, REPORTS}


def folder_key(name: str) -> str:
    """``Facebook Cover`` and ``facebook_cover`` -> ``facebook-cover``."""
    key = unicodedata.normalize("NFC", name).casefold().strip()
    return re.sub(r"[\s_]+", "-", key)


@dataclass(frozen=True)
class Drop:
    """One drop folder and the slots files dropped there are prepared for (none: an unknown name)."""

    name: str                 # canonical name: instagram, facebook-cover (journal, [folder."NAME"])
    slots: tuple[Slot, ...]
    dir: str = ""             # the folder's name on disk, as the person typed it ("" = name)

    @property
    def path_name(self) -> str:
        return self.dir or self.name

    @property
    def known(self) -> bool:
        return bool(self.slots)

    def slots_for(self, kind: str) -> tuple[Slot, ...]:
        """The slots for a file of this kind (sniffed ``image``/``video``/``unknown``). An unreadable
        file is judged against the photo slots; a kind no slot takes goes to all, and the engine
        says why (``skipped``/``unsupported``)."""
        want = "video" if kind == "video" else "photo"
        return tuple(s for s in self.slots if s.takes(want)) or self.slots

    def takes_text(self) -> str:
        """"photos", "videos" or "photos and videos": what a person may put in this folder."""
        kinds = [k for k in KINDS if any(s.takes(k) for s in self.slots)]
        return " and ".join(k + "s" for k in kinds) or "nothing"


def drops_for(spec: str | Iterable[str] | None, lib: PresetLibrary) -> list[Drop]:
    """The folders made at start: ``None`` -> one folder per platform (its photo and video defaults);
    ``instagram`` -> the same for one platform; ``facebook/cover`` or ``facebook-cover`` -> one slot."""
    items = lib.platforms if spec is None else ([s for s in spec.split(",")] if isinstance(spec, str) else list(spec))
    drops: list[Drop] = []
    for raw in items:
        item = raw.strip().lower()
        if not item:
            continue
        name = folder_key(item.replace("/", "-"))
        if name in RESERVED:
            raise UsageError(f"{name!r} cannot be a drop folder: it is one of {', '.join(sorted(RESERVED))}")
        drop = drop_for_name(name, lib)
        if drop is None:
            lib.resolve(item)  # raises the library's own "unknown platform or slot" error
            raise UsageError(f"unknown platform or slot {raw.strip()!r}")
        if all(d.name != drop.name for d in drops):
            drops.append(drop)
    if not drops:
        raise UsageError("no drop folder: use --for PLATFORM or --for PLATFORM/SLOT")
    return drops


def drop_for_name(folder: str, lib: PresetLibrary) -> Drop | None:
    """The drop a folder name means (a platform, or ``platform-slot``), None for an unknown name."""
    key = folder_key(folder)
    if key in lib.defaults:
        return Drop(key, tuple(lib.resolve(key)), "" if key == folder else folder)
    for s in lib.slots.values():
        if s.folder == key:
            return Drop(key, (s,), "" if key == folder else folder)
    return None


def valid_names(lib: PresetLibrary) -> list[str]:
    """Every folder name that means something: the platforms first, then each slot."""
    return [*lib.platforms, *sorted(s.folder for s in lib.slots.values())]


def describe_names(lib: PresetLibrary) -> list[str]:
    """Each valid name with what it is for: ``instagram-story/   Instagram Stories (photos and videos)``."""
    out = []
    for name in valid_names(lib):
        d = drop_for_name(name, lib)
        if name in lib.defaults:
            platform = {"youtube": "YouTube"}.get(name, name.capitalize())
            what = f"{platform}: " + ", ".join(f"{s.title.lower()} for {k}s" for k in ("photo", "video")
                                               for s in d.slots if s.takes(k))
        else:
            s = d.slots[0]
            what = f"{s.title} ({d.takes_text()})"
        out.append(f"{name + '/':<24} {what}")
    return out


def suggest(folder: str, lib: PresetLibrary) -> str | None:
    """The valid name closest to a misspelt one (``instagarm`` -> ``instagram``), if any is close."""
    close = difflib.get_close_matches(folder_key(folder), valid_names(lib), n=1, cutoff=0.75)
    return close[0] if close else None
