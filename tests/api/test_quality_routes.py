"""Quality over REST on the original platform's paths: same answers as the tools, 409 for invalid moves."""

from tests import factories as f


async def test_inspection_routes_match_the_tools(sessions, api, call, merchant):
    kb = await f.product(sessions, supplier="Keystone Components")
    auth = {"Authorization": f"Bearer {await f.api_key(sessions, staff=await f.staff_user(sessions, role='merchant'))}"}
    scheduled = await api.post("/api/v1/inspections/schedule", json={"sku": kb.variants[0].sku, "sample_size": 10},
                               headers=auth)
    assert scheduled.status_code == 200
    number = scheduled.json()["inspection_number"]
    fetched = await api.get(f"/api/v1/inspections/{number}", headers=auth)
    assert fetched.json() == (await call(merchant, "get_inspection", inspection_id=number)).model_dump(mode="json")
    early = await api.post(f"/api/v1/inspections/{number}/complete", headers=auth)
    assert early.status_code == 409 and early.json()["error"]["code"] == "invalid_transition"
    assert (await api.post(f"/api/v1/inspections/{number}/start", headers=auth)).json()["status"] == "in_progress"
    defect = await api.post(f"/api/v1/inspections/{number}/defects",
                            json={"severity": "major", "description": "key dead", "quantity": 2}, headers=auth)
    assert defect.json()["defective_units"] == 2
    done = await api.post(f"/api/v1/inspections/{scheduled.json()['id']}/complete", headers=auth)
    assert (done.json()["score"], done.json()["result"]) == (70, "conditional_pass")
    reads = [(f"/api/v1/products/{kb.id}/metrics", "get_product_quality_metrics", {"product_id": kb.id}),
             (f"/api/v1/products/{kb.id}/defects", "get_product_defects", {"product_id": kb.id}),
             ("/api/v1/suppliers/Keystone Components/rating", "get_supplier_rating",
              {"supplier": "Keystone Components"})]
    for path, tool, args in reads:
        response = await api.get(path, headers=auth)
        assert response.status_code == 200 and response.json() == (await call(merchant, tool, **args)).model_dump(
            mode="json")


async def test_support_staff_have_no_quality_routes(sessions, api):
    kb = await f.product(sessions)
    auth = {"Authorization": f"Bearer {await f.api_key(sessions, staff=await f.staff_user(sessions, role='support'))}"}
    refused = await api.post("/api/v1/inspections/schedule", json={"sku": kb.variants[0].sku}, headers=auth)
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "forbidden"
