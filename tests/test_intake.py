"""The proposal conversation's states table: each step, its good and bad answers."""

from __future__ import annotations

from dataclasses import replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.domain import proposal_intake as intake
from bot.domain.models import Component
from bot.domain.proposal_intake import Cursor, Reply, Step
from bot.domain.validation import ValidationError
from tests.intake_context import CEILINGS, SITI_NIK, ctx, partial_siti, regions, saved_client


def test_the_period_by_button_or_typed() -> None:
    out = intake.answer(Cursor(), Reply(choice="next"), ctx())
    assert out.effects == (intake.SetPeriod(2026, 12),) and out.cursor.step == Step.NAME
    out = intake.answer(Cursor(), Reply(text="01-2027"), ctx())
    assert out.effects == (intake.SetPeriod(2027, 1),)
    with pytest.raises(ValidationError):
        intake.answer(Cursor(), Reply(text="kapan-kapan"), ctx())


def test_the_nik_prefills_birth_date_sex_and_region() -> None:
    out = intake.answer(
        Cursor(step=Step.NIK, client={"full_name": "Siti Rahayu"}), Reply(text="3201 0145 0890 0004"), ctx()
    )
    assert out.cursor.step == Step.NIK_CONFIRM
    assert out.cursor.client["birth_date"] == "1990-08-05" and out.cursor.client["sex"] == "P"
    assert out.effects == (intake.CheckNik(SITI_NIK),)
    # "Lives elsewhere" asks the province at once (no second "where does she live?" question).
    assert intake.answer(out.cursor, Reply(choice="elsewhere"), ctx()).cursor.step == Step.PROVINCE
    out = intake.answer(out.cursor, Reply(choice="here"), ctx())
    if ctx().regions.has_regencies:
        assert out.cursor.step == Step.ADDRESS and out.cursor.client["regency"] == "Kabupaten Bogor"
    assert out.cursor.client["province_code"] == "32"


@pytest.mark.parametrize(
    "typed",
    [
        "320101450890000",
        "32010145089000AB",
        "3201013102900004",
        "3201010112260004",
        "3201014508900000",
        "9901014508900004",
        "",
        "x" * 4000,
    ],
    ids=["15 digits", "letters", "31 Feb", "future", "serial 0000", "unknown province", "empty", "4000 chars"],
)
def test_bad_niks_are_refused_and_the_cursor_stays(typed: str) -> None:
    cursor = Cursor(step=Step.NIK, client={"full_name": "Siti"})
    with pytest.raises(ValidationError) as caught:
        intake.answer(cursor, Reply(text=typed), ctx())
    assert caught.value.problems and all(p.message for p in caught.value.problems)


def test_the_same_nik_twice_in_one_proposal_is_blocked() -> None:
    with pytest.raises(ValidationError, match="already in this proposal"):
        intake.answer(
            Cursor(step=Step.NIK, client={"full_name": "X"}),
            Reply(text=SITI_NIK),
            ctx(niks_in_proposal=frozenset({SITI_NIK})),
        )


def test_a_birth_date_that_differs_from_the_nik_is_asked_about_and_flagged_when_kept() -> None:
    cursor = Cursor(step=Step.BIRTH_DATE, client={"nik": SITI_NIK, "sex": "P", "birth_date": "1990-08-05"})
    out = intake.answer(cursor, Reply(text="06-08-1990"), ctx())
    assert out.cursor.step == Step.NIK_MISMATCH
    assert [w.severity for w in out.warnings] == ["warn"]
    kept = intake.answer(out.cursor, Reply(choice="keep"), ctx()).cursor
    assert kept.step == Step.REGION and kept.client["birth_date"] == "1990-08-06" and kept.client[intake.NIK_MISMATCH]
    fixed = intake.answer(out.cursor, Reply(choice="nik"), ctx()).cursor
    assert fixed.client["birth_date"] == "1990-08-05" and not fixed.client[intake.NIK_MISMATCH]
    retyped = intake.answer(out.cursor, Reply(text="3201011203850002"), ctx()).cursor  # the NIK was wrong
    assert retyped.step == Step.NIK_CONFIRM and retyped.client["nik"] == "3201011203850002"
    assert retyped.client["birth_date"] == "1985-03-12" and retyped.client["sex"] == "L"
    with pytest.raises(ValidationError, match="corrected NIK"):
        intake.answer(out.cursor, Reply(text="ya"), ctx())
    plan = intake.answer(
        replace(
            kept,
            step=Step.PLAN,
            client={**kept.client, "full_name": "Siti", "components": ["1"], "assessment": "Pengguna sabu 3 tahun."},
        ),
        Reply(text="Konseling keluarga 3 bulan."),
        ctx(),
    )
    (effect,) = plan.effects
    assert effect.flags == (intake.NIK_MISMATCH,) and intake.NIK_MISMATCH not in effect.fields


