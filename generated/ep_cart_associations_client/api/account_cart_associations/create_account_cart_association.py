from http import HTTPStatus
from typing import Any, cast
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.account_cart_association_request import AccountCartAssociationRequest
from ...models.account_cart_association_response import AccountCartAssociationResponse
from ...models.error_response import ErrorResponse
from ...types import UNSET, Response, Unset


def _get_kwargs(
    cart_id: str,
    *,
    body: AccountCartAssociationRequest,
    ep_account_management_authentication_token: str | Unset = UNSET,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}
    if not isinstance(ep_account_management_authentication_token, Unset):
        headers["EP-Account-Management-Authentication-Token"] = ep_account_management_authentication_token

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/v2/carts/{cart_id}/relationships/accounts".format(
            cart_id=quote(str(cart_id), safe=""),
        ),
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> AccountCartAssociationResponse | Any | ErrorResponse | None:
    if response.status_code == 200:
        response_200 = AccountCartAssociationResponse.from_dict(response.json())

        return response_200

    if response.status_code == 204:
        response_204 = cast(Any, None)
        return response_204

    if response.status_code == 400:
        response_400 = ErrorResponse.from_dict(response.json())

        return response_400

    if response.status_code == 401:
        response_401 = ErrorResponse.from_dict(response.json())

        return response_401

    if response.status_code == 403:
        response_403 = ErrorResponse.from_dict(response.json())

        return response_403

    if response.status_code == 422:
        response_422 = ErrorResponse.from_dict(response.json())

        return response_422

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[AccountCartAssociationResponse | Any | ErrorResponse]:
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
    body: AccountCartAssociationRequest,
    ep_account_management_authentication_token: str | Unset = UNSET,
) -> Response[AccountCartAssociationResponse | Any | ErrorResponse]:
    """Create an account cart association

     Associates the account named in the body with the cart (S1). After the association exists, the
    account can access the cart across any device.

    The first association answers `200` with the associated account; the same association again answers
    `204` with no body (S1). The cart does not have to exist first: like `GET /v2/carts/{cartID}` (S3),
    a
    new cart ID names a new, empty cart (assumption: the vendor is silent).

    Checks run in this order, and the first that fails decides the answer (assumption): the bearer token
    (`401`); the cart ID (`400`); the body (`400`, or `403` for its shape rules); the caller's
    permission
    for the account (`403`); the cart's contact email (`422`); the cart's existing association (`403`).

    Args:
        cart_id (str): A cart ID made of safe characters only (S5); at most 255 of them
            (assumption).
        ep_account_management_authentication_token (str | Unset): An Account Management
            Authentication token of 1 to 4096 characters (assumption).
        body (AccountCartAssociationRequest): The account to associate with, or remove from, the
            cart. The vendor's spec marks nothing required
            (S3); `data` is required here, since the endpoint cannot act without it (assumption).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[AccountCartAssociationResponse | Any | ErrorResponse]
    """

    kwargs = _get_kwargs(
        cart_id=cart_id,
        body=body,
        ep_account_management_authentication_token=ep_account_management_authentication_token,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    cart_id: str,
    *,
    client: AuthenticatedClient | Client,
    body: AccountCartAssociationRequest,
    ep_account_management_authentication_token: str | Unset = UNSET,
) -> AccountCartAssociationResponse | Any | ErrorResponse | None:
    """Create an account cart association

     Associates the account named in the body with the cart (S1). After the association exists, the
    account can access the cart across any device.

    The first association answers `200` with the associated account; the same association again answers
    `204` with no body (S1). The cart does not have to exist first: like `GET /v2/carts/{cartID}` (S3),
    a
    new cart ID names a new, empty cart (assumption: the vendor is silent).

    Checks run in this order, and the first that fails decides the answer (assumption): the bearer token
    (`401`); the cart ID (`400`); the body (`400`, or `403` for its shape rules); the caller's
    permission
    for the account (`403`); the cart's contact email (`422`); the cart's existing association (`403`).

    Args:
        cart_id (str): A cart ID made of safe characters only (S5); at most 255 of them
            (assumption).
        ep_account_management_authentication_token (str | Unset): An Account Management
            Authentication token of 1 to 4096 characters (assumption).
        body (AccountCartAssociationRequest): The account to associate with, or remove from, the
            cart. The vendor's spec marks nothing required
            (S3); `data` is required here, since the endpoint cannot act without it (assumption).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        AccountCartAssociationResponse | Any | ErrorResponse
    """

    return sync_detailed(
        cart_id=cart_id,
        client=client,
        body=body,
        ep_account_management_authentication_token=ep_account_management_authentication_token,
    ).parsed


