"""Presence in Redis that dies with the node holding it.

Every connection is stored as ``{node}/{connection}`` under its member, and the node keeps
a heartbeat key that expires ``NODE_TTL_SECONDS`` after its last beat. Reads count only
connections of nodes whose heartbeat is alive, so a node killed with ``kill -9`` drops
out of every online list within the TTL; the next heartbeat of any live node then sweeps
its entries away for good (and reports who left). A node whose own heartbeat key is gone
(Redis restarted empty, or the node was too slow and was swept) writes its connections
back: presence is rebuilt without anyone reconnecting.

Keys (all under the installation's prefix): ``node:{node}`` heartbeat; ``nodes`` every
node that wrote presence; ``conns:{group}:{member}`` a member's connections;
``group:{group}`` the members; ``nodeconns:{node}`` what a node wrote, for its sweep.

Joining or leaving several groups at once (a page view is in the site's visitors and its
active visitors; a socket counts against its address and its visitor) is one script, so
one round trip, whatever the number; so is joining a group only while it has room.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from redis.asyncio import Redis

from server.storage.redis_calls import ScriptCalls

NODE_TTL_SECONDS = 15
HEARTBEAT_SECONDS = 5.0
_SEP = "\x1f"

# KEYS[1] group set; ARGV[1] conns prefix for the group, ARGV[2] node key prefix.
_LIVE_MEMBERS = """
local alive = {}
local live = {}
for _, member in ipairs(redis.call('SMEMBERS', KEYS[1])) do
  for _, conn in ipairs(redis.call('SMEMBERS', ARGV[1] .. member)) do
    local node = string.match(conn, '^([^/]+)/')
    if node then
      if alive[node] == nil then alive[node] = redis.call('EXISTS', ARGV[2] .. node) == 1 end
      if alive[node] then table.insert(live, member) break end
    end
  end
end
return live
"""

# KEYS[1] member's conns set; ARGV[1] node key prefix.
_IS_LIVE = """
for _, conn in ipairs(redis.call('SMEMBERS', KEYS[1])) do
  local node = string.match(conn, '^([^/]+)/')
  if node and redis.call('EXISTS', ARGV[1] .. node) == 1 then return 1 end
end
return 0
"""

# Remove a dead node's entries. KEYS[1] nodeconns:{node}, KEYS[2] nodes, KEYS[3] node key.
# ARGV[1] prefix, ARGV[2] node id. Returns "group\x1fmember" of members left with nothing.
_SWEEP = """
if redis.call('EXISTS', KEYS[3]) == 1 then return {} end
local left = {}
for _, entry in ipairs(redis.call('SMEMBERS', KEYS[1])) do
  local group, member, conn = string.match(entry, '^(.-)\\31(.-)\\31(.*)$')
  if group then
    local conns = ARGV[1] .. 'conns:' .. group .. ':' .. member
    redis.call('SREM', conns, ARGV[2] .. '/' .. conn)
    if redis.call('SCARD', conns) == 0 then
      if redis.call('SREM', ARGV[1] .. 'group:' .. group, member) == 1 then
        table.insert(left, group .. '\\31' .. member)
      end
    end
  end
end
redis.call('DEL', KEYS[1])
redis.call('SREM', KEYS[2], ARGV[2])
return left
"""


# ARGV[1] prefix, ARGV[2] node, then (group, member, connection) triples. Returns, for
# each, 1 when the member had no connection before (of any node), else 0.
_JOIN_ALL = """
local prefix, node = ARGV[1], ARGV[2]
local nodeconns = prefix .. 'nodeconns:' .. node
redis.call('SADD', prefix .. 'nodes', node)
local firsts = {}
for i = 3, #ARGV, 3 do
  local group, member, conn = ARGV[i], ARGV[i + 1], ARGV[i + 2]
  local conns = prefix .. 'conns:' .. group .. ':' .. member
  redis.call('SADD', conns, node .. '/' .. conn)
  redis.call('SADD', prefix .. 'group:' .. group, member)
  redis.call('SADD', nodeconns, group .. '\\31' .. member .. '\\31' .. conn)
  if redis.call('SCARD', conns) == 1 then table.insert(firsts, 1) else table.insert(firsts, 0) end
end
return firsts
"""

# Same arguments. Returns, for each, 1 when it was the member's last connection, else 0.
_LEAVE_ALL = """
local prefix, node = ARGV[1], ARGV[2]
local nodeconns = prefix .. 'nodeconns:' .. node
local lasts = {}
for i = 3, #ARGV, 3 do
  local group, member, conn = ARGV[i], ARGV[i + 1], ARGV[i + 2]
  local conns = prefix .. 'conns:' .. group .. ':' .. member
  local removed = redis.call('SREM', conns, node .. '/' .. conn)
  redis.call('SREM', nodeconns, group .. '\\31' .. member .. '\\31' .. conn)
  if removed == 1 and redis.call('SCARD', conns) == 0 then
    redis.call('SREM', prefix .. 'group:' .. group, member)
    table.insert(lasts, 1)
  else
    table.insert(lasts, 0)
  end
