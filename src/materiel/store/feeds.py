"""What `materiel watch` remembers in the ledger (tables of migration 0008_feeds): per feed its
ETag / Last-Modified and last poll, per entry the URL fetched and the article it gave."""

from __future__ import annotations

from typing import Iterable

from .sqlite import Store, utc_now


def validators(store: Store, feed: str) -> tuple[str | None, str | None]:
    """(ETag, Last-Modified) the feed sent when last read whole, for a conditional request."""
    row = store.conn.execute("SELECT etag, last_modified FROM feeds WHERE url = ?", (feed,)).fetchone()
    return (row[0], row[1]) if row else (None, None)


def unseen(store: Store, links: Iterable[str]) -> list[str]:
    """The links not fetched before (from any feed), in the order given."""
    seen = store.conn.execute
    return [link for link in links if seen("SELECT 1 FROM feed_entries WHERE url = ?", (link,)).fetchone() is None]


def mark_seen(store: Store, feed: str, entries: Iterable[tuple[str, str | None]]) -> None:
    """Record entries (link, content id of the article stored, or None) as fetched, in one transaction."""
    now = utc_now()
    with store.transaction():
        store.conn.executemany(
            "INSERT INTO feed_entries(url, feed_url, content_id, seen_at) VALUES (?, ?, ?, ?)"
            " ON CONFLICT(url) DO UPDATE SET content_id = coalesce(excluded.content_id, content_id)",
            [(link, feed, content_id, now) for link, content_id in entries])


def record_poll(store: Store, feed: str, status: str, etag: str | None = None,
                last_modified: str | None = None, keep_validators: bool = True) -> None:
    """Note a poll of `feed`: its outcome and, when `keep_validators`, the validators to send next time
    (left out after a poll that missed entries, so the next one reads the feed whole again)."""
    with store.transaction():
        store.conn.execute(
            "INSERT INTO feeds(url, etag, last_modified, last_polled, last_status) VALUES (?, ?, ?, ?, ?)"
            " ON CONFLICT(url) DO UPDATE SET last_polled = excluded.last_polled, last_status = excluded.last_status,"
            " etag = CASE WHEN ? THEN excluded.etag ELSE NULL END,"
            " last_modified = CASE WHEN ? THEN excluded.last_modified ELSE NULL END",
            (feed, etag if keep_validators else None, last_modified if keep_validators else None, utc_now(), status,
             keep_validators, keep_validators))
