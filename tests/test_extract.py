"""Extract stage: metadata, paragraphs, language, media and hostile input."""

from __future__ import annotations

import gzip
import json
import os
import re
from pathlib import Path

import pytest

import naql.extract
from naql.errors import ExtractionError, NaqlError
from naql.extract import ExtractedArticle, detect_language, extract_article, read_page
from naql.extract.article import body_paragraphs, normalise_space
from naql.extract.media import absolute_http_url, video_url

SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "data"
DEV = SHARED / "extraction-dev"
PAGES = SHARED / "pages"

needs_dev = pytest.mark.skipif(not (DEV / "ground-truth.json").is_file(), reason=f"no {DEV}")
needs_pages = pytest.mark.skipif(
    not (PAGES / "cnn-arabic-2013.html").is_file(), reason=f"no {PAGES}"
)

ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?")

# Three English news pages of the benchmark sample whose ground truth is plain prose.
DEV_PAGES = [
    "0d46122928b6f468cc4bbc694051d0dbae5702bc75a16dab82a99b58daf150a0",  # Sportsnet (AP)
    "1ee91d1fce65e09be8b8d2d29eab771546d98ca2ba5c862941e660e9fec12432",  # Polygraph.info
    "374ac9a59a85196cdacc1679fb8993521a7b7d9d6533720f102300be1c7face4",  # CNBC
]


def _ground_truth() -> dict:
    return json.loads((DEV / "ground-truth.json").read_text(encoding="utf-8"))


def _tokens(text: str) -> list[str]:
    return re.findall(r"\w+", text)


def _in_order(needles: list[str], haystack: list[str]) -> tuple[int, bool]:
    """How many needles occur in haystack, and whether the found ones occur in the same order."""
    positions = [haystack.index(n) for n in needles if n in haystack]
    return len(positions), positions == sorted(positions) and len(set(positions)) == len(positions)


def test_public_api():
    assert sorted(naql.extract.__all__) == sorted(
        ["ExtractedArticle", "extract_article", "read_page", "detect_language"]
    )
    assert issubclass(ExtractionError, NaqlError)


@needs_dev
@pytest.mark.parametrize("page_id", DEV_PAGES, ids=lambda p: p[:12])
def test_real_page_metadata_and_paragraph_order(page_id):
    truth = _ground_truth()[page_id]
    html = read_page(DEV / "html" / f"{page_id}.html.gz")
    article = extract_article(html, truth["url"])

    assert article.title and article.title == article.title.strip()
    assert article.language == "en"
    assert article.date and ISO_DATE.fullmatch(article.date)
    assert article.url and article.url.startswith("https://")
    assert article.image is None or article.image.startswith(("http://", "https://"))
    assert article.site_name

    # paragraphs are clean plain text
    assert article.paragraphs
    for paragraph in article.paragraphs:
        assert paragraph == normalise_space(paragraph) and paragraph
        assert not re.search(r"</?[A-Za-z][^>]*>", paragraph)  # no markup left
    assert article.text == "\n\n".join(article.paragraphs)
    assert article.title not in article.paragraphs  # the title is stored once, not in the body

    # the ground-truth paragraphs come out as paragraphs, in the same order
    expected = [normalise_space(p) for p in truth["articleBody"].split("\n") if p.strip()]
    found, ordered = _in_order(expected, article.paragraphs)
    assert found >= 0.85 * len(expected), (found, len(expected))
    assert ordered
    # and no words are glued together across paragraph joins
    assert set(_tokens(truth["articleBody"])) <= set(_tokens(article.text)) | set(
        _tokens(" ".join(p for p in expected if p not in article.paragraphs))
    )


@needs_pages
def test_arabic_page():
    article = extract_article(read_page(PAGES / "cnn-arabic-2013.html"))
    expected_text = (PAGES / "cnn-arabic-2013.expected.txt").read_text(encoding="utf-8")
    expected = [normalise_space(p) for p in expected_text.split("\n") if p.strip()]

    assert article.language == "ar"
    assert article.title and re.search(r"[\u0600-\u06FF]", article.title)
    assert article.url and article.url.startswith("http://arabic.cnn.com/")
    found, ordered = _in_order(expected, article.paragraphs)
    assert found == len(expected) and ordered
    # most of the body is the article (the rest is the comment-policy notice)
    body_tokens = _tokens(article.text)
    assert len(_tokens(expected_text)) >= 0.8 * len(body_tokens)


