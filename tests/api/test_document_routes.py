"""Documents over REST: files come back as their real media type with matching bytes; JSON routes match the tools."""

import hashlib
from urllib.parse import quote

from tests import factories as f
from tests.tools.documents_helpers import parcel


async def bearer(sessions, *, role=None, owner=None) -> dict:
    staff = await f.staff_user(sessions, role=role) if role else None
    return {"Authorization": f"Bearer {await f.api_key(sessions, staff=staff, owner=owner)}"}


async def test_download_returns_the_stored_bytes_with_their_media_type(sessions, api):
    p = await parcel(sessions)
    support, picker = await bearer(sessions, role="support"), await bearer(sessions, role="warehouse")
    invoice = (await api.post("/api/v1/invoices", json={"order_id": p.order.id}, headers=support)).json()
    label = await api.post("/api/v1/documents/shipping-labels", json={"order_id": p.order.id, "format": "zpl"},
                           headers=picker)
    png = await api.post("/api/v1/documents/shipping-labels", json={"shipment_ref": p.tracking, "format": "png"},
                         headers=picker)
    assert label.status_code == png.status_code == 201
    pdf = (await api.get(f"/api/v1/documents/{invoice['number']}", headers=support)).json()
    assert pdf["download_path"] == invoice["download_path"]
    for meta, auth, media_type in [(pdf, support, "application/pdf"), (label.json(), picker, "application/zpl"),
                                   (png.json(), picker, "image/png")]:
        response = await api.get(meta["download_path"], headers=auth)
        assert response.status_code == 200
        assert response.headers["content-type"].startswith(media_type)
        assert hashlib.sha256(response.content).hexdigest() == meta["sha256"] == response.headers["x-content-sha256"]
        assert len(response.content) == meta["size_bytes"]
        assert response.headers["content-disposition"].startswith("attachment; filename=")
    by_number = await api.get(f"/api/v1/documents/{invoice['number']}/file", headers=support)
    assert by_number.content.startswith(b"%PDF") and by_number.headers["content-type"] == "application/pdf"


async def test_customer_downloads_own_invoice_and_not_another(sessions, api):
    mine, theirs = await parcel(sessions), await parcel(sessions)
    me = await bearer(sessions, owner=mine.customer)
    own = (await api.post("/api/v1/invoices", json={"order_id": mine.order.id.lstrip("#")}, headers=me)).json()
    assert (await api.get(own["download_path"], headers=me)).status_code == 200
    other = (await api.post("/api/v1/invoices", json={"order_id": theirs.order.id},
                            headers=await bearer(sessions, role="support"))).json()
    refused = await api.get(other["download_path"], headers=me)
    assert refused.status_code == 404 and refused.json()["error"]["code"] == "not_found"
    assert (await api.get(f"/api/v1/orders/{quote(theirs.order.id)}/documents", headers=me)).status_code == 404


async def test_json_routes_match_the_tools(sessions, api, call, support):
    p = await parcel(sessions)
    auth = await bearer(sessions, role="support")
    issued = await api.post("/api/v1/invoices", json={"order_id": p.order.id}, headers=auth)
    direct = await call(support, "get_invoice", invoice_ref=issued.json()["number"])
    assert issued.json() == direct.model_dump(mode="json")
    listed = await api.get(f"/api/v1/orders/{quote(p.order.id)}/documents", headers=auth)
    assert listed.json() == (await call(support, "list_order_documents", order_id=p.order.id)).model_dump(mode="json")
    sent = await api.post(f"/api/v1/invoices/{direct.number}/send", headers=auth)
    again = await api.post(f"/api/v1/invoices/{direct.number}/send", headers=auth)
    assert sent.json()["status"] == "sent" and again.status_code == 409
    assert again.json()["error"]["code"] == "invalid_transition"


async def test_openapi_describes_the_file_route_as_binary(api):
    spec = (await api.get("/openapi.json")).json()
    answer = spec["paths"]["/api/v1/documents/{document_ref}/file"]["get"]["responses"]["200"]["content"]
    assert set(answer) == {"application/pdf", "image/png", "application/zpl"}
    assert answer["image/png"]["schema"] == {"type": "string", "format": "binary"}