def test_a_corrected_nik_typed_at_its_confirmation_replaces_it() -> None:
    out = intake.answer(Cursor(step=Step.NIK, client={"full_name": "Budi"}), Reply(text=SITI_NIK), ctx())
    again = intake.answer(out.cursor, Reply(text="3201 0112 0385 0002"), ctx())
    assert again.cursor.step == Step.NIK_CONFIRM and again.cursor.client["nik"] == "3201011203850002"
    assert again.effects == (intake.CheckNik("3201011203850002"),)
    with pytest.raises(ValidationError, match="corrected NIK"):
        intake.answer(out.cursor, Reply(text="benar"), ctx())


def test_the_components_picker_starts_empty_unless_same_as_previous() -> None:
    previous = saved_client()  # components 1 and 3
    out = intake.answer(
        Cursor(step=Step.APPROACH, client={"full_name": "B"}), Reply(choice="komunitas"), ctx(previous=previous)
    )
    assert out.cursor.step == Step.COMPONENTS and out.cursor.client["components"] == []
    picked = intake.answer(out.cursor, Reply(choice="3"), ctx(previous=previous)).cursor
    done = intake.answer(picked, Reply(choice="done"), ctx(previous=previous)).cursor
    assert done.client["components"] == ["3"]


@pytest.mark.parametrize(("typed", "expected"), [("1, 3", ["1", "3"]), ("3 dan 1", ["1", "3"]), ("4", ["4"])])
def test_components_can_be_typed_in_one_message(typed: str, expected: list[str]) -> None:
    out = intake.answer(Cursor(step=Step.COMPONENTS, client={"components": []}), Reply(text=typed), ctx())
    assert out.cursor.step == Step.ASSESSMENT and out.cursor.client["components"] == expected


@pytest.mark.parametrize("typed", ["13", "8", "semua", "1, 9"])
def test_components_typed_wrong_are_refused(typed: str) -> None:
    with pytest.raises(ValidationError, match="1 to 7"):
        intake.answer(Cursor(step=Step.COMPONENTS, client={"components": []}), Reply(text=typed), ctx())


@pytest.mark.parametrize(
    ("typed", "address", "phone"),
    [
        (
            "Jl. Melati 3 RT 01/02, Desa Cibinong, 0812-3456-7890",
            "Jl. Melati 3 RT 01/02, Desa Cibinong",
            "+6281234567890",
        ),
        ("Jl. Anggrek 5, Desa Sukamaju HP +62 812 3456 7890", "Jl. Anggrek 5, Desa Sukamaju", "+6281234567890"),
        ("Jl. Mawar No 12, Bogor 16911", "Jl. Mawar No 12, Bogor 16911", None),
    ],
)
def test_address_and_phone_come_in_one_message(typed: str, address: str, phone: str | None) -> None:
    out = intake.answer(Cursor(step=Step.ADDRESS, client={"full_name": "Siti"}), Reply(text=typed), ctx())
    assert out.cursor.step == Step.APPROACH
    assert (out.cursor.client["address"], out.cursor.client["phone"]) == (address, phone)


