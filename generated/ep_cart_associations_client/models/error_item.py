from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.error_meta import ErrorMeta


T = TypeVar("T", bound="ErrorItem")


@_attrs_define
class ErrorItem:
    """One error (S1). `title` and `status` are always present (S3, newer)."""

    title: str
    """ A short, human-readable summary. S2 gives each scenario's message without saying which field
    carries it; this description sends it as the `title` (assumption), and the contract suite accepts
    it in the `title` or the `detail`, checking the `title` as an assumption of its own.
     """
    status: int | str
    """ The HTTP status code. The vendor sends it both as a string (`"400"`, S1) and as an integer
    (`400`, S3's own example), so both are accepted. Which one a store sends is an assumption of
    its store profile: by default either; the bundled mock sends an integer.
     """
    detail: str | Unset = UNSET
    """ What went wrong, and what to do about it. """
    meta: ErrorMeta | Unset = UNSET
    """ Identifiers of the objects the error concerns (S1). Every field is optional. """
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        title = self.title

        status: int | str
        status = self.status

        detail = self.detail

        meta: dict[str, Any] | Unset = UNSET
        if not isinstance(self.meta, Unset):
            meta = self.meta.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "title": title,
                "status": status,
            }
        )
        if detail is not UNSET:
            field_dict["detail"] = detail
        if meta is not UNSET:
            field_dict["meta"] = meta

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.error_meta import ErrorMeta  # noqa: PLC0415

        d = dict(src_dict)
        title = d.pop("title")

        def _parse_status(data: object) -> int | str:
            return cast(int | str, data)

        status = _parse_status(d.pop("status"))

        detail = d.pop("detail", UNSET)

        _meta = d.pop("meta", UNSET)
        meta: ErrorMeta | Unset
        if isinstance(_meta, Unset):
            meta = UNSET
        else:
            meta = ErrorMeta.from_dict(_meta)

        error_item = cls(
            title=title,
            status=status,
            detail=detail,
            meta=meta,
        )

        error_item.additional_properties = d
        return error_item

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
