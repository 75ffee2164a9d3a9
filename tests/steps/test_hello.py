import pytest

from .helpers import expect_status


@pytest.mark.steps("01+")
async def test_root_says_hello_world(client):
    """GET / answers 200 with {"message": "Hello World"}."""
    response = expect_status(await client.get("/"), 200)
    assert response.json() == {"message": "Hello World"}, (
        "GET / must return exactly this JSON"
    )


@pytest.mark.steps("01+")
async def test_interactive_docs_are_served(client):
    """/docs serves the Swagger UI page and /openapi.json describes GET
    /."""
    docs = expect_status(await client.get("/docs"), 200)
    assert "swagger" in docs.text.lower(), (
        "/docs should be FastAPI's Swagger UI"
    )
    schema = expect_status(await client.get("/openapi.json"), 200).json()
    assert "get" in schema["paths"].get("/", {}), (
        "the OpenAPI schema should list GET /"
    )
