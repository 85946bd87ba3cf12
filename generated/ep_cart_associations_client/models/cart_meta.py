from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.cart_timestamps import CartTimestamps


T = TypeVar("T", bound="CartMeta")


@_attrs_define
class CartMeta:
    """The cart's metadata (S3); prices are left out of this description."""

    timestamps: CartTimestamps | Unset = UNSET
    """ When the cart was created, last changed and expires (S3). `updated_at` orders the account's list
    (S3). Carts are "purged automatically after seven days" unless deleted (S3). That all three are
    always there is an assumption.
     """
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        timestamps: dict[str, Any] | Unset = UNSET
        if not isinstance(self.timestamps, Unset):
            timestamps = self.timestamps.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if timestamps is not UNSET:
            field_dict["timestamps"] = timestamps

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.cart_timestamps import CartTimestamps  # noqa: PLC0415

        d = dict(src_dict)
        _timestamps = d.pop("timestamps", UNSET)
        timestamps: CartTimestamps | Unset
        if isinstance(_timestamps, Unset):
            timestamps = UNSET
        else:
            timestamps = CartTimestamps.from_dict(_timestamps)

        cart_meta = cls(
            timestamps=timestamps,
        )

        cart_meta.additional_properties = d
        return cart_meta

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
