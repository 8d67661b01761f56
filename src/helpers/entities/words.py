"""The words around Vietnamese names: titles before a person, administrative words before a place,
and the heads that begin an organisation's name. Plain data, used by the mention rules and the merge.
"""

from __future__ import annotations

import re

# Offices of a state, after which a country's name says whose (`Thủ tướng Nga`, `Ngoại trưởng Mỹ`).
STATE_OFFICES = ("Tổng Bí thư", "Chủ tịch nước", "Chủ tịch", "Phó Chủ tịch", "Thủ tướng", "Phó Thủ tướng",
                 "Bộ trưởng", "Thứ trưởng", "Ngoại trưởng", "Tổng thống", "Cựu tổng thống", "Phó Tổng thống",
                 "Thủ hiến", "Đại sứ", "Nghị sĩ", "nghị sĩ", "Quốc vương", "Nhà vua", "Nữ hoàng")
# Personal titles: a name after one is a person's (`bà Nga`), never a country's.
PERSONAL_TITLES = ("Đồng chí", "đồng chí", "Ông", "ông", "Bà", "bà", "Anh", "anh", "Chị", "chị", "Cô", "cô")
HONORIFICS = frozenset({t.lower() for t in PERSONAL_TITLES} | {"chú", "bác", "cụ", "cháu", "bé", "thầy", "mẹ", "bố"})
# Titles, ranks, offices and honorifics that stand before a person's name and are not part of it
# (longest first when matched). `Bộ trưởng Tô Lâm` is the person `Tô Lâm`.
TITLES = tuple(sorted({
    *STATE_OFFICES, *PERSONAL_TITLES,
    "Bí thư", "Phó Bí thư", "Giám đốc", "Phó Giám đốc", "Tổng Giám đốc", "Chánh Văn phòng",
    "Cục trưởng", "Phó Cục trưởng", "Phó cục trưởng", "Vụ trưởng", "Trưởng ban", "Phó Trưởng ban", "Chủ nhiệm",
    "Tư lệnh", "Chính ủy",
    "Đại tướng", "Thượng tướng", "Trung tướng", "Thiếu tướng", "Đại tá", "Thượng tá", "Trung tá", "Thiếu tá",
    "Đại úy", "Thượng úy", "Trung úy", "Thiếu úy",
    "GS.TSKH.", "GS.TS.", "GS.TS", "PGS.TS.", "PGS.TS", "GS.", "GS", "PGS.", "PGS", "TS.", "TS", "ThS.", "ThS",
    "BS.", "BS", "NSND", "NSƯT", "nghệ sĩ", "Nghệ sĩ", "luật sư", "Luật sư", "nhà báo", "Nhà báo",
}, key=len, reverse=True))

# Words that say a place is an administrative unit (`tỉnh Quảng Nam` is the place `Quảng Nam`).
ADMIN_WORDS = ("thành phố", "Thành phố", "thị xã", "Thị xã", "thị trấn", "Thị trấn", "TP.", "TP", "Tp.", "Tp",
               "tỉnh", "Tỉnh", "huyện", "Huyện", "quận", "Quận", "xã", "Xã", "phường", "Phường", "thủ đô", "Thủ đô")

# Words that begin an organisation's name when a capitalised name follows (`Sở Tư pháp`, `Công an tỉnh Hà Nam`).
ORG_HEADS = ("Ủy ban nhân dân", "Hội đồng nhân dân", "Ủy ban", "Ủy ban Kiểm tra", "Công an", "Bộ", "Sở", "Cục",
             "Ban", "Vụ", "Viện", "Học viện", "Trường", "Đại học", "Bệnh viện", "Ngân hàng", "Công ty",
             "Tập đoàn", "Tổng công ty", "Hội", "Đảng ủy", "Đảng bộ", "Tỉnh ủy", "Thành ủy", "Huyện ủy",
             "Quân khu", "Bộ Tư lệnh", "Văn phòng", "Tòa án nhân dân", "Viện kiểm sát nhân dân", "Mặt trận",
             "Trung tâm", "Liên minh", "Thượng viện", "Hạ viện", "Quốc hội", "Chính phủ", "UBND", "HĐND", "MTTQ")

_TITLE = re.compile(r"^(?:(?:" + "|".join(re.escape(t) for t in TITLES) + r")(?:\s+|(?<=\.)))+")
_ADMIN = re.compile(r"^(?:" + "|".join(re.escape(a) for a in sorted(ADMIN_WORDS, key=len, reverse=True))
                    + r")(?:\s+|(?<=\.))")


def strip_titles(name: str) -> str:
    """The name without the titles before it ('Bộ trưởng Tô Lâm' → 'Tô Lâm'); unchanged when nothing
    would be left ('Tổng Bí thư' alone is a title, not a name)."""
    rest = _TITLE.sub("", name.strip(), count=1)
    return rest if rest and rest[0].isupper() else name.strip()


def title_length(name: str) -> int:
    """How many characters of titles open `name` (0 when none, or when only titles are left)."""
    rest = strip_titles(name)
    return len(name) - len(rest) if rest != name.strip() else 0


# Places written short, by their names: Hồ Chí Minh City is `TP.HCM` or `TPHCM` in most reports.
SHORT_PLACES = {"HCM": "Hồ Chí Minh", "TPHCM": "Hồ Chí Minh"}


def strip_admin(name: str) -> str:
    """A place without its administrative word ('tỉnh Quảng Nam' → 'Quảng Nam', 'TP. Vinh' → 'Vinh')."""
    rest = _ADMIN.sub("", name.strip(), count=1)
    return rest if rest and rest[0].isupper() else name.strip()


def is_title(text: str) -> bool:
    """True when the text is only titles ('Tổng Bí thư', 'Thứ trưởng'): an office held, not a name."""
    return bool(_TITLE.fullmatch(text.strip() + " ")) or text.strip() in TITLES

# Vietnam's provinces and centrally governed cities (the 63 units before the 2025 merger), so a
# province written bare is a place even when it begins with a family name (`Hà Nam`, `Lâm Đồng`).
PROVINCES = frozenset(
    "An Giang|Bà Rịa - Vũng Tàu|Bắc Giang|Bắc Kạn|Bạc Liêu|Bắc Ninh|Bến Tre|Bình Định|Bình Dương|Bình Phước|"
    "Bình Thuận|Cà Mau|Cần Thơ|Cao Bằng|Đà Nẵng|Đắk Lắk|Đắk Nông|Điện Biên|Đồng Nai|Đồng Tháp|Gia Lai|Hà Giang|"
    "Hà Nam|Hà Nội|Hà Tĩnh|Hải Dương|Hải Phòng|Hậu Giang|Hòa Bình|Hưng Yên|Khánh Hòa|Kiên Giang|Kon Tum|Lai Châu|"
    "Lâm Đồng|Lạng Sơn|Lào Cai|Long An|Nam Định|Nghệ An|Ninh Bình|Ninh Thuận|Phú Thọ|Phú Yên|Quảng Bình|Quảng Nam|"
    "Quảng Ngãi|Quảng Ninh|Quảng Trị|Sóc Trăng|Sơn La|Tây Ninh|Thái Bình|Thái Nguyên|Thanh Hóa|Thừa Thiên Huế|"
    "Tiền Giang|Trà Vinh|Tuyên Quang|Vĩnh Long|Vĩnh Phúc|Yên Bái|Việt Nam".split("|"))
