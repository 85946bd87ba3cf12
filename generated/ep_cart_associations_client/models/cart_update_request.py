from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.cart_update_request_data import CartUpdateRequestData


T = TypeVar("T", bound="CartUpdateRequest")


@_attrs_define
class CartUpdateRequest:
    """An update of a cart (S3, `CartsRequest`), as far as the association needs it: `data.contact.email`
    attaches a contact email. The vendor's other properties of `data` are allowed and left undescribed. That
    `data` is required is an assumption: the vendor's `CartsRequest` marks nothing required.

    """

    data: CartUpdateRequestData
    """ The cart's properties to change (S3). """
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
        from ..models.cart_update_request_data import CartUpdateRequestData  # noqa: PLC0415

        d = dict(src_dict)
        data = CartUpdateRequestData.from_dict(d.pop("data"))

        cart_update_request = cls(
            data=data,
        )

        cart_update_request.additional_properties = d
        return cart_update_request

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
