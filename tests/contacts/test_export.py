"""CSV/XLSX export of the filtered contact and account lists."""

import csv
import io

import openpyxl
import pytest
from django.urls import reverse

from contacts.models import ExportJob
from contacts.selectors.exports import neutralize
from tests.contacts.factories import AccountFactory, ContactFactory
from workspaces.roles import Role


def _export(client, params=None, name="export"):
    response = client.get(reverse(f"contacts:{name}", kwargs={"ws": "acme"}), params or {})
    assert response.status_code == 200
    return response


def _rows(response):
    body = b"".join(response.streaming_content)
    assert body.startswith(b"\xef\xbb\xbf")  # BOM: Excel opens it as UTF-8
    return list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"))))


def test_formula_cells_are_neutralised():
    assert [neutralize(v) for v in ("=1+1", "+1+cmd", "-2+3", "@SUM(A1)", "\tx", "\rx", "ok")] == [
        "'=1+1",
        "'+1+cmd",
        "'-2+3",
        "'@SUM(A1)",
        "'\tx",
        "'\rx",
        "ok",
    ]


def test_plain_numbers_are_not_mangled():
    assert [neutralize(v) for v in ("+442079460018", "+49", "-2", "-12.5", -3)] == [
        "+442079460018",
        "+49",
        "-2",
        "-12.5",
        "-3",
    ]


def test_export_neutralises_formulas_by_default(owner_client, workspace):
    ContactFactory(workspace=workspace, first_name='=HYPERLINK("http://evil")', phone="+4930123456")
    row = _rows(_export(owner_client))[0]
    assert row["First name"] == '\'=HYPERLINK("http://evil")'
    assert row["Phone"] == "+4930123456"


def test_raw_mode_is_gone_every_export_is_neutralised(owner_client, workspace, excel):
    ContactFactory(workspace=workspace, first_name="=1+1")
    assert _rows(_export(owner_client, {"raw": "1"}))[0]["First name"] == "'=1+1"
    sheet = excel({"raw": "1"})
    assert (sheet["C2"].value, sheet["C2"].data_type) == ("=1+1", "s")


def _sheet(response):
    return openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content))).active


@pytest.fixture
def excel(owner_client, django_capture_on_commit_callbacks):
    """excel(params, name) -> the downloaded workbook's sheet: the list page's Excel link,
    the start page, the job (run eagerly on commit), the download."""

    def export(params=None, name="export"):
        start = _export_redirect(owner_client, {**(params or {}), "format": "xlsx"}, name)
        page = owner_client.get(start)
        with django_capture_on_commit_callbacks(execute=True):
            job_page = owner_client.post(start, {"query": page.context["query"]})
        job = ExportJob.all_workspaces.get(pk=job_page.url.rstrip("/").rsplit("/", 1)[-1])
        assert job.status == "done", job.error
        return _sheet(_export_url(owner_client, "export_download", pk=job.pk))

    return export


def _export_redirect(client, params, name):
    response = client.get(reverse(f"contacts:{name}", kwargs={"ws": "acme"}), params)
    assert response.status_code == 302
    return response.url


def _export_url(client, name, **kwargs):
    response = client.get(reverse(f"contacts:{name}", kwargs={"ws": "acme", **kwargs}))
    assert response.status_code == 200
    return response


EVIL_LABEL = '=HYPERLINK("http://evil.example","x")'


def test_csv_header_from_a_custom_field_label_is_neutralised(owner_client, workspace):
    from tests.contacts.factories import CustomFieldFactory

    CustomFieldFactory(workspace=workspace, key="evil", label=EVIL_LABEL)
    ContactFactory(workspace=workspace, custom={"evil": "@SUM(1)"})
    body = b"".join(_export(owner_client).streaming_content).decode("utf-8-sig")
    header, row = list(csv.reader(io.StringIO(body)))[:2]
    assert header[-1] == "'" + EVIL_LABEL
    assert row[-1] == "'@SUM(1)"


def test_xlsx_header_and_cells_are_typed_strings_never_formulas(workspace, excel):
    from tests.contacts.factories import CustomFieldFactory

    CustomFieldFactory(workspace=workspace, key="evil", label=EVIL_LABEL)
    ContactFactory(
        workspace=workspace, first_name="-2+3", phone="+4930123456", custom={"evil": "=1+1"}
    )
    sheet = excel()
    cells = [cell for row in sheet.iter_rows(max_row=2) for cell in row]
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    header = [c.value for c in next(sheet.iter_rows(max_row=1))]
    evil_header = sheet.cell(row=1, column=len(header))
    assert (evil_header.value, evil_header.data_type) == (EVIL_LABEL, "s")
    assert evil_header.quotePrefix  # Excel keeps it text even when the cell is edited
    values = {h: sheet.cell(row=2, column=i + 1) for i, h in enumerate(header)}
    assert (values["First name"].value, values["First name"].data_type) == ("-2+3", "s")
    assert values["Phone"].value == "+4930123456"  # exact value, no apostrophe
    assert values[EVIL_LABEL].value == "=1+1" and values[EVIL_LABEL].quotePrefix
    assert values["ID"].data_type == "n"


