"""Room names: the one place they are spelled."""


def site_agents(site_id: int) -> str:
    return f"site:{site_id}:agents"


def site_visitors(site_id: int) -> str:
    return f"site:{site_id}:visitors"


def site_visitors_speaking(site_id: int, language: str) -> str:
    """The site's visitors whose browser prefers this language (widget_text.browser_language)."""
    return f"site:{site_id}:visitors:{language}"


def visitor(visitor_id: str) -> str:
    return f"visitor:{visitor_id}"


def conversation(conversation_id: str) -> str:
    return f"conversation:{conversation_id}"


def agent(agent_id: int) -> str:
    """Every /agent socket of one agent on this node."""
    return f"agent:{agent_id}"
