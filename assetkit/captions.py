"""Caption lint: the guidelines' text rules for posts, as a table of rules. Pure (no I/O).

Severity follows the guideline's wording: "max", "no more than", "never", "should not exceed",
"do not" -> error; "suggested", "try to" -> warning.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable

from .checks import Code, Finding, Severity, finding, register

for _c in [
    Code("caption-too-long", Severity.ERROR, "", False, "the caption is longer than the platform's rule allows or suggests"),
    Code("caption-hashtags", Severity.ERROR, "TWITTER > Hashtags", False, "too many hashtags, or a hashtag of more than three words"),
    Code("caption-paragraphs", Severity.ERROR, "", False, "the caption has more paragraphs than the platform's rule allows"),
    Code("caption-link", Severity.ERROR, "INSTAGRAM > Posts/Content", False, "a link in an Instagram caption (it will not be clickable)"),
]:
    register(_c)

PLATFORMS = ("twitter", "facebook", "instagram")
HASHTAG = re.compile(r"(?<![\w#])#(\w+)", re.UNICODE)
LINK = re.compile(r"(?i)\b(?:https?://|www\.)\S+|\b[\w-]+(?:\.[\w-]+)*\.(?:com|org|net|int|ly|io|info|gov|edu)(?:/\S*)?\b")


def paragraphs(text: str) -> int:
    """Paragraphs are blocks separated by blank lines (a single line break stays in one paragraph)."""
    return len([p for p in re.split(r"\n\s*\n", text.strip()) if p.strip()])


def hashtag_words(tag: str) -> int:
    """Words in a hashtag: underscores, CamelCase humps, and letter/digit changes split words
    (#WorldRefugeeDay -> 3, #migration_matters -> 2, #COP21 -> 2)."""
    words = 0
    for part in filter(None, tag.split("_")):
        words += len(re.findall(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|\d+|[^\W\d_A-Za-z]+", part)) or 1
    return words


@dataclass(frozen=True)
class Rule:
    platform: str
    code: str
    severity: Severity
    section: str
    broken: Callable[[str], str | None]   # text -> the problem, or None when the rule holds


def _longer(limit: int, what: str):
    return lambda t: f"{len(t)} characters, {what} {limit}" if len(t) > limit else None


def _suggested(lo: int, hi: int):
    return lambda t: (f"{len(t)} characters; the suggested length is {lo}-{hi} (hashtags included)"
                      if len(t) > hi else None)


def _max_hashtags(n: int):
    def check(t):
        tags = HASHTAG.findall(t)
        return f"{len(tags)} hashtags, no more than {n} per tweet" if len(tags) > n else None
    return check


def _hashtag_words(n: int):
    def check(t):
        long = [f"#{tag} ({hashtag_words(tag)} words)" for tag in HASHTAG.findall(t) if hashtag_words(tag) > n]
        return f"{', '.join(long)}: at most {n} words per hashtag" if long else None
    return check


def _max_paragraphs(n: int, wording: str):
    return lambda t: f"{paragraphs(t)} paragraphs; {wording}" if paragraphs(t) > n else None


def _no_links(t):
    links = LINK.findall(t)
    return f"contains {', '.join(links)}: do not add links (they won't appear as hyperlinks)" if links else None


E, W = Severity.ERROR, Severity.WARNING
RULES: tuple[Rule, ...] = (
    Rule("twitter", "caption-too-long", E, "TWITTER; GENERAL GUIDELINES > Twitter", _longer(140, "over the maximum of")),
    Rule("twitter", "caption-too-long", W, "TWITTER > Tweets", _suggested(90, 100)),
    Rule("twitter", "caption-hashtags", E, "TWITTER > Hashtags", _max_hashtags(3)),
    Rule("twitter", "caption-hashtags", E, "TWITTER > Hashtags", _hashtag_words(3)),
    Rule("facebook", "caption-too-long", W, "GENERAL GUIDELINES > Facebook", _longer(500, "try to keep posts under")),
    Rule("facebook", "caption-paragraphs", E, "FACEBOOK > Posts",
         _max_paragraphs(2, "posts should never be longer than one or two paragraphs")),
    Rule("instagram", "caption-paragraphs", E, "INSTAGRAM > Posts/Content",
         _max_paragraphs(2, "each post should not exceed two paragraphs")),
    Rule("instagram", "caption-link", E, "INSTAGRAM > Posts/Content", _no_links),
)


def lint_for(text: str, platforms: str) -> list[Finding]:
    """``lint`` for each of ``platforms`` ("twitter,facebook"; a slot such as twitter/post names its
    platform). Raises UsageError for a platform without caption rules, and for an empty caption."""
    from .errors import UsageError, choice_error

    wanted = [p.strip().split("/")[0] for p in platforms.split(",") if p.strip()]
    for p in wanted:
        if p not in PLATFORMS:
            raise choice_error("--for", p, PLATFORMS, what="caption rules exist for")
    if not text.strip():
        raise UsageError("the caption is empty: give the post's text, or - to read it from stdin")
    return [f for p in wanted for f in lint(text, p)]


def lint(text: str, platform: str, *, where: str | None = None) -> list[Finding]:
    """Every broken rule for ``platform`` as a Finding (platforms without text rules: none)."""
    out = []
    for r in RULES:
        if r.platform != platform:
            continue
        problem = r.broken(text)
        if problem:
            # "twitter: 166 characters, ..." (the caption said once, not "the caption: 166 characters")
            head = f"{platform}: {where}" if where else platform
            out.append(finding(r.code, f"{head}: {problem}", severity=r.severity, section=r.section))
    return out
