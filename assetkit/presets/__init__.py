"""Platform presets: TOML data -> validated, immutable Slot values.

One TOML file per platform (``presets/*.toml`` at the top of the repository, shipped inside the
wheel as ``assetkit/_presets``). Every number carries a ``source``: the guideline section it comes
from, or ``"platform default: <reason>"``. ``model``: the values (Slot, Variant, ...); ``load``: the
schema, migrations by ``schema_version`` and loading; ``library``: lookup by id and platform alias.
"""
from .library import PresetLibrary  # noqa: F401
from .load import MIGRATIONS, SCHEMA_VERSION, Migration, builtin_presets_dir, load_file, load_presets  # noqa: F401
from .model import (KINDS, PLATFORM_DEFAULT, Codecs, Dimensions, SafeArea, Slot, Sourced,  # noqa: F401
                    Variant)
