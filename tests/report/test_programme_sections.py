import re

import pytest

from analysis_lib.plan.data_protection import privacy_checklist
from analysis_lib.report.diagnostic import run_diagnostic
from analysis_lib.report.programme_sections import SECTIONS, selected_initiative_ids


@pytest.fixture(scope="module")
def diagnostics():
    return {"en": run_diagnostic(institution_id="CITY-02", mc_draws=1000),
            "zh": run_diagnostic(institution_id="RURAL-02", mc_draws=1000, language="zh")}


def _text(html: str) -> str:
    return re.sub(r"<[^>]+>", " ", html)


@pytest.mark.parametrize("key", list(SECTIONS))
@pytest.mark.parametrize("language", ["en", "zh"])
def test_programme_sections_render_in_both_languages(diagnostics, key, language):
    html = SECTIONS[key](diagnostics[language], language)
    assert f'id="{key}"' in html and "<table" in html
    text = _text(html)
    if language == "zh":
        assert not re.search(r"\b(monthly|quarterly|Finance|Culture|ai_marketing)\b", text)
    else:
        assert not re.search(r"[\u4e00-\u9fff]", text)


def test_sections_are_specific_to_the_institution(diagnostics):
    city, rural = diagnostics["en"], diagnostics["zh"]
    org_city, org_rural = _text(SECTIONS["organisation"](city, "en")), _text(SECTIONS["organisation"](rural, "en"))
    people = [int(re.search(r"about ([\d,]+) people", t).group(1).replace(",", "")) for t in (org_city, org_rural)]
    assert people[0] != people[1]
    checklist = privacy_checklist(selected_initiative_ids(city))
    html = SECTIONS["data_protection"](city, "en")
    assert f"trigger {len(checklist)} data-governance" in _text(html)
    triggering = {i for ids in checklist["triggered_by"] for i in ids}
    assert triggering and triggering <= set(selected_initiative_ids(city))
    for initiative in triggering:
        assert city.initiatives.at[initiative, "name_en"] in html and initiative not in _text(html)


@pytest.mark.parametrize("language", ["en", "zh"])
def test_every_registered_section_renders(diagnostics, language):
    from analysis_lib.report.rendering import SECTION_ORDER, section_registry

    registry = section_registry()
    assert set(SECTION_ORDER) == set(registry) and len(SECTION_ORDER) == len(set(SECTION_ORDER))
    for key in SECTION_ORDER:
        html = registry[key](diagnostics[language], language)
        assert key == "customers" or f'id="{key}"' in html, key
