"""Feedback from the desk on the guidance, and what the experts do with it.

The overlay sends a remark on a step ("klopt niet", "onduidelijk", "suggestie");
`submit_feedback` checks it against the published version the person saw and stores it
once per client id, minimised like events (pseudonymous sender, masked long numbers).
Experts see it in their inbox (`inbox`) and `accept` it, linking the recorded change that
answers it (or the next publication), or `decline` it with a reason. The sender asks
`statuses` for their own feedback ids and sees "you said, we changed".
"""

from epss.feedback.inbox import STATUSES, accept, counts, decline, get_feedback, inbox, statuses
from epss.feedback.intake import KINDS, MAX_COMMENT, FeedbackIn, submit_feedback

__all__ = [
    "KINDS",
    "MAX_COMMENT",
    "STATUSES",
    "FeedbackIn",
    "accept",
    "counts",
    "decline",
    "get_feedback",
    "inbox",
    "statuses",
    "submit_feedback",
]
