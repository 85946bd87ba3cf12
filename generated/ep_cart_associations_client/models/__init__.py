"""Contains all the data models used in inputs/outputs"""

from .access_token import AccessToken
from .access_token_request import AccessTokenRequest
from .account_cart_association_request import AccountCartAssociationRequest
from .account_cart_association_response import AccountCartAssociationResponse
from .account_identifier import AccountIdentifier
from .account_member_token import AccountMemberToken
from .account_member_token_request import AccountMemberTokenRequest
from .account_member_tokens import AccountMemberTokens
from .account_member_tokens_meta import AccountMemberTokensMeta
from .cart import Cart
from .cart_collection import CartCollection
from .cart_contact import CartContact
from .cart_links import CartLinks
from .cart_meta import CartMeta
from .cart_relationships import CartRelationships
from .cart_relationships_accounts import CartRelationshipsAccounts
from .cart_response import CartResponse
from .cart_timestamps import CartTimestamps
from .cart_update_request import CartUpdateRequest
from .cart_update_request_data import CartUpdateRequestData
from .error_item import ErrorItem
from .error_meta import ErrorMeta
from .error_meta_value_object import ErrorMetaValueObject
from .error_response import ErrorResponse
from .grant_type import GrantType
from .page_links import PageLinks
from .page_meta import PageMeta
from .page_meta_page import PageMetaPage
from .page_meta_results import PageMetaResults
from .password_login import PasswordLogin
from .related_account import RelatedAccount

__all__ = (
    "AccessToken",
    "AccessTokenRequest",
    "AccountCartAssociationRequest",
    "AccountCartAssociationResponse",
    "AccountIdentifier",
    "AccountMemberToken",
    "AccountMemberTokenRequest",
    "AccountMemberTokens",
    "AccountMemberTokensMeta",
    "Cart",
    "CartCollection",
    "CartContact",
    "CartLinks",
    "CartMeta",
    "CartRelationships",
    "CartRelationshipsAccounts",
    "CartResponse",
    "CartTimestamps",
    "CartUpdateRequest",
    "CartUpdateRequestData",
    "ErrorItem",
    "ErrorMeta",
    "ErrorMetaValueObject",
    "ErrorResponse",
    "GrantType",
    "PageLinks",
    "PageMeta",
    "PageMetaPage",
    "PageMetaResults",
    "PasswordLogin",
    "RelatedAccount",
)
