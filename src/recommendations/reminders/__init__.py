"""Reminders and escalations: the rules as a configuration file's ``[reminders]`` table,
one run of ``recommendations remind`` (:class:`Reminders`), and the notifiers that send
them (email over SMTP, a signed webhook, or any registered in the entry-point group
``recommendations.notifiers``).

What is due is worked out by the pure domain (:func:`recommendations.domain.plan_reminders`);
this package records it, sends it and records the outcome.
"""

from ._notifiers import (
    GROUP,
    SIGNATURE_HEADER,
    Notice,
    Notifier,
    NotifierError,
    SmtpNotifier,
    WebhookNotifier,
    notifier_for,
    read_secret,
    signature,
)
from ._run import KILL_AT, Reminders, RunReport, kill_point, notice, record_rules
from ._toml import rules_from_data, rules_from_toml, rules_to_toml

__all__ = [
    "GROUP",
    "KILL_AT",
    "SIGNATURE_HEADER",
    "Notice",
    "Notifier",
    "NotifierError",
    "Reminders",
    "RunReport",
    "SmtpNotifier",
    "WebhookNotifier",
    "kill_point",
    "notice",
    "notifier_for",
    "read_secret",
    "record_rules",
    "rules_from_data",
    "rules_from_toml",
    "rules_to_toml",
    "signature",
]
