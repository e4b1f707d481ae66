"""The widget's own words in each language it speaks, and the settings as widgets get them.

English lives in the widget itself (each string is written where it is used); other
languages travel with the widget's settings, so the bundle stays small and a language
change reaches open widgets with the rest of the settings.
"""

from __future__ import annotations

from typing import Any

from server.domain import WidgetSettings
from server.services.widget_words import WORDS

LANGUAGES = {
    "en": "English",
    "de": "Deutsch",
    "fr": "Français",
    "es": "Español",
    "pt": "Português",
    "it": "Italiano",
    "nl": "Nederlands",
}

# Every phrase the widget writes, in English; server/services/widget_words.py has the rest.
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


def widget_wire(widget: WidgetSettings) -> dict[str, Any]:
    """The settings as the widget receives them: with its words when not in English."""
    wire = widget.to_dict()
    strings = STRINGS.get(getattr(widget, "language", "en"))
    if strings:
        wire["strings"] = strings
    return wire
