"""Serves chosen files of npm packages (pinned by package-lock.json) as static files.

Pointing STATICFILES_DIRS at whole ``dist`` folders would publish and compress ~50 MB of
ECharts builds we never load; this finder exposes exactly the files in ``VENDOR_FILES``.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.staticfiles.finders import BaseFinder
from django.core.checks import CheckMessage, Error
from django.core.files.storage import FileSystemStorage

# URL path under STATIC_URL -> path inside node_modules
VENDOR_FILES = {
    "vendor/htmx/htmx.min.js": "htmx.org/dist/htmx.min.js",
    "vendor/echarts/echarts.min.js": "echarts/dist/echarts.min.js",
}


class VendorFinder(BaseFinder):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self.root = Path(settings.NODE_MODULES)

    def check(self, **kwargs: Any) -> list[CheckMessage]:
        missing = [
            name for name, source in VENDOR_FILES.items() if not (self.root / source).exists()
        ]
        if missing:
            return [
                Error(
                    f"Front-end files missing: {', '.join(missing)}",
                    hint="Run `make install` (npm ci) to fetch them.",
                    id="orderdesk.E001",
                )
            ]
        return []

    def find(self, path: str, find_all: bool = False, **kwargs: Any) -> Any:
        source = VENDOR_FILES.get(path)
        if source is None or not (self.root / source).exists():
            return [] if find_all else None
        found = str(self.root / source)
        return [found] if find_all else found

    def list(self, ignore_patterns: Any) -> Iterator[tuple[str, Any]]:
        for name, source in VENDOR_FILES.items():
            path = self.root / source
            if path.exists():
                storage = FileSystemStorage(location=str(path.parent))
                # collectstatic publishes a listed file at storage.prefix + its path.
                storage.prefix = str(Path(name).parent)  # type: ignore[attr-defined]
                yield path.name, storage
