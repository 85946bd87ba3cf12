from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal, TypeVar, cast
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="RelatedAccount")


@_attrs_define
class RelatedAccount:
    """An account related to a cart (S3, `RelationshipItem`). Its ID is the one the association named, so it is
    typed once, as `AccountID`: S3 types it a UUID here while the association's body (S1, S3) types the same
    ID as a plain string. Where the vendor's sources disagree, neither is its contract: the mark
    `account-id-is-a-uuid` decides both places at once (assumption).

    """

    id: UUID
    """ The ID of the account (S1). Elastic Path account IDs are UUIDs; this description requires one
    (assumption: the vendor types the field as a plain string).
     """
    type_: Literal["account"]
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = str(self.id)

        type_ = self.type_

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "type": type_,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        id = UUID(d.pop("id"))

        type_ = cast(Literal["account"], d.pop("type"))
        if type_ != "account":
            raise ValueError(f"type must match const 'account', got '{type_}'")

        related_account = cls(
            id=id,
            type_=type_,
        )

        related_account.additional_properties = d
        return related_account

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
