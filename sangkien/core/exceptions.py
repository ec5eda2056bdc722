"""Domain errors that views turn into messages for people."""

from __future__ import annotations


class DomainError(Exception):
    """A rule of the programme refused an action; ``message`` is translated."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class SubmissionClosed(DomainError):
    """No submission window of the programme is open at this instant."""


class NotAllowed(DomainError):
    """The actor may not do this (outside their scope or role)."""


class InvalidTransition(DomainError):
    """The initiative's status does not allow this decision."""
