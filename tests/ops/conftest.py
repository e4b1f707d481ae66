from tests.realtime.conftest import tenant_a, visitor_of  # noqa: F401  (fixtures)
from tests.webhooks.conftest import receiver  # noqa: F401  (fixture)
