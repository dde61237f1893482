"""The typed data model that flows end to end: article → sentence → mention → event.

Every object here is a small frozen dataclass with a deterministic identity (content hashes,
never random ids), and this module is the one place that converts them to and from the JSON of
the interchange format (docs/format.md). Nothing here imports from the rest of the project.
"""

from .assessment import (Assessment, Claim, Denial, EstimativeUse, Figure, Grade, Origin,
                         Publication, STATUS_LADDER, StatusStep, highest_status, ladder_rank)
from .core import (AUTHOR_SOURCE, Article, ArticleResult, Category, Confidence, ESCAPED_IN_LINES,
                   Event, EventType, Evidence, INTERNAL, INTERNAL_MESSAGE_CHARS, Item, LEFT_OUT, TIMEOUT,
                   LONE_SURROGATE, Location, Mention, MentionKind, Money, ORIGIN_LINE, Quantity,
                   Rejection, SPAN_SLOTS, Sentence, SlotSpan, Source, SourceKind, Stance, Status,
                   TimeExpr, UNKNOWN_PARTY, UNORDERED_TYPES, content_hash, events_from_jsonl_lines,
                   json_text, split_origin)
from .trace import (ArticleTrace, DropTrace, FrameTrace, Reason, RoleOrigin, RoleTrace,
                    SentenceTrace, SkippedSentence)

__all__ = [
    'AUTHOR_SOURCE', 'Article', 'ArticleResult', 'ArticleTrace', 'Assessment', 'Category', 'Claim',
    'Confidence', 'Denial', 'DropTrace', 'ESCAPED_IN_LINES', 'EstimativeUse', 'Event', 'EventType',
    'Evidence', 'Figure', 'FrameTrace', 'Grade', 'INTERNAL', 'INTERNAL_MESSAGE_CHARS', 'Item', 'LEFT_OUT', 'TIMEOUT',
    'LONE_SURROGATE', 'Location', 'Mention', 'MentionKind', 'Money', 'ORIGIN_LINE', 'Origin',
    'Publication', 'Quantity', 'Reason', 'Rejection', 'RoleOrigin', 'RoleTrace', 'SPAN_SLOTS', 'STATUS_LADDER',
    'Sentence', 'SentenceTrace', 'SkippedSentence', 'SlotSpan', 'Source', 'SourceKind', 'Stance',
    'Status', 'StatusStep', 'TimeExpr', 'UNKNOWN_PARTY', 'UNORDERED_TYPES', 'content_hash',
    'events_from_jsonl_lines', 'highest_status', 'json_text', 'ladder_rank', 'split_origin'
]
