from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal, TypeVar, cast
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="PasswordLogin")


@_attrs_define
class PasswordLogin:
    """S7's `PasswordRequest`: every field required. `type` "You must use `account_management_authentication_token`"
    and `authentication_mechanism` "You must use `password`" (S7). That `password` is the only mechanism
    is an assumption: S7 takes four others under the same operation, which this description leaves out.

    """

    type_: Literal["account_management_authentication_token"]
    authentication_mechanism: Literal["password"]
    password_profile_id: UUID
    """ The password profile ID (S7). """
    username: str
    """ The username (S7). S7 types it `format: uri`, yet its own examples (`username`, `john.doe`) and the
    vendor's storefront (an email address) are no URIs: the vendor disagrees with itself, and this
    description takes any non-empty string (assumption).
     """
    password: str
    """ The password (S7). """
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        type_ = self.type_

        authentication_mechanism = self.authentication_mechanism

        password_profile_id = str(self.password_profile_id)

        username = self.username

        password = self.password

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "type": type_,
                "authentication_mechanism": authentication_mechanism,
                "password_profile_id": password_profile_id,
                "username": username,
                "password": password,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        type_ = cast(Literal["account_management_authentication_token"], d.pop("type"))
        if type_ != "account_management_authentication_token":
            raise ValueError(f"type must match const 'account_management_authentication_token', got '{type_}'")

        authentication_mechanism = cast(Literal["password"], d.pop("authentication_mechanism"))
        if authentication_mechanism != "password":
            raise ValueError(f"authentication_mechanism must match const 'password', got '{authentication_mechanism}'")

        password_profile_id = UUID(d.pop("password_profile_id"))

        username = d.pop("username")

        password = d.pop("password")

        password_login = cls(
            type_=type_,
            authentication_mechanism=authentication_mechanism,
            password_profile_id=password_profile_id,
            username=username,
            password=password,
        )

        password_login.additional_properties = d
        return password_login

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
