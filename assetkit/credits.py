"""Moved to ``assetkit.rights``; this name stays until video/job.py and options.py import rights."""
from .rights import *  # noqa: F401,F403
from .rights import Credit, SourceCredit, check_template, read_source_credit, resolve  # noqa: F401
