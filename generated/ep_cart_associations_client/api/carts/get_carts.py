from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.cart_collection import CartCollection
from ...models.error_response import ErrorResponse
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
    pagelimit: int | Unset = 25,
    pageoffset: int | Unset = 0,
    ep_account_management_authentication_token: str | Unset = UNSET,
    x_moltin_customer_token: str | Unset = UNSET,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}
    if not isinstance(ep_account_management_authentication_token, Unset):
        headers["EP-Account-Management-Authentication-Token"] = ep_account_management_authentication_token

    if not isinstance(x_moltin_customer_token, Unset):
        headers["x-moltin-customer-token"] = x_moltin_customer_token

    params: dict[str, Any] = {}

    params["page[limit]"] = pagelimit

    params["page[offset]"] = pageoffset

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/v2/carts",
        "params": params,
    }

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> CartCollection | ErrorResponse | None:
    if response.status_code == 200:
        response_200 = CartCollection.from_dict(response.json())

        return response_200

    if response.status_code == 400:
        response_400 = ErrorResponse.from_dict(response.json())

        return response_400

    if response.status_code == 401:
        response_401 = ErrorResponse.from_dict(response.json())

        return response_401

    if response.status_code == 403:
        response_403 = ErrorResponse.from_dict(response.json())

        return response_403

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[CartCollection | ErrorResponse]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient | Client,
    pagelimit: int | Unset = 25,
    pageoffset: int | Unset = 0,
    ep_account_management_authentication_token: str | Unset = UNSET,
    x_moltin_customer_token: str | Unset = UNSET,
) -> Response[CartCollection | ErrorResponse]:
    """Get the account's carts

     Lists the carts associated with an account (S3, "Get Shopper Carts"): after `POST
    .../relationships/accounts` answers `200`, the account's list holds the cart; after `DELETE`, it
    does
    not; another account's list never holds it (S1: "the account can access those carts across any
    device").

    "Requires an `implicit` token with only one of Account Management Authentication Token or customer
    token" (S3). The carts are "sorted in descending order by the updated_date", newest first, and the
    list is paginated with `page[limit]` (up to 100) and `page[offset]` (S3).

    Checks run in this order, and the first that fails decides the answer (assumption, like the
    association's): the bearer token (`401`); both shopper tokens at once, or an invalid page (`400`); a
    bearer token that is not `implicit`, or no shopper token (`403`); the shopper token itself (`403`).

    The vendor also has `POST` (create a cart) on this path (S3); it is left out of this description
    (listed in `x-vendor-methods-left-out`), and the contract suite never sends it.

    Args:
        pagelimit (int | Unset):  Default: 25.
        pageoffset (int | Unset):  Default: 0.
        ep_account_management_authentication_token (str | Unset): An Account Management
            Authentication token of 1 to 4096 characters (assumption).
        x_moltin_customer_token (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[CartCollection | ErrorResponse]
    """

    kwargs = _get_kwargs(
        pagelimit=pagelimit,
        pageoffset=pageoffset,
        ep_account_management_authentication_token=ep_account_management_authentication_token,
        x_moltin_customer_token=x_moltin_customer_token,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient | Client,
    pagelimit: int | Unset = 25,
    pageoffset: int | Unset = 0,
    ep_account_management_authentication_token: str | Unset = UNSET,
    x_moltin_customer_token: str | Unset = UNSET,
) -> CartCollection | ErrorResponse | None:
    """Get the account's carts

     Lists the carts associated with an account (S3, "Get Shopper Carts"): after `POST
    .../relationships/accounts` answers `200`, the account's list holds the cart; after `DELETE`, it
    does
    not; another account's list never holds it (S1: "the account can access those carts across any
    device").

    "Requires an `implicit` token with only one of Account Management Authentication Token or customer
    token" (S3). The carts are "sorted in descending order by the updated_date", newest first, and the
    list is paginated with `page[limit]` (up to 100) and `page[offset]` (S3).

    Checks run in this order, and the first that fails decides the answer (assumption, like the
    association's): the bearer token (`401`); both shopper tokens at once, or an invalid page (`400`); a
    bearer token that is not `implicit`, or no shopper token (`403`); the shopper token itself (`403`).

    The vendor also has `POST` (create a cart) on this path (S3); it is left out of this description
    (listed in `x-vendor-methods-left-out`), and the contract suite never sends it.

    Args:
        pagelimit (int | Unset):  Default: 25.
        pageoffset (int | Unset):  Default: 0.
        ep_account_management_authentication_token (str | Unset): An Account Management
            Authentication token of 1 to 4096 characters (assumption).
        x_moltin_customer_token (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        CartCollection | ErrorResponse
    """

    return sync_detailed(
        client=client,
        pagelimit=pagelimit,
        pageoffset=pageoffset,
        ep_account_management_authentication_token=ep_account_management_authentication_token,
        x_moltin_customer_token=x_moltin_customer_token,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient | Client,
    pagelimit: int | Unset = 25,
    pageoffset: int | Unset = 0,
    ep_account_management_authentication_token: str | Unset = UNSET,
    x_moltin_customer_token: str | Unset = UNSET,
) -> Response[CartCollection | ErrorResponse]:
    """Get the account's carts

     Lists the carts associated with an account (S3, "Get Shopper Carts"): after `POST
    .../relationships/accounts` answers `200`, the account's list holds the cart; after `DELETE`, it
    does
    not; another account's list never holds it (S1: "the account can access those carts across any
    device").

    "Requires an `implicit` token with only one of Account Management Authentication Token or customer
    token" (S3). The carts are "sorted in descending order by the updated_date", newest first, and the
    list is paginated with `page[limit]` (up to 100) and `page[offset]` (S3).

    Checks run in this order, and the first that fails decides the answer (assumption, like the
    association's): the bearer token (`401`); both shopper tokens at once, or an invalid page (`400`); a
    bearer token that is not `implicit`, or no shopper token (`403`); the shopper token itself (`403`).

    The vendor also has `POST` (create a cart) on this path (S3); it is left out of this description
    (listed in `x-vendor-methods-left-out`), and the contract suite never sends it.

    Args:
        pagelimit (int | Unset):  Default: 25.
        pageoffset (int | Unset):  Default: 0.
        ep_account_management_authentication_token (str | Unset): An Account Management
            Authentication token of 1 to 4096 characters (assumption).
        x_moltin_customer_token (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[CartCollection | ErrorResponse]
    """

    kwargs = _get_kwargs(
        pagelimit=pagelimit,
        pageoffset=pageoffset,
        ep_account_management_authentication_token=ep_account_management_authentication_token,
        x_moltin_customer_token=x_moltin_customer_token,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient | Client,
    pagelimit: int | Unset = 25,
    pageoffset: int | Unset = 0,
    ep_account_management_authentication_token: str | Unset = UNSET,
    x_moltin_customer_token: str | Unset = UNSET,
) -> CartCollection | ErrorResponse | None:
    """Get the account's carts

     Lists the carts associated with an account (S3, "Get Shopper Carts"): after `POST
    .../relationships/accounts` answers `200`, the account's list holds the cart; after `DELETE`, it
    does
    not; another account's list never holds it (S1: "the account can access those carts across any
    device").

    "Requires an `implicit` token with only one of Account Management Authentication Token or customer
    token" (S3). The carts are "sorted in descending order by the updated_date", newest first, and the
    list is paginated with `page[limit]` (up to 100) and `page[offset]` (S3).

    Checks run in this order, and the first that fails decides the answer (assumption, like the
    association's): the bearer token (`401`); both shopper tokens at once, or an invalid page (`400`); a
    bearer token that is not `implicit`, or no shopper token (`403`); the shopper token itself (`403`).

    The vendor also has `POST` (create a cart) on this path (S3); it is left out of this description
    (listed in `x-vendor-methods-left-out`), and the contract suite never sends it.

    Args:
        pagelimit (int | Unset):  Default: 25.
        pageoffset (int | Unset):  Default: 0.
        ep_account_management_authentication_token (str | Unset): An Account Management
            Authentication token of 1 to 4096 characters (assumption).
        x_moltin_customer_token (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        CartCollection | ErrorResponse
    """

    return (
        await asyncio_detailed(
            client=client,
            pagelimit=pagelimit,
            pageoffset=pageoffset,
            ep_account_management_authentication_token=ep_account_management_authentication_token,
            x_moltin_customer_token=x_moltin_customer_token,
        )
    ).parsed
