from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.password_login import PasswordLogin


T = TypeVar("T", bound="AccountMemberTokenRequest")


@_attrs_define
class AccountMemberTokenRequest:
    """An account member's login (S7), with the `password` mechanism only (assumption, on the operation)."""

    data: PasswordLogin
    """ S7's `PasswordRequest`: every field required. `type` "You must use
    `account_management_authentication_token`"
    and `authentication_mechanism` "You must use `password`" (S7). That `password` is the only mechanism
    is an assumption: S7 takes four others under the same operation, which this description leaves out.
     """
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        data = self.data.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "data": data,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.password_login import PasswordLogin  # noqa: PLC0415

        d = dict(src_dict)
        data = PasswordLogin.from_dict(d.pop("data"))

        account_member_token_request = cls(
            data=data,
        )

        account_member_token_request.additional_properties = d
        return account_member_token_request

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
