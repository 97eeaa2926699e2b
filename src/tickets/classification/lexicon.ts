// The built-in vocabulary of what residents ask a commune about, per field (Category code).
// Written with diacritics for people to read and edit; matched after folding, so text typed
// without diacritics matches too. Vietnamese words are mostly two syllables, so most entries are
// "phrases" of two or more words and weigh more than single syllables, which are ambiguous once
// folded. Staff add their own rules in the database (ClassificationRule); they merge with these.
import type { ClassifierRule } from './classifier.ts';

interface Group {
  /** A fixed weight, or 'auto': 1 for one word, 2 for two, 2.5 for three or more. */
  weight: number | 'auto';
  patterns: string[];
}

const auto = (...patterns: string[]): Group => ({ weight: 'auto', patterns });
const w = (weight: number, ...patterns: string[]): Group => ({ weight, patterns });
/** Alone enough to name the field. */
const strong = (...patterns: string[]) => w(3, ...patterns);
/** A hint that needs company: generic words shared by several fields. */
const weak = (...patterns: string[]) => w(0.5, ...patterns);

const LEXICON: Record<string, Group[]> = {
  DAT_DAI: [
    strong(
      'sổ đỏ', 'sổ hồng', 'giấy chứng nhận quyền sử dụng đất', 'quyền sử dụng đất', 'tách thửa', 'hợp thửa', 'gộp thửa', 'thửa đất',
      'giấy phép xây dựng', 'cấp phép xây dựng', 'xin phép xây dựng', 'đền bù', 'bồi thường đất', 'giải phóng mặt bằng', 'thu hồi đất',
      'tranh chấp đất', 'tranh chấp đất đai', 'lấn chiếm', 'lấn đất', 'chuyển mục đích sử dụng đất', 'thổ cư', 'đất thổ cư', 'tái định cư',
      'địa chính', 'đất đai', 'xây dựng trái phép', 'xây trái phép', 'xây không phép', 'xây sai phép', 'sai phép', 'không phép',
      'bản đồ địa chính', 'trích đo', 'mốc giới', 'cắm mốc', 'ranh giới', 'ranh đất', 'giá đất', 'bảng giá đất', 'tiền sử dụng đất',
      'thuế đất', 'thuế sử dụng đất', 'quy hoạch', 'dồn điền đổi thửa', 'giấy chứng nhận nhà đất', 'đăng ký biến động', 'đất giãn dân',
    ),
    auto(
      'cấp sổ', 'làm sổ', 'sổ đất', 'cấp giấy chứng nhận', 'cấp đổi sổ', 'cấp lại sổ', 'mất sổ', 'sang tên sổ', 'chuyển nhượng',
      'mua bán đất', 'mua đất', 'bán đất', 'tặng cho', 'cho tặng', 'thừa kế', 'di chúc', 'thế chấp', 'mảnh đất', 'lô đất', 'miếng đất',
      'khu đất', 'đất ở', 'đất nông nghiệp', 'đất vườn', 'đất rừng', 'đất công', 'đất công ích', 'đất dịch vụ', 'đất lúa', 'đất trồng',
      'chuyển đổi đất', 'lên đất ở', 'đất dự án', 'dự án', 'mặt bằng', 'đo đạc', 'đo đất', 'đo vẽ', 'trích lục thửa', 'lấn sang', 'lấn ranh',
      'lấn qua', 'lấn ra', 'xây lấn', 'lấn đường', 'lấn vỉa hè', 'lấn hành lang', 'xây dựng', 'xây nhà', 'làm nhà', 'sửa nhà', 'cải tạo nhà',
      'xây tường', 'tường rào', 'hàng rào', 'bờ rào', 'xây rào', 'cơi nới', 'xây thêm', 'nâng tầng', 'đổ mái', 'xây chuồng', 'công trình',
      'trật tự xây dựng', 'vi phạm xây dựng', 'phá dỡ', 'tháo dỡ', 'giấy phép', 'xin phép', 'hạn mức', 'diện tích', 'mét vuông', 'sai diện tích',
      'nhà đất', 'bất động sản', 'phân lô', 'bán nền', 'san lấp', 'đổ đất', 'nâng nền', 'giao đất', 'cấp đất', 'thuê đất', 'cho thuê đất',
      'sổ chung', 'chia đất', 'đất bãi', 'đất ven sông', 'lối đi', 'lối đi chung', 'ngõ đi chung', 'đường đi chung', 'bịt lối', 'chặn lối',
      'văn phòng đăng ký đất', 'đất hương hỏa', 'giấy tay', 'mua giấy tay', 'bồi thường', 'hỗ trợ tái định cư', 'phương án bồi thường',
      'kiểm đếm', 'đất nghĩa địa', 'đất ao', 'đất xen kẹt', 'đấu giá đất', 'đấu giá quyền', 'móng nhà', 'nền nhà', 'mở rộng đường',
    ),
    w(2.5, 'sang tên'),
    w(1.5, 'đất', 'thửa', 'lấn', 'sổ', 'xây'),
    weak('m2', 'nhà', 'bán', 'đo'),
  ],

  MOI_TRUONG: [
    strong(
      'rác thải', 'thu gom rác', 'bãi rác', 'đổ rác', 'vứt rác', 'xả rác', 'ô nhiễm', 'môi trường', 'nước thải', 'xả thải', 'chất thải',
      'mùi hôi', 'hôi thối', 'bốc mùi', 'khói bụi', 'đốt rác', 'đốt rơm', 'đốt rơm rạ', 'rơm rạ', 'phế thải', 'xác động vật', 'khí thải',
      'vệ sinh môi trường', 'tập kết rác', 'điểm tập kết', 'xe rác', 'xe thu gom', 'thùng rác', 'rác tồn', 'phân loại rác', 'tiền rác', 'phí rác',
      'ruồi nhặng', 'cát tặc', 'khai thác cát', 'hút cát', 'phá rừng', 'chặt phá rừng', 'lò gạch', 'lò vôi', 'lò than', 'giết mổ', 'lò mổ',
    ),
    auto(
      'rác', 'thu gom', 'gom rác', 'xả ra', 'xả xuống', 'xả nước', 'đổ trộm', 'đổ ra', 'vứt xác', 'xác chết', 'xác lợn', 'xác gà', 'xác gia súc',
      'cá chết', 'chết trắng', 'nước đen', 'nước bẩn', 'nước ô nhiễm', 'ao tù', 'nước đọng', 'mùi', 'mùi khó chịu', 'mùi hôi thối', 'nồng nặc',
      'hôi', 'thối', 'khói', 'khói đen', 'nhả khói', 'bốc khói', 'ngột ngạt', 'khó thở', 'bụi', 'bụi bặm', 'gây bụi', 'bụi mù', 'tiếng ồn',
      'ô nhiễm tiếng ồn', 'đốt', 'đốt lốp', 'đốt dây điện', 'trại lợn', 'trại gà', 'trại heo', 'chăn nuôi gây', 'phân lợn', 'phân gà',
      'phân chuồng', 'nước tiểu', 'chuồng trại', 'xưởng', 'nhà máy', 'xưởng gỗ', 'xưởng sản xuất', 'cơ sở sản xuất', 'làng nghề', 'khu công nghiệp xả',
      'hóa chất', 'vỏ thuốc', 'bao bì', 'vỏ bao bì', 'túi nilon', 'rác nhựa', 'nhựa', 'phế liệu', 've chai', 'xà bần', 'rác xây dựng',
      'chất thải xây dựng', 'chặt cây', 'cây xanh', 'cây cổ thụ', 'vệ sinh', 'mất vệ sinh', 'nhà vệ sinh công cộng', 'kênh đen', 'sông ô nhiễm',
      'tràn ra đường', 'bãi rác tự phát', 'quét dọn', 'dọn vệ sinh', 'tổng vệ sinh', 'cống rãnh bốc mùi', 'động vật chết', 'chó chết', 'mèo chết',
      'khí độc', 'khói độc', 'thải khí', 'tái chế', 'xả phân', 'ao làng', 'lông', 'máu', 'nghiền đá', 'khai thác đá', 'mỏ đá', 'nổ mìn', 'xe chở đất rơi vãi', 'rơi vãi', 'nghĩa trang', 'ồn', 'máy móc',
    ),
    w(1.5, 'xả'),
    weak('cống', 'ao', 'sông', 'kênh', 'mương', 'ruồi'),
  ],

  HA_TANG: [
    strong(
      'đường hỏng', 'đường hư', 'đường xấu', 'ổ gà', 'ổ voi', 'sụt lún', 'mặt đường', 'đèn đường', 'đèn chiếu sáng', 'chiếu sáng', 'mất điện',
      'cúp điện', 'cắt điện', 'lịch cắt điện', 'điện yếu', 'sụt áp', 'chập chờn', 'cột điện', 'dây điện', 'đường dây điện', 'trạm biến áp',
      'điện lực', 'tiền điện', 'hóa đơn điện', 'công tơ điện', 'đồng hồ điện', 'nước máy', 'nước sạch', 'mất nước', 'cúp nước', 'đường ống nước',
      'ống nước', 'vỡ ống', 'cống thoát nước', 'tắc cống', 'thoát nước', 'ngập úng', 'loa phát thanh', 'truyền thanh', 'đài truyền thanh',
      'cầu tạm', 'cầu treo', 'cầu khỉ', 'bê tông hóa', 'đường giao thông', 'giao thông nông thôn', 'đường liên thôn', 'đường liên xã',
      'đường làng', 'đường thôn', 'đường xóm', 'đường ngõ', 'ngõ xóm', 'hạ tầng', 'gờ giảm tốc', 'biển báo', 'đèn tín hiệu', 'gương cầu',
    ),
    auto(
      'điện', 'có điện', 'không có điện', 'điện lại', 'điện chập chờn', 'kéo điện', 'lắp điện', 'đấu nối', 'công tơ', 'biến áp', 'chập điện',
      'điện sinh hoạt', 'giá điện', 'bóng đèn', 'cột đèn', 'đèn', 'tối om', 'tối thui', 'nước', 'nước yếu', 'nước đục', 'không có nước',
      'tiền nước', 'đồng hồ nước', 'nhà máy nước', 'công ty nước', 'cấp nước', 'nước sinh hoạt', 'đường nước', 'đường ống', 'rò rỉ', 'bể nước',
      'giếng khoan', 'giếng', 'đường sá', 'con đường', 'tuyến đường', 'đoạn đường', 'đường đất', 'đường đê', 'đường bê tông', 'đường nhựa',
      'lầy lội', 'bùn lầy', 'lún', 'sụt', 'nứt', 'sạt lở', 'lở', 'bong tróc', 'hư hỏng', 'xuống cấp', 'làm đường', 'sửa đường', 'nâng cấp',
      'trải nhựa', 'rải nhựa', 'rải đá', 'đổ bê tông', 'bê tông', 'cầu', 'cây cầu', 'cầu cống', 'cống', 'rãnh', 'rãnh thoát nước',
      'mương thoát nước', 'ngập', 'ngập nước', 'úng', 'tắc', 'loa', 'phát thanh', 'sóng điện thoại', 'sóng yếu', 'mất sóng', 'internet',
      'wifi', 'cáp quang', 'mạng', 'trạm phát sóng', 'vỉa hè', 'lòng đường', 'xe quá tải', 'quá tải', 'xe tải', 'cày nát', 'xe buýt',
      'bến xe', 'nhà văn hóa', 'sân thể thao', 'kè', 'bờ kè', 'ngầm', 'tràn', 'qua suối', 'đường tràn', 'hố ga', 'nắp cống', 'lan can',
      'lúc có lúc không', 'tủ lạnh', 'ti vi', 'tivi', 'đồ điện', 'thiết bị điện', 'mục nát', 'cột', 'nghiêng', 'sắp đổ', 'đổ', 'đứt', 'đứt dây', 'hỏng', 'hư', 'vỡ', 'sập', 'gãy', 'đường đi', 'đèn giao thông', 'chợ', 'đê',
    ),
    weak('đường', 'ngõ', 'sửa', 'xe'),
  ],

  AN_NINH: [
    strong(
      'trộm', 'trộm cắp', 'ăn trộm', 'mất trộm', 'kẻ trộm', 'bắt trộm', 'trộm chó', 'cẩu tặc', 'cướp', 'cướp giật', 'giật túi', 'móc túi',
      'đánh nhau', 'hành hung', 'đâm chém', 'ẩu đả', 'xô xát', 'gây gổ', 'gây rối', 'mất trật tự', 'an ninh', 'trật tự', 'an ninh trật tự',
      'đua xe', 'lạng lách', 'đánh võng', 'nẹt pô', 'bốc đầu', 'ma túy', 'nghiện', 'nghiện ngập', 'con nghiện', 'tiêm chích', 'hút chích',
      'chích hút', 'cờ bạc', 'đánh bạc', 'sát phạt', 'lô đề', 'ghi đề', 'số đề', 'cá độ', 'lừa đảo', 'bị lừa', 'lừa tiền', 'mạo danh',
      'giả danh', 'tự xưng', 'tín dụng đen', 'vay nặng lãi', 'cho vay nặng lãi', 'xiết nợ', 'bạo lực gia đình', 'xâm hại', 'dâm ô', 'hiếp dâm',
      'bắt cóc', 'mại dâm', 'karaoke', 'tệ nạn', 'tệ nạn xã hội', 'tố giác', 'hỏa hoạn', 'cháy nhà', 'phòng cháy chữa cháy',
      'chặn xe', 'chặn đường', 'mãi lộ', 'trấn lột', 'tống tiền', 'bảo kê', 'thuốc giả', 'rải đinh', 'kẻ gian', 'đột nhập', 'bẻ khóa', 'mất cắp', 'côn đồ', 'băng nhóm', 'xã hội đen', 'hung khí', 'pháo nổ', 'đốt pháo', 'vật liệu nổ',
    ),
    auto(
      'lấy trộm', 'trộm xe', 'mất xe', 'lấy mất', 'giật', 'cướp tài sản', 'chiếm đoạt tài sản', 'đánh người', 'đánh vợ', 'đánh con',
      'đánh đập', 'chửi bới', 'chửi nhau', 'cãi nhau', 'đánh lộn', 'đâm', 'chém', 'cầm dao', 'rút dao', 'vác dao', 'súng', 'pháo', 'đe dọa', 'dọa giết', 'khủng bố',
      'tụ tập', 'tụ tập đông người', 'quậy phá', 'phá phách', 'đập phá', 'trẻ trâu', 'say xỉn', 'say rượu', 'nhậu', 'nhậu nhẹt', 'quán nhậu',
      'la hét', 'gây ồn', 'ồn ào', 'làm ồn', 'hát karaoke', 'loa kẹo kéo', 'hát to', 'nhạc to', 'mở nhạc', 'mất ngủ', 'khuya', 'nửa đêm',
      'đêm khuya', 'chuyển tiền', 'chuyển khoản', 'tin nhắn lạ', 'cuộc gọi lạ', 'gọi điện', 'đường link', 'link lạ', 'trúng thưởng', 'nộp phí',
      'qua điện thoại', 'qua mạng', 'hack', 'bị hack', 'mất tài khoản', 'chiếm tài khoản', 'đòi nợ', 'người lạ', 'lạ mặt', 'đối tượng', 'khả nghi', 'đáng ngờ', 'lảng vảng',
      'không biển số', 'tai nạn giao thông', 'gây tai nạn', 'va chạm', 'bỏ chạy', 'phóng nhanh', 'vượt ẩu', 'quá tốc độ', 'cảnh sát giao thông',
      'dân phòng', 'tuần tra', 'camera', 'trình báo', 'báo công an', 'buôn lậu', 'hàng giả', 'hàng cấm', 'kim tiêm', 'bóng cười',
      'cháy', 'đám cháy', 'chữa cháy', 'mất tích', 'bỏ nhà', 'tảo hôn', 'buôn người', 'bắt chó', 'thuốc lắc', 'ổ nhóm', 'đánh bài',
    ),
    // The police also register residence and issue ID cards: naming them is only a hint.
    w(1, 'công an', 'công an xã'),
    w(2, 'lừa'),
    weak('đánh', 'đêm', 'sợ'),
  ],

  CHINH_SACH: [
    strong(
      'trợ cấp', 'trợ cấp xã hội', 'bảo trợ xã hội', 'trợ giúp xã hội', 'người cao tuổi', 'mừng thọ', 'chúc thọ', 'khuyết tật', 'người khuyết tật',
      'tàn tật', 'hộ nghèo', 'hộ cận nghèo', 'cận nghèo', 'thoát nghèo', 'người có công', 'có công với cách mạng', 'thương binh', 'bệnh binh',
      'liệt sĩ', 'liệt sỹ', 'chất độc da cam', 'chất độc hóa học', 'mẹ việt nam anh hùng', 'cựu chiến binh', 'thanh niên xung phong',
      'chế độ chính sách', 'gia đình chính sách', 'tiền tuất', 'mai táng phí', 'lương hưu', 'hưu trí', 'bảo hiểm xã hội', 'trợ cấp thất nghiệp',
      'bảo hiểm thất nghiệp', 'thất nghiệp', 'xuất khẩu lao động', 'ngân hàng chính sách', 'cứu đói', 'gạo cứu đói', 'cứu trợ', 'nhà tạm',
      'nhà dột nát', 'xóa nhà tạm', 'nhà đại đoàn kết', 'nhà tình nghĩa', 'nhà tình thương', 'mồ côi', 'neo đơn', 'không nơi nương tựa',
    ),
    auto(
      'chế độ', 'chính sách', 'hưởng chế độ', 'trợ cấp hàng tháng', 'trợ cấp một lần', 'phụ cấp', 'người già', 'cụ già', 'tuổi già',
      'quà mừng thọ', 'bình xét', 'rà soát', 'xét duyệt', 'danh sách hộ nghèo', 'sổ hộ nghèo', 'giấy chứng nhận hộ nghèo', 'huân chương',
      'huy chương', 'kháng chiến', 'tham gia kháng chiến', 'hỗ trợ mai táng', 'nghỉ hưu', 'về hưu', 'hưu', 'sổ bảo hiểm', 'chốt sổ',
      'rút bảo hiểm', 'bảo hiểm một lần', 'mất việc', 'nghỉ việc', 'việc làm', 'giới thiệu việc làm', 'học nghề', 'đào tạo nghề', 'lao động',
      'người lao động', 'vay vốn', 'vốn vay', 'vay ưu đãi', 'hỗ trợ', 'tiền hỗ trợ', 'hỗ trợ tiền', 'hỗ trợ gạo', 'hỗ trợ thiên tai',
      'thiên tai', 'lở đất', 'sạt lở đất', 'mưa lũ', 'ngập lụt', 'ở tạm', 'chỗ ở tạm', 'di dời', 'bão', 'sau bão', 'bão lũ', 'lũ', 'lũ lụt', 'lũ quét', 'lụt', 'thiệt hại', 'tốc mái', 'sập nhà', 'trôi nhà', 'hỗ trợ làm nhà',
      'hỗ trợ sửa nhà', 'hoàn cảnh khó khăn', 'gia đình khó khăn', 'hộ khó khăn', 'khó khăn', 'đơn thân', 'mẹ đơn thân', 'trẻ mồ côi',
      'hoàn cảnh đặc biệt', 'quà tết', 'tặng quà', 'chi trả', 'lĩnh tiền', 'nhận tiền hỗ trợ', 'dân tộc thiểu số', 'vùng khó khăn',
      'bảo vệ trẻ em', 'điều dưỡng', 'phụng dưỡng', 'tuổi trở lên', 'trên 80 tuổi', 'nuôi dưỡng', 'trợ giúp', 'an sinh', 'an sinh xã hội',
    ),
    // Entitlements are what this field answers: "có được hưởng/miễn/hỗ trợ không".
    w(1, 'được hưởng', 'được miễn', 'miễn giảm', 'được hỗ trợ', 'đối tượng hưởng'),
    weak('nghèo', 'già', 'cụ'),
  ],

  Y_TE: [
    strong(
      'y tế', 'trạm y tế', 'bệnh viện', 'phòng khám', 'khám bệnh', 'khám chữa bệnh', 'chữa bệnh', 'bác sĩ', 'bác sỹ', 'y sĩ', 'y tá',
      'tiêm chủng', 'tiêm phòng', 'vắc xin', 'vacxin', 'vaccine', 'bảo hiểm y tế', 'thẻ bảo hiểm', 'sốt xuất huyết', 'tay chân miệng',
      'phun thuốc muỗi', 'khám thai', 'cấp cứu', 'ngộ độc', 'ngộ độc thực phẩm', 'an toàn thực phẩm', 'dịch bệnh', 'sức khỏe', 'sức khoẻ',
      'khám sức khỏe', 'phòng dại', 'tiêm phòng dại', 'chó dại', 'chó cắn', 'bị chó cắn', 'suy dinh dưỡng', 'vitamin', 'đau mắt đỏ',
      'thủy đậu', 'sởi', 'cúm', 'covid', 'viêm gan', 'viêm não', 'bại liệt', 'uốn ván', 'bạch hầu', 'ho gà', 'xét nghiệm',
    ),
    auto(
      'khám', 'khám miễn phí', 'thuốc', 'cấp thuốc', 'thuốc men', 'mua thuốc', 'uống thuốc', 'nhà thuốc', 'hiệu thuốc', 'tiệm thuốc',
      'tiêm', 'lịch tiêm', 'mũi tiêm', 'tiêm mũi', 'sốt', 'sốt cao', 'bị ho', 'ho khan', 'ho nhiều', 'ho kéo dài', 'cảm cúm', 'cảm sốt', 'dịch', 'ổ dịch', 'muỗi', 'lăng quăng',
      'bọ gậy', 'diệt muỗi', 'phun thuốc', 'gia hạn thẻ', 'thẻ bhyt', 'đóng bảo hiểm', 'mua bảo hiểm', 'thai nhi', 'thai phụ', 'có thai', 'mang thai', 'có bầu',
      'bà bầu', 'sinh con', 'sinh em bé', 'em bé', 'sinh đẻ', 'đỡ đẻ', 'đẻ', 'sơ sinh', 'trẻ sơ sinh', 'kế hoạch hóa gia đình', 'tránh thai',
      'đặt vòng', 'dân số', 'bệnh', 'bị bệnh', 'bệnh nhân', 'người bệnh', 'ốm', 'bị ốm', 'ốm đau', 'nằm viện', 'viện phí', 'chuyển viện',
      'chuyển tuyến', 'huyết áp', 'tiểu đường', 'ung thư', 'tâm thần', 'bệnh lao', 'lao phổi', 'hiv', 'thực phẩm bẩn', 'đau bụng', 'tiêu chảy', 'nôn',
      'nôn mửa', 'đau', 'dinh dưỡng', 'cân nặng', 'rắn cắn', 'cắn', 'y tế thôn', 'cô đỡ', 'nhân viên y tế', 'trực đêm', 'khó thở',
      'thuốc bảo hiểm', 'dị ứng', 'tim mạch', 'răng', 'mắt', 'phổi', 'viêm', 'nhiễm', 'truyền nhiễm', 'cách ly', 'khẩu trang',
    ),
    weak('trẻ', 'cháu', 'bé'),
  ],

  GIAO_DUC: [
    strong(
      'giáo dục', 'trường học', 'nhà trường', 'trường mầm non', 'trường tiểu học', 'trường trung học', 'trung học cơ sở', 'thcs', 'thpt',
      'mầm non', 'mẫu giáo', 'nhà trẻ', 'tiểu học', 'học sinh', 'sinh viên', 'học phí', 'miễn học phí', 'giảm học phí', 'học bổng',
      'tuyển sinh', 'nhập học', 'giáo viên', 'cô giáo', 'thầy giáo', 'thầy cô', 'hiệu trưởng', 'ban giám hiệu', 'chủ nhiệm', 'phụ huynh',
      'sách giáo khoa', 'bán trú', 'học thêm', 'dạy thêm', 'điểm trường', 'phòng học', 'lớp học', 'bạo lực học đường', 'học bạ',
      'bằng tốt nghiệp', 'thi tốt nghiệp', 'chuyển trường', 'năm học', 'khai giảng', 'xe đưa đón', 'đưa đón học sinh', 'phổ cập',
    ),
    auto(
      'trường', 'đến trường', 'ở trường', 'cổng trường', 'lớp', 'lên lớp', 'vào lớp', 'lớp 1', 'lớp 6', 'lớp 10', 'lớp một', 'cấp 1', 'cấp 2',
      'cấp 3', 'học', 'đi học', 'việc học', 'con đi học', 'nghỉ học', 'bỏ học', 'học online', 'học trực tuyến', 'tiền học', 'đóng học',
      'đóng tiền học', 'hỗ trợ học phí', 'hỗ trợ tiền ăn', 'tiền ăn', 'ăn trưa', 'bữa ăn', 'quỹ phụ huynh', 'quỹ lớp', 'hội phụ huynh',
      'họp phụ huynh', 'ban đại diện cha mẹ', 'các khoản thu', 'khoản thu', 'đầu năm học', 'đồng phục', 'sách vở', 'vở', 'kỳ thi',
      'thi vào', 'đi thi', 'điểm thi', 'thi cử', 'tốt nghiệp', 'trái tuyến', 'đúng tuyến', 'theo tuyến', 'bắt nạt', 'thời khóa biểu',
      'nghỉ hè', 'học kỳ', 'xóa mù chữ', 'trung tâm học tập', 'thư viện', 'cơ sở vật chất', 'sữa học đường', 'các cháu', 'cô', 'thầy',
      'đại học', 'cao đẳng', 'giấy báo nhập học', 'vay vốn đi học', 'hồ sơ nhập học', 'độ tuổi đi học', 'trẻ đến trường', 'ký túc xá',
    ),
    weak('cháu', 'bé', 'trẻ'),
  ],

  HANH_CHINH: [
    strong(
      'thủ tục hành chính', 'hộ tịch', 'khai sinh', 'giấy khai sinh', 'khai tử', 'giấy chứng tử', 'chứng tử', 'kết hôn', 'đăng ký kết hôn',
      'ly hôn', 'tình trạng hôn nhân', 'độc thân', 'xác nhận độc thân', 'con nuôi', 'nhận con nuôi', 'giám hộ', 'cải chính', 'trích lục',
      'chứng thực', 'sao y', 'công chứng', 'căn cước', 'căn cước công dân', 'chứng minh nhân dân', 'chứng minh thư', 'định danh',
      'định danh điện tử', 'thường trú', 'tạm trú', 'tạm vắng', 'lưu trú', 'cư trú', 'hộ khẩu', 'sổ hộ khẩu', 'nhập khẩu', 'chuyển khẩu',
      'tách khẩu', 'tách hộ', 'nhập hộ', 'một cửa', 'bộ phận một cửa', 'dịch vụ công', 'lý lịch', 'sơ yếu lý lịch', 'lý lịch tư pháp',
      'giấy ủy quyền', 'ủy quyền', 'đăng ký kinh doanh', 'hộ kinh doanh', 'giấy phép kinh doanh', 'hộ chiếu', 'quốc tịch', 'giấy chứng sinh',
    ),
    auto(
      'làm giấy', 'xin giấy', 'giấy xác nhận', 'xin xác nhận', 'đơn xin', 'mẫu đơn', 'tờ khai',
      'bản sao', 'bản chính', 'chữ ký', 'chứng thực chữ ký', 'hợp đồng', 'con dấu', 'đóng dấu', 'lệ phí',
      'trả kết quả', 'hẹn trả', 'tiếp nhận hồ sơ', 'nộp trực tuyến', 'trực tuyến', 'cổng dịch vụ công', 'tài khoản định danh', 'mức 2',
      'kích hoạt', 'làm căn cước', 'cấp căn cước', 'đổi căn cước', 'cấp đổi', 'cấp lại', 'làm lại', 'mất giấy tờ', 'giấy tờ tùy thân',
      'gắn chip', 'đăng ký thường trú', 'đăng ký tạm trú', 'khai báo tạm trú', 'xác nhận cư trú', 'thông tin cư trú', 'chuyển hộ khẩu',
      'thay đổi họ tên', 'đổi tên', 'sai tên', 'sai ngày sinh', 'ngày sinh', 'năm sinh', 'họ tên', 'quê quán', 'xác định lại dân tộc',
      'người nước ngoài', 'ghi chú kết hôn', 'giấy giới thiệu', 'tư pháp', 'hộ tịch viên', 'giấy chứng nhận kết hôn', 'cha mẹ con',
      'nhận cha', 'bằng đại học', 'thuê trọ', 'người thuê trọ', 'visa', 'giấy phép lái xe',
    ),
    // Every field has procedures: these only tip a balance.
    weak('thủ tục', 'hồ sơ', 'giấy tờ', 'xác nhận', 'nộp hồ sơ', 'làm hồ sơ', 'đăng ký', 'mất phí', 'phí', 'giấy', 'đơn', 'mẫu', 'nộp', 'ký'),
  ],

  NONG_NGHIEP: [
    strong(
      'nông nghiệp', 'khuyến nông', 'trồng trọt', 'chăn nuôi', 'lúa', 'cây lúa', 'ruộng lúa', 'đồng ruộng', 'gieo mạ', 'gieo sạ', 'gieo cấy',
      'cấy lúa', 'lịch thời vụ', 'thời vụ', 'giống lúa', 'giống cây', 'giống ngô', 'hạt giống', 'cây giống', 'con giống', 'phân bón',
      'bón phân', 'thuốc trừ sâu', 'thuốc bảo vệ thực vật', 'bảo vệ thực vật', 'sâu bệnh', 'sâu cuốn lá', 'sâu đục thân', 'sâu keo',
      'rầy nâu', 'đạo ôn', 'khô vằn', 'vàng lùn', 'lùn xoắn lá', 'ốc bươu vàng', 'diệt chuột', 'chuột hại', 'thủy lợi', 'kênh mương',
      'mương nội đồng', 'nội đồng', 'trạm bơm', 'nước tưới', 'tưới tiêu', 'thủy lợi phí', 'hạn hán', 'khô hạn', 'xâm nhập mặn', 'nhiễm mặn',
      'gia súc', 'gia cầm', 'thú y', 'dịch tả', 'dịch tả lợn', 'tả lợn', 'lở mồm long móng', 'cúm gia cầm', 'cúm gà', 'viêm da nổi cục',
      'tụ huyết trùng', 'thủy sản', 'nuôi trồng thủy sản', 'nuôi tôm', 'nuôi cá', 'trồng rừng', 'lâm nghiệp', 'kiểm lâm', 'nông sản',
    ),
    auto(
      'ruộng', 'cánh đồng', 'đồng', 'ra đồng', 'vào đồng', 'đồng lúa', 'mạ', 'làm mạ', 'sạ', 'cấy', 'vụ', 'vụ lúa', 'vụ xuân', 'vụ mùa', 'vụ hè thu', 'vụ đông xuân', 'vụ thu đông',
      'vụ đông', 'vụ chiêm', 'gặt', 'gặt lúa', 'thu hoạch', 'máy gặt', 'máy cày', 'cày', 'bừa', 'làm đất', 'giống', 'ngô', 'bắp', 'sắn', 'mì',
      'khoai', 'khoai lang', 'lạc', 'đậu', 'rau', 'rau màu', 'hoa màu', 'cây màu', 'cây ăn quả', 'cây công nghiệp', 'cà phê', 'hồ tiêu', 'chè',
      'cao su', 'mía', 'cây keo', 'rừng keo', 'trồng keo', 'bạch đàn', 'rừng', 'vườn', 'vườn cây', 'trái cây', 'phân', 'phân đạm', 'phân lân', 'phân kali', 'npk',
      'sâu', 'rầy', 'chuột', 'chuột cắn', 'chuột phá', 'bệnh lúa', 'lúa bị', 'cỏ dại', 'mất mùa', 'được mùa', 'năng suất', 'sản lượng',
      'trổ bông', 'đẻ nhánh', 'mương', 'kênh', 'tưới', 'bơm nước', 'lấy nước', 'xả nước', 'mở nước', 'lịch tưới', 'hồ chứa', 'hồ thủy lợi',
      'đập', 'thiếu nước', 'trâu', 'bò', 'trâu bò', 'lợn', 'heo', 'gà', 'vịt', 'ngan', 'dê', 'đàn', 'đàn lợn', 'đàn gà', 'đàn bò', 'con lợn',
      'con bò', 'con gà', 'lợn chết', 'gà chết', 'bò chết', 'chết hàng loạt', 'chết liên tục', 'bỏ ăn', 'chuồng', 'chuồng nuôi', 'trang trại',
      'gia trại', 'ao nuôi', 'lồng bè', 'đánh bắt', 'tàu cá', 'ngư dân', 'hợp tác xã', 'tiêu thụ nông sản', 'giá lúa', 'nông dân',
      'khuyến cáo', 'tập huấn', 'mô hình', 'chuyển đổi cây trồng', 'cây trồng', 'vật nuôi', 'cơ giới hóa', 'sấy lúa', 'máy sấy', 'ocop',
      'vietgap', 'hữu cơ', 'bảo hiểm nông nghiệp', 'cán bộ thú y', 'tiêm phòng cho', 'tiêm vắc xin cho đàn', 'mào', 'nổi cục', 'trồng',
    ),
    weak('cây', 'nuôi'),
  ],

  KHIEU_NAI_TO_CAO: [
    // Decisive: a named complaint or denunciation, or a named form of misconduct by an official.
    w(
      4,
      'tố cáo', 'khiếu nại', 'khiếu kiện', 'đơn tố cáo', 'đơn khiếu nại', 'tham nhũng', 'tham ô', 'hối lộ', 'nhận hối lộ', 'ăn hối lộ',
      'lót tay', 'tiền lót tay', 'nhũng nhiễu', 'sách nhiễu', 'hạch sách', 'hách dịch', 'cửa quyền', 'gây khó dễ', 'làm khó dễ', 'vòi tiền',
      'vòi vĩnh', 'lạm thu', 'lạm dụng chức vụ', 'lạm quyền', 'lộng quyền', 'lợi dụng chức vụ', 'ăn chặn', 'ăn bớt', 'biển thủ', 'bớt xén',
      'trù dập', 'bao che', 'chạy chọt', 'ngâm hồ sơ', 'khai khống', 'kê khống', 'lập khống', 'danh sách khống', 'tư lợi', 'trục lợi', 'hẹn lần hẹn lữa',
    ),
    w(
      3,
      'không công bằng', 'ưu tiên người nhà', 'ưu tiên người thân', 'bôi trơn', 'phong bì', 'đòi phong bì', 'đòi bồi dưỡng', 'tiền bồi dưỡng', 'thu sai quy định', 'thu tiền sai', 'cắt xén', 'không công khai',
      'thiếu minh bạch', 'không minh bạch', 'dung túng', 'quát nạt', 'quát mắng', 'vô trách nhiệm', 'thiếu trách nhiệm', 'tắc trách', 'đùn đẩy',
      'làm sai quy định', 'quyết định xử phạt', 'quyết định hành chính', 'hành vi hành chính', 'không đồng ý với quyết định', 'không thỏa đáng',
      'không đúng đối tượng', 'sai đối tượng', 'người nhà cán bộ', 'gian lận', 'làm giả', 'chiếm đoạt', 'xử lý cán bộ', 'kỷ luật cán bộ',
      'gây khó khăn', 'làm khó', 'thiên vị', 'ưu ái', 'trả thù', 'đưa người nhà', 'cho người nhà', 'tiền của dân', 'bán đất công', 'bồi dưỡng',
    ),
    w(
      2,
      'đòi tiền', 'thu tiền', 'đòi thêm', 'thu thêm', 'ngoài quy định', 'sai quy định', 'trái quy định', 'làm sai', 'sai phạm', 'thái độ',
      'coi thường', 'xúc phạm', 'không giải quyết', 'không được giải quyết', 'không trả lời', 'đơn thư', 'thanh tra', 'kiểm tra làm rõ',
      'bắt đi lại', 'đi lại nhiều lần', 'kiến nghị nhiều lần', 'cưỡng chế', 'nhận tiền', 'chia nhau', 'xà xẻo',
      'đề nghị kiểm tra', 'có dấu hiệu',
    ),
    // Hints: count towards a complaint only together with others or with an official named.
    w(
      1,
      'vi phạm', 'chưa được giải quyết', 'chưa được trả lời', 'gửi đơn', 'làm đơn', 'làm rõ', 'minh bạch', 'công khai', 'nhiều lần', 'người nhà',
      'người thân', 'triệu', 'mới ký', 'mới nhận', 'mới chịu', 'mới làm', 'mới giải quyết', 'mới cấp', 'kiểm tra', 'tiền',
    ),
  ],

  // Positive evidence for "not a field": thanks, greetings, contact details, the office itself,
  // and the commune's life outside the fields (festivals, sport, elections, military service).
  KHAC: [
    // Shadows: everyday compounds that contain a field word ("điện" in "điện thoại"); they
    // weigh nothing much, but a word inside them no longer counts for that field.
    w(0.1, 'điện thoại', 'nhà nước', 'đất nước', 'nước ngoài', 'người ta', 'xin phép', 'trường hợp', 'thị trường', 'chương trình', 'lớp người', 'cán bộ', 'có ai'),
    w(3, 'cảm ơn', 'xin cảm ơn', 'chúc mừng', 'năm mới', 'số điện thoại', 'giờ làm việc', 'làm việc thứ bảy', 'làm việc chủ nhật', 'hotline'),
    auto(
      'xin chào', 'chào', 'alo', 'test', 'thử', 'chúc', 'an khang', 'thịnh vượng', 'email', 'địa chỉ email', 'website', 'trang web', 'fanpage',
      'trụ sở', 'trụ sở ủy ban', 'địa chỉ ủy ban', 'giờ mở cửa', 'khen', 'khen ngợi', 'biểu dương', 'tuyên dương', 'góp ý',
      'lễ hội', 'văn nghệ', 'hội diễn', 'thể thao', 'bóng đá', 'giải bóng đá', 'bóng chuyền', 'hội thi', 'câu lạc bộ', 'trung thu',
      'thời tiết', 'dự báo thời tiết', 'nghĩa vụ quân sự', 'nhập ngũ', 'bộ đội', 'bầu cử', 'họp thôn', 'họp dân', 'tiếp dân', 'tiếp công dân',
      'nhanh chóng', 'tận tình', 'chu đáo', 'hài lòng', 'tuyệt vời', 'ok', 'oke', 'vâng', 'hihi', 'haha', 'chủ tịch xã', 'gặp chủ tịch',
    ),
  ],
};

