from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.account_member_token import AccountMemberToken
    from ..models.account_member_tokens_meta import AccountMemberTokensMeta
    from ..models.page_links import PageLinks


T = TypeVar("T", bound="AccountMemberTokens")


@_attrs_define
class AccountMemberTokens:
    """The login's answer (S7): one token per account the member belongs to, the member's ID, and list links
    and meta. `data` and `meta.account_member_id` are always present (assumption: S7 marks no field required).

    """

    data: list[AccountMemberToken]
    meta: AccountMemberTokensMeta
    links: PageLinks | Unset = UNSET
    """ Links to pages of the list (S3). `next` and `prev` are `null` where there is no such page (assumption:
    the vendor types them as links without saying what they hold at the ends).
     """
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        data = []
        for data_item_data in self.data:
            data_item = data_item_data.to_dict()
            data.append(data_item)

        meta = self.meta.to_dict()

        links: dict[str, Any] | Unset = UNSET
        if not isinstance(self.links, Unset):
            links = self.links.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "data": data,
                "meta": meta,
            }
        )
        if links is not UNSET:
            field_dict["links"] = links

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.account_member_token import AccountMemberToken  # noqa: PLC0415
        from ..models.account_member_tokens_meta import AccountMemberTokensMeta  # noqa: PLC0415
        from ..models.page_links import PageLinks  # noqa: PLC0415

        d = dict(src_dict)
        data = []
        _data = d.pop("data")
        for data_item_data in _data:
            data_item = AccountMemberToken.from_dict(data_item_data)

            data.append(data_item)

        meta = AccountMemberTokensMeta.from_dict(d.pop("meta"))

        _links = d.pop("links", UNSET)
        links: PageLinks | Unset
        if isinstance(_links, Unset):
            links = UNSET
        else:
            links = PageLinks.from_dict(_links)

        account_member_tokens = cls(
            data=data,
            meta=meta,
            links=links,
        )

        account_member_tokens.additional_properties = d
        return account_member_tokens

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
