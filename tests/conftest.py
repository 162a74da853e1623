"""Shared fixtures: a fixed clock, a fresh database on each engine, and the real bot running against
the emulator.

Every test that asks for a database (``storage``, ``database_url``, the scenarios' ``world``) runs
once on SQLite and once on PostgreSQL (``[sqlite]`` / ``[postgresql]`` in its id): the same
repositories must behave the same on both. PostgreSQL is a throwaway cluster this session starts
itself (``tests/pg_cluster.py``). Where it cannot be had, the PostgreSQL runs skip and say how
to install it — except under CI (CI=true), where that fails the run. ``ATENSI_TEST_ENGINES=sqlite``
runs one engine only (quick local runs). A test of something only SQLite has (PRAGMAs, file
locks) is marked ``@pytest.mark.sqlite_only``.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import shutil
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from bot.clock import ManualClock
from bot.config import Settings
from bot.services import Services
from storage.unit import Storage
from tests.helpers import seed_registry
from tests.pg_cluster import INSTALL_HINT, TEMPLATE, Cluster, start_cluster

# Friday 28 November 2026, 09.00 WIB.
START = dt.datetime(2026, 11, 28, 2, 0, tzinfo=dt.UTC)
SHARED = Path(__file__).resolve().parents[1].parent / "shared"


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(START)


ENGINES = [e.strip() for e in os.environ.get("ATENSI_TEST_ENGINES", "sqlite,postgresql").split(",") if e.strip()]


def pytest_configure(config: pytest.Config) -> None:
    # The clients' data is sealed (storage/sealing.py): the tests run with a throwaway key file,
    # made once for the run (xdist workers and the bot processes the tests start inherit it).
    if not os.environ.get("ATENSI_KEY_FILE") and not os.environ.get("ATENSI_KEYS"):
        import tempfile

        from storage.sealing import Keyring

        keys = Path(tempfile.mkdtemp(prefix="atensi-test-keys-")) / "atensi.keys"
        Keyring.load_or_create(keys)
        os.environ["ATENSI_KEY_FILE"] = str(keys)
    config.addinivalue_line("markers", "sqlite_only: tests something only the SQLite engine has")
    config.addinivalue_line("markers", "postgresql_only: tests something only the PostgreSQL engine has")
    config.addinivalue_line(
        "markers",
        "multiprocess: several real bot processes on PostgreSQL, killed mid-run (slow; "
        "part of make test; -m multiprocess runs them alone)",
    )
    config.addinivalue_line(
        "markers",
        "slow_bench: a bench run at its smallest sizes that still takes minutes (make bench-smoke, not make test)",
    )
    config.addinivalue_line(
        "markers", "webhook_settings(**keys): [webhook] settings of tests/test_webhook.py's deployment"
    )


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "engine" in metafunc.fixturenames:
        only_sqlite = metafunc.definition.get_closest_marker("sqlite_only") is not None
        only_postgresql = metafunc.definition.get_closest_marker("postgresql_only") is not None
        engines = ["postgresql"] if only_postgresql else [e for e in ENGINES if e == "sqlite" or not only_sqlite]
        metafunc.parametrize("engine", engines or ["sqlite"])


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[Cluster]:
    """One PostgreSQL cluster for the session (per xdist worker), with a migrated template."""
    try:
        cluster = start_cluster()
    except RuntimeError as error:
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI needs PostgreSQL for the [postgresql] tests: {error}. Install: {INSTALL_HINT}")
        pytest.skip(f"PostgreSQL unavailable ({error}); to run these tests: {INSTALL_HINT}")
    try:
        cluster.psql(f'CREATE DATABASE "{TEMPLATE}"')

        async def migrate_template() -> None:
            store = await Storage.open(cluster.url(TEMPLATE), pool_size=1)
            await store.close()

        asyncio.run(migrate_template())
        yield cluster
    finally:
        cluster.stop()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One migrated SQLite file for the session (per xdist worker): a test's fresh database is a
    copy of it, as PostgreSQL's are of their template — migrating anew costs 50 ms a test, a copy 7."""
    template = tmp_path_factory.mktemp("sqlite-template") / "atensi.sqlite3"

    async def migrate_template() -> None:
        store = await Storage.open(template)
        await store.close()

    asyncio.run(migrate_template())
    return template


@pytest.fixture
def database_url(engine: str, tmp_path: Path, request: pytest.FixtureRequest) -> str:
    """A fresh, migrated database of this test's engine."""
    if engine == "sqlite":
        database = tmp_path / "atensi.sqlite3"
        shutil.copyfile(request.getfixturevalue("sqlite_template"), database)
        return "sqlite:///" + str(database)
    cluster: Cluster = request.getfixturevalue("pg_cluster")
    return cluster.new_database()


@pytest.fixture
async def storage(database_url: str) -> AsyncIterator[Storage]:
    store = await Storage.open(database_url)
    yield store
    await store.close()


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings.model_validate(
        {
            "storage": {"database": str(tmp_path / "atensi.sqlite3"), "files_dir": str(tmp_path / "files")},
            "access": {"admin_user_ids": []},
        }
    )


@pytest.fixture
async def services(storage: Storage, clock: ManualClock, settings: Settings) -> Services:
    """The services over this test's database, with the small registry of tests/helpers.py (two teams, four IPWL)."""
    svc = Services(storage, clock, settings)
    await seed_registry(svc)
    return svc