VIDEO_PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>Harbour reopens after storm | Example News</title>
<meta property="og:title" content="Harbour reopens after storm">
<meta property="og:image" content="/media/harbour-lead.jpg">
<meta name="author" content="Jane Reporter">
<meta property="article:published_time" content="2024-03-05T10:30:00Z">
</head><body>
<nav><a href="/">Home</a> <a href="/world">World</a></nav>
<article>
<h1>Harbour reopens after storm</h1>
<p>The city harbour reopened on Tuesday morning after a storm that closed it for three days,
the port authority said in a statement, adding that all damaged piers had been inspected.</p>
<p>Fishing boats were the first to leave, followed by two ferries that had been stranded on
the far side of the bay since the weekend, according to officials at the harbour office.</p>
<iframe width="560" height="315"
 src="https://www.youtube.com/embed/dQw4w9WgXcQ?autoplay=1"></iframe>
<p>Repair crews worked through the night to clear debris from the main channel, and engineers
said the breakwater had held up better than expected during the worst of the gale.</p>
<iframe src="//www.youtube-nocookie.com/embed/9bZkp7q19f0"></iframe>
<p>Local businesses welcomed the reopening, saying the closure had cost them a week of trade at
the start of the tourist season, and called on the council to speed up compensation.</p>
<iframe src="https://player.vimeo.com/video/76979871?h=8272103f6e" frameborder="0"></iframe>
<iframe src="javascript:alert('https://www.youtube.com/embed/AAAAAAAAAAA')"></iframe>
<iframe src="https://evil.example/?u=https://www.youtube.com/embed/BBBBBBBBBBB"></iframe>
<iframe src="https://www.youtube.com/embed/dQw4w9WgXcQ"></iframe>
<p>The weather service said calmer conditions were expected for the rest of the week, although
another front could bring strong winds to the coast by the end of the month.</p>
</article>
<footer>Example News</footer>
</body></html>
"""


def test_videos_lead_image_and_metadata_of_a_hand_written_page():
    article = extract_article(
        VIDEO_PAGE.encode("utf-8"), "https://news.example.com/world/harbour.html"
    )
    assert article.videos == [
        "https://www.youtube.com/watch?v=dQw4w9WgXcQ",
        "https://www.youtube.com/watch?v=9bZkp7q19f0",
        "https://vimeo.com/76979871",
    ]
    assert article.image == "https://news.example.com/media/harbour-lead.jpg"
    assert article.title == "Harbour reopens after storm"
    assert article.author == "Jane Reporter"
    assert article.date and article.date.startswith("2024-03-05")
    assert article.url == "https://news.example.com/world/harbour.html"
    assert article.language == "en"
    assert len(article.paragraphs) == 5
    assert article.paragraphs[0].startswith("The city harbour reopened")
    assert article.paragraphs[-1].endswith("by the end of the month.")

    data = article.to_json_dict("harbour.html")
    assert list(data) == [
        "input",
        "title",
        "text",
        "paragraphs",
        "author",
        "date",
        "url",
        "image",
        "videos",
        "language",
        "site_name",
    ]
    assert data["input"] == "harbour.html" and data["text"] == article.text
    json.dumps(data)  # serialisable as is


def test_hostile_canonical_and_image_fall_back_safely():
    page = VIDEO_PAGE.replace(
        '<meta property="og:image" content="/media/harbour-lead.jpg">',
        '<meta property="og:image" content="javascript:alert(1)">'
        '<link rel="canonical" href="javascript:alert(2)">',
    )
    article = extract_article(page, "https://news.example.com/world/harbour.html")
    assert article.image is None
    assert article.url == "https://news.example.com/world/harbour.html"


def test_relative_image_without_any_base_is_dropped():
    article = extract_article(VIDEO_PAGE)
    assert article.image is None
    assert article.url is None


@pytest.mark.parametrize(
    "raw, expected",
    [
        (
            "https://www.youtube.com/embed/dQw4w9WgXcQ?rel=0",
            "https://www.youtube.com/watch?v=dQw4w9WgXcQ",
        ),
        (
            "http://youtube.com/watch?v=dQw4w9WgXcQ&t=10",
            "https://www.youtube.com/watch?v=dQw4w9WgXcQ",
        ),
        ("https://youtu.be/dQw4w9WgXcQ", "https://www.youtube.com/watch?v=dQw4w9WgXcQ"),
        (
            "//www.youtube-nocookie.com/embed/dQw4w9WgXcQ",
            "https://www.youtube.com/watch?v=dQw4w9WgXcQ",
        ),
        ("https://player.vimeo.com/video/76979871", "https://vimeo.com/76979871"),
        ("https://vimeo.com/76979871", "https://vimeo.com/76979871"),
        ("javascript:alert(1)//www.youtube.com/embed/dQw4w9WgXcQ", None),
        ("https://www.youtube.com/embed/dQw4w9WgXcQ<script>", None),
        ("https://www.youtube.com/embed/short", None),
        ("https://www.youtube.com.evil.example/embed/dQw4w9WgXcQ", None),
        ("https://evil.example/www.youtube.com/embed/dQw4w9WgXcQ", None),
        ("data:text/html,https://youtu.be/dQw4w9WgXcQ", None),
        ("https://vimeo.com/channels/staffpicks", None),
        ("https://player.vimeo.com/video/123abc", None),
        ("", None),
    ],
)
def test_video_url_is_rebuilt_from_a_strict_id(raw, expected):
    assert video_url(raw) == expected


@pytest.mark.parametrize(
    "raw, base, expected",
    [
        ("/a/b.jpg", "https://x.example/news/1.html", "https://x.example/a/b.jpg"),
        ("b.jpg", "https://x.example/news/1.html", "https://x.example/news/b.jpg"),
        ("//cdn.example/i.jpg", None, "https://cdn.example/i.jpg"),
        ("https://cdn.example/i.jpg", None, "https://cdn.example/i.jpg"),
        ("/a/b.jpg", None, None),
        ("javascript:alert(1)", "https://x.example/", None),
        ("data:image/png;base64,AAAA", "https://x.example/", None),
        ("ftp://x.example/i.jpg", None, None),
        ("/a/b.jpg", "javascript:alert(1)", None),
    ],
)
def test_absolute_http_url(raw, base, expected):
    assert absolute_http_url(raw, base) == expected


def test_paragraph_joins_never_glue_words():
    from lxml import etree

    body = etree.fromstring(
        "<body><head>Heading</head><p>one<lb/>two <hi>three</hi>four</p>"
        "<list><item>five</item><item>six</item></list>"
        "<table><row><cell>seven</cell><cell>eight</cell></row><row><cell>nine</cell></row></table>"
        "<quote>ten</quote>eleven<p>  twelve\u00a0 thirteen </p></body>"
    )
    assert body_paragraphs(body) == [
        "Heading",
        "one",
        "two threefour",
        "five",
        "six",
        "seven | eight",
        "nine",
        "ten",
        "eleven",
        "twelve thirteen",
    ]


def test_detect_language():
    assert detect_language("") is None
    assert detect_language("Hi there") is None  # too few letters to tell
    assert (
        detect_language("The government announced new measures to support families on Monday.")
        == "en"
    )
    assert detect_language("أعلنت الحكومة يوم الاثنين عن إجراءات جديدة لدعم الأسر.") == "ar"
    assert (
        detect_language("Le gouvernement a annoncé lundi de nouvelles mesures pour les familles.")
        == "fr"
    )


@pytest.mark.parametrize(
    "garbage",
    [
        b"",
        b"   \n\t ",
        b"\x00" * 1000,
        os.urandom(4096),
        b"\x1f\x8b\x08\x00" + os.urandom(200),
        b"%PDF-1.4\n" + os.urandom(1000),
        b'{"not": "html"}',
        b"<html><head><script>var x = 1;</script></head><body></body></html>",
        b"<html><body>" + b"<div>" * 50_000 + b"deep" + b"</div>" * 50_000 + b"</body></html>",
        "<html><body><p>" + "<b>" * 20_000 + "word " * 50 + "</b>" * 20_000 + "</p></body></html>",
        None,
        12345,
    ],
    ids=[
        "empty",
        "whitespace",
        "nul",
        "random",
        "bad-gzip",
        "pdf",
        "json",
        "script-only",
        "deep-divs",
        "deep-inline",
        "none",
        "int",
    ],
)
def test_garbage_raises_extraction_error(garbage):
    with pytest.raises(ExtractionError, match=r"^no article text found in https://x\.example/a"):
        extract_article(garbage, "https://x.example/a")


def test_error_message_without_url():
    with pytest.raises(ExtractionError, match=r"^no article text found in page$"):
        extract_article(b"")


def test_read_page_plain_and_gzip(tmp_path):
    html = VIDEO_PAGE.encode("utf-8")
    (tmp_path / "a.html").write_bytes(html)
    (tmp_path / "a.html.gz").write_bytes(gzip.compress(html))
    assert read_page(tmp_path / "a.html") == html
    assert read_page(str(tmp_path / "a.html.gz")) == html

    (tmp_path / "bad.html.gz").write_bytes(b"\x1f\x8b\x08\x00garbage")
    with pytest.raises(ExtractionError):
        read_page(tmp_path / "bad.html.gz")
    with pytest.raises(ExtractionError):
        read_page(tmp_path / "missing.html")


def test_article_is_frozen():
    article = extract_article(VIDEO_PAGE)
    assert isinstance(article, ExtractedArticle)
    with pytest.raises(AttributeError):
        article.title = "x"  # type: ignore[misc]
