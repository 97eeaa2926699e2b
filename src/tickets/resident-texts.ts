// What residents read. Plain, polite Vietnamese for people who may be elderly; no jargon, the
// ticket code always spelled out so it can be read over the phone.
import { statusLabel, type TicketStatus } from './ticket-status.ts';
import { DEFAULT_TIME_ZONE } from '../calendar/time-zone.ts';

export const CONSENT_VERSION = '2026-11';

export const residentTexts = {
  consent: (communeName: string) =>
    `Xin chào! Đây là kênh tiếp nhận câu hỏi, phản ánh của ${communeName}.\n\n` +
    'Để trả lời bạn, Ủy ban cần lưu tên hiển thị, tin nhắn và ảnh bạn gửi (theo Luật Bảo vệ dữ liệu cá nhân). ' +
    'Thông tin chỉ dùng để xử lý phản ánh; bạn có thể xem lại bằng /dulieucuatoi và yêu cầu xoá bằng /xoadulieu.\n\n' +
    'Bạn có đồng ý không? Bấm "Tôi đồng ý" (hoặc gõ: dong y).',
  consentThanks: 'Cảm ơn bạn. Mời bạn gửi câu hỏi hoặc phản ánh; nếu có ảnh, bạn gửi kèm luôn.',
  consentHeld: 'Tin nhắn của bạn đã được giữ lại và sẽ được chuyển ngay khi bạn đồng ý.',
  help:
    'Cách dùng:\n' +
    '• Gửi tin nhắn (kèm ảnh nếu có) để hỏi hoặc phản ánh. Mỗi phản ánh có một mã số.\n' +
    '• /tracuu <mã> — xem tình trạng, ví dụ: /tracuu PA-2026-00123 (hoặc chỉ gửi mã).\n' +
    '• /moi — bắt đầu một phản ánh mới.\n' +
    '• /dulieucuatoi — xem dữ liệu của bạn; /xoadulieu — xoá dữ liệu cá nhân.',
  ask: 'Mời bạn gửi câu hỏi hoặc phản ánh (có thể kèm ảnh).',
  newTicketNext: 'Tin nhắn tiếp theo của bạn sẽ được tạo thành phản ánh mới.',
  acknowledged: (p: { code: string; category: string; dueText: string }) =>
    `Ủy ban đã nhận phản ánh của bạn.\nMã số: ${p.code}\nLĩnh vực: ${p.category}\nHạn trả lời: ${p.dueText}\n\n` +
    'Bạn có thể gửi thêm thông tin, ảnh vào đây; dùng /tracuu để xem tình trạng.',
  followUpJoined: (code: string) => `Đã bổ sung vào phản ánh ${code}.`,
  denunciationNotice:
    'Lưu ý: tin nhắn qua kênh này được tiếp nhận như một phản ánh, chưa phải đơn tố cáo theo Luật Tố cáo. ' +
    'Nếu muốn tố cáo chính thức, bạn gửi đơn có chữ ký (ghi rõ họ tên, địa chỉ) tới bộ phận tiếp công dân của Ủy ban xã, ' +
    'hoặc trình bày trực tiếp tại buổi tiếp công dân. Danh tính của bạn chỉ cán bộ được giao xử lý biết.',
  answered: (code: string, answer: string) => `Trả lời phản ánh ${code}:\n\n${answer}`,
  faqOffer: (question: string, answer: string) =>
    `Xã đã trả lời một câu hỏi tương tự:\n\n„${question}“\n\n${answer}\n\nNếu chưa đúng ý bạn, cán bộ vẫn sẽ trả lời riêng phản ánh này.`,
  rateQuestion: 'Bạn có hài lòng với câu trả lời không?',
  rateThanks: 'Cảm ơn bạn đã đánh giá.',
  reopened: (code: string) => `Phản ánh ${code} đã được chuyển lại lãnh đạo xã để xem xét thêm.`,
  statusChanged: (code: string, status: TicketStatus, note?: string) =>
    `Phản ánh ${code}: ${statusLabel[status]}${note ? `\n${note}` : ''}`,
  rejected: (code: string, reason: string) => `Phản ánh ${code} không được tiếp nhận. Lý do: ${reason}`,
  transferred: (code: string, note: string) => `Phản ánh ${code} đã được chuyển xử lý: ${note}`,
  duplicateOf: (code: string, other: string) => `Phản ánh ${code} trùng với phản ánh ${other}; câu trả lời sẽ có ở phản ánh ${other}.`,
  trackNotFound: (code: string) => `Không tìm thấy phản ánh ${code} của bạn. Bạn kiểm tra lại mã số nhé.`,
  trackUsage: 'Bạn gửi kèm mã phản ánh, ví dụ: /tracuu PA-2026-00123',
  empty: 'Tin nhắn chưa có nội dung. Bạn gõ câu hỏi hoặc gửi ảnh nhé.',
  unsupported: 'Hiện hệ thống chỉ nhận chữ và ảnh. Bạn gõ nội dung bằng chữ giúp Ủy ban nhé.',
  tooLong: (max: number) => `Tin nhắn dài quá (tối đa ${max} ký tự). Bạn chia thành vài tin ngắn hơn nhé.`,
  photoTooLarge: (mb: number) => `Ảnh lớn quá (tối đa ${mb} MB). Bạn gửi ảnh nhỏ hơn nhé.`,
  rateLimited: 'Bạn gửi hơi nhanh. Xin chờ một lát rồi gửi tiếp; các tin trước đã được ghi nhận.',
  unknownCommand: 'Lệnh này chưa có. Gõ /huongdan để xem cách dùng.',
  myDataHeader: 'Dữ liệu Ủy ban đang lưu về bạn:',
  erased: 'Đã xoá dữ liệu cá nhân của bạn. Các phản ánh vẫn được giữ (ẩn danh) để thống kê.',
  // Zalo Bot Platform: its terms require the bot to say it is one; protected users' messages
  // reach the bot without their content.
  botDisclosure: '🤖 Bạn đang nhắn với trợ lý tự động (bot) của Ủy ban. Câu hỏi, phản ánh của bạn được chuyển tới cán bộ phụ trách để trả lời.',
  // Zalo OA: an anonymous sender can neither consent nor be answered later.
  oaAnonymousRefused:
    'Ủy ban chưa nhận câu hỏi gửi ẩn danh qua Zalo OA vì không thể trả lời lại cho bạn. ' +
    'Bạn vui lòng nhắn bằng tài khoản Zalo của mình (thông tin chỉ dùng để trả lời phản ánh), hoặc gửi qua trang hỏi đáp của xã.',
  protectedUser: (webChatUrl: string | undefined) =>
    'Tài khoản Zalo của bạn đang bật chế độ bảo vệ nên Ủy ban không đọc được tin nhắn này. ' +
    (webChatUrl ? `Bạn có thể gửi câu hỏi qua trang hỏi đáp của xã: ${webChatUrl}` : 'Bạn có thể gửi câu hỏi qua trang hỏi đáp trên trang web của xã.'),
} as const;

/** "15:30 ngày 02/12/2026" in the commune's time zone. */
export function formatDue(date: Date, timeZone: string = DEFAULT_TIME_ZONE): string {
  const parts = new Intl.DateTimeFormat('vi-VN', {
    timeZone,
    hour: '2-digit',
    minute: '2-digit',
    day: '2-digit',
    month: '2-digit',
    year: 'numeric',
    hourCycle: 'h23',
  }).formatToParts(date);
  const get = (t: string) => parts.find((p) => p.type === t)?.value ?? '';
  return `${get('hour')}:${get('minute')} ngày ${get('day')}/${get('month')}/${get('year')}`;
}