def test_export_is_streamed(owner_client, workspace):
    ContactFactory(workspace=workspace)
    assert _export(owner_client).streaming


def test_export_respects_the_list_filters(owner_client, workspace):
    ContactFactory(workspace=workspace, email="cust@x.io", lifecycle_stage="customer")
    ContactFactory(workspace=workspace, email="lead@x.io", lifecycle_stage="lead")
    rows = _rows(_export(owner_client, {"lifecycle_stage": "customer"}))
    assert [r["Email"] for r in rows] == ["cust@x.io"]


def test_export_search_filter(owner_client, workspace):
    ContactFactory(workspace=workspace, email="findme@x.io", last_name="Zed")
    ContactFactory(workspace=workspace, email="other@x.io", last_name="Other")
    rows = _rows(_export(owner_client, {"q": "findme@x.io"}))
    assert [r["Email"] for r in rows] == ["findme@x.io"]


def test_export_never_contains_another_workspace(owner_client, workspace, other_workspace):
    ContactFactory(workspace=workspace, email="mine@x.io")
    ContactFactory(workspace=other_workspace, email="theirs@x.io")
    assert [r["Email"] for r in _rows(_export(owner_client))] == ["mine@x.io"]


def test_export_includes_company_and_custom_fields(owner_client, workspace):
    from tests.contacts.factories import CustomFieldFactory

    CustomFieldFactory(workspace=workspace, key="shoe_size", label="Shoe size")
    account = AccountFactory(workspace=workspace, name="Acme Corp")
    ContactFactory(workspace=workspace, account=account, custom={"shoe_size": "44"})
    row = _rows(_export(owner_client))[0]
    assert (row["Company"], row["Shoe size"]) == ("Acme Corp", "44")


def test_export_query_count_does_not_grow_with_rows(
    owner_client, workspace, django_assert_max_num_queries
):
    for _ in range(30):
        ContactFactory(workspace=workspace, account=AccountFactory(workspace=workspace))
    with django_assert_max_num_queries(12):
        assert len(_rows(_export(owner_client))) == 30


def test_xlsx_export_is_a_workbook_with_neutralised_cells(workspace, excel):
    ContactFactory(workspace=workspace, first_name="=cmd|' /C calc'!A0", last_name="Müller")
    sheet = excel()
    header = [c.value for c in next(sheet.iter_rows(max_row=1))]
    values = {h: sheet.cell(row=2, column=i + 1) for i, h in enumerate(header)}
    first = values["First name"]
    assert (first.value, first.data_type, first.quotePrefix) == ("=cmd|' /C calc'!A0", "s", True)
    assert values["Last name"].value == "Müller"


def test_account_export_respects_filters(owner_client, workspace):
    AccountFactory(workspace=workspace, name="Steel Ltd", industry="Steel")
    AccountFactory(workspace=workspace, name="Soft Inc", industry="Software")
    rows = _rows(_export(owner_client, {"industry": "Steel"}, name="account_export"))
    assert [r["Account name"] for r in rows] == ["Steel Ltd"]


def test_readonly_member_cannot_export(client_for):
    client = client_for(Role.READONLY)
    assert client.get(reverse("contacts:export", kwargs={"ws": "acme"})).status_code == 403


def test_contact_list_links_to_import_export_and_duplicates(owner_client, workspace):
    page = owner_client.get(
        reverse("contacts:list", kwargs={"ws": "acme"}), {"lifecycle_stage": "customer"}
    )
    html = page.content.decode()
    assert reverse("contacts:import_start", kwargs={"ws": "acme"}) in html
    assert reverse("contacts:export", kwargs={"ws": "acme"}) + "?lifecycle_stage=customer" in html
    assert reverse("contacts:duplicates", kwargs={"ws": "acme"}) in html


def test_account_list_links_to_account_export(owner_client, workspace):
    page = owner_client.get(reverse("contacts:account_list", kwargs={"ws": "acme"}))
    assert reverse("contacts:account_export", kwargs={"ws": "acme"}) in page.content.decode()


def test_xlsx_export_writes_a_huge_stored_number_as_text(workspace, excel):
    """A value stored before numbers had a limit must not fail the whole export."""
    from tests.contacts.factories import CustomFieldFactory

    CustomFieldFactory(workspace=workspace, key="budget", label="Budget", field_type="number")
    ContactFactory(workspace=workspace, last_name="Huge", custom={"budget": 10**309})
    sheet = excel()
    header = [c.value for c in next(sheet.iter_rows(max_row=1))]
    cell = sheet.cell(row=2, column=header.index("Budget") + 1)
    assert (cell.value, cell.data_type) == (str(10**309), "s")
