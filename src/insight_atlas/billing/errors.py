"""Errors of the billing domain."""

from __future__ import annotations

from insight_atlas.errors import AppError, Conflict, NotFound


class AlreadySubscribed(Conflict):
    code = "already_subscribed"
    message = (
        "You already have a paid subscription; change or cancel it in the billing portal"
        " (POST /v1/billing/portal)."
    )


class NoBillingAccount(Conflict):
    code = "no_billing_account"
    message = (
        "There is no billing account yet; start a subscription with POST /v1/billing/checkout."
    )


class BillingProviderError(AppError):
    code = "billing_unavailable"
    status_code = 503
    message = "The payment provider could not complete the request; try again shortly."


class SandboxLinkInvalid(NotFound):
    code = "not_found"
    message = "This sandbox link is invalid or has expired."


class MissingSignature(AppError):
    code = "missing_signature"
    status_code = 400
    message = "The Stripe-Signature header is missing."


class InvalidSignature(AppError):
    code = "invalid_signature"
    status_code = 400
    message = "The webhook signature does not verify (wrong secret, altered body or too old)."


class InvalidPayload(AppError):
    code = "invalid_payload"
    status_code = 400
    message = "The webhook body is not a Stripe event."


class WebhookHandlerFailed(AppError):
    """A handler raised: 500 so Stripe retries; the event row keeps the error."""

    code = "webhook_handler_failed"
    status_code = 500
    message = "The event could not be processed; it will be retried."
    # The handler's own changes were rolled back already; what must persist is the
    # event row with its attempt count and error, so the session dependency commits.
    keeps_changes = True


class EventNotApplicable(Exception):
    """An event the handler cannot apply yet (e.g. no user found); stored and retried."""
