"""Settings: a TOML file validated by pydantic, with environment overrides.

Every key is documented in ``config.example.toml``. Unknown keys are errors (``extra="forbid"``):
a typo in a key name must not silently fall back to a default. The bot token is a ``SecretStr``
so it never appears in a repr, a log line or an error message.
"""

from __future__ import annotations

import datetime as dt
import os
import tomllib
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError, field_validator, model_validator

ENV_PREFIX = "ATENSI_"
TOKEN_ENV = "ATENSI_BOT_TOKEN"


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class TelegramSettings(_Section):
    token: SecretStr = SecretStr("")
    base_url: str = "https://api.telegram.org/bot"
    base_file_url: str = "https://api.telegram.org/file/bot"
    # Used to print invite links (https://t.me/<bot_username>?start=<token>) from the CLI.
    bot_username: str = ""
    # Long-polling timeout in seconds (getUpdates ``timeout``).
    poll_timeout: int = Field(default=30, ge=0, le=50)

    @property
    def has_token(self) -> bool:
        return bool(self.token.get_secret_value().strip())


class StorageSettings(_Section):
    # The database: ``sqlite:///path/atensi.sqlite3`` or ``postgresql://user@host/db`` (a unix
    # socket: ``postgresql://user@/db?host=/run/postgresql``). Without it, the SQLite file ``database``.
    url: str | None = None
    database: Path = Path("atensi.sqlite3")
    # Connections the bot keeps open to PostgreSQL (units of work run side by side on them);
    # SQLite always has one connection with one writer at a time.
    pool_size: int = Field(default=10, ge=1, le=200)
    files_dir: Path = Path("files")
    # The erasure ledger (which client records were erased; no personal data), kept outside the
    # database so that `atensi-bot db restore` can erase them again in an older backup.
    # Default: beside the database, <database>.erasures.jsonl (and its key, ….key).
    erasure_ledger: Path | None = None
    # The key file sealing the clients' personal data (storage/sealing.py): only its path, never a
    # key. ATENSI_KEY_FILE (a path) or ATENSI_KEYS (the file's content) take precedence. Keep it
    # apart from the database and its backups (README: "Keys").
    key_file: Path | None = None

    @field_validator("url")
    @classmethod
    def _known_url(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith(("sqlite:///", "postgresql://", "postgres://")):
            raise ValueError("must start with sqlite:/// or postgresql://")
        return value

    @property
    def target(self) -> str:
        """The database URL in force (``url``, else the SQLite file ``database``)."""
        return self.url or "sqlite:///" + str(self.database)

    @property
    def engine(self) -> str:
        return "postgresql" if self.target.startswith(("postgresql://", "postgres://")) else "sqlite"


class LocaleSettings(_Section):
    default: str = "id"
    timezone: str = "Asia/Jakarta"

    @field_validator("default")
    @classmethod
    def _known_locale(cls, value: str) -> str:
        if value not in ("id", "en"):
            raise ValueError("must be 'id' or 'en'")
        return value

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError("must be an IANA time zone such as 'Asia/Jakarta'") from None
        return value


class ProgramSettings(_Section):
    centre_name: str = "BRSKPN Galih Pakuan Bogor"
    # The regulation has changed twice since 2020: keep its name and number here, not in code.
    regulation_name: str = "Peraturan Menteri Sosial tentang Asistensi Rehabilitasi Sosial"
    regulation_number: str = "Nomor 7 Tahun 2021"
    yearly_target: int = Field(default=4700, ge=1)


class AccessSettings(_Section):
    # Telegram user ids that are admins from the first start, before any invite exists.
    admin_user_ids: list[int] = Field(default_factory=list)
    invite_ttl_hours: int = Field(default=72, ge=1, le=24 * 60)


class WorkflowSettings(_Section):
    # Four-eyes: the PIC who validates must not be the one who verified, and nobody decides as
    # staff on a proposal of an IPWL they also operate (bot/domain/workflow.py).
    four_eyes: bool = True


class IntakeSettings(_Section):
    # Highest unit cost (Rupiah) a budget line may have, per ATENSI component "1".."7".
    unit_cost_ceilings: dict[str, int] = Field(
        default_factory=lambda: {
            "1": 3_000_000,
            "2": 5_000_000,
            "3": 2_500_000,
            "4": 5_000_000,
            "5": 7_500_000,
            "6": 5_000_000,
            "7": 2_500_000,
        }
    )
    max_clients: int = Field(default=500, ge=1, le=5000)
    # The public Bot API lets a bot download files up to 20 MB.
    max_file_mb: int = Field(default=20, ge=1, le=2000)
    accepted_mime_types: list[str] = Field(
        default_factory=lambda: [
            "application/pdf",
            "image/jpeg",
            "image/png",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            "text/csv",
        ]
    )

    @field_validator("unit_cost_ceilings")
    @classmethod
    def _seven_components(cls, value: dict[str, int]) -> dict[str, int]:
        unknown = sorted(set(value) - {str(n) for n in range(1, 8)})
        if unknown:
            raise ValueError(f"components are '1'..'7', not {', '.join(unknown)}")
        if any(v < 0 for v in value.values()):
            raise ValueError("ceilings are whole Rupiah amounts, 0 or more")
        return value


class DeliverySettings(_Section):
    """The outbox sender (notifications to Telegram)."""

    # A claimed outbox row is this process's for this long. After a crash, the rows it held are
    # sent again once their lease ends, so a shorter lease recovers sooner; it must stay longer
    # than a row's worst wait in the sender's queues (150 rows, 3 s each in a busy group) when
    # several bot instances share one database, or two of them could send the same row.
    lease_seconds: int = Field(default=600, ge=1, le=24 * 3600)


class RegionsSettings(_Section):
    # A CSV of regencies (code,province_code,name) in Kemendagri codes; empty = free text.
    regencies_file: Path | None = None


class SandboxSettings(_Section):
    """The offline sandbox (``atensi-bot sandbox``, or ``run`` without a token)."""

    # The web chat listens on 127.0.0.1 only: it has no login and shows everyone's chats.
    port: int = Field(default=8080, ge=0, le=65535)
    # The sandbox's own SQLite file, recreated with demo data at every start and reset.
    # None: ``atensi-sandbox/sandbox-<port>.sqlite3`` in the system's temporary directory.
    database: Path | None = None


class PaymentsSettings(_Section):
    # Days after the transfer by which the IPWL submits its accountability report (LPJ).
    lpj_due_days: int = Field(default=30, ge=1, le=365)
    # The SK number register: {n} the yearly counter, {month} the Roman month, {year} of the SK date.
    # The same pattern reads a typed SK number (bot/domain/official_numbers.py): a number of another
    # form, or followed by anything but its date, is refused.
    sk_number_format: str = "SK-{n:03d}/BRSKPN-GP/{month}/{year}"
    # How the payment request (SPP) and payment order (SPM) numbers are written, read the same way.
    spp_number_format: str = "{n:05d}/SPP/{month}/{year}"
    spm_number_format: str = "{n:05d}/SPM/{month}/{year}"

    @field_validator("sk_number_format", "spp_number_format", "spm_number_format")
    @classmethod
    def _has_counter(cls, value: str) -> str:
        try:
            value.format(n=1, month="XI", year=2026)
        except (KeyError, IndexError, ValueError):
            raise ValueError("use only the placeholders {n}, {month} and {year}") from None
        if "{n" not in value:
            raise ValueError("must contain the counter {n}")
        return value


class AdminSettings(_Section):
    """Registry, broadcasts, reports, exports, personal-data requests and backups from chat."""

    # The IPWL registry warns this many days before a PKS lapses (new proposals stop after it).
    pks_warning_days: int = Field(default=30, ge=0, le=365)
    # How often (seconds) the bot looks for broadcasts whose every message is settled, to report.
    broadcast_check_seconds: float = Field(default=10.0, gt=0, le=3600)
    # The monthly report goes to the head of centre on the 1st (centre time) from this hour on.
    monthly_report: bool = True
    monthly_report_hour: int = Field(default=8, ge=0, le=23)
    # /cadangan: where backups go, how many are kept, and whether the file is also sent in chat
    # (it holds every client's personal data: off unless the centre decides otherwise).
    backups_dir: Path = Path("backups")
    backups_keep: int = Field(default=14, ge=1, le=1000)
    backup_send_in_chat: bool = False
    # Client data of a closed proposal may be anonymized on request after this many years.
    retention_years: int = Field(default=5, ge=0, le=30)
    # The retention job (issue 17.7): every retention_check_hours it anonymizes the clients of
    # proposals closed more than retention_years ago (and clients whose withdrawn consent the rule
    # now lets go). The admins are told which proposals first; the erasure follows
    # retention_notice_days later.
    retention_job: bool = True
    retention_check_hours: int = Field(default=24, ge=1, le=24 * 31)
    retention_notice_days: int = Field(default=7, ge=0, le=90)
    # Complaints (issue 16.5): the same job erases a closed complaint's personal data (who filed it,
    # what it says, the outcome, the officers' notes, the files) this many years after it was
    # closed, announced to the admins retention_notice_days before. Five, as a closed proposal's.
    complaint_retention_years: int = Field(default=5, ge=0, le=30)


class LpjSettings(_Section):
    """The accountability report (LPJ): evidence rules that follow the law, not the code."""

    # Receipts (kuitansi) above this amount must bear a stamp duty seal (meterai); UU 10/2020.
    meterai_above: int = Field(default=5_000_000, ge=0)
    # The seal's face value, shown to operators ("Rp10.000").
    meterai_amount: int = Field(default=10_000, ge=0)
    # Refuse to submit while the receipts add up to less than the money spent.
    receipts_cover_realization: bool = True


class ReminderSettings(_Section):
    """The reminder job: when it runs, when people may be reminded, and of what."""

    enabled: bool = True
    # How often the job asks "what is due now?" (minutes), and the delay of its first run after start.
    interval_minutes: int = Field(default=15, ge=1, le=24 * 60)
    first_run_seconds: int = Field(default=60, ge=0, le=24 * 3600)
    # Working hours in the RECIPIENT's own zone (WIB/WITA/WIT), Monday to Friday.
    work_start: dt.time = dt.time(8, 0)
    work_end: dt.time = dt.time(16, 0)
    # Public holidays (no reminders anywhere that day), e.g. ["2026-12-25"].
    holidays: list[dt.date] = Field(default_factory=list)
    # The morning digest (one message per PIC group, finance and head) goes out from this time.
    digest_at: dt.time = dt.time(8, 0)
    # LPJ due: these many days before the due date, on the day, then every N days while overdue.
    lpj_due_days_before: list[int] = Field(default_factory=lambda: [7, 3, 1])
    lpj_overdue_every_days: int = Field(default=3, ge=1, le=90)
    # Returned proposals / LPJ not yet resubmitted, bank accounts missing after the SK: every N days.
    returned_after_days: int = Field(default=3, ge=1, le=90)
    accounts_missing_after_days: int = Field(default=5, ge=1, le=90)
    # Transfer results still missing this many working days after the SP2D: finance is reminded
    # (again every as many working days, until every transfer is recorded).
    transfer_results_after_working_days: int = Field(default=3, ge=1, le=60)
    # Drafts untouched this long get one nudge.
    draft_idle_hours: int = Field(default=48, ge=1, le=24 * 90)
    # LPJ overdue this many days: the PIC group is told, then the head of centre.
    escalate_to_team_after_days: int = Field(default=7, ge=1, le=365)
    escalate_to_head_after_days: int = Field(default=14, ge=1, le=365)
    # Rows read per database round trip (the job never holds more than one page).
    page_size: int = Field(default=200, ge=1, le=10_000)

    @field_validator("lpj_due_days_before")
    @classmethod
    def _positive_days(cls, value: list[int]) -> list[int]:
        if any(d < 1 or d > 90 for d in value):
            raise ValueError("days before the due date are 1..90 (the day itself is always reminded)")
        return sorted(set(value), reverse=True)

    @model_validator(mode="after")
    def _hours_in_order(self) -> ReminderSettings:
        if self.work_start >= self.work_end:
            raise ValueError("work_start must be before work_end")
        return self


_SECRET_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-")


class WebhookSettings(_Section):
    """Several processes on PostgreSQL (``atensi-bot webhook`` / ``worker``, or ``run --webhook``)."""

    # Where the intake listens (HTTPS is the reverse proxy's job) and the path Telegram POSTs to.
    listen: str = "127.0.0.1"
    port: int = Field(default=8081, ge=0, le=65535)
    path: str = "/telegram/webhook"
    # The public HTTPS URL Telegram calls (the proxy's), for `webhook --register`.
    url: str = ""
    # Telegram sends it in X-Telegram-Bot-Api-Secret-Token; wrong or missing: 403, nothing stored.
    # 1–256 characters A-Z a-z 0-9 _ -. Prefer ATENSI_WEBHOOK__SECRET.
    secret: SecretStr = SecretStr("")
    max_connections: int = Field(default=40, ge=1, le=100)
    allowed_updates: list[str] = Field(
        default_factory=lambda: ["message", "edited_message", "callback_query", "my_chat_member"]
    )
    # A POSTed update larger than this is refused (413) — Telegram's are a few kilobytes.
    max_body_kb: int = Field(default=256, ge=1, le=10_240)
    # Workers: updates handled at once per worker (never two of one chat), how long a claim lives
    # (renewed while the update runs; a dead worker's claim expires and another takes it), and how
    # many claims an update gets before it is parked.
    concurrency: int = Field(default=8, ge=1, le=200)
    claim_seconds: float = Field(default=30.0, gt=0, le=3600)
    max_attempts: int = Field(default=5, ge=1, le=100)
    retry_seconds: float = Field(default=2.0, gt=0, le=3600)
    idle_poll_seconds: float = Field(default=2.0, gt=0, le=60)
    # How often a standby tries the leader lock, the leader checks its connection and writes its
    # heartbeat (db status), and each process logs one.
    leader_check_seconds: float = Field(default=1.0, gt=0, le=60)
    heartbeat_seconds: float = Field(default=30.0, gt=0, le=3600)

    @field_validator("path")
    @classmethod
    def _absolute_path(cls, value: str) -> str:
        if not value.startswith("/"):
            raise ValueError("the webhook path starts with /, e.g. /telegram/webhook")
        return value

    @field_validator("secret")
    @classmethod
    def _telegram_secret(cls, value: SecretStr) -> SecretStr:
        text = value.get_secret_value()
        if text and (len(text) > 256 or not set(text) <= _SECRET_CHARS):
            raise ValueError("the secret is 1-256 characters of A-Z, a-z, 0-9, _ and - (Telegram's rule)")
        return value


class PaymentCheckSettings(_Section):
    """Post-payment verification (issue 16.4): the share of a paid proposal's clients the PIC team
    phones ("did you receive Rp… in full?"), and the fewest per proposal."""

    enabled: bool = True
    share: float = Field(default=0.1, gt=0, le=1)
    minimum: int = Field(default=2, ge=1, le=100)
    # Calls that may fail to get through ("not reachable") before the check is recorded as such; each
    # earlier one keeps the check open and sends the card again the next working day.
    unreachable_attempts: int = Field(default=3, ge=1, le=10)


_COMPLAINT_CATEGORIES = (
    "levy",
    "not_received",
    "fraud",
    "data_leak",
    "harassment",
    "conflict",
    "service",
    "other",
)
# Categories added after the first release, with the days a configuration written before them gets.
_LATER_CATEGORIES = {"not_received": 3}


class ComplaintSettings(_Section):
    """Complaints (/pengaduan, issue 16.5): how soon a complaint officer must respond."""

    # Working days (Monday-Friday, minus [reminders] holidays) from filing to the officer's first
    # recorded action, per category; the sensitive ones are answered first.
    response_days: dict[str, int] = Field(
        default_factory=lambda: {
            "levy": 3,
            "not_received": 3,
            "fraud": 3,
            "data_leak": 2,
            "harassment": 2,
            "conflict": 5,
            "service": 5,
            "other": 10,
        }
    )
    # The officers are reminded this many working days before the deadline; once it has passed
    # without an action, the head of centre is told.
    remind_days_before: int = Field(default=1, ge=0, le=30)
    # How often the deadline job runs (minutes).
    interval_minutes: int = Field(default=15, ge=1, le=24 * 60)

    @field_validator("response_days")
    @classmethod
    def _every_category(cls, value: dict[str, int]) -> dict[str, int]:
        unknown = sorted(set(value) - set(_COMPLAINT_CATEGORIES))
        if unknown:
            raise ValueError(
                f"unknown complaint categories {unknown}; the categories are {list(_COMPLAINT_CATEGORIES)}"
            )
        if any(d < 1 or d > 60 for d in value.values()):
            raise ValueError("response days are 1..60 working days")
        value = {**{c: d for c, d in _LATER_CATEGORIES.items() if c not in value}, **value}
        missing = [c for c in _COMPLAINT_CATEGORIES if c not in value]
        if missing:
            raise ValueError(f"response_days needs every category; missing {missing}")
        return value


class AuditSettings(_Section):
    """The audit trail's safeguards (issue 17.8)."""

    # A JSON-lines copy of every sealed audit event (no personal data), appended outside the
    # database after each commit; `atensi-bot audit verify` compares the chain with it. Set here or
    # by ATENSI_AUDIT__MIRROR, never in the database, so a database compromise cannot switch it off.
    mirror: Path | None = None
    # Admins are reminded this many days before a grant with an expiry (valid_until) lapses.
    grant_expiry_warning_days: int = Field(default=7, ge=1, le=90)


class Settings(_Section):
    telegram: TelegramSettings = TelegramSettings()
    storage: StorageSettings = StorageSettings()
    locale: LocaleSettings = LocaleSettings()
    program: ProgramSettings = ProgramSettings()
    access: AccessSettings = AccessSettings()
    workflow: WorkflowSettings = WorkflowSettings()
    regions: RegionsSettings = RegionsSettings()
    intake: IntakeSettings = IntakeSettings()
    lpj: LpjSettings = LpjSettings()
    reminders: ReminderSettings = ReminderSettings()
    admin: AdminSettings = AdminSettings()
    payments: PaymentsSettings = PaymentsSettings()
    delivery: DeliverySettings = DeliverySettings()
    webhook: WebhookSettings = WebhookSettings()
    sandbox: SandboxSettings = SandboxSettings()
    audit: AuditSettings = AuditSettings()
    complaints: ComplaintSettings = ComplaintSettings()
    payment_checks: PaymentCheckSettings = PaymentCheckSettings()


class ConfigError(Exception):
    """A configuration problem, worded for the person who edits the file."""


def _env_overrides(environ: dict[str, str]) -> dict[str, dict[str, Any]]:
    """``ATENSI_BOT_TOKEN`` and ``ATENSI_<SECTION>__<KEY>`` (e.g. ``ATENSI_STORAGE__DATABASE``)."""
    overrides: dict[str, dict[str, Any]] = {}
    for name, value in environ.items():
        if name == TOKEN_ENV:
            overrides.setdefault("telegram", {})["token"] = value
        elif name.startswith(ENV_PREFIX) and "__" in name:
            section, _, key = name[len(ENV_PREFIX) :].lower().partition("__")
            if section in Settings.model_fields:
                raw: Any = value
                if key == "admin_user_ids":
                    raw = [part.strip() for part in value.split(",") if part.strip()]
                overrides.setdefault(section, {})[key] = raw
    return overrides


def _describe(error: ValidationError, source: str) -> str:
    lines = [f"{source}: invalid configuration"]
    for item in error.errors():
        key = ".".join(str(part) for part in item["loc"])
        if item["type"] == "extra_forbidden":
            lines.append(f"  - {key}: unknown key (see config.example.toml for the keys)")
        else:
            lines.append(f"  - {key}: {item['msg']}")
    return "\n".join(lines)


def load_settings(path: Path | None, *, environ: dict[str, str] | None = None) -> Settings:
    """Read settings from ``path`` (optional) and the environment; raise ConfigError on problems."""
    environ = dict(os.environ if environ is None else environ)
    data: dict[str, Any] = {}
    source = "environment"
    if path is not None:
        source = str(path)
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise ConfigError(f"{path}: file not found (copy config.example.toml to {path} and edit it)") from None
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"{path}: not valid TOML: {exc}") from None
        except (UnicodeDecodeError, OSError) as exc:
            raise ConfigError(f"{path}: cannot be read: {exc.__class__.__name__}") from None
    for section, values in _env_overrides(environ).items():
        current = data.get(section)
        if current is not None and not isinstance(current, dict):
            raise ConfigError(f"{source}: [{section}] must be a table")
        data[section] = {**(current or {}), **values}
    try:
        return Settings.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(_describe(exc, source)) from None
