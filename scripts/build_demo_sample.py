"""Build naql/demo/sample.json from ../shared/data/parallel/flores200-dev (CC BY-SA 4.0).

Consecutive FLORES sentences with the same Wikinews URL form one short article; the title comes from
the Wikinews page name. Only the English side is bundled (the demo translates it).
Usage: python scripts/build_demo_sample.py [N_ARTICLES]
"""

from __future__ import annotations

import csv
import json
import sys
from pathlib import Path
from urllib.parse import unquote

ROOT = Path(__file__).resolve().parents[1]
FLORES = ROOT.parent / "shared" / "data" / "parallel" / "flores200-dev"


def main(n: int = 25) -> None:
    english = (FLORES / "eng_Latn.dev").read_text(encoding="utf-8").splitlines()
    with (FLORES / "metadata_dev.tsv").open(encoding="utf-8") as f:
        meta = list(csv.DictReader(f, delimiter="\t"))
    articles: list[dict] = []
    for sentence, row in zip(english, meta, strict=True):
        if articles and articles[-1]["url"] == row["URL"]:
            articles[-1]["sentences"].append(sentence)
        else:
            articles.append({"url": row["URL"], "topic": row["topic"], "sentences": [sentence]})
    articles = [a for a in articles if len(a["sentences"]) >= 3 and "wikinews" in a["url"]][:n]
    for a in articles:
        a["title"] = unquote(a["url"].rsplit("/", 1)[-1]).replace("_", " ")
        s = a.pop("sentences")
        a["paragraphs"] = [" ".join(s[i : i + 2]) for i in range(0, len(s), 2)]
    out = ROOT / "naql" / "demo" / "sample.json"
    out.write_text(
        json.dumps(
            {
                "license": "CC BY-SA 4.0",
                "attribution": "FLORES-200 dev set (NLLB Team, Meta AI), sentences from English Wikinews articles",
                "articles": articles,
            },
            ensure_ascii=False,
            indent=1,
        ),
        encoding="utf-8",
    )
    print(f"wrote {len(articles)} articles to {out}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 25)
