"""Metadata: one reader (``read``: EXIF by PIL.ExifTags names, XMP through a bounded XML parser,
IPTC) and one writer (``write``: a fresh allow-list EXIF/XMP for outputs, and the recipe read back).
"""
from .read import (IFD, XMP_MAX_BYTES, SourceCredit, Tag, Xmp, exif_of, ifd, iptc_of, orientation,  # noqa: F401
                   parse_xmp, privacy_facts, read_xmp, source_credit, text, xmp_bytes)
from .write import RECIPE_NS, Kept, build_exif, build_xmp, read_kept, read_recipe  # noqa: F401