end
return lasts
"""

# ARGV[1] prefix, ARGV[2] node, ARGV[3..5] group, member, connection, ARGV[6] cap. Joins,
# then counts the group's live members; past the cap the connection is taken out again
# and 0 returned. Joined first, then counted: two racing for the last place may both be
# refused, never both accepted.
_JOIN_WITHIN = """
local prefix, node = ARGV[1], ARGV[2]
local group, member, conn, cap = ARGV[3], ARGV[4], ARGV[5], tonumber(ARGV[6])
local nodeconns = prefix .. 'nodeconns:' .. node
local entry = group .. '\\31' .. member .. '\\31' .. conn
local conns = prefix .. 'conns:' .. group .. ':' .. member
local members = prefix .. 'group:' .. group
redis.call('SADD', prefix .. 'nodes', node)
redis.call('SADD', conns, node .. '/' .. conn)
redis.call('SADD', members, member)
redis.call('SADD', nodeconns, entry)
local alive = {}
local count = 0
for _, each in ipairs(redis.call('SMEMBERS', members)) do
  for _, c in ipairs(redis.call('SMEMBERS', prefix .. 'conns:' .. group .. ':' .. each)) do
    local owner = string.match(c, '^([^/]+)/')
    if owner then
      if alive[owner] == nil then
        alive[owner] = redis.call('EXISTS', prefix .. 'node:' .. owner) == 1
      end
      if alive[owner] then count = count + 1 break end
    end
  end
  if count > cap then
    redis.call('SREM', conns, node .. '/' .. conn)
    redis.call('SREM', nodeconns, entry)
    if redis.call('SCARD', conns) == 0 then redis.call('SREM', members, member) end
    return 0
  end
end
return 1
"""


class RedisPresence:
    def __init__(
        self, redis: Redis, prefix: str, node: str | None = None, calls: ScriptCalls | None = None
    ) -> None:
        self._redis = redis
        # Scripts of one turn of the event loop share a round trip (redis_calls.py).
        self._calls = calls or ScriptCalls(redis)
        self._prefix = prefix
        self.node = node or uuid.uuid4().hex[:12]
        # What this node holds, to write back after Redis lost it.
        self._local: set[tuple[str, str, str]] = set()
        self._live_members = redis.register_script(_LIVE_MEMBERS)
        self._is_live = redis.register_script(_IS_LIVE)
        self._sweep = redis.register_script(_SWEEP)
        self._join_all = redis.register_script(_JOIN_ALL)
        self._leave_all = redis.register_script(_LEAVE_ALL)
        self._join_within = redis.register_script(_JOIN_WITHIN)

    async def join(self, group: str, member: str, connection: str) -> bool:
        return (await self.join_all([(group, member, connection)]))[0]

    async def leave(self, group: str, member: str, connection: str) -> bool:
        return (await self.leave_all([(group, member, connection)]))[0]

    async def join_all(self, entries: Sequence[tuple[str, str, str]]) -> list[bool]:
        args = [self._prefix, self.node, *_flat(entries)]
        firsts = await self._calls.call(self._join_all, args=args)
        self._local.update(entries)
        return [bool(int(first)) for first in firsts]

    async def leave_all(self, entries: Sequence[tuple[str, str, str]]) -> list[bool]:
        self._local.difference_update(entries)
        args = [self._prefix, self.node, *_flat(entries)]
        lasts = await self._calls.call(self._leave_all, args=args)
        return [bool(int(last)) for last in lasts]

    async def join_within(self, group: str, member: str, connection: str, cap: int) -> bool:
        args = [self._prefix, self.node, group, member, connection, cap]
        if not int(await self._calls.call(self._join_within, args=args)):
            return False
        self._local.add((group, member, connection))
        return True

    async def members(self, group: str) -> set[str]:
        live = await self._calls.call(
            self._live_members,
            keys=[f"{self._prefix}group:{group}"],
            args=[f"{self._prefix}conns:{group}:", f"{self._prefix}node:"],
        )
        return set(live)

    async def is_member(self, group: str, member: str) -> bool:
        conns, _ = self._keys(group, member)
        live = await self._calls.call(self._is_live, keys=[conns], args=[f"{self._prefix}node:"])
        return bool(live)

    async def heartbeat(self) -> list[tuple[str, str]]:
        """Beat; write this node's presence back if Redis lost it; sweep dead nodes.
        Returns the (group, member) pairs that left with a dead node."""
        node_key = f"{self._prefix}node:{self.node}"
        was = await self._redis.set(node_key, "1", ex=NODE_TTL_SECONDS, get=True)
        if was is None:
            await self._restore()
        left: list[tuple[str, str]] = []
        for node in await self._redis.smembers(f"{self._prefix}nodes"):
            if node == self.node:
                continue
            swept = await self._sweep(
                keys=[
                    self._nodeconns(node),
                    f"{self._prefix}nodes",
                    f"{self._prefix}node:{node}",
                ],
                args=[self._prefix, node],
            )
            left += [tuple(entry.split(_SEP, 1)) for entry in swept]  # type: ignore[misc]
        return left

    async def _restore(self) -> None:
        async with self._redis.pipeline(transaction=False) as pipe:
            pipe.sadd(f"{self._prefix}nodes", self.node)
            for group, member, connection in self._local:
                self._write(pipe, group, member, connection)
            await pipe.execute()

    def _write(self, pipe, group: str, member: str, connection: str) -> None:  # type: ignore[no-untyped-def]
        conns, members = self._keys(group, member)
        pipe.sadd(conns, f"{self.node}/{connection}")
        pipe.sadd(members, member)
        pipe.sadd(self._nodeconns(self.node), _SEP.join((group, member, connection)))
        pipe.sadd(f"{self._prefix}nodes", self.node)

    def _nodeconns(self, node: str) -> str:
        return f"{self._prefix}nodeconns:{node}"

    def _keys(self, group: str, member: str) -> tuple[str, str]:
        return (
            f"{self._prefix}conns:{group}:{member}",
            f"{self._prefix}group:{group}",
        )


def _flat(entries: Sequence[tuple[str, str, str]]) -> list[str]:
    return [part for entry in entries for part in entry]
