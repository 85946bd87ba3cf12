from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar, cast
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="AccountMemberToken")


@_attrs_define
class AccountMemberToken:
    """One account's token (S7, `AccountManagementAuthenticationTokenResponse`). `type`, `account_id`, `token`
    and `expires` are always present (assumption, with the answer's other fields).

    """

    type_: str
    """ Specifies the type of the object (S7; `account_management_authentication_token`). """
    account_id: UUID
    """ The ID of the account that this token grants access to (S7). """
    token: str
    """ An Account Management Authentication token of 1 to 4096 characters (assumption). """
    expires: datetime.datetime | int
    """ When the token expires. S7 describes it as "The epoch time that this token expires at. The time is set
    to 24 hours after the token is generated.", types it `string` `format: date-time` and gives an ISO
    example (`2021-03-16T19:36:11.070Z`); the vendor's storefront multiplies it by 1000 as epoch seconds.
    The vendor disagrees with itself, so both forms are taken (assumption): an RFC 3339 date-time, or
    Unix time in seconds. The bundled mock sends the date-time, as S7 types it.
     """
    account_name: str | Unset = UNSET
    """ The name of the account that this token grants access to (S7). """
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        type_ = self.type_

        account_id = str(self.account_id)

        token = self.token

        expires: int | str
        if isinstance(self.expires, datetime.datetime):
            expires = self.expires.isoformat()
        else:
            expires = self.expires

        account_name = self.account_name

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "type": type_,
                "account_id": account_id,
                "token": token,
                "expires": expires,
            }
        )
        if account_name is not UNSET:
            field_dict["account_name"] = account_name

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        type_ = d.pop("type")

        account_id = UUID(d.pop("account_id"))

        token = d.pop("token")

        def _parse_expires(data: object) -> datetime.datetime | int:
            try:
                if not isinstance(data, str):
                    raise TypeError()
                expires_type_0 = datetime.datetime.fromisoformat(data)

                return expires_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | int, data)

        expires = _parse_expires(d.pop("expires"))

        account_name = d.pop("account_name", UNSET)

        account_member_token = cls(
            type_=type_,
            account_id=account_id,
            token=token,
            expires=expires,
            account_name=account_name,
        )

        account_member_token.additional_properties = d
        return account_member_token

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
