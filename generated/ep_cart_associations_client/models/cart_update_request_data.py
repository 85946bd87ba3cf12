from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.cart_contact import CartContact


T = TypeVar("T", bound="CartUpdateRequestData")


@_attrs_define
class CartUpdateRequestData:
    """The cart's properties to change (S3)."""

    contact: CartContact | Unset = UNSET
    """ The contact email attached to a cart (S3). Such a cart cannot be associated with an account (S2, `422`).
     """
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        contact: dict[str, Any] | Unset = UNSET
        if not isinstance(self.contact, Unset):
            contact = self.contact.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if contact is not UNSET:
            field_dict["contact"] = contact

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.cart_contact import CartContact  # noqa: PLC0415

        d = dict(src_dict)
        _contact = d.pop("contact", UNSET)
        contact: CartContact | Unset
        if isinstance(_contact, Unset):
            contact = UNSET
        else:
            contact = CartContact.from_dict(_contact)

        cart_update_request_data = cls(
            contact=contact,
        )

        cart_update_request_data.additional_properties = d
        return cart_update_request_data

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
