"""Planning: (media facts, slot, options, analysis) -> a plan, before any full-size pixel is touched.

``photo``: the photo plan; ``geometry``: pure window maths; ``crop``: smart-crop placement.
"""
from .photo import Plan, make_plan  # noqa: F401
