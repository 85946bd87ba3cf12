from typing import Literal

GrantType = Literal["client_credentials", "implicit"]

GRANT_TYPE_VALUES: set[GrantType] = {
    "client_credentials",
    "implicit",
}


def check_grant_type(value: str) -> GrantType:
    if value in GRANT_TYPE_VALUES:
        return value
    raise TypeError(f"Unexpected value {value!r}. Expected one of {GRANT_TYPE_VALUES!r}")
