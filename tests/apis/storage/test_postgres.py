"""What PostgreSQL alone has: errors naming the URL without its password, and rows skipped while another holds them."""

from __future__ import annotations

from pathlib import Path

import pytest

from apis.storage import DatabaseUnavailableError, DatabaseUrlError, open_database
from gateway import ApiContext
from tests.e2e.gateway_process import free_port
from tests.postgres_server import PASSWORD, PostgresServer

pytestmark = pytest.mark.anyio

SCHEMA = "CREATE TABLE IF NOT EXISTS items (id TEXT PRIMARY KEY);"


def context(tmp_path: Path, url: str) -> ApiContext:
    return ApiContext(data_dir=tmp_path, max_body_size=0, implementations={}, database=url)


async def test_an_unreachable_server_is_named_without_the_password(tmp_path: Path) -> None:
    port = free_port()
    url = f"postgresql://gw:hunter2@127.0.0.1:{port}/gw"

    with pytest.raises(DatabaseUnavailableError) as caught:
        async with open_database(context(tmp_path, url), SCHEMA):
            pass

    message = str(caught.value)
    assert message.startswith(f"database postgresql://gw:***@127.0.0.1:{port}/gw: cannot connect: ")
    assert "refused" in message
    assert "hunter2" not in message


async def test_a_wrong_password_is_reported_as_the_server_says_it(
    postgres_server: PostgresServer, tmp_path: Path
) -> None:
    url = postgres_server.url("postgres", password="wrong-password")

    with pytest.raises(DatabaseUnavailableError, match='password authentication failed for user "gateway"') as caught:
        async with open_database(context(tmp_path, url), SCHEMA):
            pass

    assert "wrong-password" not in str(caught.value)
    assert PASSWORD not in str(caught.value)


@pytest.mark.parametrize(
    ("url", "problem"),
    [
        pytest.param(
            "mysql://gw:hunter2@db/gw",
            "database mysql://gw:***@db/gw: the scheme 'mysql' is not one of postgresql://, postgres://",
            id="unknown-scheme",
        ),
        pytest.param("db.example.com", "database db.example.com: the scheme '' is not one of", id="no-scheme"),
        pytest.param(
            "postgresql://gw:hunter2@db:port/gw",
            "database postgresql://gw:***@db:port/gw: not a connection URL psycopg accepts",
            id="port-not-a-number",
        ),
        pytest.param(
            "postgresql://gw@db/gw?colour=blue",
            "database postgresql://gw@db/gw?colour=blue: not a connection URL psycopg accepts (invalid URI query",
            id="unknown-parameter",
        ),
    ],
)
async def test_a_url_the_apis_cannot_use_is_named_with_what_is_wrong(tmp_path: Path, url: str, problem: str) -> None:
    with pytest.raises(DatabaseUrlError) as caught:
        async with open_database(context(tmp_path, url), SCHEMA):
            pass

    assert str(caught.value).startswith(problem)
    assert "hunter2" not in str(caught.value)


async def test_rows_another_transaction_holds_are_skipped_not_waited_for(
    postgres_server: PostgresServer, tmp_path: Path
) -> None:
    shared = context(tmp_path, postgres_server.create_database())
    async with open_database(shared, SCHEMA) as one, open_database(shared, SCHEMA) as other:
        await one.execute("INSERT INTO items (id) VALUES ('a'), ('b')")

        async with one.transaction() as holding:
            await holding.fetch_all(f"SELECT id FROM items WHERE id = 'a'{one.row_lock()}")
            async with other.transaction() as skipping:
                rows = await skipping.fetch_all(f"SELECT id FROM items ORDER BY id{other.row_lock(skip_locked=True)}")

        assert rows == [{"id": "b"}]
