"""The journal: SQLite, one row per (content sha256, slot id), so every drop is prepared exactly once.

States are where the original stands: ``queued`` (handed to the batch; a killed run redoes it),
``done`` (written; the original goes to originals/), ``needs-review`` (written but held back by a
rule), ``failed`` (no output). WAL and one transaction per outcome: a ``kill -9`` at any moment
leaves either the old or the new state.
"""
from __future__ import annotations

import sqlite3
import time
import unicodedata
from datetime import datetime
from pathlib import Path
from typing import Iterable

from ..presets import Slot

QUEUED, DONE, FAILED_STATE, REVIEW = "queued", "done", "failed", "needs-review"


def fold(s: str) -> str:
    return unicodedata.normalize("NFC", s).casefold()


def stamp(t: float | None = None) -> str:
    return datetime.fromtimestamp(t if t is not None else time.time()).strftime("%Y-%m-%d %H:%M:%S")


class Journal:
    SCHEMA = """
    CREATE TABLE IF NOT EXISTS files (
        hash TEXT NOT NULL, slot TEXT NOT NULL, state TEXT NOT NULL,
        source TEXT NOT NULL, name TEXT NOT NULL, drop_folder TEXT NOT NULL, stem TEXT NOT NULL,
        output TEXT, reason TEXT, moved_to TEXT, updated REAL NOT NULL,
        PRIMARY KEY (hash, slot));
    CREATE INDEX IF NOT EXISTS files_stem ON files (slot, stem);
    """

    def __init__(self, path: Path, readonly: bool = False):
        if readonly:
            self.db = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=10)
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            self.db = sqlite3.connect(path, timeout=10)
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute("PRAGMA synchronous=NORMAL")  # WAL + NORMAL survives a killed process
            self.db.executescript(self.SCHEMA)
        self.db.row_factory = sqlite3.Row

    def rows(self, digest: str) -> dict[str, sqlite3.Row]:
        return {r["slot"]: r for r in self.db.execute("SELECT * FROM files WHERE hash = ?", (digest,))}

    def stem_taken(self, stem: str) -> bool:
        """Is ``stem`` the name of any journaled drop (of any slot: originals/ is shared)?"""
        key = fold(stem)
        return any(fold(r[0]) == key for r in self.db.execute("SELECT DISTINCT stem FROM files"))

    def queue(self, digest: str, slots: Iterable[Slot], source: Path, drop: str, stem: str) -> None:
        with self.db:
            for s in slots:
                self.db.execute(
                    "INSERT INTO files (hash, slot, state, source, name, drop_folder, stem, updated) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (hash, slot) DO UPDATE SET state = excluded.state, "
                    "source = excluded.source, name = excluded.name, drop_folder = excluded.drop_folder, "
                    "stem = excluded.stem, reason = NULL, moved_to = NULL, updated = excluded.updated",
                    (digest, s.id, QUEUED, str(source), source.name, drop, stem, time.time()))

    def record(self, digest: str, outcomes: dict[str, tuple[str, str | None, str | None]]) -> None:
        """slot -> (state, output, reason), all in one transaction."""
        with self.db:
            for slot, (state, output, reason) in outcomes.items():
                self.db.execute("UPDATE files SET state = ?, output = ?, reason = ?, updated = ? "
                                "WHERE hash = ? AND slot = ?", (state, output, reason, time.time(), digest, slot))

    def moved(self, digest: str, dest: Path) -> None:
        with self.db:
            self.db.execute("UPDATE files SET moved_to = ?, updated = ? WHERE hash = ?", (str(dest), time.time(), digest))

    def status(self) -> dict:
        rows = [dict(r) for r in self.db.execute("SELECT * FROM files ORDER BY updated")]
        out: dict = empty_status()
        for r in rows:
            out["counts"][r["state"]] = out["counts"].get(r["state"], 0) + 1
            out.setdefault(r["state"], []).append(
                {"name": r["name"], "drop": r["drop_folder"], "slot": r["slot"], "hash": r["hash"][:12],
                 "output": r["output"], "reason": r["reason"], "moved_to": r["moved_to"],
                 "updated": stamp(r["updated"])})
        return out

    def close(self) -> None:
        self.db.close()


def empty_status() -> dict:
    return {"counts": {}, QUEUED: [], DONE: [], FAILED_STATE: [], REVIEW: []}
