"""The ``atensi-bot`` command: run the bot, manage the database, administer the registry.

Every failure a person can cause (a bad config, a bad CSV, an unknown code) ends with a clear
message and exit status 2 — never a traceback.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import logging
import signal
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from bot.clock import SystemClock, today_in
from bot.config import ConfigError, Settings, load_settings
from bot.domain.budget import WHOLE_YEAR, parse_component
from bot.domain.models import Role
from bot.domain.validation import ValidationError, parse_money
from bot.files.ipwl_csv import parse_ipwl_csv
from bot.files.problems import ImportRejected, render_problem
from bot.i18n import format_money
from bot.services import ServiceError, Services
from bot.services.backups import erasure_ledger, make_backup
from bot.services.budget import MAX_CEILING
from bot.services.inbox import InboxStatus
from storage.audit_chain import AuditMirror
from storage.audit_chain import verify as verify_audit_chain
from storage.backup import InstanceLock, RestoreRefused, final_check, restore
from storage.copy import CopyMismatch, CopyRefused, copy_database
from storage.db import Database, StorageBusy
from storage.migrate import applied_versions, available_migrations, migrate
from storage.pg_backup import restore_command
from storage.sealing import Keyring, KeyringError
from storage.unit import Storage

DEFAULT_CONFIG = Path("config.toml")
EXIT_USAGE = 2

# Said when `run` has no token and starts the offline sandbox instead.
NO_TOKEN_HINT = (
    "To run the real bot, get a token from @BotFather in Telegram (/newbot) and put it in {config} "
    "under [telegram] token, or set ATENSI_BOT_TOKEN."
)

log = logging.getLogger("atensi")


class CliError(Exception):
    """A problem to print for the person at the terminal (exit status 2)."""


def _settings(config: Path | None) -> Settings:
    # The default config file is optional (a fresh checkout has none); an explicit one is not.
    if config is None:
        config = DEFAULT_CONFIG if DEFAULT_CONFIG.exists() else None
    return load_settings(config)


def _keys(settings: Settings) -> Keyring | None:
    """The keys sealing the clients' data: ATENSI_KEYS, ATENSI_KEY_FILE or [storage] key_file."""
    return Keyring.from_environment(settings.storage.key_file)


async def _open_storage(settings: Settings, **options: Any) -> Storage:  # options: Storage.open's own
    return await Storage.open(
        settings.storage.target, pool_size=settings.storage.pool_size, keys=_keys(settings), **options
    )


async def _with_services(settings: Settings, action: Callable[[Services], Awaitable[int]]) -> int:
    storage = await _open_storage(settings)
    try:
        return await action(Services(storage, SystemClock(), settings))
    finally:
        await storage.close()


# --- run -------------------------------------------------------------------------------------------


async def _run_bot(settings: Settings) -> int:
    # Held (shared: several bots may share one database) until the process ends, so that
    # `db restore` refuses while the bot runs, and the bot refuses to start during a restore.
    lock = InstanceLock(Path(settings.storage.database))
    if not lock.acquire(exclusive=False):
        raise CliError(f"a restore of {settings.storage.database} is in progress; start the bot when it has finished")
    try:
        return await _serve(settings)
    finally:
        lock.release()


async def _serve(settings: Settings) -> int:
    # telegram is imported only by the commands that need it
    from bot.app import build_application, start_bot, stop_bot

    keys = _keys(settings)
    if keys is None:
        raise CliError(
            "the bot has no key file for the clients' personal data: make one with `atensi-bot keys new"
            " --file PATH` (keep it apart from the database and its backups), then set ATENSI_KEY_FILE=PATH"
            ' or [storage] key_file = "PATH"'
        )
    storage = await Storage.open(settings.storage.target, pool_size=settings.storage.pool_size, keys=keys)
    app = build_application(settings, storage=storage, clock=SystemClock())
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    try:
        await start_bot(app, poll_timeout=settings.telegram.poll_timeout)
        log.info("bot @%s running; press Ctrl+C to stop", app.bot.username)
        await stop.wait()
        log.info("stopping")
    finally:
        await stop_bot(app)
        await storage.close()
    return 0


