"""The widget's own words in each language it speaks, and the settings as widgets get them.

English lives in the widget itself (each string is written where it is used); other
languages travel with the widget's settings, so the bundle stays small and a language
change reaches open widgets with the rest of the settings.
"""

from __future__ import annotations

from typing import Any

from server.domain import WidgetSettings

LANGUAGES = {"en": "English", "de": "Deutsch", "fr": "Français", "es": "Español"}

# The widget's words, in the order of ENGLISH. The widget writes each in English where it
# is used, t("Online now"), and looks it up in the table it receives by those words.
ENGLISH = (
    "Open chat",
    "Close chat",
    "Online now",
    "Away right now",
    "Connecting…",
    "Reconnecting…",
    "You're offline. Messages will be sent when you're back.",
    "Chat is unavailable right now.",
    "Write a message…",
    "Message",
    "Send message",
    "Sending…",
    "Not sent: ",
    "Today",
    "Yesterday",
    "Before we start, how can we reach you?",
    "Name",
    "E-mail",
    "Start chat",
    "Please sign in on this website to chat with us.",
    "Support",
    "is typing…",
    "Agents can see what you type before you send it.",
    "Your e-mail",
    "Leave address",
    "Thanks! The team can now write to you at",
    "Reply",
    "Edit",
    "Delete",
    "Deleted message",
    "Editing",
    "Cancel",
    "Delete this message?",
    "This conversation has been resolved.",
    "Start a new conversation",
)

_WORDS = {
    "de": (
        "Chat öffnen",
        "Chat schließen",
        "Jetzt online",
        "Gerade nicht da",
        "Verbinde…",
        "Verbinde erneut…",
        "Du bist offline. Nachrichten werden gesendet, sobald du wieder online bist.",
        "Der Chat ist gerade nicht verfügbar.",
        "Nachricht schreiben…",
        "Nachricht",
        "Nachricht senden",
        "Wird gesendet…",
        "Nicht gesendet: ",
        "Heute",
        "Gestern",
        "Bevor es losgeht: Wie können wir dich erreichen?",
        "Name",
        "E-Mail",
        "Chat starten",
        "Bitte melde dich auf dieser Website an, um mit uns zu chatten.",
        "Support",
        "schreibt…",
        "Unser Team sieht, was du tippst, bevor du es sendest.",
        "Deine E-Mail",
        "Adresse hinterlassen",
        "Danke! Das Team kann dir jetzt schreiben an",
        "Antworten",
        "Bearbeiten",
        "Löschen",
        "Gelöschte Nachricht",
        "Wird bearbeitet",
        "Abbrechen",
        "Diese Nachricht löschen?",
        "Diese Unterhaltung wurde abgeschlossen.",
        "Neue Unterhaltung beginnen",
    ),
    "fr": (
        "Ouvrir le chat",
        "Fermer le chat",
        "En ligne",
        "Absents pour le moment",
        "Connexion…",
        "Reconnexion…",
        "Vous êtes hors ligne. Vos messages partiront dès votre retour.",
        "Le chat n'est pas disponible pour le moment.",
        "Écrivez un message…",
        "Message",
        "Envoyer le message",
        "Envoi…",
        "Non envoyé : ",
        "Aujourd'hui",
        "Hier",
        "Avant de commencer, comment pouvons-nous vous joindre ?",
        "Nom",
        "E-mail",
        "Démarrer le chat",
        "Connectez-vous sur ce site pour discuter avec nous.",
        "Assistance",
        "écrit…",
        "Nos agents voient ce que vous tapez avant l'envoi.",
        "Votre e-mail",
        "Laisser mon adresse",
        "Merci ! L'équipe peut maintenant vous écrire à",
        "Répondre",
        "Modifier",
        "Supprimer",
        "Message supprimé",
        "Modification",
        "Annuler",
        "Supprimer ce message ?",
        "Cette conversation a été résolue.",
        "Commencer une nouvelle conversation",
    ),
    "es": (
        "Abrir chat",
        "Cerrar chat",
        "En línea",
        "Ausentes ahora",
        "Conectando…",
        "Reconectando…",
        "Estás sin conexión. Los mensajes se enviarán cuando vuelvas.",
        "El chat no está disponible ahora.",
        "Escribe un mensaje…",
        "Mensaje",
        "Enviar mensaje",
        "Enviando…",
        "No enviado: ",
        "Hoy",
        "Ayer",
        "Antes de empezar, ¿cómo podemos contactarte?",
        "Nombre",
        "Correo electrónico",
        "Iniciar chat",
        "Inicia sesión en este sitio web para chatear con nosotros.",
        "Soporte",
        "está escribiendo…",
        "Nuestro equipo ve lo que escribes antes de enviarlo.",
        "Tu correo electrónico",
        "Dejar mi correo",
        "¡Gracias! El equipo ya puede escribirte a",
        "Responder",
        "Editar",
        "Eliminar",
        "Mensaje eliminado",
        "Editando",
        "Cancelar",
        "¿Eliminar este mensaje?",
        "Esta conversación se ha resuelto.",
        "Iniciar una nueva conversación",
    ),
}

STRINGS: dict[str, dict[str, str]] = {
    lang: dict(zip(ENGLISH, words, strict=True)) for lang, words in _WORDS.items()
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
}


def widget_wire(widget: WidgetSettings) -> dict[str, Any]:
    """The settings as the widget receives them: with its words when not in English."""
    wire = widget.to_dict()
    strings = STRINGS.get(getattr(widget, "language", "en"))
    if strings:
        wire["strings"] = strings
    return wire
