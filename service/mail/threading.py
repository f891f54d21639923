"""Which case an inbound message belongs to: a pure decision over what the caller looked up.

Order (each step is a test):
1. every id in In-Reply-To and References against the Message-IDs stored in the workspace
   (ours on agents' replies and the customers' own): the first known one wins;
2. a forward ("Fwd:", "FW:", "WG:", "TR:", "RV:", "Doorst:", "ENC:") never threads: it
   opens a new case, linked to the case its subject or references name;
3. the case number in the subject ("[#123]") only when the sender already takes part in that
   case (its contact or an address in its conversation): a stranger quoting a number opens
   a new case and learns nothing about the other one;
4. otherwise a new case.
"""

import re
from dataclasses import dataclass

_NUMBER = re.compile(r"\[#(\d{1,9})\]")
_FORWARD = re.compile(r"^\s*(?:\[[^\]]*\]\s*)?(?:fwd?|fw|wg|tr|rv|doorst|enc)\s*:", re.IGNORECASE)
_PREFIX = re.compile(
    r"^\s*((re|aw|sv|antw|ref|rif|vs|odp|fwd?|fw|wg|tr|rv|enc)\s*(\[\d+\])?\s*:\s*)+",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class ThreadDecision:
    """`action`: "thread" (add to `case_id`), "new" (open a case) or "forward" (open a case
    linked to `linked_case_id`, which may be None); `reason` says which rule decided:
    "message_id", "subject_number", "forward", "stranger_number", "new"."""

    action: str
    reason: str
    case_id: int | None = None
    linked_case_id: int | None = None


def subject_case_number(subject: str) -> int | None:
    """The case number written as "[#123]" in `subject`, None without one."""
    match = _NUMBER.search(subject or "")
    return int(match.group(1)) if match else None


def is_forward(subject: str) -> bool:
    """Whether `subject` starts with a forward prefix in one of the common languages
    (Fwd/FW en, WG de, TR fr, RV es, Doorst nl, ENC pt). "Re: Fwd: …" is a reply."""
    return bool(_FORWARD.match(subject or ""))


def subject_clean(subject: str) -> str:
    """`subject` without reply/forward prefixes and our "[#123]" tag: the stable part an
    outbound reply repeats."""
    text = _NUMBER.sub("", subject or "")
    text = _PREFIX.sub("", text)
    return " ".join(text.split())


def thread_decide(
    *,
    subject: str,
    referenced_case_ids: list[int],
    numbered_case_id: int | None,
    sender_takes_part: bool,
) -> ThreadDecision:
    """Decide where a message goes. `referenced_case_ids`: the cases of the message's
    In-Reply-To/References ids found in the workspace, in the message's order (see
    ParsedMessage.thread_ids); `numbered_case_id`: the workspace's case with the subject's
    number (None when the subject has none or no such case exists); `sender_takes_part`:
    whether the sender takes part in that numbered case."""
    known = referenced_case_ids[0] if referenced_case_ids else None
    if is_forward(subject):
        return ThreadDecision("forward", "forward", linked_case_id=known or numbered_case_id)
    if known is not None:
        return ThreadDecision("thread", "message_id", case_id=known)
    if numbered_case_id is not None:
        if sender_takes_part:
            return ThreadDecision("thread", "subject_number", case_id=numbered_case_id)
        return ThreadDecision("new", "stranger_number")
    return ThreadDecision("new", "new")
