from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.grant_type import GrantType, check_grant_type

T = TypeVar("T", bound="AccessToken")


@_attrs_define
class AccessToken:
    """A bearer token (S6; top-level fields, as the official SDK reads them, S4)."""

    access_token: str
    """ The token to send as `Authorization: Bearer <access_token>`. """
    token_type: Literal["Bearer"]
    expires_in: int
    """ Seconds until the token expires (3600 at the vendor). """
    expires: int
    """ When the token expires, as Unix time in seconds. """
    identifier: GrantType
    """ `client_credentials` for administrator access from a server; `implicit` for shopper access from a
    browser (S6).
     """
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        access_token = self.access_token

        token_type = self.token_type

        expires_in = self.expires_in

        expires = self.expires

        identifier: str = self.identifier

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "access_token": access_token,
                "token_type": token_type,
                "expires_in": expires_in,
                "expires": expires,
                "identifier": identifier,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        access_token = d.pop("access_token")

        token_type = cast(Literal["Bearer"], d.pop("token_type"))
        if token_type != "Bearer":
            raise ValueError(f"token_type must match const 'Bearer', got '{token_type}'")

        expires_in = d.pop("expires_in")

        expires = d.pop("expires")

        identifier = check_grant_type(d.pop("identifier"))

        access_token = cls(
            access_token=access_token,
            token_type=token_type,
            expires_in=expires_in,
            expires=expires,
            identifier=identifier,
        )

        access_token.additional_properties = d
        return access_token

    @property
    def additional_keys(self) -> list[str]:
        return list(self.additional_properties.keys())

    def __getitem__(self, key: str) -> Any:
        return self.additional_properties[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self.additional_properties[key] = value

    def __delitem__(self, key: str) -> None:
        del self.additional_properties[key]

    def __contains__(self, key: str) -> bool:
        return key in self.additional_properties
