"""The one exception type of py-apm and its numeric error codes."""

from __future__ import annotations

INVALID_ARGUMENT = 400
NOT_FOUND = 404
LIMIT_REACHED = 409
NOT_READY = 412
INVALID_CONFIGURATION = 422
INTERNAL = 500

MAX_SESSIONS_MESSAGE = "Maximum sessions reached. Close a session before opening another."
MAX_TABS_MESSAGE = "Maximum tabs reached. Close a tab in this session before opening another."


class ApmError(Exception):
    """An error of a `Microsoft.Apm` call: a numeric `code` (JS `errorCode`) and a message."""

    def __init__(self, code: int, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message

    def to_dict(self) -> dict[str, object]:
        """`{errorCode, message}` as the 2020 error callbacks received it."""
        return {"errorCode": self.code, "message": self.message}

    def __repr__(self) -> str:
        return f"ApmError({self.code}, {self.message!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, ApmError) and (other.code, other.message) == (
            self.code,
            self.message,
        )

    def __hash__(self) -> int:
        return hash((self.code, self.message))


def invalid(method: str, detail: str) -> ApmError:
    """A 400 error naming the member and the bad argument."""
    return ApmError(INVALID_ARGUMENT, f"{method}: {detail}")


def not_found(method: str, detail: str) -> ApmError:
    """A 404 error naming the member and the missing id."""
    return ApmError(NOT_FOUND, f"{method}: {detail}")


def bad_config(detail: str) -> ApmError:
    """A 422 error for a rejected configuration."""
    return ApmError(INVALID_CONFIGURATION, f"configure: {detail}")
