"""Needles in real multi-page PDFs, to score whether citations point at the right page.

Each PDF is essay text laid out in pages, with roman-numbered front matter and decimal
body pages (a real /PageLabels tree), and one RULER needle on a random page. The Sample
records the needle's 1-based page index and its printed label.
"""

from __future__ import annotations

from pathlib import Path

from lcagent.bench.loogle import length_bucket
from lcagent.bench.reference import essay_words
from lcagent.bench.ruler.essay import split_sentences
from lcagent.bench.ruler.fitting import count_tokens
from lcagent.bench.ruler.niah import NEEDLE, NiahConfig, niah_prompt, random_value
from lcagent.bench.ruler.prompt import sample_rng
from lcagent.bench.sample import Needle, Sample

TASK = "pdf_niah"
_CONFIG = NiahConfig("essay", "words", "numbers")


def _page_texts(n_pages: int, words_per_page: int, start: int) -> list[str]:
    words = essay_words()
    pages = []
    for page in range(n_pages):
        first = (start + page * words_per_page) % len(words)
        chunk = [words[(first + offset) % len(words)] for offset in range(words_per_page)]
        pages.append(" ".join(word for word in chunk if word))
    return pages


def make_pdf_samples(
    out_dir: str | Path,
    n: int = 5,
    *,
    pages: int = 40,
    front_matter_pages: int = 4,
    words_per_page: int = 400,
    seed: int = 42,
) -> list[Sample]:
    """Write ``n`` PDFs under ``out_dir`` and return one Sample per PDF (``document_path`` set)."""
    from lcagent.pdfgen import expected_page_labels, render_text_pdf

    if pages <= front_matter_pages:
        raise ValueError(f"pages ({pages}) must exceed front_matter_pages ({front_matter_pages})")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    labels_spec = [(0, "r", ""), (front_matter_pages, "D", "")] if front_matter_pages else None
    labels = expected_page_labels(pages, labels_spec)
    samples = []
    for index in range(n):
        rng = sample_rng(seed, TASK, pages, index, "pdf")
        key = random_value(_CONFIG.key_type, rng)
        value = random_value(_CONFIG.value_type, rng)
        needle = NEEDLE.format(type_needle_v=_CONFIG.value_type, key=key, value=value)
        texts = _page_texts(pages, words_per_page, rng.randrange(len(essay_words())))
        page_number = rng.randrange(pages)  # 0-based here; records use 1-based
        sentences = split_sentences(texts[page_number])
        cut = rng.randint(0, len(sentences))
        texts[page_number] = " ".join(sentences[:cut] + [needle] + sentences[cut:])
        path = render_text_pdf(texts, out / f"{TASK}-{pages}p-{seed}-{index}.pdf",
                               page_labels=labels_spec, title=f"lcagent PDF needle set {index}")
        context = "\n\n".join(texts)
        start = context.find(needle)
        parts = niah_prompt(_CONFIG, key)
        tokens = count_tokens(context)
        samples.append(Sample(
            task=TASK, length=length_bucket(tokens), index=index, seed=seed, context=context,
            question=parts.question, answers=[value], metric="string_match_all", tokens=tokens,
            prompt_prefix=parts.prefix, prompt_suffix=parts.suffix, answer_prefix=parts.answer_prefix,
            needles=[Needle(needle, start, 100 * start / len(context),
                            requested_depth=100 * page_number / pages,
                            page_index=page_number + 1, page_label=labels[page_number])],
            document_path=str(path),
        ))
    return samples
