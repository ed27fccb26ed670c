"""Rebuild vi_syllables.txt and vi_bigrams.txt beside this file (a maintainer's tool, not shipped code).

Run: python scripts/build_diacritic_lists.py  (needs underthesea 9.5 installed and corpora/plan16/source/).
Why kept: the lists are data derived from sources; this is the recipe that makes them reproducible.
"""

from __future__ import annotations

import collections
import itertools
import sys
from importlib import resources
from pathlib import Path

from matcher.settings import PROJECT_ROOT
from matcher.text.diacritics import is_vietnamese_syllable
from matcher.text.normalize import normalize, words

UTS = str(resources.files("underthesea"))
OUT_DIR = Path(__file__).resolve().parents[1] / "matcher" / "text" / "data"
SEED_000 = PROJECT_ROOT / "corpora" / "plan16" / "source" / "cong-van-SKHCN-chon-cong-nghe-VAST-2026.txt"

DOMAIN = """
 xử lý nước thải, nước thải nuôi tôm, nuôi tôm, nuôi cá, nuôi trồng thủy sản, thủy sản, ao nuôi, đầm
nuôi, thức ăn thủy sản, cảng biển, cảng container, bến cảng, cầu cảng, cảng cạn, kho bãi, kho lạnh, kho
hàng, bảo quản lạnh, chuỗi cung ứng lạnh, điện năng, điện mặt trời, năng lượng mặt trời, năng lượng tái
tạo, điện gió, điện sinh khối, khí sinh học, tiết kiệm năng lượng, tiết kiệm điện, tiết kiệm nước, pin
lưu trữ, lưu trữ năng lượng, xe điện, trạm sạc, hiệu suất năng lượng, phân bón, phân bón hữu cơ, phân vi
sinh, phân hữu cơ vi sinh, gạch nung, gạch không nung, lò nung, lò đốt, lò đốt rác, rác thải, rác thải
sinh hoạt, chất thải rắn, chất thải nguy hại, chất thải y tế, chất thải công nghiệp, bùn thải, khí thải,
tự động hóa, tự động, dây chuyền tự động, máy móc thiết bị, thiết bị, robot công nghiệp, cảm biến, giám
sát, quan trắc, quan trắc môi trường, giám sát từ xa, điều khiển từ xa, hệ thống giám sát, hệ thống điều
khiển, hệ thống quản lý, trí tuệ nhân tạo, dữ liệu lớn, điện toán đám mây, chuyển đổi số, internet vạn
vật, vạn vật kết nối, phần mềm quản lý, chế biến thủy sản, chế biến nông sản, chế biến thực phẩm, bảo
quản nông sản, bảo quản thực phẩm, sấy nông sản, máy sấy, hải sản, hải sản xuất khẩu, hàng xuất khẩu,
đông lạnh, cấp đông, kho cấp đông, làm lạnh, hệ thống lạnh, máy lạnh, giống cây trồng, giống vật nuôi,
chăn nuôi, chăn nuôi gia súc, gia cầm, thức ăn chăn nuôi, thú y, vắc xin, kháng sinh, thuốc bảo vệ thực
vật, sâu bệnh, tưới nhỏ giọt, tưới tiết kiệm, nhà kính, nhà màng, thủy canh, nông nghiệp công nghệ cao,
đóng tàu, sửa chữa tàu, vỏ tàu, tàu biển, thép, hàn cắt, cơ khí chính xác, khuôn mẫu, đúc, gia công cơ
khí, luyện kim, vật liệu mới, vật liệu xây dựng, vật liệu composite, xi măng, bê tông, tấm lợp, sơn
chống thấm, chống ăn mòn, mạ kẽm, cao su, logistics, vận tải hàng hải, vận tải đường thủy, vận tải đường
bộ, đường sắt, hàng không, bốc xếp, cần cẩu, xe nâng, băng tải, thiết bị y tế, chẩn đoán hình ảnh, xét
nghiệm, bệnh viện, chăm sóc sức khỏe, dược phẩm, dược liệu, thảo dược, đào tạo nguồn nhân lực, nhân lực
chất lượng cao, doanh nghiệp vừa và nhỏ, khởi nghiệp sáng tạo, đổi mới sáng tạo, đổi mới công nghệ,
chuyển giao công nghệ, ứng dụng công nghệ, nghiên cứu phát triển, thử nghiệm, quy trình sản xuất, quy
trình công nghệ, giải pháp công nghệ, mô hình, sản phẩm, dịch vụ, thị trường, tiêu chuẩn, quy chuẩn kỹ
thuật, chứng nhận, sở hữu trí tuệ, bằng sáng chế, giải pháp hữu ích, kiểu dáng công nghiệp, chi phí đầu
tư, chi phí vận hành, chi phí vận hành thấp, chi phí thấp, giá thành thấp, giá thành hợp lý, vốn đầu tư,
hiệu quả kinh tế, năng suất cao, công suất lớn, công suất nhỏ, mét khối mỗi ngày, tấn mỗi ngày, ngày
đêm, mỗi giờ, nước sạch, nước ngầm, nước mặt, cấp nước, thoát nước, xử lý nước cấp, lọc nước, nước uống,
nước mặn, nước lợ, xâm nhập mặn, hạn hán, thủy lợi, đê điều, biến đổi khí hậu, phát thải, giảm phát
thải, tín chỉ các bon, trung hòa các bon, ô nhiễm môi trường, ô nhiễm không khí, ô nhiễm nguồn nước, tái
chế, tái sử dụng, kinh tế tuần hoàn, phế liệu, phế phụ phẩm, đất ô nhiễm, kim loại nặng, cải tạo đất,
rừng ngập mặn, đa dạng sinh học, bảo tồn, điện tử, bán dẫn, vi mạch, linh kiện điện tử, bo mạch, lắp
ráp, điều khiển tự động, lập trình, tàu thuyền, xà lan, nạo vét, bồi lắng, luồng hàng hải, du lịch,
khách sạn, nhà hàng, khu công nghiệp, khu kinh tế, đô thị thông minh, giao thông thông minh, an ninh
mạng, bảo mật, camera, nhận diện khuôn mặt, nhận dạng biển số, đèn tín hiệu, bãi đỗ xe, nước mắm, nước
giải khát, sữa, bánh kẹo, đồ hộp, bao bì, đóng gói, nhãn mác, truy xuất nguồn gốc, mã vạch, dệt may, da
giày, sợi, vải, nhuộm, in ấn, giấy, bột giấy, gỗ, đồ gỗ nội thất, mây tre đan, thủ công mỹ nghệ, khai
thác khoáng sản, đá, cát, sỏi, than, dầu khí, hóa dầu, khí hóa lỏng, đường ống, bồn chứa, phòng cháy
chữa cháy, cứu hộ cứu nạn, thiên tai, bão lũ, cảnh báo sớm, dự báo thời tiết, khí tượng thủy văn, cần
tìm, cần tìm công nghệ, cần giải pháp, cần thiết bị, muốn tìm, muốn mua, muốn đầu tư, có nhu cầu, nhu
cầu, giúp giảm, giảm chi phí, giảm ô nhiễm, tăng năng suất, nâng cao chất lượng, cải thiện, thay thế,
lắp đặt, vận hành, bảo trì, sửa chữa, bảo dưỡng, nâng cấp, mở rộng sản xuất, công ty, doanh nghiệp, hợp
tác xã, trang trại, nhà máy, xí nghiệp, xưởng, cho, của, và, với, trong, ngoài, trên, dưới, từ, đến,
theo, tại, về, các, những, một, hai, ba, bốn, năm, sáu, bảy, tám, chín, mười, trăm, nghìn, triệu, tỷ,
thấp, cao, nhanh, rẻ, bền, an toàn, thân thiện môi trường, hiện đại, tiên tiến
"""