@pytest.mark.parametrize("typed", ["selesai", "Selesai.", "done", "ringkasan"])
def test_finishing_words_at_a_new_clients_name_go_to_the_summary(typed: str) -> None:
    out = intake.answer(Cursor(step=Step.NAME), Reply(text=typed), ctx())
    assert out.cursor.step == Step.REVIEW and out.effects == ()


def test_the_previous_client_gives_one_tap_defaults() -> None:
    previous = saved_client()
    out = intake.answer(
        Cursor(step=Step.APPROACH, client={"full_name": "B"}), Reply(choice="same"), ctx(previous=previous)
    )
    assert out.cursor.step == Step.ASSESSMENT
    assert out.cursor.client["approach"] == "keluarga" and out.cursor.client["components"] == ["1", "3"]
    out = intake.answer(
        Cursor(step=Step.REGION, client={"nik_province": "73"}), Reply(choice="prev"), ctx(previous=previous)
    )
    assert out.cursor.client["regency"] == "Kabupaten Bogor"


def test_components_toggle_and_need_one() -> None:
    cursor = Cursor(step=Step.COMPONENTS, client={"components": []})
    with pytest.raises(ValidationError):
        intake.answer(cursor, Reply(choice="done"), ctx())
    cursor = intake.answer(cursor, Reply(choice="4"), ctx()).cursor
    cursor = intake.answer(cursor, Reply(choice="1"), ctx()).cursor
    cursor = intake.answer(cursor, Reply(choice="4"), ctx()).cursor
    assert cursor.client["components"] == ["1"]
    assert intake.answer(cursor, Reply(choice="done"), ctx()).cursor.step == Step.ASSESSMENT


def test_the_plan_saves_the_client_and_opens_the_budget() -> None:
    client = {
        "full_name": "Siti",
        "nik": SITI_NIK,
        "nik_province": "32",
        "nik_regency": "3201",
        "sex": "P",
        "birth_date": "1990-08-05",
        "assessment": "Pengguna sabu 3 tahun, ingin pulih.",
    }
    out = intake.answer(Cursor(step=Step.PLAN, client=client), Reply(text="Konseling keluarga 3 bulan."), ctx())
    (effect,) = out.effects
    assert isinstance(effect, intake.SaveClient)
    assert "nik_province" not in effect.fields and effect.fields["intervention_plan"] == "Konseling keluarga 3 bulan."
    assert effect.flags == ()
    # The budget line of the first component is asked straight away.
    assert out.cursor.step == Step.BUDGET_LINE and out.cursor.component == "1"


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("Paket sembako, 3 x 500.000", ("Paket sembako", 3, 500_000)),
        ("Transport konseling 4×150000", ("Transport konseling", 4, 150_000)),
        ("Sewa alat 1 x Rp2.000.000", ("Sewa alat", 1, 2_000_000)),
    ],
)
def test_a_budget_line_in_one_message(typed: str, expected: tuple) -> None:
    assert intake.parse_budget_line(typed, "1", CEILINGS) == expected


@pytest.mark.parametrize(
    "typed", ["sembako", "Paket, 3 x -500", "Paket, 3 x 4.000.000", "Paket, 0 x 100", "Paket, 3 x banyak"]
)
def test_bad_budget_lines_say_what_is_expected(typed: str) -> None:
    with pytest.raises(ValidationError):
        intake.parse_budget_line(typed, "1", CEILINGS)


def test_a_budget_line_is_added_to_the_saved_client() -> None:
    client = saved_client()
    cursor = Cursor(step=Step.BUDGET, client_id=client.id)
    cursor = intake.answer(cursor, Reply(choice="3"), ctx(editing=client)).cursor
    assert cursor.step == Step.BUDGET_LINE and cursor.component == "3"
    out = intake.answer(cursor, Reply(text="Kunjungan keluarga, 2 x 250.000"), ctx(editing=client))
    assert out.effects == (intake.AddBudgetLine(7, Component.FAMILY, "Kunjungan keluarga", 2, 250_000),)
    assert out.cursor.step == Step.BUDGET  # every component has a line now: the budget and its choices
    bare = saved_client(budget=())
    first = intake.answer(
        Cursor(step=Step.BUDGET_LINE, client_id=7, component="1"),
        Reply(text="Paket sembako, 3 x 500.000"),
        ctx(editing=bare),
    )
    assert first.cursor.step == Step.BUDGET_LINE and first.cursor.component == "3"  # the next one without a line
    with pytest.raises(ValidationError):  # a component the client does not receive
        intake.answer(Cursor(step=Step.BUDGET, client_id=7), Reply(choice="5"), ctx(editing=client))


