"""lcagent's RULER generator against the reference package's own recipes and strings."""

from __future__ import annotations

from importlib import resources

import pytest

pytest.importorskip("long_context_eval", reason='needs the [bench] extra: pip install "lcagent[bench]"')
yaml = pytest.importorskip("yaml")

from long_context_eval.data.synthetic.constants import TASKS as REFERENCE_TEMPLATES  # noqa: E402

from lcagent.bench.reference import task_templates  # noqa: E402
from lcagent.bench.ruler import TASKS, family_of, generate_one  # noqa: E402
from lcagent.bench.ruler.common_words import CommonWordsConfig  # noqa: E402
from lcagent.bench.ruler.freq_words import FreqWordsConfig, riemann_zeta  # noqa: E402
from lcagent.bench.ruler.niah import DEPTHS, NEEDLE, NOISE, NiahConfig  # noqa: E402
from lcagent.bench.ruler.qa import DOCUMENT, QAConfig  # noqa: E402
from lcagent.bench.ruler.variable_tracking import NOISE as VT_NOISE  # noqa: E402
from lcagent.bench.ruler.variable_tracking import VariableTrackingConfig  # noqa: E402


def _reference_source(module: str) -> str:
    return resources.files("long_context_eval.data.synthetic").joinpath(module).read_text()


def _reference_yaml() -> dict:
    return yaml.safe_load(resources.files("long_context_eval").joinpath("synthetic.yaml").read_text())


def test_templates_are_the_reference_packages():
    ours = task_templates()
    assert set(ours) == set(REFERENCE_TEMPLATES)
    for family, config in REFERENCE_TEMPLATES.items():
        assert ours[family].template == config["template"]
        assert ours[family].answer_prefix == config["answer_prefix"]
        assert ours[family].tokens_to_generate == config["tokens_to_generate"]


def test_task_settings_restate_synthetic_yaml():
    reference = _reference_yaml()
    assert set(TASKS) == set(reference)
    families = {NiahConfig: "niah", VariableTrackingConfig: "variable_tracking",
                CommonWordsConfig: "common_words_extraction", FreqWordsConfig: "freq_words_extraction",
                QAConfig: "qa"}
    for name, config in TASKS.items():
        args = reference[name]["args"]
        assert families[type(config)] == reference[name]["task"] == family_of(name)
        if isinstance(config, NiahConfig):
            assert (config.haystack, config.key_type, config.value_type) == (
                {"repeat": "repeat", "essay": "essay", "needle": "needle"}[args["type_haystack"]],
                args["type_needle_k"], args["type_needle_v"])
            assert (config.num_keys, config.num_values, config.num_queries) == (
                args["num_needle_k"], args["num_needle_v"], args["num_needle_q"])
        elif isinstance(config, VariableTrackingConfig):
            assert (config.num_chains, config.num_hops) == (args["num_chains"], args["num_hops"])
        elif isinstance(config, CommonWordsConfig):
            assert (config.freq_common, config.freq_uncommon, config.num_common) == (
                args["freq_cw"], args["freq_ucw"], args["num_cw"])
        elif isinstance(config, FreqWordsConfig):
            assert config.alpha == args["alpha"]
        else:
            assert config.dataset == args["dataset"]


def test_fixed_strings_appear_verbatim_in_the_reference_generators():
    niah = _reference_source("niah.py")
    assert f'needle = "{NEEDLE}"' in niah
    assert f'haystack = "{NOISE}"' in niah
    assert f'noise = "{VT_NOISE.encode("unicode_escape").decode()}"' in _reference_source("variable_tracking.py")
    assert f'DOCUMENT_PROMPT = "{DOCUMENT.encode("unicode_escape").decode()}"' in _reference_source("qa.py")
    assert "np.linspace(0, 100, num=40, endpoint=True)" in niah


def test_depths_match_numpy_linspace():
    numpy = pytest.importorskip("numpy")
    assert DEPTHS == list(numpy.round(numpy.linspace(0, 100, num=40, endpoint=True)).astype(int))


