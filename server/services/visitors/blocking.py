"""Blocking: a visitor, an IP address or CIDR range, or a country, per site."""

from __future__ import annotations

import ipaddress
import re

from server.domain import Block, BlockKind, InvalidInput
from server.services.commands import ULID
from server.services.console.field_checks import check_fields
from server.storage.sql.blocks import BlockRepository

COUNTRY = re.compile(r"^[A-Z]{2}$")
# A range wider than this blocks a large part of the internet: almost surely a typo.
WIDEST_PREFIX = {4: 8, 6: 16}


def parse_block(kind: object, value: object) -> tuple[BlockKind, str]:
    """The block's kind and its value in canonical form, or InvalidInput saying why not."""
    try:
        kind = BlockKind(kind)
    except ValueError:
        raise InvalidInput(
            "Choose what to block: a visitor, an IP address or a country", field="kind"
        ) from None
    if not isinstance(value, str) or not value.strip():
        raise InvalidInput("Say what to block", field="value")
    value = value.strip()
    if kind is BlockKind.VISITOR:
        if not ULID.match(value.upper()):
            raise InvalidInput("A visitor id looks like 01J9Z3QK8M6Y2W4T7V5R0N1B3C", field="value")
        return kind, value.upper()
    if kind is BlockKind.COUNTRY:
        if not COUNTRY.match(value.upper()):
            raise InvalidInput("A country is a two-letter code such as DE or US", field="value")
        return kind, value.upper()
    try:
        network = ipaddress.ip_network(value, strict=False)
    except ValueError:
        raise InvalidInput(
            f"“{value}” is not an IP address or a range like 203.0.113.0/24", field="value"
        ) from None
    if network.prefixlen < WIDEST_PREFIX[network.version]:
        raise InvalidInput(
            f"“{value}” covers too much of the internet; use /{WIDEST_PREFIX[network.version]} "
            "or narrower",
            field="value",
        )
    single = network.prefixlen == network.max_prefixlen
    return kind, str(network.network_address) if single else str(network)


def _note(note: object) -> str:
    if note is not None and not isinstance(note, str):
        raise InvalidInput("The note must be text", field="note")
    note = (note or "").strip()
    if len(note) > 200:
        raise InvalidInput("The note is longer than 200 characters", "too_long", field="note")
    return note


def matches(block: Block, visitor_id: str | None, ip: str | None, country: str | None) -> bool:
    if block.kind is BlockKind.VISITOR:
        return visitor_id is not None and block.value == visitor_id
    if block.kind is BlockKind.COUNTRY:
        return country is not None and block.value == country.upper()
    if not ip:
        return False
    try:
        address = ipaddress.ip_address(ip)
        network = ipaddress.ip_network(block.value, strict=False)
    except ValueError:
        return False
    mapped = getattr(address, "ipv4_mapped", None)  # ::ffff:203.0.113.7 on dual-stack sockets
    return (mapped or address) in network if network.version == 4 else address in network


class BlockingService:
    def __init__(self, blocks: BlockRepository) -> None:
        self._blocks = blocks

    async def list(self, site_id: int) -> list[Block]:
        return await self._blocks.list(site_id)

    async def add(
        self, site_id: int, kind: object, value: object, note: object, created_by: int | None
    ) -> Block:
        checked = check_fields(
            {"value": lambda: parse_block(kind, value), "note": lambda: _note(note)}
        )
        (parsed_kind, parsed_value), note = checked["value"], checked["note"]
        return await self._blocks.add(site_id, parsed_kind, parsed_value, note, created_by)

    async def remove(self, site_id: int, block_id: int) -> Block:
        return await self._blocks.remove(site_id, block_id)

    async def match(
        self, site_id: int, visitor_id: str | None, ip: str | None, country: str | None
    ) -> Block | None:
        for block in await self._blocks.list(site_id):
            if matches(block, visitor_id, ip, country):
                return block
        return None
