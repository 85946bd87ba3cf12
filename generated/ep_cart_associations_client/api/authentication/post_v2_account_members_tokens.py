from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.account_member_token_request import AccountMemberTokenRequest
from ...models.account_member_tokens import AccountMemberTokens
from ...models.error_response import ErrorResponse
from ...types import Response


def _get_kwargs(
    *,
    body: AccountMemberTokenRequest,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/v2/account-members/tokens",
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> AccountMemberTokens | ErrorResponse | None:
    if response.status_code == 201:
        response_201 = AccountMemberTokens.from_dict(response.json())

        return response_201

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
) -> Response[AccountMemberTokens | ErrorResponse]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient | Client,
    body: AccountMemberTokenRequest,
) -> Response[AccountMemberTokens | ErrorResponse]:
    """Generate an Account Management Authentication Token

     Logs an account member in and answers one Account Management Authentication token per account the
    member belongs to (S7): "For each element in the list returned by the account member authentication
    API, a token value is returned. In order for a shopper to authenticate as the account, this value
    should
    be set as the `EP-Account-Management-Authentication-Token` header when calling Commerce." A member
    may
    belong to several accounts: "This relationship is many to many" (S7), so a client picks each
    account's
    token by its `account_id`. The vendor's own storefront logs in this way, then associates the
    shopper's
    cart with the account the answer names (S7).

    Documented here as far as the association endpoint depends on it: the `password` mechanism only. The
    vendor also takes `oidc`, `passwordless`, `self_signup` and
    `account_management_authentication_token`
    (switching account) under the same operation (S7); this description leaves them out, and the bundled
    mock refuses them with `400` (assumption).

    Each token "is set to 24 hours after the token is generated" (S7). What an expired one gets on the
    cart
    operations is undocumented: this description answers `401` `account-token-expired` there
    (assumption,
    marked on that answer).

    Args:
        body (AccountMemberTokenRequest): An account member's login (S7), with the `password`
            mechanism only (assumption, on the operation).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[AccountMemberTokens | ErrorResponse]
    """

    kwargs = _get_kwargs(
        body=body,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient | Client,
    body: AccountMemberTokenRequest,
) -> AccountMemberTokens | ErrorResponse | None:
    """Generate an Account Management Authentication Token

     Logs an account member in and answers one Account Management Authentication token per account the
    member belongs to (S7): "For each element in the list returned by the account member authentication
    API, a token value is returned. In order for a shopper to authenticate as the account, this value
    should
    be set as the `EP-Account-Management-Authentication-Token` header when calling Commerce." A member
    may
    belong to several accounts: "This relationship is many to many" (S7), so a client picks each
    account's
    token by its `account_id`. The vendor's own storefront logs in this way, then associates the
    shopper's
    cart with the account the answer names (S7).

    Documented here as far as the association endpoint depends on it: the `password` mechanism only. The
    vendor also takes `oidc`, `passwordless`, `self_signup` and
    `account_management_authentication_token`
    (switching account) under the same operation (S7); this description leaves them out, and the bundled
    mock refuses them with `400` (assumption).

    Each token "is set to 24 hours after the token is generated" (S7). What an expired one gets on the
    cart
    operations is undocumented: this description answers `401` `account-token-expired` there
    (assumption,
    marked on that answer).

    Args:
        body (AccountMemberTokenRequest): An account member's login (S7), with the `password`
            mechanism only (assumption, on the operation).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        AccountMemberTokens | ErrorResponse
    """

    return sync_detailed(
        client=client,
        body=body,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient | Client,
    body: AccountMemberTokenRequest,
) -> Response[AccountMemberTokens | ErrorResponse]:
    """Generate an Account Management Authentication Token

     Logs an account member in and answers one Account Management Authentication token per account the
    member belongs to (S7): "For each element in the list returned by the account member authentication
    API, a token value is returned. In order for a shopper to authenticate as the account, this value
    should
    be set as the `EP-Account-Management-Authentication-Token` header when calling Commerce." A member
    may
    belong to several accounts: "This relationship is many to many" (S7), so a client picks each
    account's
    token by its `account_id`. The vendor's own storefront logs in this way, then associates the
    shopper's
    cart with the account the answer names (S7).

    Documented here as far as the association endpoint depends on it: the `password` mechanism only. The
    vendor also takes `oidc`, `passwordless`, `self_signup` and
    `account_management_authentication_token`
    (switching account) under the same operation (S7); this description leaves them out, and the bundled
    mock refuses them with `400` (assumption).

    Each token "is set to 24 hours after the token is generated" (S7). What an expired one gets on the
    cart
    operations is undocumented: this description answers `401` `account-token-expired` there
    (assumption,
    marked on that answer).

    Args:
        body (AccountMemberTokenRequest): An account member's login (S7), with the `password`
            mechanism only (assumption, on the operation).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[AccountMemberTokens | ErrorResponse]
    """

    kwargs = _get_kwargs(
        body=body,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient | Client,
    body: AccountMemberTokenRequest,
) -> AccountMemberTokens | ErrorResponse | None:
    """Generate an Account Management Authentication Token

     Logs an account member in and answers one Account Management Authentication token per account the
    member belongs to (S7): "For each element in the list returned by the account member authentication
    API, a token value is returned. In order for a shopper to authenticate as the account, this value
    should
    be set as the `EP-Account-Management-Authentication-Token` header when calling Commerce." A member
    may
    belong to several accounts: "This relationship is many to many" (S7), so a client picks each
    account's
    token by its `account_id`. The vendor's own storefront logs in this way, then associates the
    shopper's
    cart with the account the answer names (S7).

    Documented here as far as the association endpoint depends on it: the `password` mechanism only. The
    vendor also takes `oidc`, `passwordless`, `self_signup` and
    `account_management_authentication_token`
    (switching account) under the same operation (S7); this description leaves them out, and the bundled
    mock refuses them with `400` (assumption).

    Each token "is set to 24 hours after the token is generated" (S7). What an expired one gets on the
    cart
    operations is undocumented: this description answers `401` `account-token-expired` there
    (assumption,
    marked on that answer).

    Args:
        body (AccountMemberTokenRequest): An account member's login (S7), with the `password`
            mechanism only (assumption, on the operation).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        AccountMemberTokens | ErrorResponse
    """

    return (
        await asyncio_detailed(
            client=client,
            body=body,
        )
    ).parsed
