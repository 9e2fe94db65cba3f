"""Errors of the accounts domain."""

from __future__ import annotations

from insight_atlas.errors import AppError, Conflict, Unauthorized


class InvalidCredentials(Unauthorized):
    code = "invalid_credentials"
    message = "The e-mail address or password is incorrect."


class InvalidToken(Unauthorized):
    code = "invalid_token"
    message = "The access token is missing, invalid or expired."


class InvalidRefreshToken(Unauthorized):
    code = "invalid_refresh_token"
    message = "The refresh token is invalid, expired or revoked."


class RefreshTokenReused(InvalidRefreshToken):
    # The revocation of the whole family must survive the error response.
    keeps_changes = True
    message = "This refresh token was already used; every token of its session is revoked."


class EmailTaken(Conflict):
    code = "email_taken"
    message = "An account with this e-mail address already exists."


class WeakPassword(AppError):
    code = "weak_password"
    status_code = 422


class InvalidResetToken(AppError):
    code = "invalid_reset_token"
    status_code = 400
    message = "The password-reset link is invalid, expired or already used."


class WrongCurrentPassword(AppError):
    code = "invalid_current_password"
    status_code = 403
    message = "The current password is incorrect."
