from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.page_meta_page import PageMetaPage
    from ..models.page_meta_results import PageMetaResults


T = TypeVar("T", bound="AccountMemberTokensMeta")


@_attrs_define
class AccountMemberTokensMeta:
    account_member_id: UUID
    """ The unique identifier for the Account Member that authenticated (S7). """
    page: PageMetaPage | Unset = UNSET
    results: PageMetaResults | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        account_member_id = str(self.account_member_id)

        page: dict[str, Any] | Unset = UNSET
        if not isinstance(self.page, Unset):
            page = self.page.to_dict()

        results: dict[str, Any] | Unset = UNSET
        if not isinstance(self.results, Unset):
            results = self.results.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "account_member_id": account_member_id,
            }
        )
        if page is not UNSET:
            field_dict["page"] = page
        if results is not UNSET:
            field_dict["results"] = results

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.page_meta_page import PageMetaPage  # noqa: PLC0415
        from ..models.page_meta_results import PageMetaResults  # noqa: PLC0415

        d = dict(src_dict)
        account_member_id = UUID(d.pop("account_member_id"))

        _page = d.pop("page", UNSET)
        page: PageMetaPage | Unset
        if isinstance(_page, Unset):
            page = UNSET
        else:
            page = PageMetaPage.from_dict(_page)

        _results = d.pop("results", UNSET)
        results: PageMetaResults | Unset
        if isinstance(_results, Unset):
            results = UNSET
        else:
            results = PageMetaResults.from_dict(_results)

        account_member_tokens_meta = cls(
            account_member_id=account_member_id,
            page=page,
            results=results,
        )

        account_member_tokens_meta.additional_properties = d
        return account_member_tokens_meta

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
