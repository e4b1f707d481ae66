"""Identity verification: the owner's backend vouches for a signed-in visitor.

The backend computes ``user_hash = hex(HMAC-SHA256(identity_secret, user_id))`` and passes
it to ``Porchlight('identify', {user_id, user_hash, ...})``. Only a matching hash makes the
visitor's identity verified; the secret never leaves the server and the owner's console.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from server.domain import Site
from server.storage.sql.site_admin import SiteAdminRepository


def user_hash(secret: str, user_id: str) -> str:
    return hmac.new(secret.encode(), user_id.encode(), hashlib.sha256).hexdigest()


def hash_matches(site: Site, user_id: str, claimed: str | None) -> bool:
    if not claimed or not site.identity_secret:
        return False
    # compare_digest on equal-length ASCII: no early exit reveals how much of it was right.
    return hmac.compare_digest(user_hash(site.identity_secret, user_id), claimed.lower())


def new_secret() -> str:
    return secrets.token_urlsafe(32)


class IdentityService:
    def __init__(self, sites: SiteAdminRepository) -> None:
        self._sites = sites

    async def rotate(self, site_id: int) -> str:
        """A new secret; hashes made with the old one stop verifying at once."""
        secret = new_secret()
        await self._sites.update(site_id, identity_secret=secret)
        return secret
