from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.cart_response import CartResponse
from ...models.error_response import ErrorResponse
from ...types import Response


def _get_kwargs(
    cart_id: str,
) -> dict[str, Any]:

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/v2/carts/{cart_id}".format(
            cart_id=quote(str(cart_id), safe=""),
        ),
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> CartResponse | ErrorResponse | None:
    if response.status_code == 200:
        response_200 = CartResponse.from_dict(response.json())

        return response_200

    if response.status_code == 400:
        response_400 = ErrorResponse.from_dict(response.json())

        return response_400

    if response.status_code == 401:
        response_401 = ErrorResponse.from_dict(response.json())

        return response_401

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[CartResponse | ErrorResponse]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    cart_id: str,
    *,
    client: AuthenticatedClient | Client,
) -> Response[CartResponse | ErrorResponse]:
    """Get a cart

     Returns the cart (S3, "Get a Cart"): this is where the association's effect shows. After `POST
    .../relationships/accounts` answers `200`, the cart names the account in `relationships.accounts`;
    after
    `DELETE`, it no longer does (S1, S3).

    "If a cart ID does not exist, a new cart will be automatically created": an empty cart, named `Cart`
    (S3). Reading a cart ID is therefore a write when the ID is new; the contract suite reads only cart
    IDs
    of its own run against a live store.

    Any bearer token may read a cart by its ID (S3 documents no other header). The vendor's `include`
    query parameter (cart items, tax items, custom discounts, promotions) is left out: items are outside
    what this description covers, and the mock ignores it.

    The vendor also has `DELETE` (delete a cart) on this path (S3); it is left out of this description
    (listed in `x-vendor-methods-left-out`), and the contract suite never sends it.

    Args:
        cart_id (str): A cart ID made of safe characters only (S5); at most 255 of them
            (assumption).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[CartResponse | ErrorResponse]
    """

    kwargs = _get_kwargs(
        cart_id=cart_id,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    cart_id: str,
    *,
    client: AuthenticatedClient | Client,
) -> CartResponse | ErrorResponse | None:
    """Get a cart

     Returns the cart (S3, "Get a Cart"): this is where the association's effect shows. After `POST
    .../relationships/accounts` answers `200`, the cart names the account in `relationships.accounts`;
    after
    `DELETE`, it no longer does (S1, S3).

    "If a cart ID does not exist, a new cart will be automatically created": an empty cart, named `Cart`
    (S3). Reading a cart ID is therefore a write when the ID is new; the contract suite reads only cart
    IDs
    of its own run against a live store.

    Any bearer token may read a cart by its ID (S3 documents no other header). The vendor's `include`
    query parameter (cart items, tax items, custom discounts, promotions) is left out: items are outside
    what this description covers, and the mock ignores it.

    The vendor also has `DELETE` (delete a cart) on this path (S3); it is left out of this description
    (listed in `x-vendor-methods-left-out`), and the contract suite never sends it.

    Args:
        cart_id (str): A cart ID made of safe characters only (S5); at most 255 of them
            (assumption).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        CartResponse | ErrorResponse
    """

    return sync_detailed(
        cart_id=cart_id,
        client=client,
    ).parsed


async def asyncio_detailed(
    cart_id: str,
    *,
    client: AuthenticatedClient | Client,
) -> Response[CartResponse | ErrorResponse]:
    """Get a cart

     Returns the cart (S3, "Get a Cart"): this is where the association's effect shows. After `POST
    .../relationships/accounts` answers `200`, the cart names the account in `relationships.accounts`;
    after
    `DELETE`, it no longer does (S1, S3).

    "If a cart ID does not exist, a new cart will be automatically created": an empty cart, named `Cart`
    (S3). Reading a cart ID is therefore a write when the ID is new; the contract suite reads only cart
    IDs
    of its own run against a live store.

    Any bearer token may read a cart by its ID (S3 documents no other header). The vendor's `include`
    query parameter (cart items, tax items, custom discounts, promotions) is left out: items are outside
    what this description covers, and the mock ignores it.

    The vendor also has `DELETE` (delete a cart) on this path (S3); it is left out of this description
    (listed in `x-vendor-methods-left-out`), and the contract suite never sends it.

    Args:
        cart_id (str): A cart ID made of safe characters only (S5); at most 255 of them
            (assumption).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[CartResponse | ErrorResponse]
    """

    kwargs = _get_kwargs(
        cart_id=cart_id,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    cart_id: str,
    *,
    client: AuthenticatedClient | Client,
) -> CartResponse | ErrorResponse | None:
    """Get a cart

     Returns the cart (S3, "Get a Cart"): this is where the association's effect shows. After `POST
    .../relationships/accounts` answers `200`, the cart names the account in `relationships.accounts`;
    after
    `DELETE`, it no longer does (S1, S3).

    "If a cart ID does not exist, a new cart will be automatically created": an empty cart, named `Cart`
    (S3). Reading a cart ID is therefore a write when the ID is new; the contract suite reads only cart
    IDs
    of its own run against a live store.

    Any bearer token may read a cart by its ID (S3 documents no other header). The vendor's `include`
    query parameter (cart items, tax items, custom discounts, promotions) is left out: items are outside
    what this description covers, and the mock ignores it.

    The vendor also has `DELETE` (delete a cart) on this path (S3); it is left out of this description
    (listed in `x-vendor-methods-left-out`), and the contract suite never sends it.

    Args:
        cart_id (str): A cart ID made of safe characters only (S5); at most 255 of them
            (assumption).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        CartResponse | ErrorResponse
    """

    return (
        await asyncio_detailed(
            cart_id=cart_id,
            client=client,
        )
    ).parsed