// Who a complaint is about. A complaint signal short of decisive counts as a complaint only when
// aimed at one of these: "đòi tiền" from a cadre is a denunciation, from a robber a security matter.
export const OFFICIAL_WORDS = [
  'cán bộ', 'công chức', 'viên chức', 'chủ tịch', 'phó chủ tịch', 'bí thư', 'trưởng thôn', 'thôn trưởng', 'phó thôn', 'trưởng ấp',
  'trưởng bản', 'trưởng xóm', 'tổ trưởng', 'trưởng khu', 'địa chính', 'tư pháp', 'kế toán', 'thủ quỹ', 'ủy ban', 'chính quyền',
  'lãnh đạo', 'người của xã', 'cán bộ xã', 'cán bộ thôn', 'xã đội', 'chi hội trưởng', 'hội trưởng', 'mặt trận', 'một cửa', 'văn phòng xã',
];

// Folded syllables shared by several common words (đất/đạt/đặt, thuốc/thuộc, đèn/đến, cô/có).
// Typed without marks, a single such syllable is only a hint; typed with marks it must match
// exactly. Pairs found among the rules themselves are added by the classifier (exactness only).
export const FOLDED_HOMOGRAPHS = [
  'dat', 'lua', 'ho', 'dien', 'can', 'bo', 'ga', 'lon', 'thu', 'tien', 'so', 'do', 'xa', 'duong', 'truong', 'lop', 'san', 'cay', 'de',
  'sot', 'tiem', 'thuoc', 'sau', 'ray', 'ngo', 'ma', 'ca', 'tom', 'cho', 'mat', 'dau', 'om', 'chay', 'cong', 'cau', 'den', 'ong', 'cot',
  'tre', 'danh', 'dam', 'no', 'vo', 'sap', 'gay', 'hoi', 'mui', 'bui', 'khoi', 'on', 'thai', 'nghien', 'lo', 'bac', 'hop', 'phong', 'dong',
  'giong', 'gat', 'tuoi', 'luong', 'tro', 'cap', 'bao', 'lu', 'mai', 'toc', 'tu', 'hon', 'tam', 'tru', 'khau', 'thue', 'ky', 'to', 'cao',
  'kien', 'tham', 'nhung', 'an', 'quy', 'phat', 'dua', 'say', 'dao', 'sung', 'lanh', 'dap', 'keo', 'mia', 'vu', 'rung', 'dan', 'ran',
  'mua', 'ban', 'dut', 'hu', 'vuon', 'tac', 'sut', 'lao', 'rau', 'lac', 'che', 'mi', 'muoi', 'mang', 'bang', 'phi', 'don', 'cu', 'gia',
  'thi', 'con', 'lam', 'o', 'dot', 'xuong', 'long', 'mau', 'nut', 'ke', 'ngam', 'tran', 'hong', 'ung', 'phao', 'nhau', 'giat', 'huu',
  'dich', 'non', 'rang', 'nhiem', 'soi', 'cum', 'co', 'thay', 'be', 'chau', 'sa', 'bua', 'phan', 'ngan', 'trong', 'chao', 'chuc', 'khong',
  'lan', 'kho', 'may', 'tai', 'trai', 'ra', 'qua', 'nong', 'sua', 'moi', 'mo', 'dinh', 'chua', 'nghi', 'chi', 'nam', 'ba', 'la', 'hat',
];

