"""Step 03 on: /openapi.json (and so /docs) tells the truth about every
route.

Each route lists every status it can answer, with the body that comes with
it, and each request schema accepts what the app accepts: clients are
generated from this document.
"""

import pytest

from .helpers import expect_status

ITEM = "/items/{item_id}"


async def openapi(client):
    return expect_status(await client.get("/openapi.json"), 200).json()


def resolve(document, schema):
    """The schema itself, following a {"$ref":
    "#/components/schemas/Name"}."""
    while "$ref" in schema:
        schema = document["components"]["schemas"][
            schema["$ref"].rsplit("/", 1)[-1]
        ]
    return schema


def operation_of(document, path, method):
    """The operation `method path` of the document; fails, saying so, if
    the document has no such route."""
    operation = document.get("paths", {}).get(path, {}).get(method)
    assert operation, f"/openapi.json has no {method.upper()} {path}"
    return operation


def expect_documented(document, path, method, status, detail_hint):
    """Check that `method path` documents `status` with a {"detail": str}
    body."""
    operation = operation_of(document, path, method)
    responses = operation.get("responses", {})
    assert str(status) in responses, (
        f"{method.upper()} {path} can answer {status} ({detail_hint}) "
        f"but /openapi.json lists only {sorted(responses)}: add "
        f"responses={{{status}: {{'model': …}}}} to the route's decorator"
    )
    content = (
        responses[str(status)]
        .get("content", {})
        .get("application/json", {})
    )
    body = resolve(document, content.get("schema", {}))
    detail = resolve(
        document, body.get("properties", {}).get("detail", {})
    )
    assert detail.get("type") == "string", (
        f"the {status} of {method.upper()} {path} must document its body "
        f'{{"detail": "{detail_hint}"}}: give the response a model with '
        "`detail: str`"
    )


def allows_null(schema):
    kinds = [schema, *schema.get("anyOf", []), *schema.get("oneOf", [])]
    return any(
        kind.get("type") == "null"
        or "null" in (kind.get("type") or [])
        or kind.get("nullable")
        for kind in kinds
    )


@pytest.mark.steps("03+")
@pytest.mark.parametrize("method", ["get", "patch", "delete"])
async def test_404_of_an_item_route_is_documented(client, method):
    """GET, PATCH and DELETE /items/{id} list 404 {"detail": …} in
    /openapi.json."""
    expect_documented(
        await openapi(client), ITEM, method, 404, "Item not found"
    )


@pytest.mark.steps("03+")
async def test_update_schema_refuses_null_where_the_app_does(client):
    """The PATCH body's schema allows null for description only, not for
    name, price, status."""
    document = await openapi(client)
    body = operation_of(document, ITEM, "patch")["requestBody"][
        "content"
    ]["application/json"]
    properties = resolve(document, body["schema"])["properties"]
    nullable = sorted(
        name for name, schema in properties.items() if allows_null(schema)
    )
    assert nullable == ["description"], (
        f"the schema lets {nullable} be null, but the app answers 422 to "
        "a null name, price or status: declare them `name: str = "
        "Field(default=None, …)`, not `str | None`"
    )


@pytest.mark.steps("06+")
async def test_409_of_register_is_documented(client):
    """POST /auth/register lists 409 {"detail": …} in /openapi.json."""
    expect_documented(
        await openapi(client),
        "/auth/register",
        "post",
        409,
        "Email already …",
    )


@pytest.mark.steps("07+")
@pytest.mark.parametrize(
    ("path", "method"), [("/auth/login", "post"), ("/auth/me", "get")]
)
async def test_401_of_the_auth_routes_is_documented(client, path, method):
    """POST /auth/login and GET /auth/me list 401 {"detail": …} in
    /openapi.json."""
    expect_documented(await openapi(client), path, method, 401, "…")


@pytest.mark.steps("08+")
@pytest.mark.parametrize(
    ("path", "method", "status"),
    [
        ("/items", "post", 401),
        (ITEM, "patch", 401),
        (ITEM, "patch", 403),
        (ITEM, "delete", 401),
        (ITEM, "delete", 403),
    ],
)
async def test_401_and_403_of_the_item_routes_are_documented(
    client, path, method, status
):
    """POST, PATCH and DELETE of items list 401, and PATCH and DELETE 403,
    in /openapi.json."""
    hint = (
        "Not authenticated" if status == 401 else "Not enough permissions"
    )
    expect_documented(await openapi(client), path, method, status, hint)
