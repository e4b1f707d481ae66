"""The widget speaks the visitor's browser language among those it knows, unless the site
fixes one: in its config, in its session, and in settings pushed to open widgets."""

from __future__ import annotations

from urllib.parse import quote

from server.services.commands import parse_languages
from server.services.console.widget_text import DEFAULT_TEXTS
from tests.console.conftest import PAGE_A, SHOP_A
from tests.support.fixtures import app_settings as both_shapes

app_settings = both_shapes  # pushes travel through Redis in the second shape
SHOP_ORIGIN = {"Origin": SHOP_A}


def auth(team, languages):
    return {"site_key": team.site.site_key, "page": PAGE_A, "languages": languages}


async def config(api, team, languages: str) -> dict:
    query = f"site_key={team.site.site_key}&languages={quote(languages)}"
    status, body = await api.request("GET", f"/api/widget/config?{query}", None, Origin=SHOP_A)
    assert status == 200, body
    return body["widget"]


async def set_widget(api, team, **fields) -> None:
    path = f"/api/v1/sites/{team.site.id}/widget"
    status, body = await api.request("PATCH", path, team.admin.token, fields)
    assert status == 200, body


async def test_a_new_site_follows_each_visitors_browser(team, api):
    german = await config(api, team, "de-DE,de,en-US,en")
    assert german["language"] == "de"
    assert german["strings"]["Online now"] == "Jetzt online"
    assert german["strings"]["{n} unread messages"]["one"] == "{n} ungelesene Nachricht"
    # The default greeting and away message are the default of the visitor's language.
    assert german["greeting"] == DEFAULT_TEXTS["de"]["greeting"]
    assert german["offline_message"] == DEFAULT_TEXTS["de"]["offline_message"]

    brazilian = await config(api, team, "pt-BR")
    assert brazilian["language"] == "pt" and brazilian["strings"]["Today"] == "Hoje"
    # The first language the widget speaks wins, however far down the browser's list.
    dutch = await config(api, team, "ja-JP,ja,nl-BE,en")
    assert dutch["language"] == "nl" and dutch["strings"]["Send message"] == "Bericht versturen"

    nothing_known = await config(api, team, "ja,zh-Hant-TW")
    assert nothing_known["language"] == "en" and "strings" not in nothing_known
    assert nothing_known["greeting"] == DEFAULT_TEXTS["en"]["greeting"]


async def test_a_fixed_language_wins_and_written_words_stay_as_written(team, api):
    await set_widget(api, team, language="it", greeting="Benvenuti da Acme!")
    italian = await config(api, team, "de-DE,de")
    assert italian["language"] == "it"
    assert italian["strings"]["Close chat"] == "Chiudi la chat"
    assert italian["greeting"] == "Benvenuti da Acme!"

    await set_widget(api, team, language="auto")
    german = await config(api, team, "de-DE,de")
    assert german["language"] == "de" and german["greeting"] == "Benvenuti da Acme!"


async def test_odd_language_lists_fall_back_without_refusing_the_widget(team, api):
    assert (await config(api, team, ""))["language"] == "en"
    assert (await config(api, team, "<script>,de;q=0.9,fr-CA"))["language"] == "fr"
    assert parse_languages(["de-AT", 7, "x" * 40, "en"]) == ("de-AT", "en")
    assert parse_languages({"de": 1}) == ()
    assert len(parse_languages(["en"] * 30)) == 10


async def test_the_session_and_pushed_settings_speak_each_visitors_language(
    team, api, socket_client, base_url
):
    german = await socket_client("/visitor", base_url, auth(team, ["de-CH", "de"]), SHOP_ORIGIN)
    first = (await german.next("session"))["site"]["widget"]
    assert first["language"] == "de" and first["strings"]["Reply"] == "Antworten"
    english = await socket_client("/visitor", base_url, auth(team, ["en-GB"]), SHOP_ORIGIN)
    assert (await english.next("session"))["site"]["widget"]["language"] == "en"
    older = await socket_client("/visitor", base_url, auth(team, None), SHOP_ORIGIN)
    assert (await older.next("session"))["site"]["widget"]["language"] == "en"

    await set_widget(api, team, color="#0f766e")
    pushed = (await german.next("settings_updated"))["widget"]
    assert pushed["color"] == "#0f766e" and pushed["strings"]["Reply"] == "Antworten"
    pushed = (await english.next("settings_updated"))["widget"]
    assert pushed["color"] == "#0f766e" and "strings" not in pushed
    assert (await older.next("settings_updated"))["widget"]["language"] == "en"

    # The site fixes Spanish: every open widget switches, whatever its browser says.
    await set_widget(api, team, language="es")
    for widget in (german, english):
        pushed = (await widget.next("settings_updated"))["widget"]
        assert pushed["language"] == "es" and pushed["strings"]["Reply"] == "Responder"
