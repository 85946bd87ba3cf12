"""A client library for accessing Elastic Path Account Cart Associations"""

from .client import AuthenticatedClient, Client

__all__ = (
    "AuthenticatedClient",
    "Client",
)
