"""The widget's own words in each language it speaks, and the settings as widgets get them.

English lives in the widget itself (each string is written where it is used); other
languages travel with the widget's settings, so the bundle stays small and a language
change reaches open widgets with the rest of the settings. A site either fixes the
language or lets each visitor's browser choose (``auto``, its preferred languages in order).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from server.domain import WidgetSettings
from server.services.console.widget_words import WORDS

LANGUAGES = {
    "en": "English",
    "de": "Deutsch",
    "fr": "Français",
    "es": "Español",
    "pt": "Português",
    "it": "Italiano",
    "nl": "Nederlands",
}

# What the owner's console offers: the visitor's browser, or one language for everyone.
LANGUAGE_CHOICES = {"auto": "The visitor's browser", **LANGUAGES}

# Every phrase the widget writes, in English; server/services/console/widget_words.py has the rest.
ENGLISH = tuple(WORDS)

STRINGS: dict[str, dict[str, Any]] = {
    lang: {english: words[lang] for english, words in WORDS.items()}
    for lang in LANGUAGES
    if lang != "en"
}

# What a new site says until the owner writes their own words.
DEFAULT_TEXTS: dict[str, dict[str, str]] = {
    "en": {
        "greeting": WidgetSettings().greeting,
        "offline_message": WidgetSettings().offline_message,
    },
    "de": {
        "greeting": "Hallo! Wie können wir helfen?",
        "offline_message": "Wir sind gerade nicht da. Schreib uns, wir melden uns bald.",
    },
    "fr": {
        "greeting": "Bonjour ! Comment pouvons-nous vous aider ?",
        "offline_message": "Nous sommes absents. Laissez un message, nous vous répondrons vite.",
    },
    "es": {
        "greeting": "¡Hola! ¿En qué podemos ayudarte?",
        "offline_message": "Ahora no estamos. Déjanos un mensaje y te responderemos pronto.",
    },
    "pt": {
        "greeting": "Olá! Como podemos ajudar?",
        "offline_message": "Estamos ausentes agora. Deixe uma mensagem e responderemos em breve.",
    },
    "it": {
        "greeting": "Ciao! Come possiamo aiutarti?",
        "offline_message": "Ora non ci siamo. Lasciaci un messaggio e ti risponderemo presto.",
    },
    "nl": {
        "greeting": "Hallo! Waarmee kunnen we helpen?",
        "offline_message": "We zijn er nu niet. Laat een bericht achter, dan reageren we snel.",
    },
}


def browser_language(accepted: Sequence[str]) -> str:
    """The first of the browser's languages (``de-AT``, ``pt``…) the widget speaks, or English."""
    for tag in accepted:
        primary = tag.split("-", 1)[0].lower()
        if primary in LANGUAGES:
            return primary
    return "en"


def widget_language(widget: WidgetSettings, accepted: Sequence[str]) -> str:
    """The site's language, or with ``auto`` the visitor's."""
    return widget.language if widget.language in LANGUAGES else browser_language(accepted)


def _in_language(text: str, field: str, language: str) -> str:
    """A greeting or away message still at some language's default, in ``language``'s."""
    if any(text == defaults[field] for defaults in DEFAULT_TEXTS.values()):
        return DEFAULT_TEXTS[language][field]
    return text


def widget_wire(widget: WidgetSettings, accepted: Sequence[str] = ()) -> dict[str, Any]:
    """The settings as a widget whose browser prefers ``accepted`` receives them: ``language``
    is the one it speaks, with its words when not English."""
    wire = widget.to_dict()
    language = widget_language(widget, accepted)
    wire["language"] = language
    for field in ("greeting", "offline_message"):
        wire[field] = _in_language(wire[field], field, language)
    if language in STRINGS:
        wire["strings"] = STRINGS[language]
    return wire
