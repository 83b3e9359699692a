"""Schemathesis over every route of the OpenAPI schema, each generated request sent as a customer and as
staff of every role: no 5xx, every 4xx in the error envelope, responses as documented, and a customer's
answers never carry another customer's records.

CI runs a few examples per route (SHOPCREW_FUZZ_EXAMPLES, default 2); the deeper run is documented in
docs/hardening.md.
"""

import json
import os
import tempfile
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.python.asgi import shutdown_lifespans
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from api.app import create_app
from shopcrew.settings import Settings
from tests.conftest import POSTGRES_URL
from tests.hardening.shop import new_shop_url, seeded_shop
from tests.tools.marketplace_helpers import new_key

pytestmark = pytest.mark.db

EXAMPLES = int(os.environ.get("SHOPCREW_FUZZ_EXAMPLES", "2"))
CUSTOMER = "customer:ava.martin@example.com"
PRINCIPALS = (CUSTOMER, "support", "warehouse", "merchant", "admin")
# The demo personas are public by design (docs/demo-data.md): who one may sign in as in a seeded demo shop.
PUBLIC = {"/api/v1/demo/personas"}
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]

# The app is built at import (schemathesis reads its schema now); its database is seeded by the fixture
# below before the first request starts the app's lifespan.
_FOLDER = Path(tempfile.mkdtemp(prefix="shopcrew-fuzz-"))
SHOP_URL = new_shop_url(POSTGRES_URL, _FOLDER)
# Configured as a shop taking marketplace credentials is: without the key, storing them is refused with a 503 that
# says to set it (tests/tools/test_marketplace_connections.py), which the fuzzer would count as a server error.
app = create_app(Settings(database_url=SHOP_URL, data_dir=_FOLDER / "var", events_dispatcher=False,
                          marketplace_secret_key=new_key()))
schema = schemathesis.openapi.from_dict(app.openapi())
schema.app = app
# Examples and random generation (valid and invalid); the coverage phase's exhaustive boundary cases are for
# the deeper run (SHOPCREW_FUZZ_PHASES=examples,coverage,fuzzing).
schema.config.phases.update(phases=os.environ.get("SHOPCREW_FUZZ_PHASES", "examples,fuzzing").split(","))


@pytest.fixture(scope="module")
def fuzz_shop():
    """The seeded shop the app serves; the app's lifespan is stopped before the database goes."""
    with seeded_shop(SHOP_URL) as seeded:
        yield seeded
        shutdown_lifespans()


@pytest.fixture(scope="module")
def foreign_markers(fuzz_shop) -> set[str]:
    """Identifiers of every other customer's records: ids, emails, order numbers, RMAs, payment methods."""
    me = fuzz_shop.customers[CUSTOMER]
    queries = [
        "SELECT id FROM customers WHERE id != :me",
        "SELECT email FROM customers WHERE id != :me",
        "SELECT id FROM orders WHERE customer_id != :me",
        "SELECT rma_number FROM return_requests WHERE customer_id != :me",
        "SELECT id FROM payment_methods WHERE customer_id != :me",
        "SELECT number FROM invoices i JOIN orders o ON o.id = i.order_id WHERE o.customer_id != :me",
    ]
    return {row[0] for sql in queries for row in fuzz_shop.rows(sql, me=me) if row[0]}


def assert_error_envelope(response, path: str) -> None:
    """A 4xx names what went wrong in the one envelope (OpenAI's shape under /v1/)."""
    body = response.json()
    error = body.get("error") if isinstance(body, dict) else None
    assert isinstance(error, dict), f"{response.status_code} without an error body: {body!r}"
    assert isinstance(error.get("message"), str) and error["message"], body
    if not path.startswith("/v1/"):
        assert isinstance(error.get("code"), str) and error["code"], body


def assert_no_foreign_record(response, case, markers: set[str]) -> None:
    """None of another customer's identifiers in the answer, unless the request itself quoted it."""
    sent = json.dumps([case.path_parameters, case.query, case.body], default=str)
    text = response.content.decode("utf-8", "replace")
    leaked = sorted(m for m in markers if m in text and m not in sent)
    assert not leaked, f"{case.method} {case.formatted_path} showed a customer {leaked[:5]} of others"


@schema.parametrize()
@settings(max_examples=EXAMPLES, deadline=None, database=None, suppress_health_check=list(HealthCheck))
def test_every_route_as_every_role(case, fuzz_shop, foreign_markers):
    for principal in PRINCIPALS:
        # The first chat turn loads the local model's embeddings: longer than schemathesis's 10 s default.
        response = case.call_and_validate(headers=fuzz_shop.headers(principal), checks=CHECKS, timeout=120)
        if 400 <= response.status_code < 500:
            assert_error_envelope(response, case.path)
        if principal == CUSTOMER and case.path not in PUBLIC:
            assert_no_foreign_record(response, case, foreign_markers)
