"""Several bot processes on PostgreSQL: the webhook intake (this package) stores what Telegram
POSTs; workers (``handlers/inbox_worker.py``) handle it; one leader (``handlers/leadership.py``)
sends the outbox and runs the repeating jobs. See the README's "National deployment"."""
