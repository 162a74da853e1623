"""Security tests run the real bot against the emulator (the scenarios' ``world``)."""

from tests.scenarios.conftest import scenario_settings, world  # noqa: F401 – fixtures used here
