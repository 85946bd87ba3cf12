from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.cart import Cart
    from ..models.page_links import PageLinks
    from ..models.page_meta import PageMeta


T = TypeVar("T", bound="CartCollection")


@_attrs_define
class CartCollection:
    """One page of the account's carts, newest `updated_at` first (S3, `getCarts`)."""

    data: list[Cart]
    links: PageLinks | Unset = UNSET
    """ Links to pages of the list (S3). `next` and `prev` are `null` where there is no such page (assumption:
    the vendor types them as links without saying what they hold at the ends).
     """
    meta: PageMeta | Unset = UNSET
    """ Where the page sits (S3): `page.current` (counted from 1), `page.limit`, `page.offset`, `page.total`
    (how many pages), and `results.total` (how many carts in all).
     """
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        data = []
        for data_item_data in self.data:
            data_item = data_item_data.to_dict()
            data.append(data_item)

        links: dict[str, Any] | Unset = UNSET
        if not isinstance(self.links, Unset):
            links = self.links.to_dict()

        meta: dict[str, Any] | Unset = UNSET
        if not isinstance(self.meta, Unset):
            meta = self.meta.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "data": data,
            }
        )
        if links is not UNSET:
            field_dict["links"] = links
        if meta is not UNSET:
            field_dict["meta"] = meta

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.cart import Cart  # noqa: PLC0415
        from ..models.page_links import PageLinks  # noqa: PLC0415
        from ..models.page_meta import PageMeta  # noqa: PLC0415

        d = dict(src_dict)
        data = []
        _data = d.pop("data")
        for data_item_data in _data:
            data_item = Cart.from_dict(data_item_data)

            data.append(data_item)

        _links = d.pop("links", UNSET)
        links: PageLinks | Unset
        if isinstance(_links, Unset):
            links = UNSET
        else:
            links = PageLinks.from_dict(_links)

        _meta = d.pop("meta", UNSET)
        meta: PageMeta | Unset
        if isinstance(_meta, Unset):
            meta = UNSET
        else:
            meta = PageMeta.from_dict(_meta)

        cart_collection = cls(
            data=data,
            links=links,
            meta=meta,
        )

        cart_collection.additional_properties = d
        return cart_collection

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