# VLSP writes the reformed "lí", "kĩ"; business and plan texts write "lý", "kỹ" (seed letters: 33 x "lý",
# 0 x "lí"). The fallback follows the texts it will restore.
I_TO_Y = {"lí": "lý", "kĩ": "kỹ", "kí": "ký", "kì": "kỳ", "mĩ": "mỹ", "tỉ": "tỷ", "tì": "tỳ"}


def canon(s: str) -> str:
    return I_TO_Y.get(s, s)


def syllables(text: str):
    for tok in words(normalize(text).lower()):
        if tok.isalpha() and is_vietnamese_syllable(tok):
            yield canon(tok)


counts: collections.Counter[str] = collections.Counter()
# 1. running text: VLSP-2013 POS test output shipped with underthesea (news/legal, ~96k syllables)
for line in (
    Path(f"{UTS}/pipeline/pos_tag/models/pos_crf_vlsp2013_20230303/test_output.txt")
    .read_text(encoding="utf8")
    .splitlines()
):
    if line.strip():
        counts.update(syllables(line.split("\t")[0]))
# 2. seed 000 (the seed 002 plan is the held-out measurement text, so it stays out)
counts.update(syllables(SEED_000.read_text(encoding="utf8")))
# 3. hand-written business/technical terms, weighted x3
DOMAIN_PHRASES = [p.strip() for p in DOMAIN.replace("\n", " ").split(",") if p.strip()]
for phrase in DOMAIN_PHRASES:
    for s in syllables(phrase):
        counts[s] += 3
