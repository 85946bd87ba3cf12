from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Literal, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.cart_contact import CartContact
    from ..models.cart_links import CartLinks
    from ..models.cart_meta import CartMeta
    from ..models.cart_relationships import CartRelationships


T = TypeVar("T", bound="Cart")


@_attrs_define
class Cart:
    """A cart, as far as the association's effect needs it (S3, `CartResponse`). The vendor sends more
    (`discount_settings`, `meta.display_price`, ...); this description allows it. Which fields are always
    there is an assumption: the vendor marks none required.

    """

    id: str
    """ The cart's ID, as created by the shopper or the SDK (S3). """
    type_: Literal["cart"]
    """ Always `cart` (S3). """
    name: str
    """ The cart's name; `Cart` for a cart created by reading it (S3). """
    links: CartLinks
    """ Links of the cart (S3). """
    meta: CartMeta
    """ The cart's metadata (S3); prices are left out of this description. """
    description: str | Unset = UNSET
    """ The cart's description (S3). """
    contact: CartContact | Unset = UNSET
    """ The contact email attached to a cart (S3). Such a cart cannot be associated with an account (S2, `422`).
     """
    relationships: CartRelationships | Unset = UNSET
    """ What the cart is related to (S3). `accounts` lists the account associated with the cart: there after
    `POST .../relationships/accounts` answers `200`, gone after `DELETE` (S1, S3). The vendor's
    `customers` and `items` relationships are left out of this description.
     """
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        type_ = self.type_

        name = self.name

        links = self.links.to_dict()

        meta = self.meta.to_dict()

        description = self.description

        contact: dict[str, Any] | Unset = UNSET
        if not isinstance(self.contact, Unset):
            contact = self.contact.to_dict()

        relationships: dict[str, Any] | Unset = UNSET
        if not isinstance(self.relationships, Unset):
            relationships = self.relationships.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "type": type_,
                "name": name,
                "links": links,
                "meta": meta,
            }
        )
        if description is not UNSET:
            field_dict["description"] = description
        if contact is not UNSET:
            field_dict["contact"] = contact
        if relationships is not UNSET:
            field_dict["relationships"] = relationships

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.cart_contact import CartContact  # noqa: PLC0415
        from ..models.cart_links import CartLinks  # noqa: PLC0415
        from ..models.cart_meta import CartMeta  # noqa: PLC0415
        from ..models.cart_relationships import CartRelationships  # noqa: PLC0415

        d = dict(src_dict)
        id = d.pop("id")

        type_ = cast(Literal["cart"], d.pop("type"))
        if type_ != "cart":
            raise ValueError(f"type must match const 'cart', got '{type_}'")

        name = d.pop("name")

        links = CartLinks.from_dict(d.pop("links"))

        meta = CartMeta.from_dict(d.pop("meta"))

        description = d.pop("description", UNSET)

        _contact = d.pop("contact", UNSET)
        contact: CartContact | Unset
        if isinstance(_contact, Unset):
            contact = UNSET
        else:
            contact = CartContact.from_dict(_contact)

        _relationships = d.pop("relationships", UNSET)
        relationships: CartRelationships | Unset
        if isinstance(_relationships, Unset):
            relationships = UNSET
        else:
            relationships = CartRelationships.from_dict(_relationships)

        cart = cls(
            id=id,
            type_=type_,
            name=name,
            links=links,
            meta=meta,
            description=description,
            contact=contact,
            relationships=relationships,
        )

        cart.additional_properties = d
        return cart

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
