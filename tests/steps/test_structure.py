"""Step 05 on: the same API, laid out in domain packages, configured by
pydantic-settings."""

import importlib
import inspect

import pytest
from pydantic_settings import BaseSettings

from .helpers import expect_status

LAYOUT = [
    "app/main.py",
    "app/config.py",
    "app/database.py",
    "app/items/__init__.py",
    "app/items/router.py",
    "app/items/models.py",
    "app/items/schemas.py",
    "app/items/service.py",
]


@pytest.mark.steps("05+")
@pytest.mark.parametrize("path", LAYOUT)
def test_domain_layout(app_under_test, path):
    """The app is split into app/{main,config,database}.py and
    app/items/{router,models,...}.py."""
    assert (app_under_test.app_dir / path).is_file(), (
        f"{path} is missing (see SPEC.md, step 05)"
    )


@pytest.mark.steps("05+")
def test_settings_class_in_config(app_under_test):
    """app/config.py defines a `Settings` class based on
    pydantic-settings' BaseSettings."""
    app_under_test.load()
    config = importlib.import_module("app.config")
    settings_class = getattr(config, "Settings", None)
    assert inspect.isclass(settings_class), (
        "app/config.py must define a class called Settings"
    )
    assert issubclass(settings_class, BaseSettings), (
        "Settings must subclass BaseSettings"
    )


@pytest.mark.steps("05+")
def test_router_is_thin(app_under_test):
    """app/items/router.py holds no queries: select(...) and session.exec
    live in service.py."""
    source = (app_under_test.app_dir / "app/items/router.py").read_text(
        encoding="utf-8"
    )
    for query in ("select(", ".exec(", ".execute("):
        assert query not in source, (
            f"router.py calls {query}…): move the query into service.py"
        )


@pytest.mark.steps("05+")
async def test_database_url_from_dot_env(
    serve, auth_headers_for, app_under_test, tmp_path
):
    """Without a DATABASE_URL variable, the app reads it from a .env file
    where it starts."""
    dotenv_database = tmp_path / "from-dotenv.db"
    (tmp_path / ".env").write_text(
        f"DATABASE_URL={app_under_test.new_database(dotenv_database.name)}\n"
    )
    async with serve(DATABASE_URL=None) as client:
        headers = await auth_headers_for(client)
        body = {"name": "Mug", "price": 3}
        expect_status(
            await client.post("/items", json=body, headers=headers), 201
        )
    assert dotenv_database.exists(), (
        "DATABASE_URL in .env must name the database the app uses"
    )
    assert not (tmp_path / "workshop.db").exists(), (
        "the default database must stay unused"
    )
