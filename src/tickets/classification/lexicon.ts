// The built-in vocabulary of what residents ask a commune about, per field. Written with
// diacritics for people to read and edit; matched after folding, so text without diacritics
// matches too. Multi-word phrases carry most of the weight: single words are ambiguous once the
// marks are gone (đất/đạt/đặt all fold to "dat"). Staff add their own rules in the database.
import type { ClassifierRule } from './classifier.ts';

type Entry = string | [phrase: string, weight: number];

const LEXICON: Record<string, Entry[]> = {
  DAT_DAI: [
    'rào', 'rào chắn', 'lối đi', 'lối đi chung', 'đường đi chung', 'đi chung', 'ngõ đi chung', 'tái định cư', 'giao sổ', 'cấp đất', 'đất ở', 'đất ruộng', 'hạn mức', 'thổ cư', 'móng nhà', 'xây dựng', 'giấy phép', 'cấp phép', 'lấn chiếm', 'chiếm đất', 'nền nhà', 'thuế đất', 'tiền sử dụng đất',
    'sổ đỏ', 'sổ hồng', ['giấy chứng nhận quyền sử dụng đất', 3], 'quyền sử dụng đất', 'cấp sổ', 'làm sổ', 'cấp giấy chứng nhận',
    'tách thửa', 'gộp thửa', 'thửa đất', 'mảnh đất', 'lô đất', 'đất ở', 'đất nông nghiệp', 'đất vườn', 'đất thổ cư', 'lên thổ cư',
    'chuyển mục đích sử dụng đất', 'chuyển đổi mục đích', 'tranh chấp đất', 'tranh chấp ranh giới', 'ranh giới', 'mốc giới', 'lấn đất', 'lấn chiếm',
    'lấn sang', 'xây lấn', 'lấn đường', 'lấn hành lang', 'giấy phép xây dựng', 'xin phép xây', 'xây nhà', 'xây dựng trái phép', 'xây trái phép',
    'xây không phép', 'công trình trái phép', 'xin giấy phép', 'xin phép xây', ['xin phép sửa', 2], 'sửa mái', 'xây thêm tầng', 'nâng nền', 'đổ đất', 'giấy tay', 'mua đất', 'bán đất', 'thửa đất số', 'đường tránh', 'cơi nới', 'sửa nhà', 'xây tường', 'xây chuồng', 'phân lô', 'bán nền', 'san lấp', 'lấn qua', 'lấn ra', 'hàng rào', 'bờ rào', 'sai tên', 'sai diện tích', 'cấp đổi', 'đất rừng', 'giao đất rừng', 'hạn mức đất', 'đền bù', 'bồi thường', 'giải phóng mặt bằng', 'thu hồi đất', 'tái định cư', 'quy hoạch', 'địa chính',
    'đo đạc lại', 'đo đạc đất', 'trích lục', 'bản đồ địa chính', 'sang tên', 'chuyển nhượng', 'mua bán đất', 'tặng cho', 'thừa kế đất', 'thế chấp sổ', 'giao đất', 'đất công',
    ['đất', 0.6], 'diện tích', 'mét vuông', 'thửa',
  ],
  MOI_TRUONG: [
    ['đốt', 0.75], 'khói', 'hôi', 'thối', 'ô nhiễm', 'rác', 'phân', 'nước thải', 'mùi', 'bụi', 'ồn', 'xác', 'tiêu hủy', 'vệ sinh', 'lò mổ', 'giết mổ', 'lò giết mổ', 'khói bay', 'bãi tập kết', 'môi trường',
    'rác thải', 'rác', 'thu gom rác', 'bãi rác', 'điểm tập kết rác', 'xe rác', 'vứt rác', 'đổ rác', 'nước thải', 'xả thải', 'xả nước thải', 'xả ra mương',
    'xả ra sông', 'ô nhiễm', 'mùi hôi', 'bốc mùi', 'hôi thối', 'trại lợn', 'chuồng trại', 'chăn nuôi gây', 'khói bụi', 'bốc khói', 'khói mù', 'bụi', 'đốt rơm', 'đốt rác',
    'đốt rơm rạ', 'tiếng ồn', 'xưởng gỗ', 'xưởng sản xuất', 'nhà xưởng', 'xưởng cơ khí', 'nhà máy', 'lò gạch', 'lò đốt', 'hóa chất', 'thuốc trừ sâu vứt', 'vỏ thuốc', 'xác động vật', 'xác chết', 'cá chết',
    'nước sông đen', 'kênh đen', 'ao tù', 'ruồi', 'ruồi nhặng', 'nồng nặc', 'mất vệ sinh', 'thùng rác', 'đầy rác', 'tràn rác', 'đốt dây điện', 'khói đen', 'mùi tanh', 'mùi lạ bốc', 'máy xay đá', 'nghiền đá', 'bụi bặm', 'bụi trắng', 'xả khói', 'chó mèo chết', 'rác thải nhựa', 've chai', 'phế thải', 'xà bần', 'đổ trộm', ['vứt xác', 2], ['xả phân', 2], 'phân lợn', 'phân gà', 'chất thải', ['chất thải xây dựng', 2.5], 'chất thải chăn nuôi', 'rác xây dựng', 'bãi đất trống', 'đổ chất thải', 'ao làng', 'nước ao', 'ô nhiễm nguồn nước', 'nước bẩn', 'bốc mùi hôi', 'xác lợn', 'xác gia súc', 'lò than', 'lò vôi', 'khói cay', 'cay mắt', 'giếng nước', 'nước giếng', 'nhà máy giấy', 'cá chết trắng', 'xả ra kênh', 'xuống kênh', 'vệ sinh môi trường', 'môi trường', 'cây xanh', 'chặt cây', 'khai thác cát', 'hút cát', 'cát tặc', 'phế liệu',
  ],
  HA_TANG: [
    'đèn', 'điện', 'nước sạch', 'giếng khoan', ['đường', 0.5], ['đường sá', 1.5], 'cống', 'mương thoát nước', 'cầu', 'ống', 'cột', 'dây', 'lưới điện', 'nước máy', 'tuyến đường', 'không có đèn', 'tối om', 'đường tối', 'ổ gà', 'ngập', 'sụt lún', 'sạt lở', 'biển báo', 'gương cầu', 'đèn tín hiệu', 'tai nạn liên tục', 'điểm đen',
    'đường hỏng', 'đường hư', 'hỏng đường', 'ổ gà', 'ổ voi', 'sụt lún', 'sạt lở đường', 'mặt đường', 'đường sá', 'đường làng', 'đường thôn', 'đường đất',
    'bê tông hóa', 'làm đường', 'sửa đường', 'cây cầu', 'cầu tạm', 'cầu treo', 'sập cầu', 'cống thoát nước', 'tắc cống', 'miệng cống', 'cống bị', 'thoát nước', 'ngập', 'ngập úng', 'rãnh thoát nước',
    'đèn đường', 'đèn chiếu sáng', 'điện chiếu sáng', 'mất điện', 'cúp điện', 'cắt điện', 'điện yếu', 'điện chập chờn', 'cột điện', 'dây điện', 'trạm biến áp',
    'điện lực', 'hóa đơn điện', 'tiền điện', 'nước máy', 'nước sạch', 'mất nước', 'cúp nước', 'không có nước', 'đường ống', 'vỡ ống', 'nhà máy nước',
    'loa phát thanh', 'loa', 'truyền thanh', 'trụ điện', 'nghiêng', 'lúc có lúc không', 'điện lúc có', 'chập điện', 'hỏng hết đồ điện', 'tủ lạnh hỏng', 'sụt áp', ['vỡ', 0.75], 'bị vỡ', 'ống nước', 'ống nước chính', 'chảy lênh láng', 'rò rỉ nước', 'nước chảy tràn', 'cầu bị nứt', 'cầu yếu', 'cầu qua kênh', 'lát gạch', 'vỉa hè', 'lòng đường', 'cột đèn', 'sắp đổ', 'xe cứu thương', 'nước yếu', 'nước máy yếu', 'bị rè', 'nghe không rõ', 'đường bê tông', 'liên thôn', 'liên xã', 'nứt vỡ', 'bong tróc', 'lún', 'sụt', ['gãy', 0.75], ['sập', 0.75], 'hư hỏng nặng', 'bóng đèn', 'đèn đường bị', 'nâng cốt đường', 'nâng cấp đường', 'mở rộng đường', 'trải nhựa', 'rải đá', 'đường trơn', 'đường đê', 'bờ kè', 'kè', 'tràn', 'ngầm tràn', 'qua suối', 'ván cầu', 'nước màu vàng', 'nước đục', 'nước có mùi', 'áp lực nước', 'đồng hồ nước', 'tiền nước', 'công tơ điện', 'đồng hồ điện', 'có điện lại', 'chưa có điện', 'điện lại', 'sóng yếu', 'wifi', 'trạm phát sóng', 'sóng điện thoại', 'internet', 'cáp quang', 'biển báo', 'gờ giảm tốc', 'giao thông', 'xe tải', 'tải trọng',
    'kênh mương bê tông', 'hạ tầng', 'đầu ngõ', 'ngõ xóm', 'đường ngõ',
  ],
  AN_NINH: [
    'trộm', 'cướp', 'chém', 'đâm', 'đánh', 'lừa', 'lừa đảo', 'ma túy', 'nghiện', 'cờ bạc', 'trộm chó', 'bắt trộm', 'mua chó', 'chó mèo', 'kẻ lạ', 'đối tượng lạ', 'nghi là trộm', 'chém nhau', 'bị thương nặng', 'công an', 'an ninh', 'trật tự', 'đua xe', 'gây rối', 'hành hung',
    ['trộm', 2], ['mất trộm', 2.5], 'trộm cắp', 'ăn trộm', 'kẻ trộm', ['cướp', 2], 'cướp giật', ['đánh nhau', 2.5], ['chặn xe', 2], ['mãi lộ', 3], ['bị thương', 1.5], ['bị lừa', 2.5], ['lừa mua', 2.5], ['người ta lừa', 2.5], ['thuốc giả', 2], ['hàng giả', 2], ['mất tiền', 1.5], ['đánh võng', 2.5], 'bốc đầu', 'tai nạn giao thông', 'gây tai nạn', 'bỏ chạy', 'trộm loa', 'lấy trộm', 'đột nhập', ['lừa đảo qua mạng', 3], 'sim rác', 'cuộc gọi lạ', 'kẻ gian', 'lấy mất', 'mất xe', 'mất cắp', 'bẻ khóa', 'đột nhập', 'đập phá', 'chửi bới', 'chửi nhau', 'gây gổ', 'cãi nhau', 'xô xát', 'lảng vảng', 'lạ mặt', 'không biển số', 'mở nhạc', 'nhạc to', 'đến khuya', 'nửa đêm', 'mất ngủ', 'quán nhậu', 'la hét', 'bán ma túy', 'trúng thưởng', 'nộp phí', 'lừa tiền', 'mạo danh', 'hack', 'chiếm tài khoản', 'trẻ trâu', 'côn đồ', 'xã hội đen', 'chém', 'dao', 'súng', 'pháo', 'pháo nổ', 'bắn pháo', 'hành hung', 'đánh người', 'đâm chém', 'gây rối', 'tụ tập',
    'đua xe', 'lạng lách', 'nẹt pô', 'ồn ào', 'gây ồn', 'karaoke', 'hát karaoke', 'loa kẹo kéo', 'nhậu say', 'say rượu', 'ma túy', 'nghiện', 'hút chích',
    'cờ bạc', 'đánh bạc', 'lô đề', 'số đề', 'cá độ', 'chuyển tiền', 'tự xưng công an', 'giả danh', 'tin nhắn lạ', 'cho vay nặng lãi',
    'tín dụng đen', 'đòi nợ', 'xiết nợ', 'lừa đảo', 'bạo lực gia đình', 'đánh vợ', ['công an', 0.75], ['công an xã', 0.75], 'an ninh', 'trật tự', 'mất an ninh', 'người lạ', 'đối tượng',
    'bắt cóc', 'đe dọa', 'xâm hại', 'bắt chó', 'trộm chó', 'cháy nhà', 'đám cháy', 'hỏa hoạn',
  ],
  CHINH_SACH: [
    'trợ cấp', 'mừng thọ', 'quà mừng thọ', 'chúc thọ', 'mất việc', 'thất nghiệp', 'nghỉ việc', 'việc làm', 'hộ nghèo', 'cận nghèo', 'người có công', 'thương binh', 'liệt sĩ', 'khuyết tật', 'mồ côi', 'hưu', 'bảo trợ', 'cứu đói', 'gạo', 'quà tết', 'chính sách', 'trợ giúp', 'khu công nghiệp',
    'trợ cấp', 'phụ cấp', 'trợ cấp xã hội', 'bảo trợ xã hội', 'người cao tuổi', 'người già', 'tuổi trở lên', 'khuyết tật', 'tàn tật', 'hộ nghèo',
    'hộ cận nghèo', 'cận nghèo', 'thoát nghèo', 'người có công', 'thương binh', 'liệt sĩ', 'bệnh binh', 'chất độc da cam', 'mẹ việt nam anh hùng',
    'chế độ', 'chính sách', ['hỗ trợ', 0.5], 'hỗ trợ tiền', 'tiền hỗ trợ', 'gạo cứu đói', 'cứu trợ', 'sau bão', 'tốc mái', 'sập nhà', 'thiệt hại', 'thiên tai',
    'lũ lụt', 'mồ côi', 'đơn thân', 'lương hưu', 'hưu trí', 'bảo hiểm xã hội', 'thất nghiệp', 'trợ cấp thất nghiệp', 'việc làm', 'xuất khẩu lao động',
    'vay vốn', 'ngân hàng chính sách', ['hoàn cảnh khó khăn', 2], 'khó khăn', 'chồng mất', 'vợ mất', 'hỗ trợ sửa nhà', 'hỗ trợ làm nhà', 'danh sách hộ nghèo', 'xét hộ nghèo', 'bình xét', 'sống một mình', 'neo đơn', 'không nơi nương tựa', 'điều dưỡng', 'tiền trợ cấp', 'phát tiền', 'chi trả', 'chưa nhận được tiền', 'lương hưu', 'thẻ hưu', 'hưu', 'người khuyết tật', 'tiền hỗ trợ', 'gia đình chính sách', 'huân chương', 'kháng chiến', 'cựu chiến binh', 'hộ khó khăn', 'nhà tạm', 'nhà dột nát', 'xóa nhà tạm', 'nhà ở cho hộ nghèo', 'nhà tình nghĩa', 'mai táng phí', 'tiền tuất', 'quà tết', 'tết cho hộ', 'bảo hiểm xã hội tự nguyện',
  ],
  Y_TE: [
    'bệnh', 'ốm', 'sốt', 'ho', 'tiêm', 'vắc', 'thuốc', 'khám', 'khám bệnh', 'chữa bệnh', 'y tế', 'bệnh viện', 'trạm y tế', 'bác sĩ', 'mất tiền khám', 'khám miễn phí', 'chó cắn', 'cắn', 'dịch', 'muỗi', 'viện', 'sức khỏe', 'thai', 'đẻ',
    'y tế', 'trạm y tế', 'bệnh viện', 'khám bệnh', 'khám chữa bệnh', 'bác sĩ', 'y sĩ', 'mua thuốc', 'cấp thuốc', 'phát thuốc', 'thuốc men', 'uống thuốc', 'tiêm', 'tiêm chủng', 'tiêm phòng', 'vắc xin', 'vacxin',
    'vaccine', 'sởi', 'sốt xuất huyết', 'sốt', 'dịch bệnh', 'tay chân miệng', 'cúm', 'covid', 'phun thuốc muỗi', 'muỗi', 'bảo hiểm y tế',
    'thẻ bảo hiểm', 'thẻ bhyt', 'gia hạn thẻ', 'khám thai', 'sinh đẻ', 'đỡ đẻ', 'sức khỏe', 'bị ốm', 'bệnh', 'cấp cứu', 'ngộ độc', 'an toàn thực phẩm',
    'thực phẩm bẩn', 'đau bụng', 'tiêu chảy', 'nôn', 'ngộ độc thực phẩm', 'dầu ăn cũ', 'hàng quán mất vệ sinh', 'khám sức khỏe', 'khám định kỳ', 'chó cắn', 'bị chó cắn', 'phòng dại', 'dại', 'sơ sinh', 'trẻ sơ sinh', 'mang thai', 'bà bầu', 'thuốc bảo hiểm', 'bệnh nhân', 'nằm viện', 'viện phí', 'huyết áp', 'tiểu đường', 'lao phổi', 'dinh dưỡng', 'suy dinh dưỡng', 'kế hoạch hóa', 'xét nghiệm', 'chuyển tuyến', 'giấy chuyển viện', 'người bệnh',
  ],
  GIAO_DUC: [
    ['trường', 0.5], ['học', 0.5], ['lớp', 0.5], 'giáo viên', 'cô giáo', 'thầy giáo', 'học sinh', 'sinh viên', 'học phí', 'máy tính cho lớp', 'mua máy tính', 'đóng góp', 'khoản đóng góp', 'cô giáo đánh', 'giáo viên đánh', 'đánh học sinh', 'bị cô giáo', 'mầm non', 'mẫu giáo', 'nhà trẻ', 'tiểu học', 'giáo dục',
    'trường học', 'ở trường', 'cổng trường', 'nhà trường', 'trường tiểu học', 'trường cấp', 'trường mầm non', 'mầm non', 'mẫu giáo', 'nhà trẻ', 'tiểu học', 'trung học', 'thcs', 'thpt', 'lớp 1', 'lớp một', 'vào lớp',
    'tuyển sinh', 'nhập học', 'học sinh', 'hỗ trợ tiền ăn', 'tiền ăn trưa', 'hỗ trợ học sinh', 'giáo viên', 'cô giáo', 'thầy giáo', 'học phí', 'miễn học phí', 'giảm học phí', 'học bổng', 'sách giáo khoa',
    'đồng phục', 'quỹ phụ huynh', 'quỹ lớp', 'ban đại diện cha mẹ', 'thu tiền học', 'các khoản thu', 'bán trú', 'xe đưa đón', 'đưa đón học sinh', 'học thêm',
    'dạy thêm', 'điểm trường', 'phòng học', 'bắt nạt', 'bạo lực học đường', 'chủ nhiệm', 'cô chủ nhiệm', 'hiệu trưởng', 'phụ huynh', 'lớp 6', 'lớp 10', 'vào lớp 6', 'chuyển trường', 'học bạ', 'bằng tốt nghiệp', 'ăn bán trú', 'bữa ăn bán trú', 'sữa học đường', 'bị dột', 'dột nát', 'lớp học', 'các cháu học', 'đi học', 'nghỉ học', 'trực tuyến', 'sách vở', 'giáo dục', 'bỏ học', 'phổ cập', 'kỳ thi', 'thi tuyển', ['học', 0.5], 'cháu đi học', 'con đi học', 'nhận hồ sơ cho cháu',
  ],
  HANH_CHINH: [
    'khai sinh', 'khai tử', 'kết hôn', 'ly hôn', 'chứng thực', 'căn cước', 'tạm trú', 'thường trú', 'hộ khẩu', 'hộ tịch', 'cư trú', 'giấy tờ', 'thủ tục', 'vneid', 'định danh', 'xác nhận', 'kết hôn lần hai', 'lần hai',
    'khai sinh', 'giấy khai sinh', 'khai tử', 'kết hôn', 'đăng ký kết hôn', 'ly hôn', 'tình trạng hôn nhân', 'xác nhận độc thân', 'hộ tịch', 'trích lục',
    'chứng thực', 'công chứng', 'sao y', 'bản sao', 'chữ ký', ['căn cước', 2], 'gắn chip', 'khai tử', 'xin việc', 'nơi cư trú', 'căn cước công dân', 'chứng minh nhân dân', 'làm căn cước', 'định danh',
    'vneid', 'tài khoản định danh', 'thường trú', 'tạm trú', 'tạm vắng', 'cư trú', 'hộ khẩu', 'sổ hộ khẩu', 'nhập khẩu', 'chuyển khẩu', 'tách khẩu',
    'xác nhận cư trú', 'giấy xác nhận', ['xác nhận', 0.5], ['thủ tục', 0.5], ['hồ sơ', 0.5], ['giấy tờ', 0.5], 'một cửa', 'bộ phận một cửa', 'dịch vụ công', ['nộp hồ sơ', 0.75],
    'lệ phí', 'con dấu', 'đóng dấu', 'giấy ủy quyền', 'lý lịch', 'sơ yếu lý lịch', 'giấy giới thiệu', 'cải chính', 'đổi tên', 'nhận con nuôi', 'giám hộ',
    'giấy phép kinh doanh', 'đăng ký kinh doanh', 'hộ kinh doanh', 'chứng tử', 'giấy chứng tử', 'báo tử', 'người nước ngoài', 'quốc tịch', 'hộ chiếu', 'định danh điện tử', 'mức 2', 'kích hoạt tài khoản', 'ngày sinh', 'sai ngày sinh', 'sai tên trong', 'giấy chứng sinh', 'làm lại giấy', 'cấp lại', 'cấp bản sao', 'bản chính', 'xác nhận thông tin cư trú', 'vợ mới cưới', 'nhập hộ',
  ],
  NONG_NGHIEP: [
    'chuột', 'diệt chuột', 'chuột cắn', 'chuột phá', 'lúa', 'mạ', 'ruộng', ['đồng', 0.5], 'cánh đồng', 'sâu', 'rầy', 'phân bón', 'giống', 'giống lúa', 'lúa lai', 'ngô', 'sắn', 'trâu', 'bò', 'lợn', 'gà', 'vịt', 'heo', 'thú y', 'khuyến nông', 'thủy lợi', 'tưới', 'mùa vụ', 'gặt', 'cấy', ['vụ', 0.5],
    'lúa', 'vụ lúa', 'vụ xuân', 'vụ mùa', 'vụ chiêm', 'gieo sạ', 'gieo cấy', 'cấy lúa', 'lịch thời vụ', 'thời vụ', 'giống lúa', 'giống cây',
    'giống ngô', 'trồng ngô', 'bắp', 'khoai', 'trồng sắn', 'mía', 'rau màu', 'cây trồng', 'phân bón', 'thuốc bảo vệ thực vật', 'sâu bệnh', 'sâu cuốn lá', 'rầy', 'rầy nâu',
    'đạo ôn', 'chuột phá', 'sâu keo', 'ngô đông', 'mở cống cho nước', 'nước vào đồng', 'nước vào ruộng', 'làm mạ', 'gieo mạ', 'sưng chân', 'không ăn', 'bỏ ăn', 'gia súc ốm', 'chuyển đổi cây trồng', 'chuyển đổi từ lúa', 'vùng nguyên liệu', 'đồng ruộng khô', 'lở mồm', 'lịch xả nước', 'hồ thủy lợi', 'xả nước', 'máy sấy', 'sấy lúa', 'khuyến nông', 'thủy lợi', 'mương', 'mương nội đồng', 'kênh mương', 'trạm bơm', 'bơm nước', 'nước tưới', 'tưới tiêu',
    'hạn hán', 'khô hạn', 'đồng ruộng', 'ruộng', 'cánh đồng', 'thu hoạch', 'gặt', 'máy gặt', 'chăn nuôi', 'gia súc', 'gia cầm', 'con lợn', 'lợn chết', 'đàn lợn', 'lợn nái', 'heo', 'trâu',
    'con bò', 'đàn bò', 'trâu bò', 'bò chết', 'con gà', 'đàn gà', 'gà chết', 'vịt', 'dịch tả', 'dịch tả lợn', 'tả châu phi', 'lở mồm long móng', 'cúm gia cầm', 'tiêm phòng cho gia súc', 'thú y', 'thủy sản',
    'nuôi cá', 'nuôi tôm', 'ao nuôi', 'tôm nuôi', 'cá chết hàng loạt', 'vàng lá', 'lúa bị', 'phun thuốc gì', 'phân bón hỗ trợ', 'phát phân', 'vụ đông', 'vụ hè thu', 'vụ thu', 'tập huấn', 'trồng cà phê', 'cà phê', 'hồ tiêu', 'cây ăn quả', 'vườn cây', 'nuôi bò', 'nuôi lợn', 'nuôi gà', 'chuồng nuôi', 'chết hàng loạt', 'kênh tưới', 'bồi lấp', 'nước không vào ruộng', 'ruộng khô', 'máy cày', 'cày bừa', 'làm đất', 'bảo vệ thực vật', 'bệnh gì', 'giống', 'hạt giống', 'cây giống', 'con giống', 'trồng rừng', 'keo', 'bạch đàn', 'hợp tác xã', 'htx', 'nông sản', 'tiêu thụ nông sản', 'giá lúa', 'dồn điền', 'nông nghiệp', 'trồng trọt',
  ],
  KHIEU_NAI_TO_CAO: [
    ['quát mắng', 3], ['quát', 2], ['mắng', 1.5], ['thái độ', 2.5], ['thái độ tệ', 3], ['thái độ rất tệ', 3], ['cửa quyền', 4], ['nhận tiền', 2.5], ['nhận tiền của dân', 3.5], ['xin cho vào danh sách', 2], ['lót tay', 4], ['tiêu cực', 3], ['nhận quà', 1.5], ['vô trách nhiệm', 3], ['tắc trách', 3], ['thiếu trách nhiệm', 3],
    ['tố cáo', 4], ['khiếu nại', 4], ['khiếu kiện', 3], ['đơn thư', 2], ['tham nhũng', 4], ['tham ô', 4], ['nhũng nhiễu', 4], ['hạch sách', 4],
    ['hách dịch', 4], ['gây khó dễ', 4], ['gây khó khăn', 2.5], ['vòi tiền', 4], ['đòi tiền', 2], ['đòi nộp tiền', 2.5], ['không lập biên bản', 3], ['giữ xe', 1], ['mới trả', 1.5], ['không giải quyết', 2], ['không trả lời đơn', 3], ['chịu phí', 1.5], ['cho người nhà', 3], ['người nhà', 1], ['thầu', 1.5], ['nhận thầu', 2], ['ăn hối lộ', 4], ['hối lộ', 4], ['bôi trơn', 3],
    ['phong bì', 3], ['tiền lót tay', 4], ['không công khai', 3], ['công khai chi tiêu', 3], ['lạm dụng chức vụ', 4], ['lạm quyền', 4],
    ['sai phạm', 3], ['làm sai', 2], ['bao che', 3], ['chiếm đoạt', 3], ['quyết định xử phạt', 3], ['quyết định hành chính', 3], ['không đúng sự thật', 2],
    ['cán bộ', 1], ['trưởng thôn', 1], ['chủ tịch xã', 1], ['địa chính xã', 1], ['thu tiền', 1.5], ['bắt dân', 2.5], ['đi lại nhiều lần', 2.5],
    ['mới ký', 2], ['mới nhận hồ sơ', 2], ['đề nghị kiểm tra', 2], ['đề nghị thanh tra', 3], ['thanh tra', 2], ['ưu ái', 2], ['thiên vị', 2.5],
    ['ăn chặn', 4], ['ăn bớt', 4], ['cắt xén', 3], ['bớt xén', 3], ['không minh bạch', 3], ['làm khó', 3], ['đòi thêm', 3], ['thêm tiền', 2], ['ngoài lệ phí', 3], ['tự ý', 2], ['bán đất công', 3], ['không công bằng', 2.5], ['chia không đều', 2], ['gửi đơn', 2], ['đơn khiếu nại', 3], ['cưỡng chế', 2.5], ['không đồng ý với quyết định', 3], ['xem xét lại', 1.5], ['người nhà cán bộ', 3], ['nhà cán bộ', 2], ['quen biết', 1.5], ['chạy chọt', 3], ['móc nối', 3], ['làm giả', 2], ['lợi dụng', 2], ['trù dập', 4], ['trả thù', 2], ['cán bộ tư pháp', 1], ['cán bộ thôn', 1],
  ],
};