# 4. inventory: every syllable of the Viet74K dictionary gets at least 1
for line in Path(f"{UTS}/corpus/data/Viet74K.txt").read_text(encoding="utf8").splitlines():
    for s in syllables(line.replace("-", " ")):
        counts[s] = counts[s] or 1
print(len(counts), sum(counts.values()), file=sys.stderr)
out = OUT_DIR / "vi_syllables.txt"
with open(out, "w", encoding="utf8") as f:
    f.write(
        "# Common Vietnamese syllables with counts: the fallback vocabulary of matcher.text.diacritics.\n"
        "# Built from syllable counts of the VLSP-2013 POS test output and the Viet74K word list shipped\n"
        "# with underthesea 9.5 (Apache-2.0), seed letter 000 and hand-written business/technical terms.\n"
        "# Format: syllable<TAB>count, NFC, lower case, most frequent first.\n"
    )
    for s, c in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])):
        f.write(f"{s}\t{c}\n")


# Bigrams: adjacent syllables inside Viet22K entries (count 1 each) + VLSP running-text pairs seen >= 2 times.
bigrams: collections.Counter[tuple[str, str]] = collections.Counter()
for line in Path(f"{UTS}/corpus/data/Viet22K.txt").read_text(encoding="utf8").splitlines():
    syl = [canon(t) for t in normalize(line.strip()).lower().split()]
    if len(syl) > 1 and all(s.isalpha() and is_vietnamese_syllable(s) for s in syl):
        for a, b in itertools.pairwise(syl):
            bigrams[(a, b)] += 1
run_toks: list[str | None] = []
for line in (
    Path(f"{UTS}/pipeline/pos_tag/models/pos_crf_vlsp2013_20230303/test_output.txt")
    .read_text(encoding="utf8")
    .splitlines()
):
    if not line.strip():
        run_toks.append(None)
        continue
    for s in normalize(line.split("\t")[0]).lower().split():
        run_toks.append(canon(s) if s.isalpha() and is_vietnamese_syllable(s) else None)
vlsp = collections.Counter((a, b) for a, b in itertools.pairwise(run_toks) if a and b)
bigrams.update({k: v for k, v in vlsp.items() if v >= 2})
for phrase in DOMAIN_PHRASES:  # hand-written need phrases, weighted x3 like their syllables
    syl = list(syllables(phrase))
    for a, b in itertools.pairwise(syl):
        bigrams[(a, b)] += 3
# Pairs with a syllable outside the syllable list are typos in the sources ("nhiêt", "lưc"): dropped.
bigrams = collections.Counter({k: v for k, v in bigrams.items() if k[0] in counts and k[1] in counts})
grouped: dict[str, list[tuple[str, int]]] = collections.defaultdict(list)
for (a, b), n in bigrams.items():
    grouped[a].append((b, n))
with open(OUT_DIR / "vi_bigrams.txt", "w", encoding="utf8") as f:
    f.write(
        "# Common Vietnamese syllable bigrams: the fallback context of matcher.text.diacritics.\n"
        "# Built from adjacent syllables of the Viet22K word list (count 1 each) and pairs seen at least\n"
        "# twice in the VLSP-2013 POS test output, both shipped with underthesea 9.5 (Apache-2.0), and\n"
        "# hand-written business/technical phrases (count 3 each).\n"
        "# Format: first<TAB>second[:count] second[:count] ... (count 1 when omitted), NFC, lower case.\n"
    )
    for a in sorted(grouped):
        items = sorted(grouped[a], key=lambda t: (-t[1], t[0]))
        f.write(a + "\t" + " ".join(b if n == 1 else f"{b}:{n}" for b, n in items) + "\n")
print(len(bigrams), file=sys.stderr)