def test_a_unit_cost_above_the_ceiling_is_said_in_rupiah() -> None:
    with pytest.raises(ValidationError) as caught:
        intake.parse_budget_line("Kunjungan keluarga, 2 x 2.600.000", "3", CEILINGS)
    (problem,) = caught.value.problems
    assert problem.params["amount"] == "Rp2.600.000" and problem.params["ceiling"] == "Rp2.500.000"
    assert "Pertemuan konseling keluarga" in problem.params["example"]  # an example of this component


def test_editing_one_field_goes_back_to_the_review() -> None:
    client = saved_client()
    cursor = intake.start_edit(client, "address")
    out = intake.answer(cursor, Reply(text="Jl. Kenanga 9, Bojonggede"), ctx(editing=client))
    assert out.effects == (intake.UpdateClient(7, {"address": "Jl. Kenanga 9, Bojonggede"}),)
    assert out.cursor.step == Step.REVIEW


def test_a_corrected_nik_changes_only_the_nik() -> None:
    client = saved_client()
    out = intake.answer(intake.start_edit(client, "nik"), Reply(text="3201011203850002"), ctx(editing=client))
    assert out.effects == (
        intake.CheckNik("3201011203850002"),
        intake.UpdateClient(7, {"nik": "3201011203850002"}),
    )  # birth date and sex stay


def test_the_regency_is_corrected_from_the_regions_file_even_in_another_province() -> None:
    if not regions().has_regencies:
        pytest.skip("no regions file")
    client = saved_client()
    cursor = intake.start_edit(client, "regency")
    out = intake.answer(cursor, Reply(text="kota bogor"), ctx(editing=client))
    assert out.effects == (intake.UpdateClient(7, {"regency": "Kota Bogor", "province_code": "32"}),)
    with pytest.raises(ValidationError):
        intake.answer(cursor, Reply(text="Gotham"), ctx(editing=client))
    other = intake.answer(cursor, Reply(choice="province"), ctx(editing=client)).cursor
    other = intake.answer(other, Reply(text="Sulawesi Selatan"), ctx(editing=client)).cursor
    assert other.edit_field == "regency" and other.client["province_code"] == "73"
    out = intake.answer(other, Reply(text="Kota Makassar"), ctx(editing=client))
    assert out.effects == (intake.UpdateClient(7, {"regency": "Kota Makassar", "province_code": "73"}),)


def test_the_cursor_round_trips_through_json() -> None:
    cursor = Cursor(step=Step.BUDGET_LINE, client={"full_name": "A"}, client_id=3, component="4", choices=("32.01",))
    assert Cursor.from_json(cursor.to_json()) == cursor


@settings(max_examples=300, deadline=None)
@given(
    step=st.sampled_from(list(Step)),
    text=st.one_of(st.none(), st.text(max_size=80)),
    choice=st.one_of(st.none(), st.text(max_size=12), st.sampled_from(["ok", "done", "1", "L", "same", "nik", "add"])),
)
def test_any_answer_at_any_step_is_either_accepted_or_refused_clearly(step: Step, text, choice) -> None:
    client = saved_client()
    cursor = Cursor(
        step=step,
        client=partial_siti(),
        client_id=client.id,
        component="1",
        edit_field="address" if step == Step.EDIT else None,
    )
    try:
        intake.answer(cursor, Reply(text=text, choice=choice), ctx(editing=client, previous=client))
    except ValidationError as error:
        assert error.problems and all(p.message for p in error.problems)