// Who a complaint is about: a complaint signal counts as such only when aimed at an official.
export const OFFICIAL_WORDS = ['cán bộ', 'chủ tịch', 'phó chủ tịch', 'trưởng thôn', 'thôn trưởng', 'công an', 'địa chính', 'ủy ban', 'xã', 'công chức', 'một cửa', 'bí thư', 'kế toán xã', 'tư pháp'];

// Thanks, greetings and questions about the office itself are not requests for a field.
export const NEUTRAL_PHRASES = ['cảm ơn', 'cám ơn', 'xin chào', 'chào xã', 'chúc', 'chúc mừng', 'năm mới', 'xin lỗi', 'gửi nhầm', 'số điện thoại', 'giờ làm việc', 'địa chỉ ủy ban'];

export function builtinRules(): ClassifierRule[] {
  const rules: ClassifierRule[] = [];
  for (const [code, entries] of Object.entries(LEXICON)) {
    for (const e of entries) {
      const [pattern, weight] = typeof e === 'string' ? [e, undefined] : e;
      const words = pattern.trim().split(/\s+/).length;
      // Longer phrases are more specific: each extra word adds weight.
      rules.push({ categoryCode: code, kind: words > 1 ? 'phrase' : 'keyword', pattern, weight: weight ?? (words > 1 ? 1 + 0.5 * (words - 1) : 1) });
    }
  }
  return rules;
}
