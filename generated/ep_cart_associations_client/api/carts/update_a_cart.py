from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.cart_response import CartResponse
from ...models.cart_update_request import CartUpdateRequest
from ...models.error_response import ErrorResponse
from ...types import Response


def _get_kwargs(
    cart_id: str,
    *,
    body: CartUpdateRequest,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    _kwargs: dict[str, Any] = {
        "method": "put",
        "url": "/v2/carts/{cart_id}".format(
            cart_id=quote(str(cart_id), safe=""),
        ),
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
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

    if response.status_code == 422:
        response_422 = ErrorResponse.from_dict(response.json())

        return response_422

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
    body: CartUpdateRequest,
) -> Response[CartResponse | ErrorResponse]:
    """Update a cart (its contact email)

     Updates the cart's properties (S3, "Update a Cart"). This description covers one of them, the one
    the
    association depends on: "You can attach an email to carts via the `contact.email` field" (S3), and
    an
    account cannot then be associated with the cart (`422`, S2, S3). The vendor's other properties
    (`name`,
    `description`, discount and inventory settings, custom attributes, ...) are left out; a body may
    carry
    them, and this description says nothing of what they do.

    The vendor gives the rule both ways: "requests to add contact email information to registered
    shopper
    carts (that is, carts with accounts or customers associated) (and vice versa) result in error
    messages"
    (S3). So a contact email sent for a cart that has an account is refused (an update that attaches
    none is
    not). Which status that error has,
    the vendor does not say: `422`, like the association refused on a contact-email cart, is an
    assumption
    (`contact-email-on-an-account-cart-answers-422`; a store that answers `400` is one alternative).

    The vendor documents `200` with the cart, and `422` (S3). It also lists `403` "Unauthorized call"
    without saying when; no request this kit sends meets it, and it is left out. A body that does not
    match `CartUpdateRequest` is refused with `400` (assumption: `updateACart` lists no `400`, while
    `createACart`, whose body is the same `CartsRequest`, answers `400` to "a request that does not
    adhere
    to the expected API contract", S3).

    A cart ID nobody has read names a new cart here too, as it does for a read (S3) and an association
    (assumption: the vendor does not say whether the cart must exist). Any bearer token may update a
    cart,
    as any may read it (S3 documents no other header).

    Checks run in this order, and the first that fails decides the answer (assumption, like the
    association's): the bearer token (`401`); the cart ID (`400`); the body (`400`); the cart's account
    (`422`). The contract suite sends `PUT` to a live store only on carts its run made, and only to
    attach
    a contact email: the cart it runs the `422` scenarios on, and the vice-versa scenario's. It uses
    this
    operation rather than `createACart` (`POST /v2/carts`, which takes `contact.email` too, S3): a
    created
    cart gets an ID the store chooses, which would not carry the run's prefix, while an update works on
    a
    cart ID the run names and has read, which live safety and the clean-up recognise as the run's.

    Args:
        cart_id (str): A cart ID made of safe characters only (S5); at most 255 of them
            (assumption).
        body (CartUpdateRequest): An update of a cart (S3, `CartsRequest`), as far as the
            association needs it: `data.contact.email`
            attaches a contact email. The vendor's other properties of `data` are allowed and left
            undescribed. That
            `data` is required is an assumption: the vendor's `CartsRequest` marks nothing required.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[CartResponse | ErrorResponse]
    """

    kwargs = _get_kwargs(
        cart_id=cart_id,
        body=body,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    cart_id: str,
    *,
    client: AuthenticatedClient | Client,
    body: CartUpdateRequest,
) -> CartResponse | ErrorResponse | None:
    """Update a cart (its contact email)

     Updates the cart's properties (S3, "Update a Cart"). This description covers one of them, the one
    the
    association depends on: "You can attach an email to carts via the `contact.email` field" (S3), and
    an
    account cannot then be associated with the cart (`422`, S2, S3). The vendor's other properties
    (`name`,
    `description`, discount and inventory settings, custom attributes, ...) are left out; a body may
    carry
    them, and this description says nothing of what they do.

    The vendor gives the rule both ways: "requests to add contact email information to registered
    shopper
    carts (that is, carts with accounts or customers associated) (and vice versa) result in error
    messages"
    (S3). So a contact email sent for a cart that has an account is refused (an update that attaches
    none is
    not). Which status that error has,
    the vendor does not say: `422`, like the association refused on a contact-email cart, is an
    assumption
    (`contact-email-on-an-account-cart-answers-422`; a store that answers `400` is one alternative).

    The vendor documents `200` with the cart, and `422` (S3). It also lists `403` "Unauthorized call"
    without saying when; no request this kit sends meets it, and it is left out. A body that does not
    match `CartUpdateRequest` is refused with `400` (assumption: `updateACart` lists no `400`, while
    `createACart`, whose body is the same `CartsRequest`, answers `400` to "a request that does not
    adhere
    to the expected API contract", S3).

    A cart ID nobody has read names a new cart here too, as it does for a read (S3) and an association
    (assumption: the vendor does not say whether the cart must exist). Any bearer token may update a
    cart,
    as any may read it (S3 documents no other header).

    Checks run in this order, and the first that fails decides the answer (assumption, like the
    association's): the bearer token (`401`); the cart ID (`400`); the body (`400`); the cart's account
    (`422`). The contract suite sends `PUT` to a live store only on carts its run made, and only to
    attach
    a contact email: the cart it runs the `422` scenarios on, and the vice-versa scenario's. It uses
    this
    operation rather than `createACart` (`POST /v2/carts`, which takes `contact.email` too, S3): a
    created
    cart gets an ID the store chooses, which would not carry the run's prefix, while an update works on
    a
    cart ID the run names and has read, which live safety and the clean-up recognise as the run's.

    Args:
        cart_id (str): A cart ID made of safe characters only (S5); at most 255 of them
            (assumption).
        body (CartUpdateRequest): An update of a cart (S3, `CartsRequest`), as far as the
            association needs it: `data.contact.email`
            attaches a contact email. The vendor's other properties of `data` are allowed and left
            undescribed. That
            `data` is required is an assumption: the vendor's `CartsRequest` marks nothing required.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        CartResponse | ErrorResponse
    """

    return sync_detailed(
        cart_id=cart_id,
        client=client,
        body=body,
    ).parsed


async def asyncio_detailed(
    cart_id: str,
    *,
    client: AuthenticatedClient | Client,
    body: CartUpdateRequest,
) -> Response[CartResponse | ErrorResponse]:
    """Update a cart (its contact email)

     Updates the cart's properties (S3, "Update a Cart"). This description covers one of them, the one
    the
    association depends on: "You can attach an email to carts via the `contact.email` field" (S3), and
    an
    account cannot then be associated with the cart (`422`, S2, S3). The vendor's other properties
    (`name`,
    `description`, discount and inventory settings, custom attributes, ...) are left out; a body may
    carry
    them, and this description says nothing of what they do.

    The vendor gives the rule both ways: "requests to add contact email information to registered
    shopper
    carts (that is, carts with accounts or customers associated) (and vice versa) result in error
    messages"
    (S3). So a contact email sent for a cart that has an account is refused (an update that attaches
    none is
    not). Which status that error has,
    the vendor does not say: `422`, like the association refused on a contact-email cart, is an
    assumption
    (`contact-email-on-an-account-cart-answers-422`; a store that answers `400` is one alternative).

    The vendor documents `200` with the cart, and `422` (S3). It also lists `403` "Unauthorized call"
    without saying when; no request this kit sends meets it, and it is left out. A body that does not
    match `CartUpdateRequest` is refused with `400` (assumption: `updateACart` lists no `400`, while
    `createACart`, whose body is the same `CartsRequest`, answers `400` to "a request that does not
    adhere
    to the expected API contract", S3).

    A cart ID nobody has read names a new cart here too, as it does for a read (S3) and an association
    (assumption: the vendor does not say whether the cart must exist). Any bearer token may update a
    cart,
    as any may read it (S3 documents no other header).

    Checks run in this order, and the first that fails decides the answer (assumption, like the
    association's): the bearer token (`401`); the cart ID (`400`); the body (`400`); the cart's account
    (`422`). The contract suite sends `PUT` to a live store only on carts its run made, and only to
    attach
    a contact email: the cart it runs the `422` scenarios on, and the vice-versa scenario's. It uses
    this
    operation rather than `createACart` (`POST /v2/carts`, which takes `contact.email` too, S3): a
    created
    cart gets an ID the store chooses, which would not carry the run's prefix, while an update works on
    a
    cart ID the run names and has read, which live safety and the clean-up recognise as the run's.

    Args:
        cart_id (str): A cart ID made of safe characters only (S5); at most 255 of them
            (assumption).
        body (CartUpdateRequest): An update of a cart (S3, `CartsRequest`), as far as the
            association needs it: `data.contact.email`
            attaches a contact email. The vendor's other properties of `data` are allowed and left
            undescribed. That
            `data` is required is an assumption: the vendor's `CartsRequest` marks nothing required.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[CartResponse | ErrorResponse]
    """

    kwargs = _get_kwargs(
        cart_id=cart_id,
        body=body,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    cart_id: str,
    *,
    client: AuthenticatedClient | Client,
    body: CartUpdateRequest,
) -> CartResponse | ErrorResponse | None:
    """Update a cart (its contact email)

     Updates the cart's properties (S3, "Update a Cart"). This description covers one of them, the one
    the
    association depends on: "You can attach an email to carts via the `contact.email` field" (S3), and
    an
    account cannot then be associated with the cart (`422`, S2, S3). The vendor's other properties
    (`name`,
    `description`, discount and inventory settings, custom attributes, ...) are left out; a body may
    carry
    them, and this description says nothing of what they do.

    The vendor gives the rule both ways: "requests to add contact email information to registered
    shopper
    carts (that is, carts with accounts or customers associated) (and vice versa) result in error
    messages"
    (S3). So a contact email sent for a cart that has an account is refused (an update that attaches
    none is
    not). Which status that error has,
    the vendor does not say: `422`, like the association refused on a contact-email cart, is an
    assumption
    (`contact-email-on-an-account-cart-answers-422`; a store that answers `400` is one alternative).

    The vendor documents `200` with the cart, and `422` (S3). It also lists `403` "Unauthorized call"
    without saying when; no request this kit sends meets it, and it is left out. A body that does not
    match `CartUpdateRequest` is refused with `400` (assumption: `updateACart` lists no `400`, while
    `createACart`, whose body is the same `CartsRequest`, answers `400` to "a request that does not
    adhere
    to the expected API contract", S3).

    A cart ID nobody has read names a new cart here too, as it does for a read (S3) and an association
    (assumption: the vendor does not say whether the cart must exist). Any bearer token may update a
    cart,
    as any may read it (S3 documents no other header).

    Checks run in this order, and the first that fails decides the answer (assumption, like the
    association's): the bearer token (`401`); the cart ID (`400`); the body (`400`); the cart's account
    (`422`). The contract suite sends `PUT` to a live store only on carts its run made, and only to
    attach
    a contact email: the cart it runs the `422` scenarios on, and the vice-versa scenario's. It uses
    this
    operation rather than `createACart` (`POST /v2/carts`, which takes `contact.email` too, S3): a
    created
    cart gets an ID the store chooses, which would not carry the run's prefix, while an update works on
    a
    cart ID the run names and has read, which live safety and the clean-up recognise as the run's.

    Args:
        cart_id (str): A cart ID made of safe characters only (S5); at most 255 of them
            (assumption).
        body (CartUpdateRequest): An update of a cart (S3, `CartsRequest`), as far as the
            association needs it: `data.contact.email`
            attaches a contact email. The vendor's other properties of `data` are allowed and left
            undescribed. That
            `data` is required is an assumption: the vendor's `CartsRequest` marks nothing required.

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
            body=body,
        )
    ).parsed