def cmd_run(args: argparse.Namespace) -> int:
    from bot.app import configure_logging

    settings = _settings(args.config)
    configure_logging()
    if args.webhook:
        _need_webhook_settings(settings, register=args.register)
        return asyncio.run(
            _with_instance_lock(
                settings, lambda: _serve_roles(settings, intake=True, worker=True, register=args.register)
            )
        )
    if args.register:
        raise CliError("--register goes with run --webhook (or: atensi-bot webhook --register)")
    if not settings.telegram.has_token:
        # A fresh checkout has no token: show the whole workflow offline rather than stop.
        log.warning(
            "no Telegram bot token configured, so starting the offline sandbox instead. %s",
            NO_TOKEN_HINT.format(config=args.config or DEFAULT_CONFIG),
        )
        return _run_sandbox(settings)
    return asyncio.run(_run_bot(settings))


# --- webhook, worker (several processes on PostgreSQL) ----------------------------------------------

ONE_PROCESS_ON_SQLITE = (
    "atensi-bot {command} runs beside other bot processes, and they can share only a PostgreSQL "
    'database ([storage] url = "postgresql://…"); this bot uses the SQLite file {database}, which one '
    "process uses alone. Run one process instead: atensi-bot run (long polling) or atensi-bot run --webhook "
    "(intake, worker and leader in one process)."
)


def _need_postgresql(settings: Settings, command: str) -> None:
    if settings.storage.engine != "postgresql":
        raise CliError(ONE_PROCESS_ON_SQLITE.format(command=command, database=settings.storage.database))


def _need_webhook_settings(settings: Settings, *, register: bool) -> None:
    if not settings.webhook.secret.get_secret_value():
        raise CliError(
            "[webhook] secret is not set (ATENSI_WEBHOOK__SECRET): without it anyone could post "
            "updates to the endpoint. Use 1-256 characters of A-Z, a-z, 0-9, _ and -."
        )
    if register and not settings.telegram.has_token:
        raise CliError("--register needs the bot token ([telegram] token or ATENSI_BOT_TOKEN)")
    if register and not settings.webhook.url:
        raise CliError(
            "--register needs [webhook] url: the public HTTPS address Telegram posts to "
            "(the reverse proxy's), e.g. https://atensi.example.go.id/telegram/webhook"
        )


async def _with_instance_lock(settings: Settings, serve: Callable[[], Awaitable[int]]) -> int:
    lock = InstanceLock(Path(settings.storage.database))
    if not lock.acquire(exclusive=False):
        raise CliError(f"a restore of {settings.storage.database} is in progress; start the bot when it has finished")
    try:
        return await serve()
    finally:
        lock.release()


