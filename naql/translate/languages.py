"""Language codes as models and language identification spell them, and Arabic language names.

naql speaks ISO 639-1 ("fr"): py3langid reports it and sites configure routes with it. Models spell
languages their own way: OPUS-MT / Tatoeba releases list ISO 639-3 codes, sometimes with a script
("fra", "lat_Latn", "pob"); NLLB-200 uses FLORES-200 codes ("fra_Latn", "arb_Arab"); M2M-100 wraps
ISO 639-1 codes in underscores ("__fr__"). This module maps between them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

__all__ = [
    "ARABIC_NAMES",
    "FLORES_200",
    "arabic_name",
    "flores_code",
    "flores_languages",
    "iso639_1",
    "iso639_3",
]


def _words(text: str) -> list[str]:
    return text.split()


#: ISO 639-1 -> ISO 639-3 (the ISO 639-2/T code: an individual language or its macrolanguage)
_ISO1_TO_3: dict[str, str] = dict(
    pair.split(":")
    for pair in _words("""
    aa:aar ab:abk ae:ave af:afr ak:aka am:amh an:arg ar:ara as:asm av:ava ay:aym az:aze ba:bak
    be:bel bg:bul bi:bis bm:bam bn:ben bo:bod br:bre bs:bos ca:cat ce:che ch:cha co:cos cr:cre
    cs:ces cu:chu cv:chv cy:cym da:dan de:deu dv:div dz:dzo ee:ewe el:ell en:eng eo:epo es:spa
    et:est eu:eus fa:fas ff:ful fi:fin fj:fij fo:fao fr:fra fy:fry ga:gle gd:gla gl:glg gn:grn
    gu:guj gv:glv ha:hau he:heb hi:hin ho:hmo hr:hrv ht:hat hu:hun hy:hye hz:her ia:ina id:ind
    ie:ile ig:ibo ii:iii ik:ipk io:ido is:isl it:ita iu:iku ja:jpn jv:jav ka:kat kg:kon ki:kik
    kj:kua kk:kaz kl:kal km:khm kn:kan ko:kor kr:kau ks:kas ku:kur kv:kom kw:cor ky:kir la:lat
    lb:ltz lg:lug li:lim ln:lin lo:lao lt:lit lu:lub lv:lav mg:mlg mh:mah mi:mri mk:mkd ml:mal
    mn:mon mr:mar ms:msa mt:mlt my:mya na:nau nb:nob nd:nde ne:nep ng:ndo nl:nld nn:nno no:nor
    nr:nbl nv:nav ny:nya oc:oci oj:oji om:orm or:ori os:oss pa:pan pi:pli pl:pol ps:pus pt:por
    qu:que rm:roh rn:run ro:ron ru:rus rw:kin sa:san sc:srd sd:snd se:sme sg:sag si:sin sk:slk
    sl:slv sm:smo sn:sna so:som sq:sqi sr:srp ss:ssw st:sot su:sun sv:swe sw:swa ta:tam te:tel
    tg:tgk th:tha ti:tir tk:tuk tl:tgl tn:tsn to:ton tr:tur ts:tso tt:tat tw:twi ty:tah ug:uig
    uk:ukr ur:urd uz:uzb ve:ven vi:vie vo:vol wa:wln wo:wol xh:xho yi:yid yo:yor za:zha zh:zho
    zu:zul
    """)
)

#: Other three-letter codes models use for a language that has an ISO 639-1 code: individual
#: languages of a macrolanguage (NLLB's "arb", "pes", "zsm"...), Tatoeba's "pob" and "mol", and
#: the ISO 639-2/B bibliographic codes.
_ALIASES: dict[str, str] = dict(
    pair.split(":")
    for pair in _words("""
    arb:ar cmn:zh zsm:ms zlm:ms pes:fa prs:fa azj:az azb:az khk:mn npi:ne ory:or pbt:ps pbu:ps
    plt:mg quy:qu ydd:yi gaz:om als:sq ekk:et lvs:lv kmr:ku fuv:ff knc:kr swh:sw uzn:uz pob:pt
    mol:ro ayr:ay
    alb:sq arm:hy baq:eu bur:my chi:zh cze:cs dut:nl fre:fr geo:ka ger:de gre:el ice:is mac:mk
    mao:mi may:ms per:fa rum:ro slo:sk tib:bo wel:cy
    """)
)

_ISO3_TO_1: dict[str, str] = {v: k for k, v in _ISO1_TO_3.items()} | _ALIASES

#: The FLORES-200 language codes (NLLB-200's language tokens).
FLORES_200: tuple[str, ...] = tuple(
    _words("""
    ace_Arab ace_Latn acm_Arab acq_Arab aeb_Arab afr_Latn ajp_Arab aka_Latn amh_Ethi apc_Arab
    arb_Arab arb_Latn ars_Arab ary_Arab arz_Arab asm_Beng ast_Latn awa_Deva ayr_Latn azb_Arab
    azj_Latn bak_Cyrl bam_Latn ban_Latn bel_Cyrl bem_Latn ben_Beng bho_Deva bjn_Arab bjn_Latn
    bod_Tibt bos_Latn bug_Latn bul_Cyrl cat_Latn ceb_Latn ces_Latn cjk_Latn ckb_Arab crh_Latn
    cym_Latn dan_Latn deu_Latn dik_Latn dyu_Latn dzo_Tibt ell_Grek eng_Latn epo_Latn est_Latn
    eus_Latn ewe_Latn fao_Latn fij_Latn fin_Latn fon_Latn fra_Latn fur_Latn fuv_Latn gaz_Latn
    gla_Latn gle_Latn glg_Latn grn_Latn guj_Gujr hat_Latn hau_Latn heb_Hebr hin_Deva hne_Deva
    hrv_Latn hun_Latn hye_Armn ibo_Latn ilo_Latn ind_Latn isl_Latn ita_Latn jav_Latn jpn_Jpan
    kab_Latn kac_Latn kam_Latn kan_Knda kas_Arab kas_Deva kat_Geor kaz_Cyrl kbp_Latn kea_Latn
    khk_Cyrl khm_Khmr kik_Latn kin_Latn kir_Cyrl kmb_Latn kmr_Latn knc_Arab knc_Latn kon_Latn
    kor_Hang lao_Laoo lij_Latn lim_Latn lin_Latn lit_Latn lmo_Latn ltg_Latn ltz_Latn lua_Latn
    lug_Latn luo_Latn lus_Latn lvs_Latn mag_Deva mai_Deva mal_Mlym mar_Deva min_Arab min_Latn
    mkd_Cyrl mlt_Latn mni_Beng mos_Latn mri_Latn mya_Mymr nld_Latn nno_Latn nob_Latn npi_Deva
    nso_Latn nus_Latn nya_Latn oci_Latn ory_Orya pag_Latn pan_Guru pap_Latn pbt_Arab pes_Arab
    plt_Latn pol_Latn por_Latn prs_Arab quy_Latn ron_Latn run_Latn rus_Cyrl sag_Latn san_Deva
    sat_Olck scn_Latn shn_Mymr sin_Sinh slk_Latn slv_Latn smo_Latn sna_Latn snd_Arab som_Latn
    sot_Latn spa_Latn als_Latn srd_Latn srp_Cyrl ssw_Latn sun_Latn swe_Latn swh_Latn szl_Latn
    tam_Taml taq_Latn taq_Tfng tat_Cyrl tel_Telu tgk_Cyrl tgl_Latn tha_Thai tir_Ethi tpi_Latn
    tsn_Latn tso_Latn tuk_Latn tum_Latn tur_Latn twi_Latn tzm_Tfng uig_Arab ukr_Cyrl umb_Latn
    urd_Arab uzn_Latn vec_Latn vie_Latn war_Latn wol_Latn xho_Latn ydd_Hebr yor_Latn yue_Hant
    zho_Hans zho_Hant zsm_Latn zul_Latn
    """)
)

#: Which FLORES-200 code stands for an ISO 639-1 language that has several.
_FLORES_PREFERRED = {
    "ar": "arb_Arab",
    "zh": "zho_Hans",
    "fa": "pes_Arab",
    "az": "azj_Latn",
    "ks": "kas_Arab",
    "kr": "knc_Latn",
}

_FLORES_RE = re.compile(r"([a-z]{3})_[A-Z][a-z]{3}")


def iso639_1(code: str) -> str | None:
    """ISO 639-1 for a model's language code: "fra", "fra_Latn", "lat_Latn", "pob", "fr" -> "fr"...

    None when the language has no ISO 639-1 code (e.g. "lad", "osp_Latn", "ckb_Arab").
    """
    base = code.strip().split("_", 1)[0].split("-", 1)[0].lower()
    if len(base) == 2:
        return base if base in _ISO1_TO_3 else None
    return _ISO3_TO_1.get(base)


def iso639_3(code: str) -> str | None:
    """ISO 639-3 (639-2/T) for an ISO 639-1 code: "fr" -> "fra"."""
    return _ISO1_TO_3.get(code.lower())


def flores_code(code: str) -> str | None:
    """The FLORES-200 / NLLB token for an ISO 639-1 code: "fr" -> "fra_Latn", "ar" -> "arb_Arab"."""
    if code in _FLORES_PREFERRED:
        return _FLORES_PREFERRED[code]
    for flores in FLORES_200:
        if iso639_1(flores) == code:
            return flores
    return None


def flores_languages(tokens: Iterable[str]) -> dict[str, str]:
    """ISO 639-1 -> token, for the FLORES-200 language tokens among `tokens` (a vocabulary).

    Where several tokens stand for one language, the one `flores_code` names wins, else the first.
    """
    found: dict[str, str] = {}
    for token in tokens:
        m = _FLORES_RE.fullmatch(token)
        lang = iso639_1(m.group(1)) if m else None
        if lang and (lang not in found or _FLORES_PREFERRED.get(lang) == token):
            found[lang] = token
    return found


#: Names of languages in Arabic, for pages and listings.
ARABIC_NAMES: dict[str, str] = {
    "af": "الأفريكانية",
    "am": "الأمهرية",
    "an": "الأراغونية",
    "ar": "العربية",
    "az": "الأذربيجانية",
    "be": "البيلاروسية",
    "bg": "البلغارية",
    "bn": "البنغالية",
    "bo": "التبتية",
    "bs": "البوسنية",
    "ca": "الكتالونية",
    "cs": "التشيكية",
    "cy": "الويلزية",
    "da": "الدنماركية",
    "de": "الألمانية",
    "dv": "الديفيهية",
    "el": "اليونانية",
    "en": "الإنجليزية",
    "eo": "الإسبرانتو",
    "es": "الإسبانية",
    "et": "الإستونية",
    "eu": "الباسكية",
    "fa": "الفارسية",
    "fi": "الفنلندية",
    "fr": "الفرنسية",
    "ga": "الأيرلندية",
    "gl": "الجاليكية",
    "gu": "الغوجاراتية",
    "ha": "الهوسا",
    "he": "العبرية",
    "hi": "الهندية",
    "hr": "الكرواتية",
    "ht": "الكريولية الهايتية",
    "hu": "المجرية",
    "hy": "الأرمنية",
    "id": "الإندونيسية",
    "ig": "الإيغبو",
    "is": "الآيسلندية",
    "it": "الإيطالية",
    "ja": "اليابانية",
    "jv": "الجاوية",
    "ka": "الجورجية",
    "kk": "الكازاخية",
    "km": "الخميرية",
    "ko": "الكورية",
    "ku": "الكردية",
    "ky": "القيرغيزية",
    "la": "اللاتينية",
    "lb": "اللوكسمبورغية",
    "lo": "اللاوية",
    "lt": "الليتوانية",
    "lv": "اللاتفية",
    "mg": "الملغاشية",
    "mk": "المقدونية",
    "ml": "المالايالامية",
    "mn": "المنغولية",
    "mr": "الماراثية",
    "ms": "الملايوية",
    "mt": "المالطية",
    "my": "البورمية",
    "ne": "النيبالية",
    "nl": "الهولندية",
    "nb": "النرويجية",
    "nn": "النرويجية",
    "no": "النرويجية",
    "oc": "الأوكسيتانية",
    "om": "الأورومية",
    "pa": "البنجابية",
    "pl": "البولندية",
    "ps": "البشتوية",
    "pt": "البرتغالية",
    "ro": "الرومانية",
    "ru": "الروسية",
    "rw": "الكينيارواندية",
    "sd": "السندية",
    "si": "السنهالية",
    "sk": "السلوفاكية",
    "sl": "السلوفينية",
    "so": "الصومالية",
    "sq": "الألبانية",
    "sr": "الصربية",
    "su": "السوندية",
    "sv": "السويدية",
    "sw": "السواحيلية",
    "ta": "التاميلية",
    "te": "التيلوغوية",
    "tg": "الطاجيكية",
    "th": "التايلاندية",
    "ti": "التغرينية",
    "tk": "التركمانية",
    "tl": "التاغالوغية",
    "tr": "التركية",
    "tt": "التتارية",
    "ug": "الأويغورية",
    "uk": "الأوكرانية",
    "ur": "الأردية",
    "uz": "الأوزبكية",
    "vi": "الفيتنامية",
    "xh": "الخوسية",
    "yi": "اليديشية",
    "yo": "اليوروبا",
    "zh": "الصينية",
    "zu": "الزولو",
}


def arabic_name(code: str | None) -> str:
    """The language's name in Arabic ("fr" -> "الفرنسية"); the code itself when none is known."""
    if not code:
        return ""
    return ARABIC_NAMES.get(code.lower(), code)
