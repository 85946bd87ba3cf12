from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.cart_relationships_accounts import CartRelationshipsAccounts


T = TypeVar("T", bound="CartRelationships")


@_attrs_define
class CartRelationships:
    """What the cart is related to (S3). `accounts` lists the account associated with the cart: there after
    `POST .../relationships/accounts` answers `200`, gone after `DELETE` (S1, S3). The vendor's
    `customers` and `items` relationships are left out of this description.

    """

    accounts: CartRelationshipsAccounts | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        accounts: dict[str, Any] | Unset = UNSET
        if not isinstance(self.accounts, Unset):
            accounts = self.accounts.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if accounts is not UNSET:
            field_dict["accounts"] = accounts

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.cart_relationships_accounts import CartRelationshipsAccounts  # noqa: PLC0415

        d = dict(src_dict)
        _accounts = d.pop("accounts", UNSET)
        accounts: CartRelationshipsAccounts | Unset
        if isinstance(_accounts, Unset):
            accounts = UNSET
        else:
            accounts = CartRelationshipsAccounts.from_dict(_accounts)

        cart_relationships = cls(
            accounts=accounts,
        )

        cart_relationships.additional_properties = d
        return cart_relationships

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
