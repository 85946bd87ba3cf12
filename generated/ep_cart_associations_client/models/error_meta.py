from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.error_meta_value_object import ErrorMetaValueObject


T = TypeVar("T", bound="ErrorMeta")


@_attrs_define
class ErrorMeta:
    """Identifiers of the objects the error concerns (S1). Every field is optional."""

    id: str | Unset = UNSET
    ids: list[str] | Unset = UNSET
    item_ids: list[str] | Unset = UNSET
    shipping_group_id: str | Unset = UNSET
    shipping_group_ids: list[str] | Unset = UNSET
    cart_id: str | Unset = UNSET
    code: str | Unset = UNSET
    order_id: str | Unset = UNSET
    value: bool | ErrorMetaValueObject | int | list[Any] | str | Unset = UNSET
    """ The offending value. S1 types it as a string; S3 (newer) also allows an integer, boolean, object or array,
    and so does this description. """
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.error_meta_value_object import ErrorMetaValueObject  # noqa: PLC0415

        id = self.id

        ids: list[str] | Unset = UNSET
        if not isinstance(self.ids, Unset):
            ids = self.ids

        item_ids: list[str] | Unset = UNSET
        if not isinstance(self.item_ids, Unset):
            item_ids = self.item_ids

        shipping_group_id = self.shipping_group_id

        shipping_group_ids: list[str] | Unset = UNSET
        if not isinstance(self.shipping_group_ids, Unset):
            shipping_group_ids = self.shipping_group_ids

        cart_id = self.cart_id

        code = self.code

        order_id = self.order_id

        value: bool | dict[str, Any] | int | list[Any] | str | Unset
        if isinstance(self.value, Unset):
            value = UNSET
        elif isinstance(self.value, ErrorMetaValueObject):
            value = self.value.to_dict()
        elif isinstance(self.value, list):
            value = self.value

        else:
            value = self.value

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if id is not UNSET:
            field_dict["id"] = id
        if ids is not UNSET:
            field_dict["ids"] = ids
        if item_ids is not UNSET:
            field_dict["item_ids"] = item_ids
        if shipping_group_id is not UNSET:
            field_dict["shipping_group_id"] = shipping_group_id
        if shipping_group_ids is not UNSET:
            field_dict["shipping_group_ids"] = shipping_group_ids
        if cart_id is not UNSET:
            field_dict["cart_id"] = cart_id
        if code is not UNSET:
            field_dict["code"] = code
        if order_id is not UNSET:
            field_dict["order_id"] = order_id
        if value is not UNSET:
            field_dict["value"] = value

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.error_meta_value_object import ErrorMetaValueObject  # noqa: PLC0415

        d = dict(src_dict)
        id = d.pop("id", UNSET)

        ids = cast(list[str], d.pop("ids", UNSET))

        item_ids = cast(list[str], d.pop("item_ids", UNSET))

        shipping_group_id = d.pop("shipping_group_id", UNSET)

        shipping_group_ids = cast(list[str], d.pop("shipping_group_ids", UNSET))

        cart_id = d.pop("cart_id", UNSET)

        code = d.pop("code", UNSET)

        order_id = d.pop("order_id", UNSET)

        def _parse_value(data: object) -> bool | ErrorMetaValueObject | int | list[Any] | str | Unset:
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                value_type_3 = ErrorMetaValueObject.from_dict(data)

                return value_type_3
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            try:
                if not isinstance(data, list):
                    raise TypeError()
                value_type_4 = cast(list[Any], data)

                return value_type_4
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(bool | ErrorMetaValueObject | int | list[Any] | str | Unset, data)

        value = _parse_value(d.pop("value", UNSET))

        error_meta = cls(
            id=id,
            ids=ids,
            item_ids=item_ids,
            shipping_group_id=shipping_group_id,
            shipping_group_ids=shipping_group_ids,
            cart_id=cart_id,
            code=code,
            order_id=order_id,
            value=value,
        )

        error_meta.additional_properties = d
        return error_meta

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