async def asyncio_detailed(
    cart_id: str,
    *,
    client: AuthenticatedClient | Client,
    body: AccountCartAssociationRequest,
    ep_account_management_authentication_token: str | Unset = UNSET,
) -> Response[AccountCartAssociationResponse | Any | ErrorResponse]:
    """Create an account cart association

     Associates the account named in the body with the cart (S1). After the association exists, the
    account can access the cart across any device.

    The first association answers `200` with the associated account; the same association again answers
    `204` with no body (S1). The cart does not have to exist first: like `GET /v2/carts/{cartID}` (S3),
    a
    new cart ID names a new, empty cart (assumption: the vendor is silent).

    Checks run in this order, and the first that fails decides the answer (assumption): the bearer token
    (`401`); the cart ID (`400`); the body (`400`, or `403` for its shape rules); the caller's
    permission
    for the account (`403`); the cart's contact email (`422`); the cart's existing association (`403`).

    Args:
        cart_id (str): A cart ID made of safe characters only (S5); at most 255 of them
            (assumption).
        ep_account_management_authentication_token (str | Unset): An Account Management
            Authentication token of 1 to 4096 characters (assumption).
        body (AccountCartAssociationRequest): The account to associate with, or remove from, the
            cart. The vendor's spec marks nothing required
            (S3); `data` is required here, since the endpoint cannot act without it (assumption).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[AccountCartAssociationResponse | Any | ErrorResponse]
    """

    kwargs = _get_kwargs(
        cart_id=cart_id,
        body=body,
        ep_account_management_authentication_token=ep_account_management_authentication_token,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    cart_id: str,
    *,
    client: AuthenticatedClient | Client,
    body: AccountCartAssociationRequest,
    ep_account_management_authentication_token: str | Unset = UNSET,
) -> AccountCartAssociationResponse | Any | ErrorResponse | None:
    """Create an account cart association

     Associates the account named in the body with the cart (S1). After the association exists, the
    account can access the cart across any device.

    The first association answers `200` with the associated account; the same association again answers
    `204` with no body (S1). The cart does not have to exist first: like `GET /v2/carts/{cartID}` (S3),
    a
    new cart ID names a new, empty cart (assumption: the vendor is silent).

    Checks run in this order, and the first that fails decides the answer (assumption): the bearer token
    (`401`); the cart ID (`400`); the body (`400`, or `403` for its shape rules); the caller's
    permission
    for the account (`403`); the cart's contact email (`422`); the cart's existing association (`403`).

    Args:
        cart_id (str): A cart ID made of safe characters only (S5); at most 255 of them
            (assumption).
        ep_account_management_authentication_token (str | Unset): An Account Management
            Authentication token of 1 to 4096 characters (assumption).
        body (AccountCartAssociationRequest): The account to associate with, or remove from, the
            cart. The vendor's spec marks nothing required
            (S3); `data` is required here, since the endpoint cannot act without it (assumption).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        AccountCartAssociationResponse | Any | ErrorResponse
    """

    return (
        await asyncio_detailed(
            cart_id=cart_id,
            client=client,
            body=body,
            ep_account_management_authentication_token=ep_account_management_authentication_token,
        )
    ).parsed