async def _serve_roles(settings: Settings, *, intake: bool, worker: bool, register: bool) -> int:
    """Serve the webhook intake and/or a worker (which stands for leader) until SIGINT/SIGTERM."""
    from bot.app import WorkerRuntime, build_application, register_webhook
    from bot.webhook.intake import WebhookIntake
    from handlers.inbox_worker import process_name

    cfg = settings.webhook
    pool = settings.storage.pool_size if worker else min(settings.storage.pool_size, max(2, cfg.max_connections // 4))
    storage = await Storage.open(settings.storage.target, pool_size=pool)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    runtime: WorkerRuntime | None = None
    endpoint: WebhookIntake | None = None
    role = "bot" if intake and worker else ("worker" if worker else "intake")
    try:
        if worker:
            app = build_application(settings, storage=storage, clock=SystemClock())
            runtime = WorkerRuntime(app, process_name(role))
            await runtime.start()
        services = deps_services(runtime) if runtime is not None else Services(storage, SystemClock(), settings)
        if intake:
            endpoint = WebhookIntake(services, cfg)
            if runtime is not None:  # one process: a stored update wakes this worker directly
                endpoint.on_stored = runtime.worker.wake
            await endpoint.start()
            if register:
                await register_webhook(settings)
                log.info("webhook registered with Telegram: %s", cfg.url)
        log.info(
            "%s running (%s); press Ctrl+C to stop",
            process_name(role),
            ", ".join(part for part, on in (("intake", intake), ("worker and leader candidate", worker)) if on),
        )
        await stop.wait()
        log.info("stopping")
    finally:
        if endpoint is not None:
            await endpoint.stop()
        if runtime is not None:
            await runtime.stop()
        await storage.close()
    return 0


def deps_services(runtime: Any) -> Services:  # a runtime of bot.app (webhook, worker or polling)
    from handlers.context import deps_of

    return deps_of(runtime.app).services


def cmd_webhook(args: argparse.Namespace) -> int:
    from bot.app import configure_logging, delete_webhook

    settings = _settings(args.config)
    configure_logging()
    if args.delete:
        if not settings.telegram.has_token:
            raise CliError("--delete needs the bot token ([telegram] token or ATENSI_BOT_TOKEN)")
        asyncio.run(delete_webhook(settings))
        print("webhook deleted: Telegram no longer posts updates (they wait for polling: atensi-bot run)")
        return 0
    _need_postgresql(settings, "webhook")
    _need_webhook_settings(settings, register=args.register)
    return asyncio.run(
        _with_instance_lock(settings, lambda: _serve_roles(settings, intake=True, worker=False, register=args.register))
    )


def cmd_worker(args: argparse.Namespace) -> int:
    from bot.app import configure_logging

    settings = _settings(args.config)
    configure_logging()
    _need_postgresql(settings, "worker")
    if not settings.telegram.has_token:
        raise CliError("a worker answers people through Telegram: set [telegram] token (or ATENSI_BOT_TOKEN)")
    return asyncio.run(
        _with_instance_lock(settings, lambda: _serve_roles(settings, intake=False, worker=True, register=False))
    )


# --- sandbox ---------------------------------------------------------------------------------------


def _run_sandbox(settings: Settings) -> int:
    from bot.sandbox import serve

    async def go() -> int:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        await serve(settings, stop)
        return 0

    return asyncio.run(go())


def cmd_sandbox(args: argparse.Namespace) -> int:
    from bot.app import configure_logging

    settings = _settings(args.config)
    if args.port is not None:
        settings = settings.model_copy(update={"sandbox": settings.sandbox.model_copy(update={"port": args.port})})
    configure_logging()
    return _run_sandbox(settings)


# --- db --------------------------------------------------------------------------------------------


async def _copy(source_url: str, target_url: str | None) -> int:
    """``db copy``: the whole database into an empty PostgreSQL one, verified table by table."""
    if not target_url:
        raise CliError("db copy needs --to postgresql://… (an empty database)")
    if source_url == target_url:
        raise CliError("--from and --to are the same database")
    try:
        source = await Database.open(source_url, pool_size=2)
    except (OSError, ValueError, StorageBusy) as error:
        raise CliError(f"cannot open the source {source_url}: {error}") from None
    try:
        target = await Database.open(target_url, pool_size=2)
    except (OSError, ValueError, StorageBusy) as error:
        await source.close()
        raise CliError(f"cannot open the target {target_url}: {error}") from None
    try:
        tables = await copy_database(source, target)
    except (CopyRefused, CopyMismatch) as error:
        raise CliError(f"db copy: {error}; nothing was copied") from None
    finally:
        await source.close()
        await target.close()
    for table in tables:
        print(f"{table.table:<20} {table.rows:>9} rows  checksum {table.checksum}  ok")
    print(
        f"copied {sum(t.rows for t in tables)} rows in {len(tables)} tables; every table verified."
        f" Point [storage] url at {target_url} and start the bot."
    )
    return 0


def cmd_db(args: argparse.Namespace) -> int:
    settings = _settings(args.config)
    if args.db_command == "copy":
        return asyncio.run(_copy(args.source or settings.storage.target, args.target))
    if args.db_command == "apply-erasures":
        return _apply_erasures(settings)
    if args.db_command == "restore":
        if args.backup is None:
            raise CliError("db restore needs the backup archive: atensi-bot db restore backups/atensi-….tar")
        return _restore(settings, args.backup)
    if args.backup is not None:
        raise CliError(f"db {args.db_command} takes no file")

    async def go() -> int:
        storage = await _open_storage(settings, apply_migrations=False)
        try:
            if args.db_command == "migrate":
                applied = await migrate(storage.db)
                print("applied: " + (", ".join(applied) if applied else "nothing (up to date)"))
            else:
                done = set(await applied_versions(storage.db))
                for m in available_migrations(storage.db.dialect):
                    print(f"{'applied' if m.version in done else 'pending'}  {m.name}")
                if INBOX_MIGRATION in done:
                    _print_inbox_status(await Services(storage, SystemClock(), settings).inbox.status())
        finally:
            await storage.close()
        return 0

    return asyncio.run(go())


INBOX_MIGRATION = 16


def _print_inbox_status(status: InboxStatus) -> None:
    """The webhook deployment's state: inbox depth, its oldest update, who leads."""
    oldest = (
        f"update {status.oldest_pending_id}, received {status.oldest_pending_at}"
        if status.oldest_pending_id is not None
        else "none"
    )
    print(f"inbox: {status.pending} update(s) pending, {status.parked} parked; oldest pending: {oldest}")
    if status.leader is None:
        print("leader: none yet (no worker has led; polling with atensi-bot run needs none)")
    else:
        print(f"leader: {status.leader} since {status.leader_since}, last heartbeat {status.leader_heartbeat_at}")


def cmd_audit(args: argparse.Namespace) -> int:
    """``audit verify``: walk the audit chain (and the mirror, when configured or given) and report
    the first event altered, removed or inserted; exit 1 when the trail does not hold."""
    settings = _settings(args.config)
    mirror_path: Path | None = args.mirror or settings.audit.mirror

    async def go() -> int:
        storage = await Storage.open(settings.storage.target, apply_migrations=False, pool_size=1)
        try:
            mirror = AuditMirror(mirror_path).lines() if mirror_path is not None else None
            async with storage.db.snapshot() as conn:
                result = await verify_audit_chain(conn, mirror)
        finally:
            await storage.close()
        print(
            f"{result.events} audit event(s) checked"
            + (f", {result.redacted} reason(s) blanked by an erasure" if result.redacted else "")
        )
        if mirror is not None:
            print(
                f"mirror {mirror_path}: {result.mirrored} event(s) match"
                + (f", {result.unmirrored} newer event(s) not in it yet" if result.unmirrored else "")
            )
        if result.intact:
            print("the audit trail is intact")
            return 0
        print(f"the audit trail does NOT hold: {len(result.findings)} problem(s); the first:")
        print("  " + result.findings[0].describe())
        for finding in result.findings[1:10]:
            print("  then " + finding.describe())
        return 1

    return asyncio.run(go())


def _apply_erasures(settings: Settings) -> int:
    """``db apply-erasures``: erase again every client of the erasure ledger the database still
    holds — after a PostgreSQL dump was put back by hand with pg_restore (db restore does this
    itself on SQLite)."""
    ledger = erasure_ledger(settings)

    async def go(services: Services) -> int:
        return await services.privacy.reapply_erasures(ledger.entries())

    erased = asyncio.run(_with_services(settings, go))
    print(f"erasure ledger {ledger.path}: {erased} client record(s) erased again")
    return 0


def _restore(settings: Settings, archive: Path) -> int:
    """``db restore``: refuse while the bot runs; verify; move the old files aside; put the
    backup's database and files in place; migrate; erase again what the ledger says; check."""
    database, files_dir = Path(settings.storage.database), Path(settings.storage.files_dir)
    if not archive.is_file():
        raise CliError(f"{archive}: no such file")
    if settings.storage.engine == "postgresql":
        # SQLite only: this restore moves database files aside and checks them with PRAGMAs.
        raise CliError(
            f"db restore puts back a SQLite database; this bot uses PostgreSQL. Stop the bot, take "
            f"database.pgdump out of {archive} (tar -xf), restore it with {restore_command('database.pgdump')}"
            f", put its files/ folder back as {files_dir}, run atensi-bot db apply-erasures (clients erased since the "
            f"backup are erased again), and start the bot. Nothing was changed."
        )
    lock = InstanceLock(database)
    if not lock.acquire(exclusive=True):
        raise CliError(
            f"the bot is running on {database} (process {lock.holder()}); stop it, then run the "
            "restore again. Nothing was changed."
        )
    try:
        ledger = erasure_ledger(settings)
        try:
            report = restore(
                archive,
                database,
                files_dir,
                ledger,
                known_schema={m.version for m in available_migrations()},
                now=SystemClock().now(),
            )
        except RestoreRefused as refused:
            raise CliError(str(refused)) from None
        except OSError as error:
            raise CliError(f"the restore failed ({error}); the previous database and files were put back") from None
        print(f"backup of {report.created_at} verified and put in place: the database and {report.files} file(s)")
        for path in report.moved_aside:
            print(f"  the previous {path.name.split('.before-restore-')[0]} is kept as {path}")

        async def after(services: Services) -> int:
            return await services.privacy.reapply_erasures(ledger.entries())

        try:
            erased = asyncio.run(_with_services(settings, after))  # (migrations run on opening)
        except Exception as error:  # the backup is in place but may still hold erased clients
            raise CliError(
                f"the backup is in place, but migrating it or applying the erasure ledger failed "
                f"({type(error).__name__}: {error}); do not start the bot: run the restore again"
            ) from None
        print(f"erasure ledger: {erased} client record(s) erased again (erased after this backup was made)")
        result = final_check(database)
    finally:
        lock.release()
    if result != "ok":
        raise CliError(f"the restored database fails its check: {result}; the previous files are kept as listed")
    print("integrity check: ok. Start the bot.")
    return 0


# --- admin -----------------------------------------------------------------------------------------


def cmd_import_ipwl(args: argparse.Namespace) -> int:
    settings = _settings(args.config)
    path: Path = args.file
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise CliError(f"{path}: cannot be read ({exc.strerror})") from None

    async def go(services: Services) -> int:
        try:
            rows = parse_ipwl_csv(data, today=today_in(services.clock, settings.locale.timezone))
            count = await services.onboarding.import_ipwl(rows)
        except ImportRejected as rejected:
            lines = [f"{path}: nothing imported, {len(rejected.problems)} problem(s):"]
            for p in rejected.problems:
                lines.append("  " + render_problem(p))
            raise CliError("\n".join(lines)) from None
        print(f"{count} IPWL imported from {path}")
        return 0

    return asyncio.run(_with_services(settings, go))


def cmd_invite(args: argparse.Namespace) -> int:
    settings = _settings(args.config)
    role = Role.OPERATOR if args.ipwl else Role(args.role)

    valid_until = None
    if args.valid_until is not None:
        try:
            valid_until = dt.date.fromisoformat(args.valid_until)
        except ValueError:
            raise CliError(f"--valid-until {args.valid_until}: a date as 2027-06-30") from None

    async def go(services: Services) -> int:
        invite = await services.onboarding.create_invite(
            role, ipwl_code=args.ipwl, team_code=args.team, grant_valid_until=valid_until
        )
        username = settings.telegram.bot_username or "<bot_username>"
        print(f"https://t.me/{username}?start={invite.token}")
        print(f"token: {invite.token}")
        print(f"role: {role.value}; valid until {invite.expires_at:%Y-%m-%d %H:%M} UTC; single use")
        if invite.grant_valid_until is not None:
            print(f"the role it grants lapses at the end of {invite.grant_valid_until:%Y-%m-%d} (centre time)")
        if not settings.telegram.bot_username:
            print("(set [telegram] bot_username in the config to print the full link)")
        return 0

    return asyncio.run(_with_services(settings, go))


def cmd_teams(args: argparse.Namespace) -> int:
    settings = _settings(args.config)

    async def go(services: Services) -> int:
        if args.teams_command == "add":
            team = await services.onboarding.create_team(args.code, args.name)
            print(f"team {team.code} created: {team.name}")
            return 0
        teams = await services.onboarding.teams()
        if not teams:
            print("no PIC teams yet; add one with: atensi-bot admin teams add TIM1 'Tim PIC 1'")
        for team, count in teams:
            group = "group bound" if team.group_chat_id else "no group yet"
            print(f"{team.code:<10} {team.name:<30} {count:>3} IPWL  ({group})")
        return 0

    return asyncio.run(_with_services(settings, go))


def cmd_ceiling(args: argparse.Namespace) -> int:
    """``admin ceiling [show] YEAR`` / ``admin ceiling set YEAR AMOUNT [--component N]`` (audited)."""
    settings = _settings(args.config)
    component = WHOLE_YEAR
    if args.component is not None:
        found = parse_component(args.component)
        if found is None or found == WHOLE_YEAR:
            raise CliError(f"--component {args.component}: an ATENSI component, 1 to 7")
        component = found
    amount = None
    if args.ceiling_command == "set":
        if args.amount is None:
            raise CliError("ceiling set YEAR AMOUNT: the amount in rupiah, e.g. 5000000000 or 'Rp 5.000.000.000'")
        try:
            amount = parse_money(args.amount, field="ceiling", absurd=MAX_CEILING)
        except ValidationError as error:
            problem = error.problems[0]
            raise CliError(f"{args.amount}: " + problem.message.format(**problem.params)) from None

    async def go(services: Services) -> int:
        if amount is not None:
            change = await services.budget.set_ceiling(None, args.year, component, amount)
            before = "none" if change.before is None else format_money(change.before)
            print(f"ceiling {args.year} {component or 'whole year'}: {before} -> {format_money(change.after)}")
            position = change.position
        else:
            position = await services.budget.ceilings(args.year)
        if not position.ceilings:
            print(f"no ceiling set for {position.year}")
        for ceiling in position.ceilings:
            committed = position.committed_to(ceiling.component)
            print(
                f"{position.year} {ceiling.component or 'whole year':<10} ceiling {format_money(ceiling.amount):>20}"
                f"  committed {format_money(committed):>20}  remaining {format_money(ceiling.amount - committed):>20}"
            )
        return 0

    return asyncio.run(_with_services(settings, go))


def cmd_backup(args: argparse.Namespace) -> int:
    settings = _settings(args.config)

    async def go(services: Services) -> int:
        target: Path = args.path
        if target.exists():  # noqa: ASYNC240 – the command line's own loop: nothing else waits on it
            raise CliError(f"{target}: already exists; choose a new file name")
        made = await make_backup(services.storage, settings, target, services.clock.now())
        await services.backups.record_cli_backup(target)  # audited like /cadangan
        print(
            f"backup written and verified: {target} ({made.size / 1024 / 1024:.1f} MB, the database and "
            f"{made.files} stored file(s))"
        )
        if made.missing_files:
            print(f"warning: {made.missing_files} file(s) the records name were not in {settings.storage.files_dir}")
        if made.restore:
            print(
                f"to restore it (bot stopped): {made.restore}; put its files/ back as {settings.storage.files_dir}; "
                "then atensi-bot db apply-erasures"
            )
        else:
            print(f"to restore it: stop the bot, then atensi-bot db restore {target}")
        return 0

    return asyncio.run(_with_services(settings, go))


# --- keys ------------------------------------------------------------------------------------------


def _key_file(settings: Settings, given: Path | None) -> Path:
    import os

    from storage.sealing import ENV_FILE

    path = given or (Path(os.environ[ENV_FILE]) if os.environ.get(ENV_FILE) else None) or settings.storage.key_file
    if path is None:
        raise CliError(
            "say where the key file goes: --file PATH (then set ATENSI_KEY_FILE=PATH or [storage] key_file),"
            " somewhere the database's backups do not go"
        )
    return path


def cmd_keys(args: argparse.Namespace) -> int:
    from storage.key_rotation import key_usage, retire_key, rotate

    settings = _settings(args.config)
    if args.keys_command == "new":
        path = _key_file(settings, args.file)
        if path.exists():
            keys = Keyring.load(path)
            kid = keys.add_key()
            keys.save()
            print(
                f"{path}: new key {kid}, now the current one (values sealed from now on use it; a running bot"
                " picks it up within a second). Re-seal what is sealed under the older keys "
                "with: atensi-bot keys rotate"
            )
        else:
            keys = Keyring.load_or_create(path)
            print(
                f"{path}: a new key file (data key {keys.current} and the blind-index key), readable by its owner only."
                " Back it up now, apart from the database and its backups: without it the data cannot be read."
            )
        return 0
    if args.keys_command == "retire" and not args.key_id:
        raise CliError("keys retire needs the key id: atensi-bot keys retire k0001 (see atensi-bot keys status)")
    found = _keys(settings)
    if found is None:
        raise CliError("no key file: set ATENSI_KEY_FILE (or [storage] key_file), or make one with atensi-bot keys new")
    keys = found
    files_root = Path(settings.storage.files_dir)

    async def go() -> int:
        storage = await Storage.open(settings.storage.target, pool_size=2, keys=keys)
        try:
            if args.keys_command == "rotate":

                def progress(what: str, done: int, total: int) -> None:
                    print(f"{what}: {done}/{total}", flush=True)

                report = await rotate(storage.db, keys, files_root=files_root, batch=args.batch, progress=progress)
                rows = sum(report.rows.values())
                print(
                    f"everything is sealed under {report.key_id}: {rows} value row(s) and {report.files} file(s)"
                    f" re-sealed{' (resumed where the last rotation stopped)' if report.resumed else ''}"
                )
            elif args.keys_command == "retire":
                await retire_key(storage.db, keys, args.key_id, files_root)
                print(f"{args.key_id} retired: nothing used it; its key material is gone from {keys.path}")
            else:
                usage = await key_usage(storage.db, files_root)
                print(f"key file: {keys.path or 'ATENSI_KEYS'}; current key {keys.current}")
                for kid in keys.usable:
                    print(
                        f"  {kid}: {usage.get(kid, 0)} value(s)/file(s){'  (current)' if kid == keys.current else ''}"
                    )
                for kid, count in sorted(usage.items()):
                    if kid not in keys.usable:
                        print(f"  {kid}: {count} — not in the key file")
        finally:
            await storage.close()
        return 0

    return asyncio.run(go())


# --- parser ----------------------------------------------------------------------------------------


def _port(text: str) -> int:
    if not text.isdigit() or not 0 <= int(text) <= 65535:
        raise argparse.ArgumentTypeError("a port is a number from 0 to 65535 (0: any free port)")
    return int(text)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="atensi-bot", description="ATENSI partnership bot")
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--config", type=Path, default=None, help=f"TOML settings file (default: {DEFAULT_CONFIG} if present)"
    )
    sub = parser.add_subparsers(dest="command", required=True)

    run = sub.add_parser(
        "run", parents=[common], help="run the bot (long polling); without a token, the offline sandbox"
    )
    run.add_argument(
        "--webhook",
        action="store_true",
        help="one process serving the webhook: intake, worker and leader ([webhook] settings)",
    )
    run.add_argument("--register", action="store_true", help="with --webhook: setWebhook at start")
    run.set_defaults(func=cmd_run)
    webhook = sub.add_parser(
        "webhook",
        parents=[common],
        help="serve the webhook endpoint: store each update Telegram posts (PostgreSQL; "
        "any number of these behind the HTTPS proxy)",
    )
    webhook.add_argument(
        "--register",
        action="store_true",
        help="setWebhook at start ([webhook] url, secret, allowed_updates, max_connections)",
    )
    webhook.add_argument("--delete", action="store_true", help="deleteWebhook, then exit")
    webhook.set_defaults(func=cmd_webhook)
    sub.add_parser(
        "worker",
        parents=[common],
        help="handle the stored updates, one chat at a time; one worker also leads (outbox, "
        "repeating jobs) (PostgreSQL; any number of these)",
    ).set_defaults(func=cmd_worker)
    sandbox = sub.add_parser(
        "sandbox", parents=[common], help="try the bot without Telegram: demo data and a web chat on 127.0.0.1"
    )
    sandbox.add_argument("--port", type=_port, default=None, help="web chat port (default: [sandbox] port, 8080)")
    sandbox.set_defaults(func=cmd_sandbox)

    db = sub.add_parser(
        "db",
        parents=[common],
        help="database migrations, restoring a backup, copying a centre to PostgreSQL",
        description="migrate: apply pending migrations. status: list them. restore BACKUP: put a "
        "backup archive (from /cadangan or admin backup) in place of the database and "
        "the file store — with the bot stopped; the current files are moved aside, "
        "never deleted, and clients erased since the backup are erased again. "
        "apply-erasures: erase again the clients of the erasure ledger (after a "
        "PostgreSQL dump was restored with pg_restore). "
        "copy --from URL --to URL: copy a centre into an empty PostgreSQL database.",
    )
    db.add_argument("db_command", choices=["migrate", "status", "restore", "apply-erasures", "copy"])
    db.add_argument("backup", nargs="?", type=Path, default=None, help="the backup archive (restore only)")
    db.add_argument(
        "--from",
        dest="source",
        metavar="URL",
        help="copy: the database to read (default: the configured one), sqlite:///… or postgresql://…",
    )
    db.add_argument("--to", dest="target", metavar="URL", help="copy: an empty PostgreSQL database, postgresql://…")
    db.set_defaults(func=cmd_db)

    keys = sub.add_parser(
        "keys",
        parents=[common],
        help="the keys sealing the clients' personal data",
        description="new: make the key file (or add a data key to it, made current). rotate: "
        "re-seal every value and file under the current key, in batches, while the "
        "bot runs; stopped, it resumes where it was. retire KEY: forget a key nothing "
        "uses any more. status: which keys seal how much.",
    )
    keys.add_argument("keys_command", choices=["new", "rotate", "retire", "status"])
    keys.add_argument("key_id", nargs="?", help="retire: the key id (e.g. k0001)")
    keys.add_argument("--file", type=Path, default=None, help="new: where the key file is (default: ATENSI_KEY_FILE)")
    keys.add_argument("--batch", type=int, default=500, help="rotate: rows per transaction (default 500)")
    keys.set_defaults(func=cmd_keys)

    admin = sub.add_parser("admin", help="registry and maintenance")
    admin_sub = admin.add_subparsers(dest="admin_command", required=True)

    imp = admin_sub.add_parser("import-ipwl", parents=[common], help="import IPWL from a CSV file")
    imp.add_argument("file", type=Path)
    imp.set_defaults(func=cmd_import_ipwl)

    inv = admin_sub.add_parser("invite", parents=[common], help="create a single-use invite link")
    target = inv.add_mutually_exclusive_group(required=True)
    target.add_argument("--ipwl", metavar="CODE", help="an operator invite for this IPWL")
    target.add_argument("--role", choices=["pic", "finance", "head", "admin", "auditor", "complaint_officer"])
    inv.add_argument("--team", metavar="CODE", help="the PIC team (with --role pic)")
    inv.add_argument(
        "--valid-until", metavar="DATE", help="the role lapses after this day (2027-06-30); default: until revoked"
    )
    inv.set_defaults(func=cmd_invite)

    teams = admin_sub.add_parser("teams", parents=[common], help="list or add PIC teams")
    teams_sub = teams.add_subparsers(dest="teams_command")
    teams_sub.add_parser("list", parents=[common])
    add = teams_sub.add_parser("add", parents=[common])
    add.add_argument("code")
    add.add_argument("name")
    teams.set_defaults(func=cmd_teams, teams_command="list")

    ceiling = admin_sub.add_parser(
        "ceiling", parents=[common], help="the year's budget ceiling (pagu): show it, or set it (audited)"
    )
    ceiling.add_argument("ceiling_command", choices=["show", "set"])
    ceiling.add_argument("year", type=int)
    ceiling.add_argument("amount", nargs="?", help="with set: rupiah, e.g. 5000000000 or 'Rp 5.000.000.000'")
    ceiling.add_argument("--component", metavar="N", help="one ATENSI component (1-7); default: the whole year")
    ceiling.set_defaults(func=cmd_ceiling)

    audit = sub.add_parser("audit", parents=[common], help="check the audit trail's hash chain")
    audit.add_argument("audit_command", choices=["verify"])
    audit.add_argument(
        "--mirror", type=Path, default=None, help="the JSON-lines mirror to compare with (default: [audit] mirror)"
    )
    audit.set_defaults(func=cmd_audit)

    backup = admin_sub.add_parser(
        "backup",
        parents=[common],
        help="one verified archive of the database and the file store, while the bot "
        "runs (restore it with: db restore PATH)",
    )
    backup.add_argument("path", type=Path)
    backup.set_defaults(func=cmd_backup)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.command == "admin" and args.admin_command == "invite" and args.role == "pic" and not args.team:
        print("atensi-bot: a PIC invite needs --team CODE", file=sys.stderr)
        return EXIT_USAGE
    try:
        return int(args.func(args))
    except ConfigError as exc:
        print(f"atensi-bot: {exc}", file=sys.stderr)
    except ServiceError as exc:
        print(f"atensi-bot: {exc.message.format(**exc.params)}", file=sys.stderr)
    except CliError as exc:
        print(f"atensi-bot: {exc}", file=sys.stderr)
    except KeyringError as exc:
        print(f"atensi-bot: {exc}", file=sys.stderr)
    return EXIT_USAGE


if __name__ == "__main__":
    sys.exit(main())
