"""A visitor's browser language decides the widget's: its words, its screen-reader labels
and its plurals, with no setting on the site."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from playwright.async_api import expect

from tests.browser.conftest import agent_on, new_page, open_chat, reply, script_in_svg

pytestmark = pytest.mark.browser

# Set PORCHLIGHT_SCREENSHOTS=<dir> to keep what the tests looked at.
SHOTS = os.environ.get("PORCHLIGHT_SCREENSHOTS")
DESKTOP = {"viewport": {"width": 1440, "height": 900}}
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}

# locale → what a visitor reads and hears
WORDS = {
    "de-DE": {
        "open": "Chat öffnen",
        "close": "Chat schließen",
        "panel": "Chat mit Acme Outdoor",
        "message": "Nachricht",
        "placeholder": "Nachricht schreiben…",
        "send": "Nachricht senden",
        "attach": "Datei anhängen",
        "log": "Nachrichten",
        "greeting": "Hallo! Wie können wir helfen?",
        "away": "Gerade nicht da",
        "sent": "Gesendet",
    },
    "nl": {
        "open": "Chat openen",
        "close": "Chat sluiten",
        "panel": "Chat met Acme Outdoor",
        "message": "Bericht",
        "placeholder": "Schrijf een bericht…",
        "send": "Bericht versturen",
        "attach": "Bestand bijvoegen",
        "log": "Berichten",
        "greeting": "Hallo! Waarmee kunnen we helpen?",
        "away": "Nu even afwezig",
        "sent": "Verstuurd",
    },
}


@pytest.mark.parametrize("locale", list(WORDS))
async def test_the_widget_speaks_the_browsers_language(stage, browser, locale):
    words = WORDS[locale]
    for name, device in (("desktop", DESKTOP), ("phone", PHONE)):
        visitor = await new_page(browser, locale=locale, **device)
        await visitor.goto(f"{stage.host_url}/")
        await visitor.get_by_role("button", name=words["open"], exact=True).click()
        widget = visitor.locator("porchlight-widget")
        await expect(visitor.get_by_role("dialog", name=words["panel"])).to_be_visible()
        composer = visitor.get_by_role("textbox", name=words["message"])
        await expect(composer).to_have_attribute("placeholder", words["placeholder"])
        await expect(visitor.get_by_role("button", name=words["attach"])).to_be_visible()
        await expect(visitor.get_by_role("log", name=words["log"])).to_be_attached()
        await expect(widget.locator(".greet .bubble")).to_have_text(words["greeting"])
        await expect(widget.locator(".head")).to_contain_text(words["away"])
        await expect(widget.locator(".pl")).to_have_attribute("lang", locale[:2])
        await expect(visitor.get_by_role("button", name=words["close"]).first).to_be_visible()

        await composer.fill("Hallo?")
        await visitor.get_by_role("button", name=words["send"]).click()
        sent = widget.locator(".row.me .meta")
        await expect(sent).to_contain_text(words["sent"])
        if SHOTS:
            await visitor.screenshot(path=str(Path(SHOTS) / f"widget-{locale}-{name}.png"))
        await visitor.context.close()


async def test_unread_messages_are_counted_in_the_visitors_plural(stage, browser):
    visitor = await new_page(browser, locale="pt-BR", **PHONE)
    await visitor.goto(f"{stage.host_url}/")
    await visitor.get_by_role("button", name="Abrir chat").click()
    composer = visitor.get_by_role("textbox", name="Mensagem")
    await composer.fill("Vocês entregam no Brasil?")
    await composer.press("Enter")
    widget = visitor.locator("porchlight-widget")
    await expect(widget.locator(".row.me.pending")).to_have_count(0)
    await visitor.get_by_role("button", name="Fechar chat").first.click()

    agent = await agent_on(browser, stage, "Brasil")
    await reply(agent, "Sim!")
    one = visitor.get_by_role("button", name="Abrir chat, 1 mensagem não lida")
    await expect(one).to_be_visible()
    await reply(agent, "Em 5 dias úteis.")
    launcher = visitor.get_by_role("button", name="Abrir chat, 2 mensagens não lidas")
    await expect(launcher).to_be_visible()
    await expect(widget.locator(".badge")).to_have_text("2")
    if SHOTS:
        await visitor.screenshot(path=str(Path(SHOTS) / "widget-pt-unread-phone.png"))
    await launcher.click()
    await expect(widget.locator(".row.them .bubble", has_text="Em 5 dias úteis.")).to_be_visible()


async def test_refusals_and_system_lines_are_in_the_visitors_language(stage, browser, tmp_path):
    visitor = await new_page(browser, locale="de-DE", **DESKTOP)
    widget = await open_chat(visitor, stage, "Chat öffnen")
    await widget.locator("input[type=file]").set_input_files(str(script_in_svg(tmp_path)))
    alert = widget.get_by_role("alert")
    await expect(alert).to_have_text("logo.svg: Diese Art von Datei kann nicht gesendet werden.")
    await widget.get_by_role("button", name="logo.svg entfernen").click()

    composer = visitor.get_by_role("textbox", name="Nachricht")
    await composer.fill("Danke, das war alles.")
    await composer.press("Enter")
    await expect(widget.locator(".row.me.pending")).to_have_count(0)
    agent = await agent_on(browser, stage, "Danke")
    await agent.get_by_role("button", name="Resolve", exact=True).click()
    line = widget.locator(".note", has_text="hat die Unterhaltung abgeschlossen")
    await expect(line).to_be_visible()
    if SHOTS:
        await visitor.screenshot(path=str(Path(SHOTS) / "widget-de-resolved-desktop.png"))
