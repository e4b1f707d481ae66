"""Search and contacts over the REST API, on both store shapes, with tenant checks."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from server.domain import Author, AuthorKind, Conversation, Message, Visitor
from server.keys import auth_key, console_key, message_store_key
from server.services.console.service import Actor
from server.storage.search.query import MARK_END, MARK_START
from tests.support.apps import PASSWORD, seed_tenant

LONG_AGO = datetime(2026, 1, 5, 10, 0, tzinfo=UTC)


@pytest.fixture
async def client(aiohttp_client, app):
    return await aiohttp_client(app)


async def sign_in(client, tenant) -> dict[str, str]:
    login = await client.post(
        "/api/v1/auth/login", json={"email": tenant.email, "password": PASSWORD}
    )
    return {"Authorization": f"Bearer {(await login.json())['token']}"}


async def visitor_with_chat(app, site_id: int, name: str, email: str, texts: list[str]):
    """A visitor who came, chatted and left weeks ago (nobody has them online)."""
    store = app[message_store_key]
    visitor = Visitor(
        id=store.new_id(),
        site_id=site_id,
        first_seen=LONG_AGO,
        last_seen=LONG_AGO + timedelta(minutes=20),
        visits=2,
        geo={"country": "PT", "city": "Porto", "time_zone": "Europe/Lisbon"},
        identity={"name": name, "email": email},
    )
    await store.save_visitor(visitor)
    conversation = await store.create_conversation(
        Conversation(id=store.new_id(), site_id=site_id, visitor_id=visitor.id)
    )
    for text in texts:
        message_id = store.new_id()
        await store.append_message(
            Message(
                id=message_id,
                conversation_id=conversation.id,
                site_id=site_id,
                author=Author(AuthorKind.VISITOR, visitor.id, name),
                text=text,
                client_id=message_id,
            )
        )
    return visitor, conversation


async def test_search_finds_messages_and_people_of_own_sites_only(client, app):
    shop = await seed_tenant(app, "Shop", ["http://shop.test"])
    rival = await seed_tenant(app, "Rival", ["http://rival.test"])
    ines, chat = await visitor_with_chat(
        app, shop.site.id, "Inês Duarte", "ines@porto.example", ["My parcel never arrived"]
    )
    await visitor_with_chat(app, rival.site.id, "Rita", "r@x.example", ["parcel lost again"])
    auth = await sign_in(client, shop)

    response = await client.get("/api/v1/search", params={"q": "PARCEL"}, headers=auth)
    body = await response.json()

    assert response.status == 200, body
    (hit,) = body["messages"]
    assert hit["message"]["text"] == "My parcel never arrived"
    assert f"{MARK_START}parcel{MARK_END}" in hit["snippet"]
    assert hit["conversation"]["id"] == chat.id
    assert hit["visitor"]["name"] == "Inês Duarte"
    assert body["people"] == []

    people = await (await client.get("/api/v1/search?q=ines", headers=auth)).json()
    assert [p["id"] for p in people["people"]] == [ines.id]
    assert people["people"][0]["name_marked"] == f"{MARK_START}Inês{MARK_END} Duarte"
    assert people["people"][0]["conversations"] == 1

    rival_auth = await sign_in(client, rival)
    theirs = await (await client.get("/api/v1/search?q=parcel", headers=rival_auth)).json()
    assert [h["message"]["text"] for h in theirs["messages"]] == ["parcel lost again"]
    assert (await (await client.get("/api/v1/search?q=ines", headers=rival_auth)).json())[
        "people"
    ] == []
    forbidden = await client.get(
        "/api/v1/search", params={"q": "parcel", "site_id": shop.site.id}, headers=rival_auth
    )
    assert forbidden.status == 403


async def test_search_pages_and_orders(client, app):
    shop = await seed_tenant(app, "Shop", ["http://shop.test"])
    texts = [f"question about delivery number {n}" for n in range(5)]
    texts.append("delivery delivery delivery")
    await visitor_with_chat(app, shop.site.id, "Ana", "a@x.example", texts)
    auth = await sign_in(client, shop)

    first = await (await client.get("/api/v1/search?q=delivery&limit=4", headers=auth)).json()
    second = await (
        await client.get("/api/v1/search?q=delivery&limit=4&offset=4", headers=auth)
    ).json()
    best = await (await client.get("/api/v1/search?q=delivery&order=best", headers=auth)).json()

    assert first["has_more"] is True and second["has_more"] is False
    shown = [h["message"]["text"] for h in first["messages"] + second["messages"]]
    assert shown == list(reversed(texts))
    assert best["messages"][0]["message"]["text"] == "delivery delivery delivery"


@pytest.mark.parametrize(
    "query",
    [
        "",
        "q=",
        "q=%21%21%21",
        "q=ok&order=oldest",
        "q=ok&limit=500",
        "q=ok&offset=-1",
        "q=a&site_id=x",
    ],
)
async def test_bad_searches_get_clear_errors(client, app, query):
    shop = await seed_tenant(app, "Shop", ["http://shop.test"])
    response = await client.get(f"/api/v1/search?{query}", headers=await sign_in(client, shop))
    body = await response.json()
    assert response.status == 400 and body["ok"] is False and body["error"]


async def test_search_needs_a_signed_in_agent(client, app):
    assert (await client.get("/api/v1/search?q=parcel")).status == 401
    assert (await client.get("/api/v1/contacts")).status == 401


async def test_contacts_list_offline_visitors_and_open_their_profile(client, app):
    shop = await seed_tenant(app, "Shop", ["http://shop.test"])
    rival = await seed_tenant(app, "Rival", ["http://rival.test"])
    ines, chat = await visitor_with_chat(
        app, shop.site.id, "Inês Duarte", "ines@porto.example", ["hello"]
    )
    await visitor_with_chat(app, rival.site.id, "Rita", "r@x.example", ["hi"])
    auth = await sign_in(client, shop)

    listed = await (await client.get("/api/v1/contacts", headers=auth)).json()
    (contact,) = listed["contacts"]
    assert contact["id"] == ines.id and contact["online"] is False
    assert contact["email"] == "ines@porto.example" and contact["conversations"] == 1
    assert contact["city"] == "Porto" and contact["visits"] == 2

    searched = await (await client.get("/api/v1/contacts?q=porto.example", headers=auth)).json()
    assert [c["id"] for c in searched["contacts"]] == [ines.id]
    assert (await (await client.get("/api/v1/contacts?q=rita", headers=auth)).json())[
        "contacts"
    ] == []

    profile = await client.get(f"/api/v1/sites/{shop.site.id}/visitors/{ines.id}", headers=auth)
    body = await profile.json()
    assert profile.status == 200
    assert body["visitor"]["online"] is False
    assert [c["id"] for c in body["conversations"]] == [chat.id]
    assert body["notes"] == []

    rival_auth = await sign_in(client, rival)
    assert [
        c["name"]
        for c in (await (await client.get("/api/v1/contacts", headers=rival_auth)).json())[
            "contacts"
        ]
    ] == ["Rita"]
    foreign = await client.get(
        f"/api/v1/sites/{shop.site.id}/visitors/{ines.id}", headers=rival_auth
    )
    assert foreign.status == 403
    assert (
        await client.get(f"/api/v1/contacts?site_id={shop.site.id}", headers=rival_auth)
    ).status == 403


async def test_a_visitor_on_the_site_right_now_is_an_online_contact(
    aiohttp_client, app, socket_client
):
    client = await aiohttp_client(app)
    base_url = str(client.server.make_url("")).rstrip("/")
    shop = await seed_tenant(app, "Shop", ["http://shop.test"])
    await visitor_with_chat(app, shop.site.id, "Offline Olga", "olga@x.example", ["hi"])
    visitor = await socket_client(
        "/visitor",
        base_url,
        {"site_key": shop.site.site_key, "page": {"url": "http://shop.test/", "title": "Shop"}},
        {"Origin": "http://shop.test"},
    )
    session = await visitor.next("session")
    auth = await sign_in(client, shop)

    listed = (await (await client.get("/api/v1/contacts", headers=auth)).json())["contacts"]

    online = {c["id"]: c["online"] for c in listed}
    assert online[session["visitor_id"]] is True
    assert [c["online"] for c in listed if c["name"] == "Offline Olga"] == [False]


async def test_a_tag_named_in_the_search_finds_its_conversations(client, app):
    shop = await seed_tenant(app, "Shop", ["http://shop.test"])
    rival = await seed_tenant(app, "Rival", ["http://rival.test"])
    for tenant in (shop, rival):
        ctx = await app[auth_key].authenticate(
            await app[auth_key].login(tenant.email, PASSWORD, ip="127.0.0.1")
        )
        await app[console_key].console.run(
            "add_tag", Actor(ctx), tenant.site.id, {"name": "vip customer", "color": "#dc2626"}
        )
    _, tagged = await visitor_with_chat(app, shop.site.id, "Ana", "a@x.example", ["hello"])
    await visitor_with_chat(app, shop.site.id, "Bo", "b@x.example", ["hi"])
    _, theirs = await visitor_with_chat(app, rival.site.id, "Cy", "c@x.example", ["hey"])
    store = app[message_store_key]
    await store.tag_conversation(shop.site.id, tagged.id, add=["vip customer"])
    await store.tag_conversation(rival.site.id, theirs.id, add=["vip customer"])
    auth = await sign_in(client, shop)

    body = await (await client.get("/api/v1/search?q=VIP customer", headers=auth)).json()
    one_word = await (await client.get("/api/v1/search?q=vip", headers=auth)).json()

    (found,) = body["tags"]
    assert found["tag"]["name"] == "vip customer" and found["tag"]["color"] == "#dc2626"
    assert [c["id"] for c in found["conversations"]] == [tagged.id]
    assert found["conversations"][0]["visitor"]["name"] == "Ana"
    assert one_word["tags"] == []  # a tag is found by all its words
