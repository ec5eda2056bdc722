"""The person's answers to "is this you?" (the claim step after signing in).

:class:`PersonClaim` points at a participant (``initiatives.Person``), so it
lives here, above ``initiatives``, not in ``accounts``.  The table keeps its
first name, ``accounts_personclaim``.  The access log is in ``sangkien.accesslog``.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from sangkien.core.clock import now


class ClaimDecision(models.TextChoices):
    """The answer to "is this you?"."""

    CONFIRMED = "confirmed", _("Đúng là tôi")
    NOT_ME = "not_me", _("Không phải tôi")


class PersonClaim(models.Model):
    """A signed-in person's answer to "is this you?" for a participant entered by others.

    Asked once per (user, person): when the user's *verified* phone is the
    phone of a participant without an account.  ``confirmed`` linked the
    participant to the account; ``not_me`` left it unlinked.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="person_claims")
    person = models.ForeignKey("initiatives.Person", on_delete=models.CASCADE, related_name="claims")
    decision = models.CharField(_("trả lời"), max_length=16, choices=ClaimDecision.choices)
    at = models.DateTimeField(_("lúc"), default=now)

    class Meta:
        verbose_name = _("xác nhận tác giả")
        verbose_name_plural = _("xác nhận tác giả")
        constraints = [models.UniqueConstraint(fields=["user", "person"], name="one_claim_per_person")]
        db_table = "accounts_personclaim"  # the model moved from accounts; the table did not

    def __str__(self) -> str:
        return f"{self.user_id} {self.decision} {self.person_id}"