// Folded phrases of the rules that, typed without marks, are more often an everyday phrase:
// "lam thu" (lạm thu / làm thủ tục), "o voi" (ổ voi / ở với), "dat o" (đất ở / đặt ở).
export const FOLDED_COLLISIONS = ['lam thu', 'o voi', 'dat o', 'danh sach khong', 'khai khong', 'ke khong', 'lap khong'];

// Patterns over folded text that words alone miss.
const REGEX_RULES: ClassifierRule[] = [
  // Money demanded: "đòi 5 triệu", "bắt nộp 500 nghìn" — with an official named, a denunciation.
  { categoryCode: 'KHIEU_NAI_TO_CAO', kind: 'regex', pattern: String.raw`\b(doi|voi|bat nop|bat dong)( \S+){0,3} \d+ ?(trieu|tr|nghin|ngan|k)\b`, weight: 2 },
];

/** The built-in rules, in the shape of the database model ClassificationRule. */
export function builtinRules(): ClassifierRule[] {
  const rules: ClassifierRule[] = [...REGEX_RULES];
  for (const [categoryCode, groups] of Object.entries(LEXICON)) {
    for (const g of groups) {
      for (const pattern of g.patterns) {
        const words = pattern.trim().split(/\s+/).length;
        const weight = g.weight === 'auto' ? (words === 1 ? 1 : words === 2 ? 2 : 2.5) : g.weight;
        rules.push({ categoryCode, kind: words > 1 ? 'phrase' : 'keyword', pattern, weight });
      }
    }
  }
  return rules;
}
