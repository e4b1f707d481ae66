from __future__ import annotations

import pytest

from server.domain import Unauthenticated
from server.services.team.tokens import TokenSigner
from server.settings import ConfigError, Settings

SECRET = "s" * 40


def test_token_round_trip_and_kind_check():
    signer = TokenSigner(SECRET)
    token = signer.issue("visitor", "01ABC", 60, site=3)
    assert signer.verify(token, "visitor")["site"] == 3
    with pytest.raises(Unauthenticated):
        signer.verify(token, "agent")


def test_expired_and_forged_tokens_are_refused():
    now = [1_000_000.0]
    signer = TokenSigner(SECRET, clock=lambda: now[0])
    token = signer.issue("agent", "1", 60)
    now[0] += 61
    with pytest.raises(Unauthenticated, match="expired"):
        signer.verify(token, "agent")
    other = TokenSigner("o" * 40).issue("agent", "1", 60)
    with pytest.raises(Unauthenticated):
        TokenSigner(SECRET).verify(other, "agent")
    for junk in (None, "", 42, "a.b.c", "x" * 5000):
        with pytest.raises(Unauthenticated):
            TokenSigner(SECRET).verify(junk, "agent")


def test_settings_from_env_parses_and_names_bad_variables(tmp_path):
    env = {
        "PORCHLIGHT_DATA_DIR": str(tmp_path),
        "PORCHLIGHT_PORT": "9000",
        "PORCHLIGHT_TRUSTED_PROXIES": "10.0.0.0/8, 127.0.0.1",
    }
    settings = Settings.from_env(env)
    assert settings.port == 9000
    assert len(settings.trusted_proxies) == 2
    assert settings.database_url.endswith("porchlight.db")
    assert len(settings.secret_key) >= 32
    assert Settings.from_env(env).secret_key == settings.secret_key  # kept across restarts
    assert settings.secret_key not in repr(settings)

    with pytest.raises(ConfigError, match="PORCHLIGHT_PORT"):
        Settings.from_env({**env, "PORCHLIGHT_PORT": "eighty"})
    with pytest.raises(ConfigError, match="PORCHLIGHT_TRUSTED_PROXIES"):
        Settings.from_env({**env, "PORCHLIGHT_TRUSTED_PROXIES": "not-an-ip"})


def test_rate_limits_are_set_per_installation_and_a_bad_one_is_named(tmp_path):
    env = {
        "PORCHLIGHT_DATA_DIR": str(tmp_path),
        "PORCHLIGHT_RATE_LIMIT_MESSAGE_VISITOR": "5/10 seconds; 30/minute",
    }
    rules = Settings.from_env(env).rate_limits
    assert rules.message_visitor == "5/10 seconds; 30/minute"
    assert rules.sign_in_account == "10/15 minutes"  # the others keep their defaults

    bad = {**env, "PORCHLIGHT_RATE_LIMIT_SIGN_IN_ADDRESS": "lots"}
    with pytest.raises(ConfigError, match="PORCHLIGHT_RATE_LIMIT_SIGN_IN_ADDRESS"):
        Settings.from_env(bad)


def test_page_info_cuts_long_values_and_refuses_non_web_urls():
    from server.domain import InvalidInput
    from server.services.commands import PageInfo

    long_url = "https://shop.test/?utm=" + "x" * 5000
    page = PageInfo.parse({"url": long_url, "title": "t" * 1000, "referrer": None})
    assert len(page.url) == 2048 and len(page.title) == 300 and page.referrer == ""
    for bad in ({"url": "file:///etc/passwd"}, {"url": 42}, {"title": "no url"}):
        with pytest.raises(InvalidInput):
            PageInfo.parse(bad)
