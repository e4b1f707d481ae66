"""E-mail bodies from Jinja templates in server/templates/mail: ``<name>.txt`` for the
plain-text part and ``<name>.html`` for the HTML one (autoescaped: visitors' and agents'
words end up in these)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import jinja2

TEMPLATES_DIR = Path(__file__).resolve().parents[2] / "templates" / "mail"


class MailTemplates:
    def __init__(self, directory: Path = TEMPLATES_DIR) -> None:
        self._env = jinja2.Environment(
            loader=jinja2.FileSystemLoader(directory),
            autoescape=jinja2.select_autoescape(["html"], default_for_string=False),
            undefined=jinja2.StrictUndefined,  # a missing value is a bug, not an empty line
            keep_trailing_newline=True,
        )

    def render(self, name: str, **context: Any) -> tuple[str, str]:
        """The plain-text and the HTML body of template ``name``."""
        text = self._env.get_template(f"{name}.txt").render(**context)
        html = self._env.get_template(f"{name}.html").render(**context)
        return text, html
