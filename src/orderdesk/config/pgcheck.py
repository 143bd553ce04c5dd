"""Exit 0 when the PostgreSQL server of a database URL answers (used by `make test`)."""

import sys

import psycopg
from dj_database_url import parse


def main(url: str) -> int:
    config = parse(url)
    try:
        psycopg.connect(
            host=config["HOST"] or "127.0.0.1",
            port=config["PORT"] or 5432,
            user=config["USER"] or "postgres",
            password=config["PASSWORD"] or None,
            dbname="postgres",
            connect_timeout=3,
        ).close()
    except psycopg.Error:
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
