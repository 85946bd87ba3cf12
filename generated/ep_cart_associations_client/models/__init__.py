"""Contains all the data models used in inputs/outputs"""

from .access_token import AccessToken
from .access_token_request import AccessTokenRequest
from .account_cart_association_request import AccountCartAssociationRequest
from .account_cart_association_response import AccountCartAssociationResponse
from .account_identifier import AccountIdentifier
from .error_item import ErrorItem
from .error_meta import ErrorMeta
from .error_meta_value_object import ErrorMetaValueObject
from .error_response import ErrorResponse
from .grant_type import GrantType

__all__ = (
    "AccessToken",
    "AccessTokenRequest",
    "AccountCartAssociationRequest",
    "AccountCartAssociationResponse",
    "AccountIdentifier",
    "ErrorItem",
    "ErrorMeta",
    "ErrorMetaValueObject",
    "ErrorResponse",
    "GrantType",
)
