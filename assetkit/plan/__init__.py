"""Planning: (media facts, slot, options, analysis, rights) -> a plan, before any full-size pixel.

``photo``: the complete photo plan; ``paths``: output names and the recipe hash; ``layout``: where
the credit goes (font metrics); ``geometry``: pure window maths; ``crop``: smart-crop placement.
"""
from .photo import Plan, PhotoPlan, make_plan  # noqa: F401