def test_zeta_matches_the_closed_form():
    assert riemann_zeta(2.0) == pytest.approx(3.141592653589793 ** 2 / 6, rel=1e-12)
    assert riemann_zeta(4.0) == pytest.approx(3.141592653589793 ** 4 / 90, rel=1e-12)


@pytest.mark.parametrize("task", ["niah_single_2", "niah_multikey_1", "niah_multivalue", "niah_multiquery"])
def test_niah_prompt_is_ruler_input(task):
    sample = generate_one(task, "4k", 0)
    config = TASKS[task]
    template = REFERENCE_TEMPLATES["niah"]["template"] + REFERENCE_TEMPLATES["niah"]["answer_prefix"]
    type_needle_v = config.value_type
    if config.num_queries * config.num_values == 1:
        for old, new in (("Some", "A"), ("are all", "is"), ("are", "is"), ("answers", "answer")):
            template = template.replace(old, new)
        type_needle_v = type_needle_v[:-1]
    values_by_key: dict[str, list[str]] = {}
    for needle in sample.needles:
        key, value = needle.text.split(" for ", 1)[1].rsplit(" is: ", 1)
        values_by_key.setdefault(key, []).append(value.rstrip("."))
    assert len(values_by_key) == max(config.num_keys, config.num_queries)
    # RULER's query names the asked keys as "a, b, and c"; the answers are their values.
    query = sample.question.split(" for ", 1)[1].split(" mentioned")[0]
    asked = query.replace(", and ", ", ").split(", ")
    assert len(asked) == config.num_queries
    assert sorted(sample.answers) == sorted(v for key in asked for v in values_by_key[key])
    expected = template.format(type_needle_v=type_needle_v, context=sample.context, query=query)
    assert sample.full_prompt() == expected


def test_single_answer_wording_is_singular():
    sample = generate_one("niah_single_1", "4k", 0)
    assert sample.prompt_prefix.startswith("A special magic number is hidden within the following text.")
    assert sample.answer_prefix.endswith("mentioned in the provided text is")


def test_vt_prompt_is_example_then_ruler_input():
    sample = generate_one("vt", "4k", 0)
    template = (REFERENCE_TEMPLATES["variable_tracking"]["template"]
                + REFERENCE_TEMPLATES["variable_tracking"]["answer_prefix"])
    value = sample.needles[0].text.split("=")[-1].strip()
    expected = template.format(context=sample.context, query=value, num_v=5)
    assert sample.full_prompt().endswith("\n\n" + expected)
    example = sample.full_prompt()[: -len(expected)]
    # RULER's example: a space, a solved vt prompt with 3-letter names, then a blank line.
    assert example.startswith(" Memorize and track the chain(s)")
    assert example.endswith("\n\n\n\n")
    answer_line = example.rstrip("\n").rsplit("they are: ", 1)[1].split()
    assert len(answer_line) == 5 and all(len(name) == 3 and name.isupper() for name in answer_line)


def test_cwe_and_fwe_and_qa_prompts_are_ruler_input():
    cwe = generate_one("cwe", "4k", 0)
    template = REFERENCE_TEMPLATES["common_words_extraction"]
    expected = (template["template"] + template["answer_prefix"]).format(context=cwe.context, query="")
    assert cwe.full_prompt().endswith("\n" + expected)
    assert "most often in the list are:1. " in cwe.prompt_prefix  # RULER's example answer

    fwe = generate_one("fwe", "4k", 0)
    template = REFERENCE_TEMPLATES["freq_words_extraction"]
    assert fwe.full_prompt() == (template["template"] + template["answer_prefix"]).format(
        context=fwe.context, query="")

    for task in ("qa_1", "qa_2"):
        qa = generate_one(task, "4k", 0)
        template = REFERENCE_TEMPLATES["qa"]
        query = qa.question.rsplit("Question: ", 1)[1]
        assert qa.full_prompt() == (template["template"] + template["answer_prefix"]).format(
            context=qa.context, query=query)
        assert qa.context.startswith("Document 1:\n")
